"""Ageing per client, KAM, department and company as of any day, scoped (AR-2, SE-1), and the
statement (AR-1)."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from kam.receivables.models import Allocation
from kam.receivables.selectors import (
    ageing_report,
    client_ageing,
    client_panel,
    debt_position,
    ledger,
    statement,
)
from kam.receivables.services import allocation_undo, payment_allocate
from kam.receivables.tests.factories import post
from kam.testing import make_account

AS_OF = date(2025, 6, 30)


@pytest.fixture
def book(org):
    """Anna (North) has two clients, Boris (North-Pharma) one, Sigrid (South) one."""
    anna1 = make_account(owner=org.kam_anna, department=org.north, registration_number="LV-A1")
    anna2 = make_account(owner=org.kam_anna, department=org.north)
    boris = make_account(owner=org.kam_boris, department=org.north_pharma)
    sigrid = make_account(owner=org.kam_sigrid, department=org.south)
    # anna1: 100 current (due 2025-07-10), 200 10 days late, 300 45 days late
    post(anna1, "invoice", "100", date(2025, 6, 10), due_days=30)
    post(anna1, "invoice", "200", date(2025, 5, 21), due_days=30)
    post(anna1, "invoice", "300", date(2025, 4, 16), due_days=30)
    # anna2: 400 over 90 days late, and an unallocated payment of 50 later than it... settles it
    post(anna2, "invoice", "400", date(2025, 1, 1), due_days=30)
    # boris: 70 late 61-90
    post(boris, "invoice", "70", date(2025, 3, 10), due_days=30)
    # sigrid: a payment with nothing to settle
    post(sigrid, "payment", "25", date(2025, 6, 1))
    return {"anna1": anna1, "anna2": anna2, "boris": boris, "sigrid": sigrid}


def _buckets(a):
    return [a.current, a.d1_30, a.d31_60, a.d61_90, a.over_90, a.credits]


def test_client_ageing_puts_each_invoice_in_its_bucket(org, book):
    a = client_ageing(user=org.kam_anna, account=book["anna1"], as_of=AS_OF)
    assert _buckets(a) == [100, 200, 300, 0, 0, 0]
    assert a.total == 600 and a.overdue == 500


def test_a_client_out_of_sight_is_404(org, book):
    with pytest.raises(Http404):
        client_ageing(user=org.kam_boris, account=book["anna1"], as_of=AS_OF)
    with pytest.raises(Http404):
        statement(user=org.kam_sigrid, account=book["anna1"], date_from=AS_OF, date_to=AS_OF)


def test_company_level_rows_per_department_sum_to_the_total(org, book):
    r = ageing_report(user=org.director, level="company", unit_id=None, as_of=AS_OF)
    assert _buckets(r.total) == [100, 200, 300, 70, 400, -25]
    by_name = {row.name: row.ageing for row in r.rows}
    assert set(by_name) == {"North", "North-Pharma", "South"}
    assert by_name["North"].total == 1000 and by_name["South"].credits == -25
    assert sum((row.ageing.balance for row in r.rows), Decimal(0)) == r.total.balance


def test_department_level_rows_are_subtrees_and_scoped(org, book):
    r = ageing_report(user=org.head_north, level="department", unit_id=None, as_of=AS_OF)
    by_name = {row.name: row.ageing.total for row in r.rows}
    assert by_name == {"North": 1070, "North-Pharma": 70, "Sales": 1070}
    assert r.total.total == 1070  # South is out of the head of North's sight
    one = ageing_report(
        user=org.head_north, level="department", unit_id=org.north_pharma.pk, as_of=AS_OF
    )
    assert one.total.total == 70 and [row.name for row in one.rows] == ["North-Pharma"]
    with pytest.raises(Http404):
        ageing_report(user=org.head_north, level="department", unit_id=org.south.pk, as_of=AS_OF)


def test_manager_level_per_kam_and_one_kam_per_client(org, book):
    r = ageing_report(user=org.director, level="manager", unit_id=None, as_of=AS_OF)
    assert {row.name: row.ageing.balance for row in r.rows} == {
        "Anna Kam": 1000, "Boris Kam": 70, "Sigrid Kam": -25,
    }  # fmt: skip
    one = ageing_report(
        user=org.regional_north, level="manager", unit_id=org.kam_anna.pk, as_of=AS_OF
    )
    assert {row.id: row.ageing.total for row in one.rows} == {
        book["anna1"].pk: 600,
        book["anna2"].pk: 400,
    }
    assert one.rows[0].id == book["anna1"].pk  # the largest overdue amount first
    mine = ageing_report(user=org.kam_anna, level="manager", unit_id=None, as_of=AS_OF)
    assert [row.name for row in mine.rows] == ["Anna Kam"]
    with pytest.raises(Http404):
        ageing_report(user=org.kam_anna, level="manager", unit_id=org.kam_sigrid.pk, as_of=AS_OF)


def test_as_of_an_earlier_day_the_debt_is_younger_and_later_payments_are_undone(org, book):
    pay = post(book["anna2"], "payment", "400", date(2025, 7, 5))  # settles the 400
    assert (
        client_ageing(user=org.director, account=book["anna2"], as_of=date(2025, 7, 5)).total == 0
    )
    before = client_ageing(user=org.director, account=book["anna2"], as_of=AS_OF)
    assert before.over_90 == 400 and before.credits == 0
    early = client_ageing(user=org.director, account=book["anna2"], as_of=date(2025, 2, 15))
    assert _buckets(early) == [0, 400, 0, 0, 0, 0]
    nothing = client_ageing(user=org.director, account=book["anna2"], as_of=date(2024, 12, 31))
    assert nothing.total == 0 and nothing.balance == 0
    del pay


def test_an_explicit_allocation_counts_from_its_own_day(org, book):
    inv = post(book["sigrid"], "invoice", "60", date(2025, 6, 20))  # takes up 25 of credit
    inv.refresh_from_db()
    assert inv.open_amount == 35
    pay = post(book["sigrid"], "payment", "100", date(2025, 6, 21))  # settles the 35
    allocation_undo(actor=org.credit, allocation=Allocation.objects.get(credit=pay))
    payment_allocate(
        actor=org.credit, credit=pay, invoice=inv, amount=Decimal("35"), on=date(2025, 6, 25)
    )
    assert (
        client_ageing(user=org.credit, account=book["sigrid"], as_of=date(2025, 6, 24)).total == 35
    )
    assert (
        client_ageing(user=org.credit, account=book["sigrid"], as_of=date(2025, 6, 25)).total == 0
    )


def test_debt_position_is_as_of_the_day(org, book):
    p = debt_position(account_id=book["anna1"].pk, as_of=AS_OF)
    assert (p.balance, p.open_invoices, p.overdue, p.days_overdue) == (600, 600, 500, 45)
    early = debt_position(account_id=book["anna1"].pk, as_of=date(2025, 5, 1))
    assert (early.balance, early.overdue, early.days_overdue) == (300, 0, 0)


def test_statement_opening_movements_running_balance_closing(org, book):
    a = book["anna1"]
    post(a, "payment", "250", date(2025, 6, 15))
    s = statement(
        user=org.kam_anna, account=a, date_from=date(2025, 5, 1), date_to=date(2025, 6, 30)
    )
    assert s.opening == 300
    assert [(m.kind, m.amount, m.balance) for m in s.movements] == [
        ("invoice", 200, 500), ("invoice", 100, 600), ("payment", -250, 350),
    ]  # fmt: skip
    assert s.closing == 350 == s.opening + s.debits + s.credits
    with pytest.raises(ValueError):
        statement(
            user=org.kam_anna, account=a, date_from=date(2025, 6, 1), date_to=date(2025, 5, 1)
        )


def test_ledger_has_the_running_balance_and_allocations(org, book):
    post(book["anna1"], "payment", "150", date(2025, 6, 15))
    rows = ledger(user=org.kam_anna, account=book["anna1"])
    assert [r.balance for r in rows] == [300, 500, 600, 450]
    assert [a.amount for a in rows[0].allocated] == [150]


def test_client_panel(org, book):
    panel = client_panel(user=org.kam_anna, account=book["anna1"], as_of=AS_OF)
    assert panel["ageing"].balance == 600 and panel["days_overdue"] == 45
    assert panel["can_record"] is False
    assert client_panel(user=org.support_north, account=book["anna1"], as_of=AS_OF)["can_record"]
    with pytest.raises(Http404):
        client_panel(user=org.kam_boris, account=book["anna1"], as_of=AS_OF)


def test_one_aggregate_query_per_level(org, book, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        ageing_report(user=org.head_north, level="department", unit_id=None, as_of=AS_OF)
