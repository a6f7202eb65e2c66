"""The KAM's side of an order (OR-1, OR-3): draft, lines, copy, submit, cancel, and the head's
discount approvals and credit control's overrides."""

from datetime import date
from decimal import Decimal, InvalidOperation
from uuid import uuid4

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kam.catalog.models import Product
from kam.contracts.selectors import contract_active
from kam.core import bounds
from kam.core.models import AuditEntry, Notification
from kam.core.money import UnknownRate
from kam.core.selectors import rate_table
from kam.core.services import audit_record
from kam.credit.services import credit_release, credit_reserve
from kam.orders.models import DiscountApproval, Order, OrderLine
from kam.orders.services._common import (
    ZERO,
    event,
    gate,
    heads_for,
    locked,
    notify,
    open_amount,
    person_name,
    record_block,
    refuse,
    touch,
)
from kam.org.policy import Action, require
from kam.pricing.rules import line_amount, needs_approval, net_price
from kam.pricing.selectors import column_price, discount_limit

MAX_QUANTITY = Decimal("1000000")
MAX_NOTE = 2000
EDITABLE = (Order.Status.DRAFT,)
CANCELLABLE = (
    Order.Status.DRAFT,
    Order.Status.AWAITING_APPROVAL,
    Order.Status.BLOCKED,
    Order.Status.SUBMITTED,
)


# Validation: one place for the web and the API, each message naming its field.


def _decimal(value, field: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        refuse(field, _("%(value)s is not a number.") % {"value": value})
    if not number.is_finite():
        refuse(field, _("%(value)s is not a number.") % {"value": value})
    return number


def check_quantity(value, field: str = "quantity") -> Decimal:
    quantity = _decimal(value, field)
    if quantity <= 0:
        refuse(field, _("The quantity must be more than zero."))
    if quantity > MAX_QUANTITY:
        refuse(field, _("The quantity may be at most %(max)s.") % {"max": MAX_QUANTITY})
    if quantity.as_tuple().exponent < -3:
        refuse(field, _("Use at most 3 decimal places in a quantity."))
    return quantity


def check_discount(value, field: str = "discount_percent") -> Decimal:
    discount = _decimal(value if value not in (None, "") else "0", field)
    if discount < 0 or discount > 100:
        refuse(field, _("The discount must be between 0 and 100 %."))
    if discount.as_tuple().exponent < -2:
        refuse(field, _("Use at most 2 decimal places in a discount."))
    return discount


def check_requested(value: date | None, field: str = "requested_on") -> date | None:
    """A requested delivery date: from today to the planning horizon (not in the past)."""
    if value is None:
        return None
    today = timezone.localdate()
    if value < today:
        refuse(
            field,
            _("The requested date %(value)s is before today (%(today)s).")
            % {"value": value.isoformat(), "today": today.isoformat()},
        )
    return bounds.check_date(value, field=field, earliest=today)


def check_note(value: str | None) -> str:
    value = bounds.check_text(value or "", field="note") or ""
    if len(value) > MAX_NOTE:
        refuse("note", _("The note may be at most %(max)d characters.") % {"max": MAX_NOTE})
    return value


def _price(order: Order, product: Product, field: str = "product") -> Decimal:
    price = column_price(
        column_id=order.price_column_id, product_id=product.pk, on=timezone.localdate()
    )
    if price is None:
        refuse(
            field,
            _("Product %(product)s is not in the client's price column %(column)s.")
            % {"product": product.sku, "column": order.price_column.name},
        )
    return price


def _refresh_totals(order: Order) -> None:
    total = sum((ln.amount for ln in order.lines.all()), ZERO)
    try:
        base = rate_table().convert(total, order.currency, timezone.localdate())
    except UnknownRate:
        refuse(
            "currency",
            _("No %(currency)s rate is known today; add one to the company's currency rates.")
            % {"currency": order.currency},
        )
    order.total, order.total_base = total, base


def _must_be_draft(order: Order) -> None:
    if order.status not in EDITABLE:
        refuse(
            "status",
            _("The order is %(status)s: only a draft's lines can be changed.")
            % {"status": order.get_status_display()},
        )


def _audit(actor, order: Order, summary: str, changes: dict | None = None) -> None:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=order,
        summary=f"order {order.number}: {summary}",
        changes=changes or {},
    )


def pct(value: Decimal) -> str:
    """12.00 as "12", 12.50 as "12.5" (never "1.2E+1")."""
    return f"{value.normalize():f}"


# The draft.


def _new_order(*, actor, account, requested_on=None, note="") -> Order:
    require(actor, Action.ORDER_DRAFT, account)
    today = timezone.localdate()
    contract = contract_active(account_id=account.pk, on=today)
    if contract is None:
        refuse(
            "account",
            _("The client has no active contract; one must be prepared before an order."),
        )
    order = Order.objects.create(
        account=account,
        number=f"tmp-{uuid4().hex[:24]}",
        contract=contract,
        price_column=contract.price_column,
        currency=contract.currency,
        requested_on=check_requested(requested_on),
        note=check_note(note),
        created_by=actor,
        changed_by=actor,
    )
    # The number from the row's id: unique without a counter to lock.
    order.number = f"O-{today.year}-{order.pk:06d}"
    order.save(update_fields=["number"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=order,
        summary=f"order {order.number} drafted",
        changes={"account": account.pk, "contract": contract.pk},
    )
    event(order, actor, "drafted", gettext_noop("Order %(number)s drafted."))
    return order


@transaction.atomic
def order_create(*, actor, account, requested_on=None, note="", lines=()) -> Order:
    """A new draft for the client from its active contract (price column, currency), with
    ``lines`` (dicts of product, quantity, discount_percent, requested_on) when given."""
    order = _new_order(actor=actor, account=account, requested_on=requested_on, note=note)
    for i, line in enumerate(lines):
        _line_write(order, actor=actor, line=None, index=i, **line)
    if lines:
        _refresh_totals(order)
        order.save(update_fields=["total", "total_base"])
    return order


def _line_write(
    order: Order,
    *,
    actor,
    line: OrderLine | None,
    product: Product | None = None,
    quantity=None,
    discount_percent=None,
    requested_on=None,
    index: int | None = None,
) -> OrderLine:
    prefix = f"lines.{index}." if index is not None else ""
    if line is None:
        if product is None:
            refuse(f"{prefix}product", _("Choose a product."))
        line = OrderLine(order=order, product=product)
    if product is not None and line.pk is not None and product != line.product:
        line.product = product
    line.quantity = check_quantity(
        line.quantity if quantity is None else quantity, f"{prefix}quantity"
    )
    if discount_percent is not None or line.pk is None:
        line.discount_percent = check_discount(discount_percent, f"{prefix}discount_percent")
    if requested_on is not None:
        line.requested_on = check_requested(requested_on, f"{prefix}requested_on")
    line.list_price = _price(order, line.product, f"{prefix}product")
    line.price = net_price(line.list_price, line.discount_percent)
    line.amount = line_amount(line.price, line.quantity)
    bounds.check_amount(line.amount, field=f"{prefix}quantity", minimum=ZERO)
    if line.pk is None:
        last = order.lines.aggregate(m=Max("line_number"))["m"] or 0
        line.line_number = last + 1
    line.save()
    return line


@transaction.atomic
def order_line_add(
    *, actor, order: Order, version, product, quantity, discount_percent=None, requested_on=None
) -> OrderLine:
    require(actor, Action.ORDER_DRAFT, order.account)
    order = locked(order, version)
    _must_be_draft(order)
    line = _line_write(
        order,
        actor=actor,
        line=None,
        product=product,
        quantity=quantity,
        discount_percent=discount_percent,
        requested_on=requested_on,
    )
    _refresh_totals(order)
    touch(order, actor, "total", "total_base")
    _audit(actor, order, f"line {line.line_number} added", {"product": product.pk})
    return line


def _line_of(order: Order, line) -> OrderLine:
    pk = line.pk if isinstance(line, OrderLine) else line
    found = order.lines.filter(pk=pk).select_related("product").first()
    if found is None:
        refuse("line", _("The order has no such line."))
    return found


@transaction.atomic
def order_line_update(
    *, actor, order: Order, version, line, quantity=None, discount_percent=None, requested_on=None
) -> OrderLine:
    require(actor, Action.ORDER_DRAFT, order.account)
    order = locked(order, version)
    _must_be_draft(order)
    current = _line_of(order, line)
    before = {"quantity": current.quantity, "discount_percent": current.discount_percent}
    current = _line_write(
        order,
        actor=actor,
        line=current,
        quantity=quantity,
        discount_percent=discount_percent,
        requested_on=requested_on,
    )
    _refresh_totals(order)
    touch(order, actor, "total", "total_base")
    _audit(
        actor,
        order,
        f"line {current.line_number} changed",
        {k: [v, getattr(current, k)] for k, v in before.items()},
    )
    return current


@transaction.atomic
def order_line_remove(*, actor, order: Order, version, line) -> None:
    require(actor, Action.ORDER_DRAFT, order.account)
    order = locked(order, version)
    _must_be_draft(order)
    current = _line_of(order, line)
    number = current.line_number
    current.delete()
    _refresh_totals(order)
    touch(order, actor, "total", "total_base")
    _audit(actor, order, f"line {number} removed")


@transaction.atomic
def order_update(*, actor, order: Order, version, note=None, requested_on=None) -> Order:
    """The note and the requested date (a draft's; a submitted order's note too)."""
    require(actor, Action.ORDER_DRAFT, order.account)
    order = locked(order, version)
    changes = {}
    if requested_on is not None:
        _must_be_draft(order)
        changes["requested_on"] = [order.requested_on, check_requested(requested_on)]
        order.requested_on = requested_on
    if note is not None:
        if order.status in (Order.Status.CANCELLED, Order.Status.DELIVERED):
            refuse("note", _("A closed order cannot be changed."))
        changes["note"] = [order.note, check_note(note)]
        order.note = note
    touch(order, actor, "note", "requested_on")
    _audit(actor, order, "changed", changes)
    return order


@transaction.atomic
def order_copy(*, actor, order: Order) -> Order:
    """A new draft with the same products, quantities and discounts at today's prices; it
    passes approvals and the credit gate again when submitted (copying bypasses nothing)."""
    source_lines = list(order.lines.select_related("product"))
    copy = _new_order(actor=actor, account=order.account, note=order.note)
    today = timezone.localdate()
    for i, ln in enumerate(source_lines):
        _line_write(
            copy,
            actor=actor,
            line=None,
            index=i,
            product=ln.product,
            quantity=ln.quantity,
            discount_percent=ln.discount_percent,
            requested_on=ln.requested_on if ln.requested_on and ln.requested_on >= today else None,
        )
    _refresh_totals(copy)
    copy.save(update_fields=["total", "total_base"])
    event(
        copy,
        actor,
        "copied",
        gettext_noop("Order %(number)s drafted as a copy of %(source)s."),
        {"source": order.number},
    )
    return copy


@transaction.atomic
def draft_add(*, actor, account, product, quantity) -> Order:
    """Take one product into the client's open draft by this person (a new draft when there is
    none): order advice's one click. It reads the draft's version itself: the person asked to
    add to whatever their draft holds now."""
    require(actor, Action.ORDER_DRAFT, account)
    draft = (
        Order.objects.filter(account=account, created_by=actor, status=Order.Status.DRAFT)
        .order_by("-created_at", "-pk")
        .first()
    )
    if draft is None:
        draft = _new_order(actor=actor, account=account)
    existing = draft.lines.filter(product=product).first()
    if existing is not None:
        order_line_update(
            actor=actor,
            order=draft,
            version=Order.objects.get(pk=draft.pk).version,
            line=existing,
            quantity=existing.quantity + check_quantity(quantity),
        )
    else:
        order_line_add(
            actor=actor,
            order=draft,
            version=Order.objects.get(pk=draft.pk).version,
            product=product,
            quantity=quantity,
        )
    return Order.objects.get(pk=draft.pk)


# Submission, approvals, the gate.


def _waiting_text(order: Order, pending) -> str:
    heads = ", ".join(person_name(h) for h in heads_for(order.account))
    parts = [
        _(
            "waits for approval of a %(percent)s%% discount on line %(line)d by the head of "
            "department (%(heads)s)"
        )
        % {
            "percent": pct(a.requested_percent),
            "line": a.line.line_number,
            "heads": heads,
        }
        for a in pending
    ]
    return "; ".join(parts)[:500]


def _through_gate(order: Order, actor) -> Order:
    """All discounts agreed: the credit gate at submission decides SUBMITTED or BLOCKED."""
    # The open amount: the total, less any lines sales support refused while it was blocked.
    blocked = gate(order, actor, stage="submit", amount=open_amount(order))
    if blocked is not None:
        record_block(order, actor, "submit", blocked)
        return order
    order.status = Order.Status.SUBMITTED
    order.blocked_stage = ""
    order.waiting_reason = ""
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
    event(order, actor, "submitted", gettext_noop("Order %(number)s submitted."))
    return order


@transaction.atomic
def order_submit(*, actor, order: Order, version) -> Order:
    """Send the draft on: discounts beyond the submitter's rule wait for the head; otherwise
    (or once they are approved) the credit gate decides. A blocked order submitted again asks
    the gate again."""
    require(actor, Action.ORDER_DRAFT, order.account)
    order = locked(order, version)
    if order.status == Order.Status.BLOCKED and order.blocked_stage == "submit":
        # Asked again (the client paid, the limit was raised): the gate alone decides; the
        # discounts were agreed already.
        return _through_gate(order, actor)
    if order.status != Order.Status.DRAFT:
        refuse(
            "status",
            _("Only a draft can be submitted; this order is %(status)s.")
            % {"status": order.get_status_display()},
        )
    lines = list(order.lines.select_related("product"))
    if not lines:
        refuse("lines", _("Add at least one line before submitting the order."))
    if contract_active(account_id=order.account_id, on=timezone.localdate()) is None:
        refuse(
            "account",
            _("The client has no active contract; one must be prepared before an order."),
        )
    order.submitted_at = timezone.now()
    order.save(update_fields=["submitted_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=order,
        summary=f"order {order.number} submitted",
        changes={"total_base": order.total_base},
    )
    allowed = discount_limit(column_id=order.price_column_id, role=actor.role)
    over = [ln for ln in lines if needs_approval(ln.discount_percent, allowed)]
    if not over:
        return _through_gate(order, actor)
    pending = DiscountApproval.objects.bulk_create(
        DiscountApproval(
            order=order,
            line=ln,
            requested_percent=ln.discount_percent,
            allowed_percent=allowed,
            requested_by=actor,
        )
        for ln in over
    )
    for a, ln in zip(pending, over, strict=True):
        a.line = ln
    order.status = Order.Status.AWAITING_APPROVAL
    order.waiting_reason = _waiting_text(order, pending)
    touch(order, actor, "status", "waiting_reason")
    event(
        order,
        actor,
        "approval_requested",
        gettext_noop("Order %(number)s waits for discount approval: %(reason)s."),
        {"reason": order.waiting_reason},
    )
    notify(
        heads_for(order.account),
        kind=Notification.Kind.APPROVAL_REQUESTED,
        order=order,
        subject=gettext_noop("Order %(number)s of %(client)s asks you to approve a discount."),
        params={"number": order.number, "client": order.account.legal_name},
    )
    return order


def _approval_of(order: Order, approval) -> DiscountApproval:
    pk = approval.pk if isinstance(approval, DiscountApproval) else approval
    found = order.approvals.filter(pk=pk).select_related("line").first()
    if found is None:
        refuse("approval", _("The order has no such discount approval."))
    if found.status != DiscountApproval.Status.PENDING:
        refuse(
            "approval",
            _("This discount was already %(status)s.") % {"status": found.get_status_display()},
        )
    return found


def _decide(item: DiscountApproval, actor, status: str, comment: str) -> None:
    item.status = status
    item.decided_by = actor
    item.decided_at = timezone.now()
    item.comment = comment[:500]
    item.save(update_fields=["status", "decided_by", "decided_at", "comment", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=item,
        summary=f"discount {status} on {item.order.number} line {item.line.line_number}",
        changes={"requested_percent": item.requested_percent, "comment": comment},
    )


@transaction.atomic
def discount_approve(*, actor, order: Order, version, approval, comment: str = "") -> Order:
    require(actor, Action.DISCOUNT_APPROVE, order.account)
    order = locked(order, version)
    item = _approval_of(order, approval)
    comment = bounds.check_text(comment or "", field="comment") or ""
    _decide(item, actor, DiscountApproval.Status.APPROVED, comment)
    event(
        order,
        actor,
        "discount_approved",
        gettext_noop("%(percent)s%% discount on line %(line)s of %(number)s approved."),
        {"percent": pct(item.requested_percent), "line": item.line.line_number},
    )
    pending = list(order.approvals.filter(status=DiscountApproval.Status.PENDING))
    if pending:
        order.waiting_reason = _waiting_text(order, pending)
        touch(order, actor, "waiting_reason")
        return order
    order.waiting_reason = ""
    return _through_gate(order, actor)


@transaction.atomic
def discount_reject(*, actor, order: Order, version, approval, comment: str) -> Order:
    """The head says no (with a comment): the order goes back to the KAM as a draft."""
    require(actor, Action.DISCOUNT_APPROVE, order.account)
    order = locked(order, version)
    item = _approval_of(order, approval)
    comment = bounds.check_text(comment or "", field="comment") or ""
    if not comment.strip():
        refuse("comment", _("Say why the discount is rejected."))
    _decide(item, actor, DiscountApproval.Status.REJECTED, comment)
    for other in order.approvals.filter(status=DiscountApproval.Status.PENDING):
        _decide(
            other,
            actor,
            DiscountApproval.Status.REJECTED,
            _("Returned to draft with line %(line)d.") % {"line": item.line.line_number},
        )
    order.status = Order.Status.DRAFT
    order.waiting_reason = ""
    order.submitted_at = None
    touch(order, actor, "status", "waiting_reason", "submitted_at")
    event(
        order,
        actor,
        "discount_rejected",
        gettext_noop(
            "%(percent)s%% discount on line %(line)s of %(number)s rejected: %(comment)s. "
            "The order is a draft again."
        ),
        {"percent": pct(item.requested_percent), "line": item.line.line_number, "comment": comment},
    )
    return order


@transaction.atomic
def order_override(*, actor, order: Order, version, comment: str) -> Order:
    """A credit controller (or the head) releases a blocked order, with a comment: at
    submission it goes on at once; at shipment or invoice the next one passes."""
    require(actor, Action.CREDIT_OVERRIDE, order.account)
    order = locked(order, version)
    comment = bounds.check_text(comment or "", field="comment") or ""
    if not comment.strip():
        refuse("comment", _("Say why the block is released."))
    stage = order.blocked_stage
    if not stage:
        refuse("status", _("The order is not blocked by credit control."))
    amount = open_amount(order)
    released = credit_reserve(
        actor=actor,
        account=order.account,
        ref=order.credit_ref,
        amount=amount,
        stage=stage,
        on=timezone.localdate(),
        override_comment=comment,
    )
    reasons = ", ".join(b.code for b in released)
    order.blocked_stage = ""
    order.waiting_reason = ""
    if stage == "submit":
        order.status = Order.Status.SUBMITTED
    else:
        order.released_stage, order.released_by, order.release_comment = (
            stage,
            actor,
            comment[:500],
        )
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
    event(
        order,
        actor,
        "override",
        gettext_noop("Credit block on %(number)s released by %(who)s: %(comment)s"),
        {"who": person_name(actor), "comment": comment, "stage": stage, "reasons": reasons},
    )
    return order


@transaction.atomic
def order_cancel(*, actor, order: Order, version, comment: str = "") -> Order:
    require(actor, Action.ORDER_DRAFT, order.account)
    order = locked(order, version)
    if order.status not in CANCELLABLE:
        refuse(
            "status",
            _("The order is %(status)s: sales support refuses it instead of a cancel.")
            % {"status": order.get_status_display()},
        )
    comment = bounds.check_text(comment or "", field="comment") or ""
    order.approvals.filter(status=DiscountApproval.Status.PENDING).update(
        status=DiscountApproval.Status.REJECTED, comment=_("Order cancelled.")
    )
    order.status = Order.Status.CANCELLED
    order.waiting_reason = ""
    order.blocked_stage = ""
    touch(order, actor, "status", "waiting_reason", "blocked_stage")
    credit_release(ref=order.credit_ref)
    _audit(actor, order, "cancelled", {"comment": comment})
    event(order, actor, "cancelled", gettext_noop("Order %(number)s cancelled."))
    return order
