"""Recording settlements by hand, explicit allocations and their undoing (AR-1)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.core.models import AuditEntry
from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.selectors import open_items
from kam.receivables.services import allocation_undo, payment_allocate, settlement_record
from kam.receivables.tests.factories import post
from kam.testing import make_account

D = date(2025, 3, 1)


@pytest.fixture
def client_anna(org):
    return make_account(owner=org.kam_anna, department=org.north)


def _balance(account):
    items = SettlementItem.objects.filter(account=account)
    return sum(i.amount for i in items), sum(i.open_amount for i in items)


def test_support_records_a_payment_that_settles_the_oldest_invoice_first(org, client_anna):
    old = post(client_anna, "invoice", "100", date(2025, 1, 1))
    new = post(client_anna, "invoice", "50", date(2025, 2, 1))
    pay = settlement_record(
        actor=org.support_north,
        account=client_anna,
        kind="payment",
        document_number="PAY-1",
        document_date=D,
        amount=Decimal("120"),
    )
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.open_amount, new.open_amount, pay.open_amount) == (0, 30, 0)
    assert pay.amount == Decimal("-120") and pay.source == "manual" and pay.currency == "EUR"
    entry = AuditEntry.objects.get(entity="receivables.settlementitem", entity_id=str(pay.pk))
    assert entry.actor == org.support_north
    assert entry.changes["allocations"] == [
        [old.document_number, "100.00"],
        [new.document_number, "20.00"],
    ]


def test_a_payment_larger_than_anything_open_stays_as_an_unallocated_credit(org, client_anna):
    inv = post(client_anna, "invoice", "100", date(2025, 1, 1))
    pay = settlement_record(
        actor=org.credit, account=client_anna, kind="payment", document_number="PAY-BIG",
        document_date=D, amount=Decimal("250"),
    )  # fmt: skip
    inv.refresh_from_db()
    assert inv.open_amount == 0
    assert pay.open_amount == Decimal("-150")
    assert _balance(client_anna) == (Decimal("-150"), Decimal("-150"))
    # the next invoice takes the credit up
    later = post(client_anna, "invoice", "100", date(2025, 3, 5))
    later.refresh_from_db()
    pay.refresh_from_db()
    assert later.open_amount == 0 and pay.open_amount == Decimal("-50")


def test_allocate_to_names_the_invoice_settled_first(org, client_anna):
    old = post(client_anna, "invoice", "100", date(2025, 1, 1))
    new = post(client_anna, "invoice", "100", date(2025, 2, 1))
    settlement_record(
        actor=org.support_north, account=client_anna, kind="credit_note",
        document_number="CN-1", document_date=D, amount=Decimal("60"),
        allocate_to=new.document_number,
    )  # fmt: skip
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.open_amount, new.open_amount) == (100, 40)


@pytest.mark.parametrize(
    ("field", "data", "message"),
    [
        ("amount", {"amount": Decimal("0")}, "more than zero"),
        ("amount", {"amount": Decimal("-5")}, "more than zero"),
        ("amount", {"amount": Decimal("1.234")}, "decimal places"),
        ("document_date", {"document_date": date(1990, 1, 1)}, "outside the allowed dates"),
        ("kind", {"kind": "gift"}, "Unknown kind"),
        ("document_number", {"document_number": "  "}, "required"),
        ("due_date", {"kind": "invoice"}, "due date"),
        ("allocate_to", {"allocate_to": "NOPE"}, "no invoice NOPE"),
        ("note", {"note": "a\x00b"}, "Control characters"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_nothing_changes(
    org, client_anna, field, data, message
):
    args = {
        "kind": "payment", "document_number": "PAY-X", "document_date": D,
        "amount": Decimal("10"), **data,
    }  # fmt: skip
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        settlement_record(actor=org.support_north, account=client_anna, **args)
    assert message in " ".join(exc.value.message_dict[field])
    assert not SettlementItem.objects.filter(account=client_anna).exists()
    assert AuditEntry.objects.count() == before


def test_the_same_document_twice_is_refused(org, client_anna):
    args = {
        "kind": "payment",
        "document_number": "PAY-1",
        "document_date": D,
        "amount": Decimal("10"),
    }
    settlement_record(actor=org.support_north, account=client_anna, **args)
    with pytest.raises(ValidationError) as exc:
        settlement_record(actor=org.support_north, account=client_anna, **args)
    assert "document_number" in exc.value.message_dict
    assert SettlementItem.objects.filter(account=client_anna).count() == 1


def test_only_support_and_credit_record_and_out_of_sight_is_404(org, client_anna):
    args = {
        "kind": "payment",
        "document_number": "PAY-1",
        "document_date": D,
        "amount": Decimal("10"),
    }
    with pytest.raises(PermissionDenied, match="sales support or a credit controller"):
        settlement_record(actor=org.kam_anna, account=client_anna, **args)
    south = make_account(owner=org.kam_sigrid, department=org.south)
    with pytest.raises(Http404):
        settlement_record(actor=org.support_north, account=south, **args)
    assert not SettlementItem.objects.exists()
    settlement_record(actor=org.support_north, account=client_anna, **args)
    assert SettlementItem.objects.count() == 1


def _unallocated_payment(account, amount="100", on=date(2025, 1, 10)):
    return post(account, "payment", amount, on)


def test_explicit_allocation_within_both_open_amounts_and_its_undo(org, client_anna):
    pay = _unallocated_payment(client_anna)  # nothing open yet: stays as credit
    inv = post(client_anna, "invoice", "80", date(2025, 1, 20), number="INV-A")
    inv.refresh_from_db()
    pay.refresh_from_db()
    assert inv.open_amount == 0  # the new invoice took up the credit
    allocation_undo(actor=org.credit, allocation=Allocation.objects.get(debit=inv))
    inv.refresh_from_db()
    pay.refresh_from_db()
    assert (inv.open_amount, pay.open_amount) == (80, -100)
    a = payment_allocate(
        actor=org.support_north, credit=pay, invoice=inv, amount=Decimal("30"), on=D
    )
    inv.refresh_from_db()
    pay.refresh_from_db()
    assert (inv.open_amount, pay.open_amount, a.allocated_on) == (50, -70, D)
    assert AuditEntry.objects.filter(entity="receivables.allocation", action="create").exists()
    assert AuditEntry.objects.filter(entity="receivables.allocation", action="delete").exists()
    assert _balance(client_anna) == (Decimal("-20"), Decimal("-20"))


@pytest.mark.parametrize(
    ("amount", "on", "field", "message"),
    [
        ("81", D, "amount", "has only 80.00 open"),
        ("0", D, "amount", "more than zero"),
        ("20", date(2025, 1, 5), "on", "before its documents"),
    ],
)
def test_allocation_refuses_with_field_messages(org, client_anna, amount, on, field, message):
    pay = _unallocated_payment(client_anna, "100")
    inv = post(client_anna, "invoice", "200", date(2025, 1, 20))
    allocation_undo(actor=org.credit, allocation=Allocation.objects.get(debit=inv))
    pay.refresh_from_db()
    inv.refresh_from_db()
    # leave the invoice 80 open: 120 of another payment on it
    other = post(client_anna, "payment", "120", date(2025, 1, 21))
    inv.refresh_from_db()
    assert inv.open_amount == 80
    with pytest.raises(ValidationError) as exc:
        payment_allocate(actor=org.credit, credit=pay, invoice=inv, amount=Decimal(amount), on=on)
    assert message in " ".join(exc.value.message_dict[field])
    assert not Allocation.objects.filter(credit=pay).exists()
    del other


def test_allocation_beyond_the_credit_left_and_the_wrong_kinds(org, client_anna):
    pay = _unallocated_payment(client_anna, "10")
    inv = post(client_anna, "invoice", "200", date(2025, 1, 20))
    allocation_undo(actor=org.credit, allocation=Allocation.objects.get(debit=inv))
    pay.refresh_from_db()
    with pytest.raises(ValidationError, match=r"only 10\.00 left"):
        payment_allocate(actor=org.credit, credit=pay, invoice=inv, amount=Decimal("11"), on=D)
    with pytest.raises(ValidationError) as exc:
        payment_allocate(actor=org.credit, credit=inv, invoice=pay, amount=Decimal("1"), on=D)
    assert "credit" in exc.value.message_dict
    other = make_account(owner=org.kam_anna, department=org.north)
    foreign = post(other, "invoice", "50", date(2025, 1, 20))
    with pytest.raises(ValidationError) as exc:
        payment_allocate(actor=org.credit, credit=pay, invoice=foreign, amount=Decimal("1"), on=D)
    assert "another client" in exc.value.message_dict["invoice"][0]


def test_allocation_needs_the_right(org, client_anna):
    pay = _unallocated_payment(client_anna, "10")
    inv = post(client_anna, "invoice", "20", date(2025, 1, 20))
    a = Allocation.objects.get(debit=inv)
    with pytest.raises(PermissionDenied):
        allocation_undo(actor=org.kam_anna, allocation=a)
    with pytest.raises(Http404):
        allocation_undo(actor=org.head_south, allocation=a)
    allocation_undo(actor=org.support_north, allocation=a)
    with pytest.raises(PermissionDenied):
        payment_allocate(actor=org.kam_anna, credit=pay, invoice=inv, amount=Decimal("1"), on=D)
    assert not Allocation.objects.exists()


def test_a_payment_dated_before_the_invoice_it_settles_is_allocated_on_the_invoice_date(
    org, client_anna
):
    pay = _unallocated_payment(client_anna, "100", on=date(2025, 1, 1))
    inv = post(client_anna, "invoice", "100", date(2025, 1, 10))
    a = Allocation.objects.get(debit=inv, credit=pay)
    assert a.allocated_on == date(2025, 1, 10)
    # as of the 5th the credit was still open and the invoice did not exist
    items = {
        o.item.pk: o.open_amount
        for o in open_items(user=org.director, account=client_anna, as_of=date(2025, 1, 5))
    }
    assert items == {pay.pk: Decimal("-100")}
