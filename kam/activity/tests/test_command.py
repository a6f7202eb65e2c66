"""``kam gone-quiet``: JSON and table by registration number, scoped by --user; a bad date or
an unknown user is one line and a non-zero exit."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kam.activity.models import Activity
from kam.activity.tests.conftest import AS_OF, utc

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("gone_quiet", *args, stdout=out)
    return out.getvalue()


def done(owner, account, days_before):
    day = AS_OF - timedelta(days=days_before)
    start = utc(day.year, day.month, day.day, 10)
    Activity.objects.create(
        account=account,
        owner=owner,
        kind="call",
        status="done",
        starts_at=start,
        ends_at=start,
        purpose="x",
        outcome="y",
    )


def test_json_lists_the_key_clients_past_their_rhythm(org, book):
    done(org.kam_anna, book.aurora, 20)  # critical, 14: listed
    done(org.kam_anna, book.birch, 12)  # key, 30: not
    done(org.kam_sigrid, book.sud, 15)  # critical, 14: listed
    data = json.loads(run("--as-of", AS_OF.isoformat(), "--format", "json"))
    assert data == {
        "as_of": "2025-06-30",
        "clients": [
            {
                "registration_number": "40001",
                "client": "Aurora SIA",
                "kam": "Anna Kam",
                "key_status": "critical",
                "rhythm_days": 14,
                "last_contact": "2025-06-10",
                "days_since": 20,
            },
            {
                "registration_number": "40004",
                "client": "Sud SIA",
                "kam": "Sigrid Kam",
                "key_status": "critical",
                "rhythm_days": 14,
                "last_contact": "2025-06-15",
                "days_since": 15,
            },
        ],
    }
    mine = json.loads(run("--as-of", "2025-06-30", "--format", "json", "--user", "kam_anna"))
    assert [c["registration_number"] for c in mine["clients"]] == ["40001"]


def test_table(org, book):
    out = run("--as-of", "2025-06-30", "--user", "kam_sigrid")
    assert out.splitlines()[0] == "Key clients gone quiet as of 2025-06-30: 1"
    assert "40004" in out and "never" in out and "Aurora" not in out


def test_errors_are_one_line(org, book):
    with pytest.raises(CommandError, match="is not a date"):
        run("--as-of", "30.06.2025")
    with pytest.raises(CommandError, match="no active user named 'nobody'"):
        run("--user", "nobody")
