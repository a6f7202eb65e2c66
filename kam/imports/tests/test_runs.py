"""Import runs (issue 8 §4, §5): the stored, checksummed upload, the runners, the progress the
page polls, the result kept (errors capped), a crash recorded rather than raised, the scope."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.http import Http404
from django.test import override_settings

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.imports.mapping import Mapping
from kam.imports.models import ImportRun
from kam.imports.selectors.runs import run_get, runs_for
from kam.imports.services import runs as runs_service
from kam.imports.services.runs import (
    ERRORS_KEPT,
    import_dir,
    run_create,
    run_execute,
    run_prepare,
    run_start,
    stored_path,
)

pytestmark = pytest.mark.django_db

CLIENTS = b"registration_number,legal_name\n40001000001,Aurora SIA\n40001000002,Baltic AS\n"


def upload(org, data=CLIENTS, *, name="clients.csv", kind="clients", actor=None, **kw):
    return run_create(
        actor=actor or org.support_north,
        kind=kind,
        upload=io.BytesIO(data),
        file_name=name,
        via=ImportRun.Via.API,
        **kw,
    )


def test_upload_is_stored_under_its_uuid_with_size_and_sha256(org):
    run = upload(org)
    path = stored_path(run)
    assert path == import_dir() / f"{run.uuid.hex}.csv"
    assert path.read_bytes() == CLIENTS
    assert run.size == len(CLIENTS)
    assert run.checksum == hashlib.sha256(CLIENTS).hexdigest()
    assert run.status == ImportRun.Status.UPLOADED
    entry = AuditEntry.objects.get(entity="imports.importrun", entity_id=str(run.uuid))
    assert entry.actor == org.support_north
    assert entry.changes["sha256"] == run.checksum


def test_a_path_is_stored_too(org, tmp_path):
    source = tmp_path / "from-disk.csv"
    source.write_bytes(CLIENTS)
    run = run_create(actor=None, kind="clients", upload=source, file_name=source.name, via="cli")
    assert stored_path(run).read_bytes() == CLIENTS


@pytest.mark.parametrize(
    ("name", "message"),
    [("clients.txt", "Only .csv and .xlsx"), ("", "Choose a file"), ("noext", "Only .csv")],
)
def test_wrong_type_or_no_name_is_refused_and_nothing_is_kept(org, name, message):
    before = set(import_dir().iterdir())
    with pytest.raises(ValidationError) as caught:
        upload(org, name=name)
    assert message in str(caught.value.message_dict["file"])
    assert not ImportRun.objects.exists()
    assert set(import_dir().iterdir()) == before


def test_too_large_is_refused_with_the_limit_named_and_nothing_kept(org):
    before = set(import_dir().iterdir())
    with override_settings(KAM_IMPORT_MAX_MB=0.0001), pytest.raises(ValidationError) as caught:
        upload(org, data=CLIENTS * 3)  # the limit is 104 bytes
    assert "KAM_IMPORT_MAX_MB" in caught.value.message_dict["file"][0]
    assert set(import_dir().iterdir()) == before
    assert not ImportRun.objects.exists()


def test_who_may_not_import_cannot_upload(org):
    with pytest.raises(PermissionDenied):
        upload(org, actor=org.kam_anna)
    assert not ImportRun.objects.exists()


def test_bad_options_and_a_mapping_of_another_kind_are_refused(org):
    with pytest.raises(ValidationError) as caught:
        upload(org, kind="sales", name="s.csv", options={"service_lines": "drop"})
    assert "options.service_lines" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        upload(org, options={"create_missing": True})
    assert "options" in caught.value.message_dict
    products = Mapping.from_dict({"kind": "products", "columns": {"SKU": "sku", "Name": "name"}})
    with pytest.raises(ValidationError) as caught:
        upload(org, mapping=products)
    assert "mapping" in caught.value.message_dict
    assert not ImportRun.objects.exists()


def test_inline_run_imports_and_keeps_the_result(org):
    run = run_start(upload(org))
    assert run.status == ImportRun.Status.DONE
    assert run.percent == 100
    assert run.result["ok"] is True
    assert run.result["created"] == 2
    assert run.started_at and run.finished_at
    assert Account.objects.filter(registration_number="40001000001").exists()
    # The file is not needed once imported; its name, size and checksum stay.
    assert run.stored_as == "" and stored_path(run) is None
    assert AuditEntry.objects.filter(action="import", changes__sha256=run.checksum).exists()


def test_check_only_writes_nothing_and_the_run_can_then_import(org):
    run = run_start(upload(org, check_only=True))
    assert run.status == ImportRun.Status.CHECKED
    assert run.result["checked_only"] is True
    assert not Account.objects.exists()
    run = run_prepare(actor=org.support_north, run=run, check_only=False)
    run = run_start(run)
    assert run.status == ImportRun.Status.DONE
    assert Account.objects.count() == 2
    with pytest.raises(ValidationError):  # imported: not again
        run_start(run)


def test_a_mapping_reads_the_files_own_columns(org):
    data = b"Customer ID;Name\n40001000009;Mapped SIA\n"
    mapping = Mapping.from_dict(
        {"kind": "clients", "columns": {"Customer ID": "registration_number", "Name": "legal_name"}}
    )
    run = run_start(upload(org, data=data, mapping=mapping))
    assert run.status == ImportRun.Status.DONE, run.result
    assert run.mapping_spec["columns"]["Customer ID"] == "registration_number"
    assert Account.objects.get(registration_number="40001000009").legal_name == "Mapped SIA"


def test_row_errors_fail_the_import_with_line_column_reason_and_write_nothing(org):
    data = b"registration_number,legal_name\n40001000001,Aurora SIA\n40001000002,\n"
    run = run_start(upload(org, data=data))
    assert run.status == ImportRun.Status.FAILED
    assert run.error_count == 1
    assert run.result["errors"] == [
        {"line": 3, "column": "legal_name", "message": "a value is required"}
    ]
    assert not Account.objects.exists()
    assert stored_path(run) is not None  # kept, to be fixed and tried again


def test_errors_are_capped_but_counted(org):
    rows = b"".join(b"4000%07d,\n" % i for i in range(ERRORS_KEPT + 50))
    run = run_start(upload(org, data=b"registration_number,legal_name\n" + rows, check_only=True))
    assert run.error_count == ERRORS_KEPT + 50
    assert len(run.result["errors"]) == ERRORS_KEPT


def test_a_crash_is_a_failed_run_with_a_message_not_an_exception(org, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setitem(runs_service.IMPORTERS, "clients", broken)
    run = run_start(upload(org))
    assert run.status == ImportRun.Status.FAILED
    assert "disk on fire" in run.result["message"]
    assert run.finished


def test_progress_is_written_to_the_row(org, monkeypatch):
    seen = []
    real = runs_service.IMPORTERS["clients"]

    def watching(**kwargs):
        progress = kwargs["progress"]

        def spy(done, total):
            progress(done, total)
            seen.append(ImportRun.objects.values_list("status", "progress_done").get())

        kwargs["progress"] = spy
        return real(**kwargs)

    monkeypatch.setitem(runs_service.IMPORTERS, "clients", watching)
    monkeypatch.setattr(runs_service, "PROGRESS_EVERY", 0)
    run_start(upload(org))
    # The check's progress is visible outside the write's transaction.
    assert ("checking", 1) in seen
    assert ImportRun.objects.get().percent == 100


def test_thread_and_process_runners_wait_for_the_commit(
    org, monkeypatch, django_capture_on_commit_callbacks
):
    started = []
    monkeypatch.setattr(runs_service, "_start_process", lambda run: started.append(run.uuid))
    run = upload(org)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = run_start(run, runner="process")
    assert run.status == ImportRun.Status.QUEUED
    assert started == [] and len(callbacks) == 1
    callbacks[0]()
    assert started == [run.uuid]
    with pytest.raises(ValidationError):  # queued: a second click does not start it twice
        run_start(run, runner="process")


def test_the_command_runs_a_queued_run(org, django_capture_on_commit_callbacks, capsys):
    run = upload(org)
    with django_capture_on_commit_callbacks(execute=False):
        run_start(run, runner="thread")  # queued; the thread never starts here
    call_command("import_run", str(run.uuid))
    assert ImportRun.objects.get().status == ImportRun.Status.DONE
    assert "done" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_run", str(run.uuid))  # not queued any more
    with pytest.raises(CommandError):
        call_command("import_run", "not-a-uuid")


def test_run_execute_leaves_a_run_that_is_not_queued(org):
    run = upload(org)
    assert run_execute(run).status == ImportRun.Status.UPLOADED
    assert not Account.objects.exists()


def test_importers_see_every_run_others_none(org):
    mine = upload(org)
    theirs = upload(org, actor=org.director)
    assert set(runs_for(org.support_north)) == {mine, theirs}
    assert list(runs_for(org.kam_anna)) == []
    assert run_get(org.director, mine.uuid) == mine
    for key in (mine.uuid, "00000000-0000-0000-0000-000000000000", "junk"):
        with pytest.raises(Http404):
            run_get(org.kam_anna, key)
