"""Order advice for a client, read from the ledger (OR-2): due again, clients like it, the
prices of the contract's column, the credit fit, and what the advice says when it cannot."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.orders.selectors_advice import client_panel, order_advice
from kam.org.services import territory_get_or_create
from kam.pricing.models import PriceColumn
from kam.sales.services import LedgerLine, sales_lines_write
from kam.testing import make_account, make_contract, make_price, make_price_column, make_product

AS_OF = date(2025, 6, 30)
D = Decimal
_doc = count(1)


def days_ago(n: int) -> date:
    return AS_OF - timedelta(days=n)


def sell(rows) -> None:
    """``rows`` of (account, product, day, quantity), at 10 EUR a unit, in one ledger write."""
    sales_lines_write(
        actor=None,
        lines=[
            LedgerLine(
                date=on,
                account_id=account.pk,
                product_id=product.pk,
                quantity=D(quantity),
                revenue=D(quantity) * 10,
                cost=D(quantity) * 5,
                currency="EUR",
                document_number=f"ADV-{next(_doc):07d}",
                line_number=1,
            )
            for account, product, on, quantity in rows
        ],
        source="test",
    )


@dataclass
class World:
    client: Account
    peers: list[Account]
    due: Product  # every 28 days, last 35 days ago
    fresh: Product  # every 30 days, last 5 days ago: not due
    twice: Product  # bought twice: too few for a rhythm
    no_price: Product  # due, but the column has no price for it
    peer: Product  # bought by 4 of the 5 similar clients
    rare: Product  # bought by 1 of them
    freight: Product  # a service line everyone pays
    column: object


def build_world(org, *, credit_limit="1000", contract=True) -> World:
    pharmacies = territory_get_or_create(name="Pharmacies", kind="segment")
    client = make_account(owner=org.kam_anna, segment=pharmacies, industry="Retail")
    peers = [make_account(owner=org.kam_sigrid, segment=pharmacies) for _ in range(5)]
    # A client of another segment buys everything: it is no peer.
    stranger = make_account(owner=org.kam_sigrid, industry="Retail")
    due, fresh, twice, no_price, peer, rare = (make_product() for _ in range(6))
    freight = make_product(is_service=True)
    rows = []
    rows += [(client, due, days_ago(35 + 28 * i), 10) for i in range(4)]
    rows += [(client, fresh, days_ago(5 + 30 * i), 3) for i in range(4)]
    rows += [(client, twice, days_ago(d), 1) for d in (40, 100)]
    rows += [(client, no_price, days_ago(50 + 20 * i), 2) for i in range(3)]
    for i, (account, first_quantity) in enumerate(zip(peers, (6, 8, 10, 12, 0), strict=True)):
        rows.append((account, freight, days_ago(30), 1))
        rows.append((account, fresh, days_ago(60), 1))
        if first_quantity:
            # A first order, then a bigger repeat: the advice goes by the first one.
            rows.append((account, peer, days_ago(300 - i), first_quantity))
            rows.append((account, peer, days_ago(100 - i), 50))
    rows.append((peers[4], rare, days_ago(20), 5))
    rows += [(stranger, p, days_ago(10), 1) for p in (rare, freight)]
    sell(rows)
    column = PriceColumn.objects.filter(code="key").first() or make_price_column(code="key")
    for product, price in ((due, "20"), (fresh, "7"), (twice, "1"), (peer, "100"), (rare, "1")):
        make_price(column=column, product=product, price=price)
    if contract:
        make_contract(account=client, column=column, credit_limit=credit_limit)
    return World(client, peers, due, fresh, twice, no_price, peer, rare, freight, column)


@pytest.fixture
def world(org):
    return build_world(org)


def ids(suggestions) -> list[int]:
    return [s.product.pk for s in suggestions]


def test_due_again_by_the_clients_own_rhythm(org, world):
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    assert ids(advice.due) == [world.due.pk]
    s = advice.due[0]
    assert s.reason.code == "rhythm"
    assert s.reason.values == {"interval": 28, "days_since": 35, "last": days_ago(35)}
    with translation.override("en"):
        assert s.text == "bought every 28 days, last 35 days ago"
    assert (s.quantity, s.price, s.amount, s.fits_credit) == (D(10), D(20), D(200), True)


def test_a_product_bought_twice_is_said_to_have_no_rhythm_yet(org, world):
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    assert world.twice.pk not in ids(advice.suggestions)
    (s,) = [s for s in advice.unsettled if s.product.pk == world.twice.pk]
    with translation.override("en"):
        assert s.text == "bought 2 times, last 40 days ago: too few purchases to tell a rhythm"


def test_clients_like_it_buy_what_it_never_bought(org, world):
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    # fresh: the client buys it; rare: 1 of 5; freight: a service line.
    assert ids(advice.peers) == [world.peer.pk]
    s = advice.peers[0]
    assert s.reason.values == {"buyers": 4, "peers": 5, "basis": "segment", "group": "Pharmacies"}
    with translation.override("en"):
        assert s.text == "bought by 4 of 5 similar clients (segment Pharmacies)"
    assert s.quantity == D(9)  # the median of the first orders 6, 8, 10, 12
    assert (advice.group.basis, advice.group.name, advice.group.peers) == (
        "segment",
        "Pharmacies",
        5,
    )


def test_suggestions_fit_within_available_credit_and_the_rest_is_marked(org, world):
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    assert advice.available == D(1000)
    # 200 for the due product fits; 900 for the peers' product is over the 800 left.
    assert [(s.amount, s.fits_credit) for s in advice.suggestions] == [
        (D(200), True),
        (D(900), False),
    ]
    assert (advice.used, advice.left) == (D(200), D(800))
    assert advice.over_credit == [advice.peers[0]]


def test_a_larger_limit_takes_them_all(org):
    w = build_world(org, credit_limit="5000")
    advice = order_advice(user=org.kam_anna, account=w.client, as_of=AS_OF)
    assert all(s.fits_credit for s in advice.suggestions)
    assert advice.used == D(1100)


def test_a_product_without_a_price_in_the_column_is_left_out_with_a_note(org, world):
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    assert world.no_price.pk not in ids(advice.suggestions)
    (note,) = [n for n in advice.notes if n.code == "no_price"]
    assert note.values["sku"] == world.no_price.sku
    with translation.override("en"):
        assert (
            f"{world.no_price.sku} {world.no_price.name} has no price in the column Key, so it "
            "is left out." in advice.note_texts
        )


def test_without_a_contract_the_advice_shows_unpriced_and_says_an_order_needs_one(org):
    w = build_world(org, contract=False)
    advice = order_advice(user=org.kam_anna, account=w.client, as_of=AS_OF)
    # No column, so no product is left out for want of a price; the most overdue first.
    assert ids(advice.due) == [w.no_price.pk, w.due.pk]
    assert ids(advice.peers) == [w.peer.pk]
    assert all(s.price is None and s.amount is None for s in advice.suggestions)
    assert all(s.fits_credit is None for s in advice.suggestions)
    assert advice.contract is None and advice.available is None
    assert [n.code for n in advice.notes] == ["no_contract"]
    with translation.override("en"):
        assert "an order needs a contract" in advice.note_texts[0]


def test_an_expired_contract_counts_as_none(org, world):
    later = date(2030, 1, 1)
    world.client.contracts.update(ends_on=date(2029, 12, 31))
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=later)
    assert advice.contract is None
    assert "no_contract" in [n.code for n in advice.notes]


def test_a_discontinued_product_is_not_suggested(org, world):
    Product.objects.filter(pk__in=[world.due.pk, world.peer.pk]).update(is_active=False)
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    assert advice.suggestions == []


def test_the_clients_kam_sees_it_and_another_kam_gets_404(org, world):
    assert order_advice(user=org.kam_anna, account=world.client.pk, as_of=AS_OF).due
    with pytest.raises(Http404):
        order_advice(user=org.kam_sigrid, account=world.client.pk, as_of=AS_OF)
    with pytest.raises(Http404):
        order_advice(user=org.kam_anna, account=2**70, as_of=AS_OF)


def test_the_industry_stands_in_when_the_client_has_no_segment(org):
    client = make_account(owner=org.kam_anna, industry="Bakeries")
    others = [make_account(owner=org.kam_sigrid, industry="bakeries") for _ in range(3)]
    flour = make_product()
    sell([(a, flour, days_ago(10 + i), 25) for i, a in enumerate(others)])
    advice = order_advice(user=org.kam_anna, account=client, as_of=AS_OF)
    assert ids(advice.peers) == [flour.pk]
    with translation.override("en"):
        assert advice.peers[0].text == "bought by 3 of 3 similar clients (industry Bakeries)"


def test_too_few_similar_clients_say_so(org):
    lonely = territory_get_or_create(name="Zoos", kind="segment")
    client = make_account(owner=org.kam_anna, segment=lonely)
    other = make_account(owner=org.kam_sigrid, segment=lonely)
    sell([(other, make_product(), days_ago(10), 1)])
    advice = order_advice(user=org.kam_anna, account=client, as_of=AS_OF)
    assert advice.peers == [] and advice.group is None
    codes = [n.code for n in advice.notes]
    assert "few_peers" in codes and "no_history" in codes
    with translation.override("en"):
        assert any("segment Zoos: 1" in t for t in advice.note_texts)


def test_purchases_after_as_of_are_not_seen(org, world):
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=days_ago(40))
    # 40 days back the due product was last bought 12 days before: not due yet.
    assert world.due.pk not in ids(advice.due)


def test_the_advice_costs_the_same_queries_however_many_lines_and_peers(org, world):
    """The ledger is read in aggregates: more similar clients and lines add no query (one
    price lookup per suggestion does, and suggestions are capped)."""

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
        return len(ctx.captured_queries)

    before = queries()
    more = [make_account(owner=org.kam_sigrid, segment=world.client.segment) for _ in range(10)]
    sell([(a, world.peer, days_ago(15 + i), 3) for a in more for i in range(5)])
    assert queries() == before <= 17
    advice = order_advice(user=org.kam_anna, account=world.client, as_of=AS_OF)
    assert advice.peers[0].reason.values == {
        "buyers": 14,
        "peers": 15,
        "basis": "segment",
        "group": "Pharmacies",
    }


def test_client_panel_shows_the_first_three(org):
    w = build_world(org, credit_limit="5000")
    extra = [make_product() for _ in range(3)]
    sell([(p_, prod, days_ago(30 + i), 1) for prod in extra for i, p_ in enumerate(w.peers[:3])])
    for prod in extra:
        make_price(column=w.column, product=prod, price="5")
    panel = client_panel(user=org.kam_anna, account=w.client, as_of=AS_OF)
    assert panel["account"] == w.client
    assert len(panel["top"]) == 3 and panel["top"][0].product == w.due
    assert panel["more"] == len(panel["advice"].suggestions) - 3 > 0
    with pytest.raises(Http404):
        client_panel(user=org.kam_sigrid, account=w.client, as_of=AS_OF)
