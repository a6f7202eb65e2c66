"""``kam radar``: table, CSV and JSON, scoped by --user; --snapshot stores history."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from kam.radar.exports import portfolio_xlsx
from kam.radar.models import KeyStatusSnapshot, SnapshotRun
from kam.radar.selectors import radar_portfolio
from kam.radar.tests.conftest import AS_OF, IN_PERIOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org, client_with):
    return {
        "anna": client_with(org.kam_anna, "100.00", legal_name="Aurora SIA"),
        "sigrid": client_with(org.kam_sigrid, "900.00", legal_name="Šiaulių vaistinė UAB"),
    }


def run(*args) -> str:
    out = io.StringIO()
    call_command("radar", *args, stdout=out)
    return out.getvalue()


def test_json_as_a_kam_shows_only_her_clients(org, book):
    data = json.loads(run("--format", "json", "--user", "kam_anna", "--as-of", AS_OF.isoformat()))
    assert data["level"] == "manager"  # a KAM's default
    assert [r["client"] for r in data["rows"]] == ["Aurora SIA"]
    assert data["rows"][0]["share_pct"] == "100.00"


def test_csv_at_company_level_for_the_director(org, book):
    text = run("--format", "csv", "--level", "company", "--as-of", AS_OF.isoformat())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["Client"] for r in rows] == ["Šiaulių vaistinė UAB", "Aurora SIA"]
    assert rows[0]["Share, %"] == "90.00"
    assert rows[0]["Dependency"] == "Mono client"


def test_table_lists_alerts_and_rows(org, book):
    text = run("--level", "company", "--as-of", AS_OF.isoformat(), "--user", "director")
    assert "mono client" in text
    assert "Aurora SIA" in text and "share" in text


def test_unknown_user_is_an_error(org, book):
    with pytest.raises(CommandError):
        run("--user", "nobody")


def test_foreign_unit_is_refused(org, book):
    with pytest.raises(CommandError, match="no manager unit"):
        run("--user", "kam_anna", "--level", "manager", "--unit", str(org.kam_sigrid.pk))
    # the KAM's own unit is fine
    assert "Aurora SIA" in run(
        "--user", "kam_anna", "--level", "manager", "--unit", str(org.kam_anna.pk)
    )


@pytest.mark.parametrize("unit", ["999999", "99999999999999999999", "-1"])
def test_missing_unit_is_a_one_line_error(org, book, unit):
    with pytest.raises(CommandError, match=f"no department unit {unit} "):
        run("--level", "department", "--unit", unit)


def test_unit_at_company_level_says_which_level(org, book):
    with pytest.raises(CommandError, match="--unit needs --level"):
        run("--level", "company", "--unit", str(org.north.pk))


def _exit(argv: list[str], capsys, monkeypatch) -> tuple[int, str]:
    """Run the command as the shell does (``kam radar ...``): exit status and stderr."""
    from django.db import connections

    from kam.radar.management.commands.radar import Command

    # run_from_argv closes the connections when done: the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exc:
        Command().run_from_argv(["kam", "radar", *argv])
    return exc.value.code, capsys.readouterr().err


def test_cli_errors_exit_1_with_one_line_and_no_traceback(org, book, capsys, monkeypatch):
    for argv in (
        ["--user", "kam_anna", "--level", "manager", "--unit", str(org.kam_sigrid.pk)],
        ["--level", "department", "--unit", "999999"],
        ["--user", "kam_anna", "--snapshot", "--as-of", "2025-06-30"],
    ):
        code, err = _exit(argv, capsys, monkeypatch)
        assert code == 1, argv
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err


def test_snapshot_as_a_kam_is_refused_and_stores_nothing(org, book):
    with pytest.raises(CommandError, match="Only a director or an administrator"):
        run("--user", "kam_anna", "--snapshot", "--as-of", "2025-06-30")
    assert not SnapshotRun.objects.exists() and not KeyStatusSnapshot.objects.exists()
    # the director may
    assert "snapshot 2025-06-30" in run("--user", "director", "--snapshot", "--as-of", "2025-06-30")


def test_snapshot(org, book):
    text = run("--snapshot", "--as-of", "2025-06-30")
    assert "snapshot 2025-06-30" in text
    assert SnapshotRun.objects.filter(period_end=date(2025, 6, 30)).exists()
    assert KeyStatusSnapshot.objects.filter(account=book["sigrid"], band="mono").exists()


def test_xlsx_export_has_the_rows_and_the_concentration(org, book):
    data = portfolio_xlsx(radar_portfolio(user=org.director, as_of=AS_OF))
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Key accounts", "Concentration", "Alerts"]
    rows = list(wb["Key accounts"].iter_rows(values_only=True))
    assert rows[1][1] == "Client"
    assert rows[2][1] == "Šiaulių vaistinė UAB" and rows[2][7] == 90
    assert list(wb["Concentration"].iter_rows(values_only=True))[2][:2] == ("Top 1, %", 90)


def test_default_period_ends_with_the_last_month_with_sales_like_the_page(org, book):
    # The book's sales lie in IN_PERIOD's month; without --as-of the CLI must end its window
    # there (as the radar page does), not in the current month that has no sales yet.
    data = json.loads(run("--format", "json", "--user", "kam_anna"))
    assert data["as_of"][:7] == IN_PERIOD.isoformat()[:7]
    assert data["rows"][0]["share_pct"] == "100.00"
