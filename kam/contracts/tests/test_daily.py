"""CT-1 expiry: the daily step moves statuses from the dates and tells the client's KAM 60
and 30 days ahead, once each; the home page's and the client card's panels."""

from datetime import date, timedelta

import pytest
from django.http import Http404
from django.template.loader import render_to_string

from kam.contracts import rules, selectors
from kam.contracts.daily import contract_expiry
from kam.contracts.models import Contract
from kam.core.models import Notification
from kam.core.services import daily_run_perform
from kam.testing import make_contract

END = date(2025, 12, 31)


def _kinds(user):
    return list(
        Notification.objects.filter(recipient=user, kind=Notification.Kind.CONTRACT_EXPIRING)
        .order_by("pk")
        .values_list("key", flat=True)
    )


def test_rules_standing_and_alerts():
    assert rules.standing(None, END) == "active"
    assert rules.standing(END, END - timedelta(days=61)) == "active"
    assert rules.standing(END, END - timedelta(days=60)) == "expiring"
    assert rules.standing(END, END) == "expiring"
    assert rules.standing(END, END + timedelta(days=1)) == "expired"
    assert rules.alert_due(END, END - timedelta(days=61)) is None
    assert rules.alert_due(END, END - timedelta(days=60)) == 60
    assert rules.alert_due(END, END - timedelta(days=31)) == 60
    assert rules.alert_due(END, END - timedelta(days=30)) == 30
    assert rules.alert_due(END, END + timedelta(days=1)) is None


def test_statuses_and_alerts_60_and_30_days_ahead_once_each(org, anna_client, column):
    contract = make_contract(account=anna_client, column=column, ends_on=END)
    contract_expiry(as_of=END - timedelta(days=61), force=False)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.ACTIVE and _kinds(org.kam_anna) == []

    day60 = END - timedelta(days=60)
    summary = contract_expiry(as_of=day60, force=False)
    assert summary == {"terminated": 0, "expiring": 1, "expired": 0, "alerts": 1}
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRING
    assert _kinds(org.kam_anna) == [f"contract:{contract.pk}:60"]
    note = Notification.objects.get(recipient=org.kam_anna)
    assert note.link == f"/contracts/{contract.pk}/"
    assert "60 days left" in note.text() and anna_client.legal_name in note.text()
    # Idempotent: the same day again, and the days after, send nothing new until 30.
    assert contract_expiry(as_of=day60, force=True)["alerts"] == 0
    assert contract_expiry(as_of=day60 + timedelta(days=5), force=False)["alerts"] == 0
    assert contract_expiry(as_of=END - timedelta(days=30), force=False)["alerts"] == 1
    assert contract_expiry(as_of=END - timedelta(days=29), force=False)["alerts"] == 0
    assert _kinds(org.kam_anna) == [f"contract:{contract.pk}:60", f"contract:{contract.pk}:30"]
    # Another KAM hears nothing.
    assert _kinds(org.kam_sigrid) == []

    summary = contract_expiry(as_of=END + timedelta(days=1), force=False)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRED and summary["expired"] == 1
    assert contract_expiry(as_of=END + timedelta(days=1), force=False)["expired"] == 0


def test_the_step_runs_in_kam_daily(org, anna_client, column):
    contract = make_contract(account=anna_client, column=column, ends_on=END)
    run, _ = daily_run_perform(as_of=END - timedelta(days=10))
    assert run.summary["contracts.expiry"]["alerts"] == 1
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRING


def test_a_termination_set_ahead_becomes_terminated_after_its_day(org, anna_client, column):
    contract = make_contract(
        account=anna_client,
        column=column,
        ends_on=date(2025, 9, 30),
        terminated_on=date(2025, 9, 30),
    )
    contract_expiry(as_of=date(2025, 9, 30), force=False)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.EXPIRING
    assert _kinds(org.kam_anna) == []  # a terminated contract is not "expiring" news
    contract_expiry(as_of=date(2025, 10, 1), force=False)
    contract.refresh_from_db()
    assert contract.status == Contract.Status.TERMINATED


def test_contracts_expiring_for_the_home_page_is_scoped(org, anna_client, sigrid_client, column):
    soon = make_contract(account=anna_client, column=column, ends_on=date(2025, 7, 20))
    make_contract(account=anna_client, column=column, ends_on=date(2026, 7, 20))
    theirs = make_contract(account=sigrid_client, column=column, ends_on=date(2025, 7, 10))
    make_contract(account=anna_client, column=column, ends_on=date(2025, 7, 1), status="draft")
    as_of = date(2025, 7, 1)
    anna = selectors.contracts_expiring(user=org.kam_anna, as_of=as_of)
    assert [(e.contract, e.days_left, e.warning) for e in anna] == [(soon, 19, 30)]
    director = selectors.contracts_expiring(user=org.director, as_of=as_of)
    assert [e.contract for e in director] == [theirs, soon]
    html = render_to_string(
        "contracts/_home_panel.html",
        {"panel": selectors.home_panel(user=org.kam_anna, as_of=as_of)},
    )
    assert soon.number in html and theirs.number not in html
    assert "19 days" in html and "Contracts expiring within 60 days" in html


def test_the_client_panel_shows_the_contract_in_force(org, anna_client, column):
    contract = make_contract(
        account=anna_client, column=column, ends_on=date(2025, 8, 15), payment_days=45
    )
    panel = selectors.client_panel(user=org.kam_anna, account=anna_client, as_of=date(2025, 7, 1))
    assert panel["contract"] == contract and panel["days_left"] == 45 and panel["warning"] == 60
    assert panel["may_prepare"]
    html = render_to_string("contracts/_client_panel.html", {"panel": panel})
    assert contract.number in html and "45 days" in html and f"/contracts/{contract.pk}/" in html
    support = selectors.client_panel(
        user=org.support_north, account=anna_client, as_of=date(2025, 7, 1)
    )
    assert support["contract"] == contract and not support["may_prepare"]
    with pytest.raises(Http404):
        selectors.client_panel(user=org.kam_sigrid, account=anna_client, as_of=date(2025, 7, 1))


def test_the_client_panel_without_a_contract_says_so(org, anna_client, column):
    panel = selectors.client_panel(user=org.kam_anna, account=anna_client, as_of=date(2025, 7, 1))
    assert panel["contract"] is None
    html = render_to_string("contracts/_client_panel.html", {"panel": panel})
    assert "No contract in force: an order cannot be taken" in html


def test_the_home_panel_shows_the_soonest_ten_and_counts_the_rest(org, anna_client, column):
    for n in range(12):
        make_contract(account=anna_client, column=column, ends_on=date(2025, 7, 2 + n))
    panel = selectors.home_panel(user=org.kam_anna, as_of=date(2025, 7, 1))
    assert len(panel["expiring"]) == 10 and panel["more"] == 2
    assert panel["expiring"][0].days_left == 1
    assert "and 2 more" in render_to_string("contracts/_home_panel.html", {"panel": panel})
