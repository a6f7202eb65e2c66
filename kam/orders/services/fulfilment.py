"""Sales support's side of an order (OR-1, OR-4): enter it into the ERP, confirm, ship (the
gate again), invoice (the gate again), record delivery, refuse and take goods back.

A shipment posts its lines into the sales ledger under the shipment's number and line numbers,
and an invoice into the client's settlements, in the same transaction: the ERP's later export
of the same document and line replaces the ledger line instead of counting it twice."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.credit.services import credit_release
from kam.orders.models import (
    Order,
    OrderLine,
    OrderReturn,
    Reason,
    ReturnLine,
    Shipment,
    ShipmentLine,
)
from kam.orders.services._common import (
    CENT,
    ZERO,
    event,
    gate,
    locked,
    open_amount,
    record_block,
    refuse,
    to_base,
    touch,
)
from kam.orders.services.drafting import check_quantity
from kam.org.policy import Action, require
from kam.pricing.rules import line_amount
from kam.receivables.services import settlement_post
from kam.sales.services import LedgerLine, sales_lines_write

S = Order.Status
SHIPPABLE = (S.CONFIRMED, S.PARTLY_SHIPPED)
REFUSABLE = (S.SUBMITTED, S.BLOCKED, S.ENTERED, S.CONFIRMED, S.PARTLY_SHIPPED)


def _status_is(order: Order, allowed, what: str) -> None:
    if order.status not in allowed:
        refuse(
            "status",
            _("The order is %(status)s: it cannot be %(what)s now.")
            % {"status": order.get_status_display(), "what": what},
        )


def _day(value: date | None, field: str, *, earliest: date | None = None) -> date:
    """A document's date: today by default, never in the future, not before ``earliest``."""
    today = timezone.localdate()
    value = value or today
    if earliest and value < earliest:
        refuse(
            field,
            _("%(value)s is before %(earliest)s.")
            % {"value": value.isoformat(), "earliest": earliest.isoformat()},
        )
    return bounds.check_date(value, field=field, latest=today)


def _audit(actor, instance, summary: str, changes: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if changes is None else AuditEntry.Action.UPDATE,
        instance=instance,
        summary=summary,
        changes=changes or {},
    )


@transaction.atomic
def order_enter(*, actor, order: Order, version, erp_number: str) -> Order:
    require(actor, Action.ORDER_PROCESS, order.account)
    order = locked(order, version)
    _status_is(order, (S.SUBMITTED,), _("entered"))
    erp_number = (bounds.check_text(erp_number or "", field="erp_number") or "").strip()
    if not erp_number:
        refuse("erp_number", _("Give the order's number in the ERP."))
    if len(erp_number) > 64:
        refuse("erp_number", _("The ERP number may be at most 64 characters."))
    order.erp_number, order.status = erp_number, S.ENTERED
    touch(order, actor, "erp_number", "status")
    _audit(
        actor, order, f"order {order.number} entered as {erp_number}", {"erp_number": erp_number}
    )
    event(
        order,
        actor,
        "entered",
        gettext_noop("Order %(number)s entered in the ERP as %(erp)s."),
        {"erp": erp_number},
    )
    return order


@transaction.atomic
def order_confirm(*, actor, order: Order, version) -> Order:
    require(actor, Action.ORDER_PROCESS, order.account)
    order = locked(order, version)
    _status_is(order, (S.ENTERED,), _("confirmed"))
    order.status = S.CONFIRMED
    touch(order, actor, "status")
    _audit(actor, order, f"order {order.number} confirmed", {"status": S.CONFIRMED})
    event(order, actor, "confirmed", gettext_noop("Order %(number)s confirmed."))
    return order


def _after_fulfilment(order: Order) -> str:
    lines = list(order.lines.all())
    left = any(ln.quantity - ln.shipped_quantity - ln.refused_quantity > 0 for ln in lines)
    shipped = any(ln.shipped_quantity > 0 for ln in lines)
    if left:
        return S.PARTLY_SHIPPED if shipped else order.status
    if not shipped:
        return S.REFUSED
    if not order.shipments.filter(delivered_on__isnull=True).exists():
        return S.DELIVERED
    return S.SHIPPED


def _quantities(order: Order, lines, *, left_of) -> list[tuple[OrderLine, Decimal]]:
    """[(order line, quantity)] from ``lines`` (dicts of line id and quantity; None: all that
    is left), each within what is left of its line (``left_of(line)``)."""
    by_id = {ln.pk: ln for ln in order.lines.select_related("product")}
    if lines is None:
        return [(ln, left_of(ln)) for ln in by_id.values() if left_of(ln) > 0]
    picked: list[tuple[OrderLine, Decimal]] = []
    seen = set()
    for i, item in enumerate(lines):
        line = by_id.get(_int(item.get("line")))
        if line is None or line.pk in seen:
            refuse(f"lines.{i}.line", _("The order has no such line (or it is named twice)."))
        seen.add(line.pk)
        quantity = check_quantity(item.get("quantity"), f"lines.{i}.quantity")
        if quantity > left_of(line):
            refuse(
                f"lines.{i}.quantity",
                _("Line %(line)d has only %(left)s left; %(asked)s asked.")
                % {"line": line.line_number, "left": left_of(line).normalize(), "asked": quantity},
            )
        picked.append((line, quantity))
    if not picked:
        refuse("lines", _("Name at least one line."))
    return picked


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _share(line: OrderLine, done_before: Decimal, quantity: Decimal) -> Decimal:
    """The part of the line's amount that ``quantity`` carries after ``done_before`` units:
    the pieces of a line add up to its amount to the cent."""
    return line_amount(line.price, done_before + quantity) - line_amount(line.price, done_before)


def order_ship(
    *, actor, order: Order, version, lines=None, shipped_on: date | None = None
) -> Shipment:
    """Ship all that is left (``lines=None``) or some of it. The gate is asked again for the
    order's open amount; when it blocks, the block is kept on the order (credit control is
    told) and the shipment refused."""
    require(actor, Action.ORDER_PROCESS, order.account)
    with transaction.atomic():
        order = locked(order, version)
        _status_is(order, SHIPPABLE, _("shipped"))
        picked = _quantities(
            order,
            lines,
            left_of=lambda ln: ln.quantity - ln.shipped_quantity - ln.refused_quantity,
        )
        earliest = timezone.localtime(order.submitted_at).date() if order.submitted_at else None
        shipped_on = _day(shipped_on, "shipped_on", earliest=earliest)
        bounds.check_ledger_date(shipped_on, field="shipped_on")
        blocked = gate(order, actor, stage="ship", amount=open_amount(order))
        if blocked is None:
            shipment = _ship(order, actor, picked, shipped_on)
        else:
            record_block(order, actor, "ship", blocked)
    if blocked is not None:
        raise ValidationError({"credit": blocked.messages})
    return shipment


def _ship(order: Order, actor, picked, shipped_on: date) -> Shipment:
    n = order.shipments.count() + 1
    promised = [ln.requested_on or order.requested_on for ln, _q in picked]
    shipment = Shipment.objects.create(
        order=order,
        number=f"S-{order.number.removeprefix('O-')}-{n}",
        shipped_on=shipped_on,
        promised_on=min((d for d in promised if d), default=None),
        created_by=actor,
    )
    rows, ledger = [], []
    for i, (line, quantity) in enumerate(picked, start=1):
        amount = _share(line, line.shipped_quantity, quantity)
        rows.append(
            ShipmentLine(
                shipment=shipment, order_line=line, line_number=i, quantity=quantity, amount=amount
            )
        )
        ledger.append(
            LedgerLine(
                date=shipped_on,
                account_id=order.account_id,
                product_id=line.product_id,
                quantity=quantity,
                revenue=amount,
                cost=(line.product.standard_cost * quantity).quantize(CENT),
                currency=order.currency,
                document_number=shipment.number,
                line_number=i,
            )
        )
        line.shipped_quantity += quantity
        line.save(update_fields=["shipped_quantity"])
    ShipmentLine.objects.bulk_create(rows)
    shipment.amount = sum((r.amount for r in rows), ZERO)
    shipment.amount_base = to_base(order, shipment.amount)
    shipment.save(update_fields=["amount", "amount_base"])
    # The system writes the ledger: the person was checked for order.process above.
    sales_lines_write(actor=None, lines=ledger, source="order")
    order.status = _after_fulfilment(order)
    order.blocked_stage, order.waiting_reason = "", ""
    touch(
        order,
        actor,
        "status",
        "blocked_stage",
        "waiting_reason",
        "released_stage",
        "released_by",
        "release_comment",
    )
    _audit(actor, shipment, f"shipment {shipment.number} of {order.number}")
    event(
        order,
        actor,
        "shipped",
        gettext_noop("Shipment %(shipment)s of order %(number)s left on %(date)s (%(amount)s)."),
        {"shipment": shipment.number, "date": shipped_on.isoformat(), "amount": shipment.amount},
    )
    return shipment


def _shipment_order(shipment: Shipment, version) -> tuple[Shipment, Order]:
    order = locked(shipment.order, version)
    return Shipment.objects.get(pk=shipment.pk), order


def shipment_invoice(
    *, actor, shipment: Shipment, version, invoiced_on: date | None = None
) -> Shipment:
    """Invoice a shipment: the gate at invoice, then the invoice in the settlements (due after
    the contract's deferral) and the order's reservation lowered by what is invoiced."""
    require(actor, Action.ORDER_PROCESS, shipment.order.account)
    with transaction.atomic():
        shipment, order = _shipment_order(shipment, version)
        if shipment.invoice_number:
            refuse(
                "shipment",
                _("Shipment %(number)s is invoiced already (%(invoice)s).")
                % {"number": shipment.number, "invoice": shipment.invoice_number},
            )
        invoiced_on = _day(invoiced_on, "invoiced_on", earliest=shipment.shipped_on)
        blocked = gate(order, actor, stage="invoice", amount=open_amount(order))
        if blocked is None:
            _invoice(order, shipment, actor, invoiced_on)
        else:
            record_block(order, actor, "invoice", blocked)
    if blocked is not None:
        raise ValidationError({"credit": blocked.messages})
    return shipment


def _invoice(order: Order, shipment: Shipment, actor, invoiced_on: date) -> None:
    shipment.invoice_number = f"I-{shipment.number.removeprefix('S-')}"
    shipment.invoiced_on = invoiced_on
    shipment.save(update_fields=["invoice_number", "invoiced_on", "updated_at"])
    due = invoiced_on + timedelta(days=order.contract.payment_days)
    settlement_post(
        actor=actor,
        account_id=order.account_id,
        kind="invoice",
        document_number=shipment.invoice_number,
        document_date=invoiced_on,
        amount=shipment.amount_base,
        document_amount=shipment.amount,
        currency=order.currency,
        due_date=due,
        source="order",
        reference=shipment.number,
    )
    # The invoice is a receivable now; the order holds only what is not invoiced yet.
    credit_release(ref=order.credit_ref, amount=open_amount(order))
    order.blocked_stage, order.waiting_reason = "", ""
    touch(
        order,
        actor,
        "blocked_stage",
        "waiting_reason",
        "released_stage",
        "released_by",
        "release_comment",
    )
    event(
        order,
        actor,
        "invoiced",
        gettext_noop("Invoice %(invoice)s for shipment %(shipment)s, due %(due)s."),
        {"invoice": shipment.invoice_number, "shipment": shipment.number, "due": due.isoformat()},
    )


@transaction.atomic
def order_deliver(
    *, actor, shipment: Shipment, version, delivered_on: date | None = None
) -> Shipment:
    require(actor, Action.ORDER_PROCESS, shipment.order.account)
    shipment, order = _shipment_order(shipment, version)
    if shipment.delivered_on:
        refuse(
            "shipment", _("Shipment %(number)s is delivered already.") % {"number": shipment.number}
        )
    shipment.delivered_on = _day(delivered_on, "delivered_on", earliest=shipment.shipped_on)
    shipment.save(update_fields=["delivered_on", "updated_at"])
    if order.status == S.SHIPPED:
        order.status = _after_fulfilment(order)
    touch(order, actor, "status")
    _audit(
        actor,
        shipment,
        f"shipment {shipment.number} delivered",
        {"delivered_on": shipment.delivered_on},
    )
    event(
        order,
        actor,
        "delivered",
        gettext_noop("Shipment %(shipment)s delivered on %(date)s."),
        {"shipment": shipment.number, "date": shipment.delivered_on.isoformat()},
    )
    return shipment


def _reason(reason, kind: str) -> Reason:
    pk = reason.pk if isinstance(reason, Reason) else _int(reason)
    found = Reason.objects.filter(pk=pk, kind=kind, is_active=True).first()
    if found is None:
        refuse("reason", _("Choose a reason from the list."))
    return found


@transaction.atomic
def order_refuse(*, actor, order: Order, version, reason, lines=None, comment: str = "") -> Order:
    """Refuse the whole order (``lines=None``: all that is not shipped) or some lines, with a
    reason of kind refusal; the refused part no longer holds credit."""
    require(actor, Action.ORDER_PROCESS, order.account)
    order = locked(order, version)
    _status_is(order, REFUSABLE, _("refused"))
    reason = _reason(reason, Reason.Kind.REFUSAL)
    comment = bounds.check_text(comment or "", field="comment") or ""
    picked = _quantities(
        order,
        lines,
        left_of=lambda ln: ln.quantity - ln.shipped_quantity - ln.refused_quantity,
    )
    for line, quantity in picked:
        line.refused_quantity += quantity
        line.refusal_reason = reason
        line.save(update_fields=["refused_quantity", "refusal_reason"])
    if order.status != S.BLOCKED:
        credit_release(ref=order.credit_ref, amount=open_amount(order))
    # Partly refused and nothing shipped: the status stays; all of it: refused.
    order.status = _after_fulfilment(order)
    if order.status == S.REFUSED:
        credit_release(ref=order.credit_ref)
        order.waiting_reason, order.blocked_stage = "", ""
    touch(order, actor, "status", "waiting_reason", "blocked_stage")
    _audit(
        actor,
        order,
        f"order {order.number} refused ({reason.code})",
        {"lines": {ln.line_number: str(q) for ln, q in picked}, "comment": comment},
    )
    event(
        order,
        actor,
        "refused",
        gettext_noop("Order %(number)s: lines %(lines)s refused (%(reason)s)."),
        {"lines": ", ".join(str(ln.line_number) for ln, _q in picked), "reason": reason.name},
    )
    return order


@transaction.atomic
def order_return(
    *,
    actor,
    shipment: Shipment,
    version,
    reason,
    lines,
    returned_on: date | None = None,
    note: str = "",
) -> OrderReturn:
    """Goods back against a shipment: negative ledger lines under the return's number and a
    return in the settlements, in one transaction; never more than the shipment carried."""
    require(actor, Action.ORDER_PROCESS, shipment.order.account)
    shipment, order = _shipment_order(shipment, version)
    reason = _reason(reason, Reason.Kind.RETURN)
    note = bounds.check_text(note or "", field="note") or ""
    if len(note) > 500:
        refuse("note", _("The note may be at most 500 characters."))
    returned_on = _day(returned_on, "returned_on", earliest=shipment.shipped_on)
    shipped = {sl.order_line_id: sl.quantity for sl in shipment.lines.all()}
    back = {}
    for rl in ReturnLine.objects.filter(order_return__shipment=shipment):
        back[rl.order_line_id] = back.get(rl.order_line_id, ZERO) + rl.quantity
    if not lines:
        refuse("lines", _("Name at least one line."))
    picked = _quantities(
        order,
        lines,
        left_of=lambda ln: shipped.get(ln.pk, ZERO) - back.get(ln.pk, ZERO),
    )
    n = OrderReturn.objects.filter(shipment=shipment).count() + 1
    item = OrderReturn.objects.create(
        shipment=shipment,
        number=f"R-{shipment.number.removeprefix('S-')}-{n}",
        returned_on=returned_on,
        reason=reason,
        note=note,
        created_by=actor,
    )
    rows, ledger = [], []
    for i, (line, quantity) in enumerate(picked, start=1):
        amount = line_amount(line.price, quantity)
        rows.append(
            ReturnLine(
                order_return=item, order_line=line, line_number=i, quantity=quantity, amount=amount
            )
        )
        ledger.append(
            LedgerLine(
                date=returned_on,
                account_id=order.account_id,
                product_id=line.product_id,
                quantity=-quantity,
                revenue=-amount,
                cost=-(line.product.standard_cost * quantity).quantize(CENT),
                currency=order.currency,
                document_number=item.number,
                line_number=i,
                returns_document=shipment.number,
            )
        )
        line.returned_quantity += quantity
        line.save(update_fields=["returned_quantity"])
    ReturnLine.objects.bulk_create(rows)
    sales_lines_write(actor=None, lines=ledger, source="order")
    total = sum((r.amount for r in rows), ZERO)
    settlement_post(
        actor=actor,
        account_id=order.account_id,
        kind="return",
        document_number=item.number,
        document_date=returned_on,
        amount=to_base(order, total),
        document_amount=total,
        currency=order.currency,
        source="order",
        reference=shipment.invoice_number,
    )
    touch(order, actor)
    _audit(actor, item, f"return {item.number} against {shipment.number}")
    event(
        order,
        actor,
        "returned",
        gettext_noop("Return %(return)s against %(shipment)s (%(reason)s, %(amount)s)."),
        {
            "return": item.number,
            "shipment": shipment.number,
            "reason": reason.name,
            "amount": total,
        },
    )
    return item
