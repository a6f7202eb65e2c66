"""The gate (CR-3): ``credit_reserve`` refuses an order past the available credit, from a client
with overdue debt past both thresholds, or with no valid check, with the reasons in words; an
override by a credit controller or head passes it, recorded and audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kam.core.models import AuditEntry
from kam.credit.models import CreditOverride, CreditReservation
from kam.credit.selectors import credit_position
from kam.credit.services import CreditBlocked, credit_release, credit_reserve
from kam.credit.tests.conftest import AS_OF, invoice

pytestmark = pytest.mark.django_db


def reserve(org, account, ref, amount, **kw):
    return credit_reserve(
        actor=kw.pop("actor", org.kam_anna),
        account=account,
        ref=ref,
        amount=Decimal(amount),
        stage=kw.pop("stage", "submit"),
        on=kw.pop("on", AS_OF),
        **kw,
    )


def test_sequential_reservations_stop_at_the_limit(org, book):
    # Limit 10 000: four orders of 3 000 fit three times; the fourth is over by 1 000.
    passed = 0
    for n in range(4):
        try:
            reserve(org, book.anna, f"order:{n}", "3000")
            passed += 1
        except CreditBlocked as exc:
            assert [b.code for b in exc.blocks] == ["over_limit"]
            assert (
                "more than the available credit (1,000.00 EUR of a limit of 10,000.00 EUR)"
                in exc.messages[0]
            )
    assert passed == 3
    position = credit_position(account_id=book.anna.pk, as_of=AS_OF)
    assert position.exposure == Decimal("9000") <= position.limit


def test_receivables_count_against_the_limit_and_the_order_itself_is_left_out(org, book):
    invoice(book.anna, "INV-1", date(2025, 6, 1), "6000", due=date(2025, 7, 1))
    reserve(org, book.anna, "order:1", "4000")  # exactly the limit: passes
    # Re-checking the same order at shipment does not count its own reservation twice.
    reserve(org, book.anna, "order:1", "4000", stage="ship")
    with pytest.raises(CreditBlocked):
        reserve(org, book.anna, "order:2", "0.01")


def test_a_release_frees_the_credit(org, book):
    reserve(org, book.anna, "order:1", "10000")
    with pytest.raises(CreditBlocked):
        reserve(org, book.anna, "order:2", "1")
    credit_release(ref="order:1", amount=Decimal("9000"))  # partly invoiced
    reserve(org, book.anna, "order:2", "1000")
    credit_release(ref="order:1")
    assert CreditReservation.objects.get(ref="order:1").released_at is not None


def test_overdue_debt_past_both_thresholds_blocks(org, book):
    # 150 overdue (threshold 100) by 40 days (threshold 30).
    invoice(book.anna, "INV-OLD", date(2025, 4, 1), "150", due=date(2025, 5, 21))
    with pytest.raises(CreditBlocked) as exc:
        reserve(org, book.anna, "order:1", "10")
    assert [b.code for b in exc.value.blocks] == ["overdue"]
    assert "150.00 EUR overdue, 40 days past due" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("amount", "due"),
    [("100", date(2025, 5, 1)), ("5000", date(2025, 5, 31))],  # 100: not over; 30 days: not over
)
def test_overdue_under_either_threshold_does_not_block(org, book, amount, due):
    invoice(book.anna, "INV-1", date(2025, 4, 1), amount, due=due)
    assert reserve(org, book.anna, "order:1", "10") == []


def test_an_expired_check_blocks(org, book):
    with pytest.raises(CreditBlocked) as exc:
        reserve(org, book.anna, "order:1", "10", on=date(2026, 1, 11))
    assert [b.code for b in exc.value.blocks] == ["check_expired"]
    assert "expired on 2026-01-10" in exc.value.messages[0]


def test_override_by_the_credit_controller_is_recorded_and_audited(org, book):
    found = reserve(
        org, book.anna, "order:9", "12000", actor=org.credit, override_comment="Paid in advance."
    )
    assert [b.code for b in found] == ["over_limit"]
    item = CreditOverride.objects.get()
    assert (item.by, item.ref, item.reasons) == (org.credit, "order:9", ["over_limit"])
    assert AuditEntry.objects.filter(entity="credit.creditoverride").exists()
    assert CreditReservation.objects.get(ref="order:9").amount == Decimal("12000")


def test_a_kam_may_not_override(org, book):
    with pytest.raises(PermissionDenied):
        reserve(org, book.anna, "order:9", "12000", override_comment="Please.")
    assert not CreditOverride.objects.exists()
    assert not CreditReservation.objects.exists()
