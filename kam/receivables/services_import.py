"""The ERP's open items and payments written into the settlements (AR-1), in bulk.

``kam.imports`` reads and checks the files (``kam import invoices|payments``, the API); these
functions write what it checked, inside its one transaction, keeping the settlements'
invariants: a client's balance = the sum of its items' ``amount`` = the sum of their
``open_amount``, value moved between items only by ``Allocation`` rows.

- A new invoice is posted whole. The part the ERP says was paid already (``open_amount`` below
  ``amount``) is an "ERP settlement": a payment numbered ``<invoice>/ERP``, allocated to that
  invoice in full, so the invoice is as open as in the ERP and nothing is counted as paid
  twice. The invoice then takes up the client's unallocated credits, as ``settlement_post``
  does.
- A payment is allocated to the invoice it names first, then to the oldest due; what is left
  stays an unallocated credit. When the invoice it names carries an ERP settlement, the
  payment takes its place (the settlement shrinks by what the payment brings): the ERP's open
  amount already counted that payment, and the balance must not count it twice.
- An item already there (same kind and document number) is never posted again: an invoice's
  due date and reference are updated, everything else the importer has compared first.

No role is checked here beyond the importer's (``Action.IMPORT_RUN``, asked again so that a
caller cannot skip it); the import writes one audit record for the whole file."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.core import bounds
from kam.org.policy import Action, require
from kam.receivables.models import Allocation, SettlementItem

Kind = SettlementItem.Kind
ZERO = Decimal("0")
# The document number of an invoice's ERP settlement: the invoice's, with this after it.
ERP_SETTLEMENT_SUFFIX = "/ERP"
ERP_SETTLEMENT_NOTE = "Paid in the ERP before the import"


@dataclass(frozen=True)
class ImportedInvoice:
    """An invoice of the ERP's open items, amounts in the base currency (positive)."""

    account_id: int
    document_number: str
    document_date: date
    due_date: date
    amount: Decimal
    open_amount: Decimal
    currency: str
    document_amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class ImportedPayment:
    """A payment from the ERP, amounts in the base currency (positive); ``invoice``: the
    document number of the invoice it pays, settled first."""

    account_id: int
    document_number: str
    document_date: date
    amount: Decimal
    currency: str
    document_amount: Decimal
    invoice: str = ""


def erp_settlement_number(invoice_number: str) -> str:
    return f"{invoice_number}{ERP_SETTLEMENT_SUFFIX}"


def _require(actor) -> None:
    if actor is not None:
        require(actor, Action.IMPORT_RUN)


class _Bounds:
    """The bounds every item keeps (``kam.core.bounds``), read once for a batch: the importer
    has checked each row at its cell already; a caller that did not is refused here."""

    def __init__(self):
        self.earliest = bounds.history_start()
        self.latest = bounds.ledger_latest()

    def check(self, item: "ImportedInvoice | ImportedPayment") -> None:
        bounds.check_date(
            item.document_date, field="date", earliest=self.earliest, latest=self.latest
        )
        for field in ("amount", "document_amount"):
            bounds.check_amount(getattr(item, field), field=field, minimum=Decimal("0.01"))
        if isinstance(item, ImportedInvoice):
            bounds.check_date(item.due_date, field="due_date", earliest=self.earliest)
            if item.due_date < item.document_date:
                raise ValidationError(
                    {"due_date": _("The due date cannot be before the invoice date.")}
                )
            if not ZERO <= item.open_amount <= item.amount:
                raise ValidationError(
                    {"open_amount": _("The open amount must lie between 0 and the amount.")}
                )


def _allocate(credit: SettlementItem, invoices: list[SettlementItem], on: date) -> None:
    """Settle what is open of ``credit`` against ``invoices``, in the order given."""
    left = -credit.open_amount
    for invoice in invoices:
        if left <= 0:
            break
        take = min(left, invoice.open_amount)
        if take <= 0:
            continue
        Allocation.objects.create(debit=invoice, credit=credit, amount=take, allocated_on=on)
        invoice.open_amount -= take
        invoice.save(update_fields=["open_amount", "updated_at"])
        left -= take
    credit.open_amount = -left
    credit.save(update_fields=["open_amount", "updated_at"])


def _item(actor, **fields) -> SettlementItem:
    item = SettlementItem(
        source=SettlementItem.Source.IMPORT,
        created_by=actor if getattr(actor, "pk", None) else None,
        **fields,
    )
    item.full_clean()
    item.save()
    return item


def _existing(kind: str, numbers: list[str]) -> dict[str, SettlementItem]:
    found: dict[str, SettlementItem] = {}
    for start in range(0, len(numbers), 900):
        part = numbers[start : start + 900]
        for item in SettlementItem.objects.select_for_update().filter(
            kind=kind, document_number__in=part
        ):
            found[item.document_number] = item
    return found


@transaction.atomic
def settlements_import_invoices(*, actor, invoices: list[ImportedInvoice]) -> dict[str, int]:
    """Post the new invoices, update due date and reference of those already there; counts
    ``{"created", "updated", "unchanged"}``. An invoice already there for another client, date,
    currency or amount is refused (``ValidationError`` naming the field): the importer checks
    that first, line by line."""
    _require(actor)
    checked = _Bounds()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    stored = _existing(Kind.INVOICE, [i.document_number for i in invoices])
    for new in invoices:
        checked.check(new)
        old = stored.get(new.document_number)
        if old is not None:
            for field in ("account_id", "document_date", "currency", "document_amount"):
                if getattr(old, field) != getattr(new, field):
                    raise ValidationError(
                        {
                            field.removesuffix("_id"): _(
                                "Invoice %(number)s is already recorded differently."
                            )
                            % {"number": new.document_number}
                        }
                    )
            changed = [f for f in ("due_date", "reference") if getattr(old, f) != getattr(new, f)]
            if changed:
                for f in changed:
                    setattr(old, f, getattr(new, f))
                old.full_clean()
                old.save(update_fields=[*changed, "updated_at"])
                counts["updated"] += 1
            else:
                counts["unchanged"] += 1
            continue
        invoice = _item(
            actor,
            account_id=new.account_id,
            kind=Kind.INVOICE,
            document_number=new.document_number,
            document_date=new.document_date,
            due_date=new.due_date,
            amount=new.amount,
            open_amount=new.amount,
            currency=new.currency,
            document_amount=new.document_amount,
            reference=new.reference,
        )
        paid = new.amount - new.open_amount
        if paid > 0:
            settlement = _item(
                actor,
                account_id=new.account_id,
                kind=Kind.PAYMENT,
                document_number=erp_settlement_number(new.document_number),
                document_date=new.document_date,
                amount=-paid,
                open_amount=-paid,
                currency=invoice.currency,
                # The paid share of the document's amount, in its currency.
                document_amount=-(new.document_amount * paid / new.amount).quantize(
                    Decimal("0.01")
                ),
                reference=new.document_number,
                note=ERP_SETTLEMENT_NOTE,
            )
            _allocate(settlement, [invoice], new.document_date)
        # Like settlement_post: a new invoice takes up the client's unallocated credits.
        credits = (
            SettlementItem.objects.select_for_update()
            .filter(account_id=new.account_id, open_amount__lt=0)
            .exclude(kind=Kind.INVOICE)
            .order_by("document_date", "pk")
        )
        for credit in credits:
            if invoice.open_amount <= 0:
                break
            _allocate(credit, [invoice], new.document_date)
        counts["created"] += 1
    return counts


def _open_invoices(account_id: int, first: str) -> list[SettlementItem]:
    rows = list(
        SettlementItem.objects.select_for_update()
        .filter(account_id=account_id, kind=Kind.INVOICE, open_amount__gt=0)
        .order_by("due_date", "document_date", "pk")
    )
    if first:
        rows.sort(key=lambda r: r.document_number != first)
    return rows


def _take_over_erp_settlement(payment: ImportedPayment) -> None:
    """The payment replaces (up to its amount) the ERP settlement of the invoice it names: the
    settlement gives back what it had allocated, the invoice is open again by as much, and
    the payment is then allocated to it first."""
    settlement = (
        SettlementItem.objects.select_for_update()
        .filter(
            kind=Kind.PAYMENT,
            source=SettlementItem.Source.IMPORT,
            document_number=erp_settlement_number(payment.invoice),
            account_id=payment.account_id,
        )
        .first()
    )
    if settlement is None:
        return
    left = payment.amount
    for allocation in settlement.allocations_out.select_related("debit").select_for_update():
        if left <= 0:
            break
        take = min(left, allocation.amount)
        invoice = allocation.debit
        invoice.open_amount += take
        invoice.save(update_fields=["open_amount", "updated_at"])
        if take == allocation.amount:
            allocation.delete()
        else:
            allocation.amount -= take
            allocation.save(update_fields=["amount"])
        settlement.amount += take
        left -= take
    if settlement.amount >= 0:
        settlement.delete()
    else:
        ratio = settlement.amount / (settlement.amount - (payment.amount - left))
        settlement.document_amount = (settlement.document_amount * ratio).quantize(Decimal("0.01"))
        settlement.save(update_fields=["amount", "document_amount", "updated_at"])


@transaction.atomic
def settlements_import_payments(*, actor, payments: list[ImportedPayment]) -> dict[str, int]:
    """Post the new payments, allocated to the invoice each names first, then oldest due
    first; a payment already there (same document number) is left as it is (the invoice it
    names included: it was allocated when it came). Counts
    ``{"created", "unchanged"}``; a payment already there for another client, date, currency
    or amount is refused (``ValidationError`` naming the field)."""
    _require(actor)
    checked = _Bounds()
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    stored = _existing(Kind.PAYMENT, [p.document_number for p in payments])
    for new in payments:
        checked.check(new)
        old = stored.get(new.document_number)
        if old is not None:
            for field in ("account_id", "document_date", "currency", "document_amount"):
                value = getattr(new, field)
                if field == "document_amount":
                    value = -value
                if getattr(old, field) != value:
                    raise ValidationError(
                        {
                            field.removesuffix("_id"): _(
                                "Payment %(number)s is already recorded differently."
                            )
                            % {"number": new.document_number}
                        }
                    )
            counts["unchanged"] += 1
            continue
        if new.invoice:
            _take_over_erp_settlement(new)
        item = _item(
            actor,
            account_id=new.account_id,
            kind=Kind.PAYMENT,
            document_number=new.document_number,
            document_date=new.document_date,
            amount=-new.amount,
            open_amount=-new.amount,
            currency=new.currency,
            document_amount=-new.document_amount,
            reference=new.invoice,
        )
        _allocate(item, _open_invoices(new.account_id, new.invoice), new.document_date)
        counts["created"] += 1
    return counts
