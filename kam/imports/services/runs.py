"""Import runs (issue 8 §4, §5): a file uploaded from the page or the API, stored and
checksummed, then checked or imported in the background while its row shows the progress.

- ``run_create`` stores the upload under ``settings.KAM_IMPORT_DIR`` as ``<uuid><suffix>``,
  computing its SHA-256 and size as it goes (refused above ``KAM_IMPORT_MAX_MB``; .csv and
  .xlsx only), and records the run (audited).
- ``run_prepare`` changes what an unstarted (or checked, or failed) run will do: its mapping,
  options and whether it only checks. The page checks a file, then imports the same upload.
- ``run_start`` hands the run to ``settings.KAM_IMPORT_RUNNER``: ``inline`` (in this request:
  tests and the API's synchronous answer), ``thread`` (a thread of this server process) or
  ``process`` (a detached ``kam import_run <uuid>``, which survives the request and a worker
  restart; it runs on the server that received the file, see docs/operations.md).
- ``run_execute`` is the run itself, whichever runner calls it: the importer with a progress
  callback that writes the row, the result stored (errors capped at ``ERRORS_KEPT``, the full
  count kept), a crash recorded as ``failed`` with a message rather than raised.

Progress on PostgreSQL: the importer writes in one transaction, and what the request (or
worker) writes inside it is invisible to the page polling it until the commit. So progress
reported inside a transaction goes through a second connection of its own, in autocommit;
outside one it goes through the ordinary connection. SQLite takes one writer at a time (and its
readers see only committed data), so there progress inside the transaction is not written: the
bar stands at the end of the check until the write is done.
"""

import hashlib
import logging
import os
import subprocess
import sys
import threading
import time
import uuid as uuid_module
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.imports.mapping import Mapping, MappingError
from kam.imports.models import KINDS, ImportMapping, ImportRun
from kam.imports.options import OptionError, SalesOptions
from kam.imports.services import IMPORTERS
from kam.imports.services.common import require_import
from kam.org.models import User

logger = logging.getLogger("kam.imports")

SUFFIXES = (".csv", ".xlsx")
# Errors stored with a run (and answered by the API); ``error_count`` keeps the full count.
ERRORS_KEPT = 1000
# Seconds between two progress writes: a row update per second is plenty for a progress bar.
PROGRESS_EVERY = 0.5
RUNNERS = ("inline", "thread", "process")
# A run may be (re)started from these: not while it is queued or running, nor once imported.
STARTABLE = (
    ImportRun.Status.UPLOADED,
    ImportRun.Status.CHECKED,
    ImportRun.Status.FAILED,
)
_BLOCK = 1 << 20


def import_dir() -> Path:
    return Path(settings.KAM_IMPORT_DIR)


def max_bytes() -> int:
    return int(float(settings.KAM_IMPORT_MAX_MB) * 1024 * 1024)


def stored_path(run: ImportRun) -> Path | None:
    """The upload on disk, or None once it is gone (removed after a successful import)."""
    if not run.stored_as:
        return None
    path = import_dir() / run.stored_as
    return path if path.is_file() else None


# --- creating and preparing a run ---------------------------------------------------------------


def _too_large_message() -> str:
    return _("The file is larger than the %(limit)s MB allowed (KAM_IMPORT_MAX_MB).") % {
        "limit": settings.KAM_IMPORT_MAX_MB
    }


def _store(upload: IO[bytes] | str | Path, target: Path) -> tuple[int, str]:
    """Copy ``upload`` to ``target`` in blocks, hashing as it goes; (size, SHA-256 hex).
    Over the limit: the partial copy is removed and a ValidationError names the file."""
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise ValidationError({"file": _too_large_message()})
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    opened = None
    if isinstance(upload, str | Path):
        try:
            opened = source = open(upload, "rb")  # noqa: SIM115 - closed below
        except OSError as exc:
            raise ValidationError({"file": _("Cannot open the file: %s") % exc.strerror}) from exc
    else:
        source = upload
        if hasattr(source, "seek"):
            source.seek(0)
    try:
        with open(target, "xb") as out:
            # An UploadedFile streams in chunks from memory or its temporary file.
            blocks = (
                source.chunks(_BLOCK)
                if hasattr(source, "chunks")
                else iter(lambda: source.read(_BLOCK), b"")
            )
            for block in blocks:
                size += len(block)
                if size > limit:
                    raise ValidationError({"file": _too_large_message()})
                digest.update(block)
                out.write(block)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    finally:
        if opened is not None:
            opened.close()
    return size, digest.hexdigest()


def _clean_options(kind: str, options: dict[str, Any] | None) -> dict[str, Any]:
    """The options as given (validated): only those given, so a saved mapping's options still
    apply to the rest (explicit options override the mapping's, entry by entry)."""
    options = dict(options or {})
    if not options:
        return {}
    if kind != "sales":
        raise ValidationError({"options": _("Only a sales import takes options.")})
    try:
        parsed = SalesOptions.from_dict(options).to_dict()
    except OptionError as exc:
        raise ValidationError({f"options.{exc.name}": exc.message}) from exc
    return {name: parsed[name] for name in options}


def _resolve_mapping(
    kind: str, mapping: Mapping | None, mapping_obj: ImportMapping | None
) -> tuple[Mapping | None, ImportMapping | None]:
    if mapping is None and mapping_obj is not None:
        try:
            mapping = Mapping.from_dict(mapping_obj.spec)
        except MappingError as exc:
            raise ValidationError(
                {"mapping": f'"{mapping_obj.name}": {exc.entry}: {exc.message}'}
            ) from exc
    if mapping is not None and mapping.kind != kind:
        raise ValidationError(
            {
                "mapping": _("The mapping is for %(mapping)s, the file is %(kind)s.")
                % {"mapping": mapping.kind, "kind": kind}
            }
        )
    if mapping_obj is not None and mapping_obj.kind != kind:
        raise ValidationError(
            {
                "mapping_name": _('The saved mapping "%(name)s" is for %(mapping)s, not %(kind)s.')
                % {"name": mapping_obj.name, "mapping": mapping_obj.kind, "kind": kind}
            }
        )
    return mapping, mapping_obj


def run_create(
    *,
    actor: User | None,
    kind: str,
    upload: IO[bytes] | str | Path,
    file_name: str,
    via: str,
    mapping: Mapping | None = None,
    mapping_obj: ImportMapping | None = None,
    options: dict[str, Any] | None = None,
    check_only: bool = False,
) -> ImportRun:
    """Store ``upload`` and record a run of it (status ``uploaded``; ``run_start`` runs it).

    Refused (ValidationError naming the field, nothing stored) for a user who may not import
    (PermissionDenied), an unknown kind, a file that is not .csv/.xlsx or over the size limit,
    a mapping of another kind, malformed options."""
    require_import(actor)
    if kind not in IMPORTERS:
        raise ValidationError(
            {
                "kind": _("Unknown kind %(kind)r; choose one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(k for k, _label in KINDS)}
            }
        )
    if via not in ImportRun.Via.values:
        raise ValidationError({"via": _("Unknown source %r.") % via})
    name = Path(str(file_name or "").replace("\\", "/")).name.strip()
    if upload is None or not name:
        raise ValidationError({"file": _("Choose a file to import (.csv or .xlsx).")})
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(
            {
                "file": _("Only .csv and .xlsx files can be imported; %(name)s is not one.")
                % {"name": name}
            }
        )
    options = _clean_options(kind, options)
    mapping, mapping_obj = _resolve_mapping(kind, mapping, mapping_obj)

    run_uuid = uuid_module.uuid4()
    stored_as = f"{run_uuid.hex}{suffix}"
    target = import_dir() / stored_as
    size, checksum = _store(upload, target)
    try:
        with transaction.atomic():
            run = ImportRun.objects.create(
                uuid=run_uuid,
                kind=kind,
                via=via,
                file_name=name[:255],
                size=size,
                checksum=checksum,
                stored_as=stored_as,
                actor=actor,
                mapping=mapping_obj,
                mapping_spec=mapping.to_dict() if mapping is not None else {},
                options=options,
                check_only=check_only,
            )
            audit_record(
                actor=actor,
                action=AuditEntry.Action.CREATE,
                instance=run,
                entity_id=str(run.uuid),
                summary=_("%(kind)s file %(name)s uploaded (%(size)s bytes)")
                % {"kind": kind, "name": name, "size": size},
                changes={
                    "file": name,
                    "sha256": checksum,
                    "size": size,
                    "via": via,
                    "mapping": mapping_obj.name if mapping_obj else "",
                },
            )
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return run


def run_record(
    *,
    actor: User | None,
    kind: str,
    file_name: str,
    size: int,
    result,
    mapping: Mapping | None = None,
    mapping_obj: ImportMapping | None = None,
    options: dict[str, Any] | None = None,
    check_only: bool = False,
) -> ImportRun:
    """Record an import that ran elsewhere (``kam import`` on the server's own file), finished:
    the list of runs shows every import, whichever way it came (issue 8 §4). The file is not
    copied (the operator has it); its name, size and SHA-256 are kept with the result. The
    importer audited the import itself."""
    data = result.to_dict()
    data["errors"] = data["errors"][:ERRORS_KEPT]
    if check_only:
        status = ImportRun.Status.CHECKED
    else:
        status = ImportRun.Status.DONE if result.ok else ImportRun.Status.FAILED
    now = timezone.now()
    return ImportRun.objects.create(
        kind=kind,
        via=ImportRun.Via.CLI,
        file_name=Path(str(file_name)).name[:255],
        size=size,
        checksum=result.checksum,
        actor=actor,
        mapping=mapping_obj,
        mapping_spec=mapping.to_dict() if mapping is not None else {},
        options=options or {},
        check_only=check_only,
        status=status,
        progress_done=1,
        progress_total=1,
        result=data,
        error_count=result.error_count,
        started_at=now,
        finished_at=now,
    )


def run_prepare(
    *,
    actor: User | None,
    run: ImportRun,
    mapping: Mapping | None = None,
    mapping_obj: ImportMapping | None = None,
    options: dict[str, Any] | None = None,
    check_only: bool = False,
) -> ImportRun:
    """Set what the next start of ``run`` does (the page: check with this mapping, then
    import the same upload). Only a run that is not queued, running or imported."""
    require_import(actor)
    if run.status not in STARTABLE:
        raise ValidationError(
            _("This run is %(status)s; it cannot be changed now.")
            % {"status": run.get_status_display()}
        )
    if stored_path(run) is None:
        raise ValidationError(_("The uploaded file is no longer kept; upload it again."))
    options = _clean_options(run.kind, options)
    mapping, mapping_obj = _resolve_mapping(run.kind, mapping, mapping_obj)
    run.mapping = mapping_obj
    run.mapping_spec = mapping.to_dict() if mapping is not None else {}
    run.options = options
    run.check_only = check_only
    run.save(update_fields=["mapping", "mapping_spec", "options", "check_only", "updated_at"])
    return run


# --- starting and running -----------------------------------------------------------------------


def run_start(run: ImportRun, *, runner: str | None = None) -> ImportRun:
    """Queue ``run`` and hand it to the runner (``settings.KAM_IMPORT_RUNNER`` unless given).
    Refused (ValidationError) while it is queued or running, and once it is imported: two
    clicks on Import start it once."""
    runner = runner or settings.KAM_IMPORT_RUNNER
    if runner not in RUNNERS:
        raise ImproperlyConfigured(
            f"KAM_IMPORT_RUNNER must be one of {', '.join(RUNNERS)}, not {runner!r}"
        )
    if stored_path(run) is None:
        raise ValidationError(_("The uploaded file is no longer kept; upload it again."))
    queued = ImportRun.objects.filter(pk=run.pk, status__in=STARTABLE).update(
        status=ImportRun.Status.QUEUED,
        progress_done=0,
        progress_total=0,
        result={},
        error_count=0,
        started_at=None,
        finished_at=None,
        updated_at=timezone.now(),
    )
    if not queued:
        run.refresh_from_db()
        raise ValidationError(
            _("This run is %(status)s; it cannot be started again.")
            % {"status": run.get_status_display()}
        )
    run.refresh_from_db()
    if runner == "inline":
        return run_execute(run)
    # The worker must find the queued row: start it once this request's writes are committed.
    start = _start_thread if runner == "thread" else _start_process
    transaction.on_commit(lambda: start(run))
    return run


def _start_thread(run: ImportRun) -> None:
    def work():
        try:
            run_execute(ImportRun.objects.get(pk=run.pk))
        except Exception:
            logger.exception("import run %s failed in its thread", run.uuid)
        finally:
            connection.close()  # this thread's own connection

    threading.Thread(target=work, name=f"import-{run.uuid}", daemon=True).start()


def _start_process(run: ImportRun) -> None:
    """``kam import_run <uuid>`` in a session of its own (a server restart does not end it);
    its output goes to ``<uuid>.log`` beside the upload, for the operator."""
    log_path = import_dir() / f"{run.uuid.hex}.log"
    try:
        with open(log_path, "ab") as log:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "kam", "import_run", str(run.uuid)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                start_new_session=True,
                close_fds=True,
                env=os.environ.copy(),
            )
    except OSError as exc:
        logger.exception("cannot start the import process for run %s", run.uuid)
        _finish(run, ImportRun.Status.FAILED, {"message": _fail_message(exc)}, 0)
        return
    # Reap the child when it ends, so a long-lived server leaves no zombie behind.
    threading.Thread(target=process.wait, daemon=True).start()


class _ProgressWriter:
    """The importer's progress callback: at most every ``PROGRESS_EVERY`` seconds, the row's
    progress and phase (checking, then importing), through a connection others can see."""

    def __init__(self, run: ImportRun):
        self.pk = run.pk
        self.check_only = run.check_only
        self.last = 0.0
        self.side = None  # the second connection (PostgreSQL, inside a transaction)
        self.side_failed = False
        # Transactions already open when the run began (a test's, a caller's): the row is
        # written through them; only those the importer opens hide the writes from others.
        self.depth = len(connection.atomic_blocks)

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - self.last < PROGRESS_EVERY:
            return
        self.last = now
        # The importers count every row twice: checked (first half), then written.
        writing = not self.check_only and total and done > total // 2
        status = ImportRun.Status.IMPORTING if writing else ImportRun.Status.CHECKING
        self.write(done, total, status)

    def write(self, done: int, total: int, status: str) -> None:
        if len(connection.atomic_blocks) <= self.depth:
            ImportRun.objects.filter(pk=self.pk).update(
                progress_done=done, progress_total=total, status=status
            )
        elif connection.vendor == "postgresql" and not self.side_failed:
            self._write_aside(done, total, status)
        # SQLite inside the transaction: no other connection could see it, nor write now.

    def _write_aside(self, done: int, total: int, status: str) -> None:
        table = ImportRun._meta.db_table
        try:
            if self.side is None:
                self.side = connection.copy()
                with self.side.cursor() as cursor:
                    # Never wait behind a lock for a progress bar.
                    cursor.execute("SET lock_timeout = '2s'")
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET progress_done = %s, progress_total = %s, status = %s "
                    "WHERE id = %s",
                    [done, total, status, self.pk],
                )
        except DatabaseError:
            logger.warning("progress of import run %s not written", self.pk, exc_info=True)
            self.side_failed = True

    def close(self) -> None:
        if self.side is not None:
            self.side.close()
            self.side = None


def _fail_message(exc: BaseException) -> str:
    return _("The import stopped unexpectedly (%(error)s); nothing was imported.") % {
        "error": (str(exc) or type(exc).__name__)[:300]
    }


def _finish(run: ImportRun, status: str, result: dict, error_count: int) -> None:
    total = max(run.progress_total, 1)
    ImportRun.objects.filter(pk=run.pk).update(
        status=status,
        result=result,
        error_count=error_count,
        progress_done=total if status != ImportRun.Status.FAILED else run.progress_done,
        progress_total=total,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _importer_arguments(run: ImportRun) -> dict[str, Any]:
    """The importer's keywords; the newer ones (issue 8) only when set, so KAM's own columns
    without options work with any importer."""
    kwargs: dict[str, Any] = {}
    if run.mapping_spec:
        kwargs["mapping"] = Mapping.from_dict(run.mapping_spec)
    if run.check_only:
        kwargs["check_only"] = True
    if run.options and run.kind == "sales":
        kwargs["options"] = dict(run.options)
    return kwargs


def run_execute(run: ImportRun) -> ImportRun:
    """Run a queued run now, in this thread: the importer (which audits itself), progress on
    the row, the result stored. Never raises for the file's or the importer's sake: a crash
    is the run's ``failed`` status with a message (and the log's traceback)."""
    claimed = ImportRun.objects.filter(pk=run.pk, status=ImportRun.Status.QUEUED).update(
        status=ImportRun.Status.CHECKING, started_at=timezone.now(), updated_at=timezone.now()
    )
    if not claimed:  # another worker took it, or it was never queued
        run.refresh_from_db()
        return run
    run.refresh_from_db()
    writer = _ProgressWriter(run)
    try:
        path = stored_path(run)
        if path is None:
            raise FileNotFoundError(_("the uploaded file is no longer kept"))
        result = IMPORTERS[run.kind](
            source=path,
            name=run.file_name,
            actor=run.actor,
            progress=writer,
            max_errors=ERRORS_KEPT,
            **_importer_arguments(run),
        )
    except PermissionDenied as exc:
        # The uploader lost the right to import between the upload and the run.
        _finish(run, ImportRun.Status.FAILED, {"message": str(exc)}, 0)
    except Exception as exc:
        logger.exception("import run %s (%s, %s) crashed", run.uuid, run.kind, run.file_name)
        _finish(run, ImportRun.Status.FAILED, {"message": _fail_message(exc)}, 0)
    else:
        data = result.to_dict()
        data["errors"] = data["errors"][:ERRORS_KEPT]
        if run.check_only:
            status = ImportRun.Status.CHECKED
        else:
            status = ImportRun.Status.DONE if result.ok else ImportRun.Status.FAILED
        run.refresh_from_db(fields=["progress_total"])
        _finish(run, status, data, result.error_count)
        if status == ImportRun.Status.DONE:
            _forget_upload(run)
    finally:
        writer.close()
    run.refresh_from_db()
    return run


def _forget_upload(run: ImportRun) -> None:
    """An imported file is not needed again (its name, size and SHA-256 stay on the run)."""
    path = stored_path(run)
    if path is not None:
        path.unlink(missing_ok=True)
    ImportRun.objects.filter(pk=run.pk).update(stored_as="")
