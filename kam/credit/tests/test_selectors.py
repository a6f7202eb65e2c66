"""Reads of credit: one client's report (exposure, debt quality, the 12-month payment history,
blocked and why), the controller's watch list (near/over the limit, overdue, checks expiring),
each scoped: a user out of scope gets 404 or nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.http import Http404

from kam.credit.selectors import (
    client_panel,
    credit_position,
    credit_report,
    credit_settings,
    credit_watchlist,
    exposure_chart,
    watch_rows,
)
from kam.credit.services import credit_limit_set, credit_reserve, credit_settings_update
from kam.credit.tests.conftest import AS_OF, invoice, payment
from kam.receivables.selectors import debt_position
from kam.testing import make_account, make_credit_check

pytestmark = pytest.mark.django_db


def test_report_adds_receivables_and_open_orders_and_tells_debt_quality(org, book):
    credit_reserve(
        actor=org.kam_anna,
        account=book.anna,
        ref="order:1",
        amount=Decimal("500"),
        stage="submit",
        on=AS_OF,
    )
    invoice(book.anna, "INV-A", date(2025, 3, 1), "1000", due=date(2025, 3, 31))
    invoice(book.anna, "INV-B", date(2025, 6, 1), "3000", due=date(2025, 7, 1))
    # April: 600 of INV-A paid after its due date; June: nothing more.
    payment(book.anna, "PAY-1", date(2025, 4, 10), "600")
    r = credit_report(user=org.kam_anna, account=book.anna, as_of=AS_OF)
    assert (r.limit, r.receivables, r.open_orders, r.open_orders_amount) == (
        Decimal("10000.00"),
        Decimal("3400.00"),
        1,
        Decimal("500.00"),
    )
    assert (r.exposure, r.available) == (Decimal("3900.00"), Decimal("6100.00"))
    assert (r.overdue, r.days_overdue) == (Decimal("400.00"), 91)
    assert r.overdue_share_pct == Decimal("11.8")  # 400 of 3 400
    months = {h.month: h for h in r.history}
    assert len(r.history) == 12 and r.history[-1].month == date(2025, 6, 1)
    assert months[date(2025, 3, 1)].invoiced == Decimal("1000.00")
    assert (months[date(2025, 4, 1)].paid, months[date(2025, 4, 1)].paid_late) == (
        Decimal("600.00"),
        Decimal("600.00"),
    )
    # 400 overdue for 91 days blocks new orders (thresholds 100 and 30 days).
    assert r.blocked and r.block_codes == ["overdue"]
    assert r.check_valid and r.last_check.checked_on == date(2025, 1, 10)


def test_report_of_a_client_out_of_scope_is_not_found(org, book):
    with pytest.raises(Http404):
        credit_report(user=org.kam_anna, account=book.sigrid, as_of=AS_OF)
    assert credit_report(user=org.head_south, account=book.sigrid, as_of=AS_OF).limit == 10000


def test_a_client_without_contract_or_check_is_blocked_in_words(org):
    bare = make_account(owner=org.kam_anna)
    r = credit_report(user=org.kam_anna, account=bare, as_of=AS_OF)
    assert (r.limit, r.limit_source, r.blocked) == (Decimal("0.00"), "none", True)
    assert r.block_codes == ["over_limit", "check_missing"]
    assert r.reasons == [
        "The credit limit is used up (0.00 EUR available of 0.00 EUR).",
        "The client has no credit check.",
    ]


def test_watchlist_finds_near_over_overdue_and_expiring_and_nothing_else(org, book):
    near = make_account(owner=org.kam_anna, legal_name="Near SIA")
    over = make_account(owner=org.kam_anna, legal_name="Over SIA")
    late = make_account(owner=org.kam_anna, legal_name="Late SIA")
    expiring = make_account(owner=org.kam_anna, legal_name="Expiring SIA")
    for acc in (near, over, late, expiring):
        credit_limit_set(actor=org.credit, account=acc, limit=Decimal("1000"), payment_days=30)
        make_credit_check(account=acc, checked_on=date(2025, 1, 1), next_review_on=date(2026, 1, 1))
    make_credit_check(
        account=expiring, checked_on=date(2025, 2, 1), next_review_on=date(2025, 7, 20)
    )
    invoice(near, "N-1", date(2025, 6, 20), "800", due=date(2025, 7, 20))  # 80 %: near
    invoice(over, "O-1", date(2025, 6, 20), "1200", due=date(2025, 7, 20))
    invoice(late, "L-1", date(2025, 4, 1), "150", due=date(2025, 5, 1))  # 60 days, 150
    qs = credit_watchlist(user=org.credit, as_of=AS_OF)
    rows = {r.account_name: r for r in watch_rows(qs, as_of=AS_OF)}
    assert set(rows) == {"Near SIA", "Over SIA", "Late SIA", "Expiring SIA"}
    assert next(iter(rows)) == "Over SIA"  # most over the limit first
    assert rows["Over SIA"].flags == ["over_limit"]
    assert rows["Near SIA"].flags == ["near_limit"]
    assert rows["Late SIA"].flags == ["overdue"] and rows["Late SIA"].days_overdue == 60
    assert rows["Expiring SIA"].flags == ["check_expiring"]
    # Scoped: Sigrid sees none of Anna's.
    assert not credit_watchlist(user=org.kam_sigrid, as_of=AS_OF).exists()
    assert {a.legal_name for a in credit_watchlist(user=org.kam_anna, as_of=AS_OF)} == set(rows)


def test_watchlist_follows_the_settings(org, book):
    invoice(book.anna, "A-1", date(2025, 6, 20), "7000", due=date(2025, 7, 20))  # 70 %
    assert not credit_watchlist(user=org.credit, as_of=AS_OF).exists()
    credit_settings_update(actor=org.credit, near_limit_percent=70)
    assert [a.pk for a in credit_watchlist(user=org.credit, as_of=AS_OF)] == [book.anna.pk]
    # An expired check lists the client too.
    assert credit_watchlist(user=org.credit, as_of=date(2026, 2, 1)).count() == 2


def test_watchlist_is_a_fixed_number_of_queries(org, book, django_assert_max_num_queries):
    for n in range(15):
        acc = make_account(owner=org.kam_anna)
        invoice(acc, f"Q-{n}", date(2025, 6, 20), "100", due=date(2025, 7, 20))
    credit_settings()  # the rules' row, created on first read
    with django_assert_max_num_queries(4):  # rules twice, the deputies, the rows
        rows = watch_rows(credit_watchlist(user=org.credit, as_of=AS_OF), as_of=AS_OF)
    assert len(rows) == 15 and all(r.flags == ["over_limit", "check_missing"] for r in rows)


def test_exposure_chart_top_clients(org, book):
    invoice(book.anna, "A-1", date(2025, 6, 20), "700", due=date(2025, 7, 20))
    invoice(book.sigrid, "S-1", date(2025, 6, 20), "900", due=date(2025, 7, 20))
    chart = exposure_chart(user=org.credit, as_of=AS_OF)
    assert chart["labels"] == ["Sud Trade SIA", "Aurora SIA"]
    assert chart["exposure"] == ["900.00", "700.00"]
    assert chart["limit"] == ["10000.00", "10000.00"]
    assert exposure_chart(user=org.kam_anna, as_of=AS_OF)["labels"] == ["Aurora SIA"]


def test_client_panel_says_what_the_user_may_do(org, book):
    kam = client_panel(user=org.kam_anna, account=book.anna, as_of=AS_OF)
    assert kam["credit"].limit == Decimal("10000.00")
    assert not kam["credit_can_check"] and not kam["credit_can_limit"]
    ctl = client_panel(user=org.credit, account=book.anna, as_of=AS_OF)
    assert ctl["credit_can_check"] and ctl["credit_can_limit"]
    with pytest.raises(Http404):
        client_panel(user=org.kam_sigrid, account=book.anna, as_of=AS_OF)


def test_the_gates_one_query_reads_the_same_debt_as_receivables(org, book):
    """``position_with_rules`` repeats ``debt_position``'s arithmetic in one statement; the two
    must agree (paid, part-paid, overdue, future-dated and credit items)."""
    invoice(book.anna, "D-1", date(2025, 1, 5), "700", due=date(2025, 2, 4))
    invoice(book.anna, "D-2", date(2025, 3, 5), "300", due=date(2025, 4, 4))
    invoice(book.anna, "D-3", date(2025, 6, 25), "900", due=date(2025, 7, 25))
    invoice(book.anna, "D-4", date(2025, 8, 1), "50", due=date(2025, 8, 31))  # after as_of
    payment(book.anna, "P-1", date(2025, 2, 1), "850")
    for as_of in (date(2025, 3, 1), date(2025, 5, 1), AS_OF, date(2025, 9, 30)):
        debt = debt_position(account_id=book.anna.pk, as_of=as_of)
        position = credit_position(account_id=book.anna.pk, as_of=as_of)
        assert position.receivables == max(debt.balance, 0)
        assert (position.overdue, position.days_overdue) == (debt.overdue, debt.days_overdue)
    # A client whose payment exceeds its invoices holds no negative exposure.
    payment(book.sigrid, "P-2", date(2025, 6, 1), "500")
    assert credit_position(account_id=book.sigrid.pk, as_of=AS_OF).receivables == 0
