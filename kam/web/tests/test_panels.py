"""The orders-to-cash panels on the client card and the home page (kam/web/panels.py): each
app's panel shows for whoever may see the client, in its own context, and nothing of a client
reaches a user who may not see it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.receivables.services import settlement_post
from kam.testing import make_account, make_contract, make_credit_check, make_price_column

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_with_terms(org):
    account = make_account(owner=org.kam_anna, legal_name="Panel Pharma SIA")
    today = timezone.localdate()
    make_contract(
        account=account,
        column=make_price_column(),
        credit_limit="5000",
        number="L-PANEL-1",
        ends_on=today + timedelta(days=40),
    )
    make_credit_check(account=account)
    settlement_post(
        actor=None,
        account_id=account.pk,
        kind="invoice",
        document_number="INV-PANEL-1",
        document_date=today - timedelta(days=50),
        due_date=today - timedelta(days=20),
        amount=Decimal("1200.00"),
        currency="EUR",
    )
    return account


def test_the_card_shows_contract_credit_settlements_debt_orders_and_obligations(
    org, login, client_with_terms
):
    html = login(org.kam_anna).get(reverse("clients:detail", args=[client_with_terms.pk]))
    assert html.status_code == 200
    page = html.content.decode()
    for panel in (
        'id="contract-panel"',
        'id="credit-panel"',
        'id="receivables-panel"',
        'id="collection-panel"',
        'id="orders-panel"',
        'id="obligations-panel"',
        'id="order-advice"',
    ):
        assert panel in page, panel
    assert "L-PANEL-1" in page
    assert "1,200.00" in page or "1 200,00" in page or "1200.00" in page


def test_another_kam_gets_404_and_no_panel(org, login, client_with_terms):
    response = login(org.kam_sigrid).get(reverse("clients:detail", args=[client_with_terms.pk]))
    assert response.status_code == 404
    assert b"L-PANEL-1" not in response.content


def test_home_shows_the_expiring_contract_to_its_kam_only(org, login, client_with_terms):
    mine = login(org.kam_anna).get(reverse("home")).content.decode()
    assert 'id="contracts-expiring"' in mine and "L-PANEL-1" in mine
    theirs = login(org.kam_sigrid).get(reverse("home")).content.decode()
    assert "L-PANEL-1" not in theirs


def test_menu_entries_follow_the_role(org, login):
    kam = login(org.kam_anna).get(reverse("home")).content.decode()
    assert reverse("orders:list") in kam and reverse("orders:queue") not in kam
    support = login(org.support_north).get(reverse("home")).content.decode()
    assert reverse("orders:queue") in support
    credit = login(org.credit).get(reverse("home")).content.decode()
    assert reverse("credit:watchlist") in credit and reverse("orders:blocked") in credit
