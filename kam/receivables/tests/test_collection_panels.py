"""The collection panels the integrator includes on the client card and the home page (AR-2):
shown to whoever works on the debt, empty for the others (two users each)."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string

from kam.receivables.selectors_collection import client_panel, home_panel
from kam.receivables.services_collection import promise_record
from kam.receivables.tests.collection_data import invoice, today
from kam.testing import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def owing(org):
    account = make_account(owner=org.kam_anna, legal_name="Panel Owes SIA")
    invoice(account, "300", days_overdue=12)
    invoice(account, "200", days_overdue=-3)
    return account


def test_client_panel_for_the_kam_not_for_support(org, owing):
    promise_record(
        actor=org.kam_anna, account=owing, promised_on=today() + timedelta(3), amount="100"
    )
    context = client_panel(user=org.kam_anna, account=owing)
    assert context["collection"]["overdue"] == 300
    assert context["collection"]["days_overdue"] == 12
    html = render_to_string("receivables/collection/_client_panel.html", context)
    assert "1 overdue invoice, the oldest 12 days past due" in html
    assert f"/collection/clients/{owing.pk}/" in html

    assert client_panel(user=org.support_north, account=owing) == {"collection": None}
    html = render_to_string(
        "receivables/collection/_client_panel.html", {"collection": None}
    ).strip()
    assert html == ""


def test_home_panel_lists_the_readers_clients(org, owing):
    other = make_account(owner=org.kam_sigrid, legal_name="Sigrid's SIA")
    invoice(other, "50", days_overdue=5)
    anna = home_panel(user=org.kam_anna)["collection"]
    assert [r.account_name for r in anna["rows"]] == ["Panel Owes SIA"]
    assert anna["count"] == 1 and anna["total"] == 300
    html = render_to_string("receivables/collection/_home_panel.html", {"collection": anna})
    assert "Panel Owes SIA" in html and "Sigrid" not in html
    assert home_panel(user=org.credit)["collection"]["count"] == 2
    assert home_panel(user=org.support_north) == {"collection": None}
