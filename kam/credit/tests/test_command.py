"""``kam credit CLIENT_REG_NO`` (§9): the report as a table and as JSON; an unknown client, a
client out of the operator's sight or a bad date is one line and a non-zero exit."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kam.credit.services import credit_reserve
from kam.credit.tests.conftest import AS_OF, invoice

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("credit", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def busy(org, book):
    invoice(book.anna, "INV-1", date(2025, 4, 1), "400", due=date(2025, 5, 1))  # 60 days late
    credit_reserve(
        actor=org.credit,
        account=book.anna,
        ref="order:7",
        amount=Decimal("600"),
        stage="submit",
        on=AS_OF,
        override_comment="Known payer.",
    )
    return book


def test_json_gives_limit_exposure_open_orders_available_overdue_and_reasons(busy):
    data = json.loads(run("40003000001", "--as-of", "2025-06-30", "--format", "json"))
    assert data["client"] == "Aurora SIA"
    assert data["limit"] == "10000.00" and data["limit_source"] == "contract"
    assert data["open_receivables"] == "400.00"
    assert data["open_orders"] == {"count": 1, "amount": "600.00"}
    assert data["exposure"] == "1000.00" and data["available"] == "9000.00"
    assert data["overdue"] == {"amount": "400.00", "days": 60}
    assert data["blocked"] is True
    assert [r["code"] for r in data["reasons"]] == ["overdue"]
    assert data["reasons"][0]["text"] == "The client has 400.00 EUR overdue, 60 days past due."
    assert data["last_check"]["valid"] is True
    assert len(data["history"]) == 12 and data["history"][9] == {
        "month": "2025-04",
        "invoiced": "400.00",
        "paid": "0.00",
        "paid_late": "0.00",
    }


def test_table_says_blocked_and_why(busy):
    out = run("40003000001", "--as-of", "2025-06-30")
    assert "Aurora SIA (40003000001)" in out
    assert "exposure" in out and "1,000.00" in out
    assert "blocked                         yes" in out
    assert "  - The client has 400.00 EUR overdue, 60 days past due." in out


def test_a_clean_client_is_not_blocked(book):
    out = run("40003000002", "--as-of", "2025-06-30")
    assert "blocked                          no" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NO-SUCH"], "no client with registration number 'NO-SUCH'"),
        (["40003000001", "--as-of", "2025-13-01"], "--as-of '2025-13-01' is not a date"),
        (["40003000001", "--user", "nobody"], "no active user named 'nobody'"),
    ],
)
def test_bad_input_is_one_line(book, args, message):
    with pytest.raises(CommandError, match=message) as exc:
        run(*args)
    assert "\n" not in str(exc.value)


def test_a_kam_sees_only_own_clients(org, book):
    assert "Aurora SIA" in run("40003000001", "--user", "kam_anna", "--as-of", "2025-06-30")
    with pytest.raises(CommandError, match="that kam_anna may see"):
        run("40003000002", "--user", "kam_anna")
