"""Writes of the settlements ledger (AR-1): post invoices, payments, credit notes and returns,
and allocate credits to invoices (oldest first unless stated). Every write is audited.

``settlement_post`` is what orders (a shipment's invoice, a return's credit) and the importers
call; it does not check a role (``actor=None`` is the system): the caller has asked the policy
for its own action (``order.process``, ``import.run``, ``settlement.record``)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.receivables.models import Allocation, SettlementItem

ZERO = Decimal("0")
Kind = SettlementItem.Kind


def _signed(kind: str, amount: Decimal) -> Decimal:
    """Invoices are positive, everything else negative, whatever sign the caller gave."""
    amount = abs(amount)
    return amount if kind == Kind.INVOICE else -amount


def _allocate(credit: SettlementItem, invoices: list[SettlementItem], on: date) -> None:
    """Settle ``credit``'s open amount against ``invoices`` in the order given."""
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


def _open_invoices(account_id: int, *, first: str = "") -> list[SettlementItem]:
    """The client's open invoices, locked, oldest due first; ``first`` (a document) ahead."""
    rows = list(
        SettlementItem.objects.select_for_update()
        .filter(account_id=account_id, kind=Kind.INVOICE, open_amount__gt=0)
        .order_by("due_date", "document_date", "pk")
    )
    if first:
        rows.sort(key=lambda r: r.document_number != first)
    return rows


def _open_credits(account_id: int) -> list[SettlementItem]:
    return list(
        SettlementItem.objects.select_for_update()
        .filter(account_id=account_id, open_amount__lt=0)
        .exclude(kind=Kind.INVOICE)
        .order_by("document_date", "pk")
    )


@transaction.atomic
def settlement_post(
    *,
    actor,
    account_id: int,
    kind: str,
    document_number: str,
    document_date: date,
    amount: Decimal,
    currency: str,
    document_amount: Decimal | None = None,
    due_date: date | None = None,
    source: str = SettlementItem.Source.MANUAL,
    reference: str = "",
    note: str = "",
    allocate_to: str = "",
    audit: bool = True,
) -> SettlementItem:
    """Record one item (``amount`` in the base currency). A new invoice takes up the client's
    unallocated credits; a payment, credit note or return settles open invoices, oldest due
    first (``allocate_to`` or ``reference`` names an invoice to settle first). A payment larger
    than everything open stays as an unallocated credit: nothing is lost."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind %(kind)s.") % {"kind": kind}})
    bounds.check_text(document_number, field="document_number")
    if not document_number.strip():
        raise ValidationError({"document_number": _("A document number is required.")})
    bounds.check_ledger_date(document_date, field="document_date")
    bounds.check_amount(amount, field="amount")
    if kind == Kind.INVOICE:
        if due_date is None:
            raise ValidationError({"due_date": _("An invoice needs a due date.")})
        bounds.check_date(due_date, field="due_date")
        if due_date < document_date:
            raise ValidationError(
                {"due_date": _("The due date cannot be before the invoice date.")}
            )
    signed = _signed(kind, amount)
    item = SettlementItem(
        account_id=account_id,
        kind=kind,
        document_number=document_number,
        document_date=document_date,
        due_date=due_date if kind == Kind.INVOICE else None,
        amount=signed,
        open_amount=signed,
        currency=currency.upper(),
        document_amount=_signed(kind, document_amount if document_amount is not None else amount),
        source=source,
        reference=reference,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    item.full_clean()
    item.save()
    if kind == Kind.INVOICE:
        for credit in _open_credits(account_id):
            _allocate(credit, [item], document_date)
            item.refresh_from_db(fields=["open_amount"])
            if item.open_amount <= 0:
                break
    elif signed < 0:
        _allocate(item, _open_invoices(account_id, first=allocate_to or reference), document_date)
    if audit:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=item,
            summary=f"{item.get_kind_display()} {document_number}: {signed}",
            changes={"amount": signed, "account": account_id, "kind": kind},
        )
    return item
