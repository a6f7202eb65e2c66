"""Writes of the settlements ledger (AR-1): post invoices, payments, credit notes and returns,
and allocate credits to invoices (oldest first unless stated). Every write is audited.

``settlement_post`` is what orders (a shipment's invoice, a return's credit) and the importers
call; it does not check a role (``actor=None`` is the system): the caller has asked the policy
for its own action (``order.process``, ``import.run``, ``settlement.record``)."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.selectors import company_settings
from kam.core.services import audit_record
from kam.org.policy import Action, require
from kam.receivables.models import Allocation, SettlementItem

ZERO = Decimal("0")
Kind = SettlementItem.Kind


def _signed(kind: str, amount: Decimal) -> Decimal:
    """Invoices are positive, everything else negative, whatever sign the caller gave."""
    amount = abs(amount)
    return amount if kind == Kind.INVOICE else -amount


def _allocate(
    credit: SettlementItem, invoices: list[SettlementItem], on: date
) -> list[tuple[str, Decimal]]:
    """Settle ``credit``'s open amount against ``invoices`` in the order given; returns what
    went where (invoice number, amount) for the audit.

    An allocation is dated no earlier than both documents: the open items as of a day (the
    ageing, a statement) must never see a payment settle an invoice before either existed."""
    left = -credit.open_amount
    made = []
    for invoice in invoices:
        if left <= 0:
            break
        take = min(left, invoice.open_amount)
        if take <= 0:
            continue
        Allocation.objects.create(
            debit=invoice,
            credit=credit,
            amount=take,
            allocated_on=max(on, credit.document_date, invoice.document_date),
        )
        invoice.open_amount -= take
        invoice.save(update_fields=["open_amount", "updated_at"])
        left -= take
        made.append((invoice.document_number, take))
    credit.open_amount = -left
    credit.save(update_fields=["open_amount", "updated_at"])
    return made


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
    allocated_on: date | None = None,
) -> SettlementItem:
    """Record one item (``amount`` in the base currency). A new invoice takes up the client's
    unallocated credits; a payment, credit note or return settles open invoices, oldest due
    first (``allocate_to`` or ``reference`` names an invoice to settle first). A payment larger
    than everything open stays as an unallocated credit: nothing is lost. Automatic allocations
    are dated ``allocated_on`` (default: the document date), never before either document."""
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
    on = allocated_on or document_date
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
    made: list[tuple[str, Decimal]] = []
    if kind == Kind.INVOICE:
        for credit in _open_credits(account_id):
            made += [(credit.document_number, a) for _n, a in _allocate(credit, [item], on)]
            item.refresh_from_db(fields=["open_amount"])
            if item.open_amount <= 0:
                break
    elif signed < 0:
        made = _allocate(item, _open_invoices(account_id, first=allocate_to or reference), on)
    if audit:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=item,
            summary=f"{item.get_kind_display()} {document_number}: {signed}",
            changes={
                "amount": signed,
                "account": account_id,
                "kind": kind,
                "open_amount": item.open_amount,
                # the automatic allocations, each the other document and the amount
                "allocations": [[number, str(a)] for number, a in made],
            },
        )
    return item


# --- by hand (AR-1): sales support and credit control ----------------------------------------


@transaction.atomic
def settlement_record(
    *,
    actor,
    account: Account,
    kind: str,
    document_number: str,
    document_date: date,
    amount: Decimal,
    currency: str = "",
    document_amount: Decimal | None = None,
    due_date: date | None = None,
    reference: str = "",
    note: str = "",
    allocate_to: str = "",
) -> SettlementItem:
    """A payment, credit note, return or invoice entered by a person who may record the
    client's settlements (``settlement.record``). ``amount`` is positive, in the base currency;
    the item is signed by its kind. Settled oldest due first, ``allocate_to`` (an invoice's
    number) first when given."""
    require(actor, Action.SETTLEMENT_RECORD, account)
    bounds.check_amount(amount, field="amount")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    bounds.check_text(note, field="note")
    bounds.check_text(reference, field="reference")
    bounds.check_text(allocate_to, field="allocate_to")
    if (
        allocate_to
        and not SettlementItem.objects.filter(
            account=account, kind=Kind.INVOICE, document_number=allocate_to
        ).exists()
    ):
        raise ValidationError(
            {"allocate_to": _("This client has no invoice %(number)s.") % {"number": allocate_to}}
        )
    if SettlementItem.objects.filter(kind=kind, document_number=document_number).exists():
        raise ValidationError(
            {"document_number": _("A document with this kind and number is already recorded.")}
        )
    base = company_settings().base_currency
    return settlement_post(
        actor=actor,
        account_id=account.pk,
        kind=kind,
        document_number=document_number.strip(),
        document_date=document_date,
        amount=amount,
        currency=currency or base,
        document_amount=document_amount,
        due_date=due_date,
        source=SettlementItem.Source.MANUAL,
        reference=reference,
        note=note,
        allocate_to=allocate_to,
    )


def _locked(pk: int) -> SettlementItem:
    return SettlementItem.objects.select_for_update().select_related("account").get(pk=pk)


@transaction.atomic
def payment_allocate(
    *,
    actor,
    credit: SettlementItem,
    invoice: SettlementItem,
    amount: Decimal,
    on: date | None = None,
) -> Allocation:
    """Set ``amount`` of a payment, credit note or return against a named invoice of the same
    client, within both open amounts, on ``on`` (default: today, never before either
    document)."""
    require(actor, Action.SETTLEMENT_RECORD, credit.account)
    require(actor, Action.SETTLEMENT_RECORD, invoice.account)
    credit, invoice = _locked(credit.pk), _locked(invoice.pk)
    if credit.kind == Kind.INVOICE:
        raise ValidationError({"credit": _("Choose a payment, credit note or return.")})
    if invoice.kind != Kind.INVOICE:
        raise ValidationError({"invoice": _("Choose an invoice.")})
    if invoice.account_id != credit.account_id:
        raise ValidationError({"invoice": _("The invoice belongs to another client.")})
    bounds.check_amount(amount, field="amount")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The amount must be more than zero.")})
    if amount > invoice.open_amount:
        raise ValidationError(
            {
                "amount": _("Invoice %(number)s has only %(open)s open.")
                % {"number": invoice.document_number, "open": invoice.open_amount}
            }
        )
    if amount > -credit.open_amount:
        raise ValidationError(
            {
                "amount": _("%(document)s has only %(open)s left to allocate.")
                % {"document": credit.document_number, "open": -credit.open_amount}
            }
        )
    latest = max(credit.document_date, invoice.document_date)
    on = on or max(timezone.localdate(), latest)
    bounds.check_ledger_date(on, field="on")
    if on < latest:
        raise ValidationError(
            {
                "on": _("An allocation cannot be dated before its documents (%(date)s).")
                % {"date": latest.isoformat()}
            }
        )
    allocation = Allocation.objects.create(
        debit=invoice, credit=credit, amount=amount, allocated_on=on
    )
    invoice.open_amount -= amount
    invoice.save(update_fields=["open_amount", "updated_at"])
    credit.open_amount += amount
    credit.save(update_fields=["open_amount", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=allocation,
        summary=f"{credit.document_number} -> {invoice.document_number}: {amount}",
        changes={
            "account": credit.account_id,
            "credit": credit.document_number,
            "invoice": invoice.document_number,
            "amount": amount,
            "allocated_on": on,
        },
    )
    return allocation


@transaction.atomic
def allocation_undo(*, actor, allocation: Allocation) -> None:
    """Take back an allocation: both items are open again by its amount."""
    invoice, credit = _locked(allocation.debit_id), _locked(allocation.credit_id)
    require(actor, Action.SETTLEMENT_RECORD, invoice.account)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    invoice.open_amount += allocation.amount
    invoice.save(update_fields=["open_amount", "updated_at"])
    credit.open_amount -= allocation.amount
    credit.save(update_fields=["open_amount", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=allocation,
        summary=f"{credit.document_number} -> {invoice.document_number}: {allocation.amount}"
        " undone",
        changes={
            "account": invoice.account_id,
            "credit": credit.document_number,
            "invoice": invoice.document_number,
            "amount": [allocation.amount, None],
        },
    )
    allocation.delete()
