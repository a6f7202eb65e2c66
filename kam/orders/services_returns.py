"""Writes of returns, refusals and discrepancy acts (OR-4, OR-5): the managed list of reasons,
the preventive actions against a reason, and acts on shortage, surplus or damage against a
shipment with their resolution (a credit note goes into the client's settlements).

Every write asks the policy first, validates here (forms and API schemas only parse), refuses
bad input with ``ValidationError({field: message})`` before anything is written, and is
audited."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.orders.models import (
    DiscrepancyAct,
    DiscrepancyLine,
    OrderEvent,
    PreventiveAction,
    Reason,
    Shipment,
    ShipmentLine,
)
from kam.orders.selectors_returns import act_credit_amounts
from kam.org.policy import Action, require
from kam.receivables.models import SettlementItem
from kam.receivables.services import settlement_post

# The largest quantity on a line: QUANTITY holds 11 integer digits and 3 decimals.
MAX_QUANTITY = Decimal("99999999999.999")
NAME_MAX = 200
ACTION_TEXT_MAX = 500


# --- reasons ----------------------------------------------------------------------------------


def _reason_fields(*, kind: str, code: str, name: str) -> tuple[str, str]:
    if kind not in Reason.Kind.values:
        raise ValidationError({"kind": _("Choose refusal, return or discrepancy.")})
    bounds.check_text(code, field="code")
    bounds.check_text(name, field="name")
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        raise ValidationError({"code": _("A code is required.")})
    if len(code) > 32 or slugify(code) != code:
        raise ValidationError(
            {"code": _("Use up to 32 lower-case letters, digits, hyphens or underscores.")}
        )
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    if len(name) > NAME_MAX:
        raise ValidationError({"name": _("Use at most %(n)d characters.") % {"n": NAME_MAX}})
    return code, name


def _code_taken(*, kind: str, code: str, exclude_pk=None) -> None:
    qs = Reason.objects.filter(kind=kind, code=code)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        raise ValidationError(
            {"code": _("A reason of this kind with the code %(code)s exists.") % {"code": code}}
        )


@transaction.atomic
def reason_create(*, actor, kind: str, code: str, name: str) -> Reason:
    """A new reason in the managed list (OR-4): the code is unique within its kind."""
    require(actor, Action.REASON_MANAGE)
    code, name = _reason_fields(kind=kind, code=code, name=name)
    _code_taken(kind=kind, code=code)
    reason = Reason.objects.create(kind=kind, code=code, name=name)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=reason,
        summary=f"Reason {kind}/{code}: {name}",
        changes={"kind": kind, "code": code, "name": name},
    )
    return reason


@transaction.atomic
def reason_update(
    *,
    actor,
    reason: Reason,
    code: str | None = None,
    name: str | None = None,
    is_active: bool | None = None,
) -> Reason:
    """Rename, recode or (re)activate a reason; its kind stays (rows already point at it)."""
    require(actor, Action.REASON_MANAGE)
    reason = Reason.objects.select_for_update().get(pk=reason.pk)
    new_code, new_name = _reason_fields(
        kind=reason.kind,
        code=reason.code if code is None else code,
        name=reason.name if name is None else name,
    )
    _code_taken(kind=reason.kind, code=new_code, exclude_pk=reason.pk)
    changes = {}
    for field, value in (("code", new_code), ("name", new_name), ("is_active", is_active)):
        if value is not None and getattr(reason, field) != value:
            changes[field] = [getattr(reason, field), value]
            setattr(reason, field, value)
    if changes:
        reason.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=reason,
            summary=f"Reason {reason.kind}/{reason.code} changed",
            changes=changes,
        )
    return reason


def reason_deactivate(*, actor, reason: Reason) -> Reason:
    """Take a reason out of use: the rows that carry it keep it, new ones cannot choose it."""
    return reason_update(actor=actor, reason=reason, is_active=False)


# --- preventive actions -----------------------------------------------------------------------


@transaction.atomic
def preventive_action_create(
    *, actor, reason: Reason, text: str, owner=None, due_on: date | None = None
) -> PreventiveAction:
    """What the company will do so that ``reason`` happens less often, by whom and when."""
    require(actor, Action.REASON_MANAGE)
    bounds.check_text(text, field="text")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Say what will be done.")})
    if len(text) > ACTION_TEXT_MAX:
        raise ValidationError({"text": _("Use at most %(n)d characters.") % {"n": ACTION_TEXT_MAX}})
    if owner is not None and not owner.is_active:
        raise ValidationError({"owner": _("The responsible person has left.")})
    bounds.check_date(due_on, field="due_on")
    action = PreventiveAction.objects.create(reason=reason, text=text, owner=owner, due_on=due_on)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=action,
        summary=f"Preventive action against {reason.code}: {text}",
        changes={
            "reason": reason.pk,
            "text": text,
            "owner": getattr(owner, "pk", None),
            "due_on": due_on,
        },
    )
    return action


@transaction.atomic
def preventive_action_complete(
    *, actor, action: PreventiveAction, done_on: date | None = None
) -> PreventiveAction:
    require(actor, Action.REASON_MANAGE)
    action = PreventiveAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is not None:
        raise ValidationError({"done_on": _("This action is already done.")})
    done_on = done_on or timezone.localdate()
    bounds.check_date(done_on, field="done_on", latest=timezone.localdate())
    action.done_on = done_on
    action.save(update_fields=["done_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=action,
        summary=f"Preventive action done: {action.text}",
        changes={"done_on": [None, done_on]},
    )
    return action


# --- discrepancy acts -------------------------------------------------------------------------


@dataclass
class ActLineInput:
    order_line_id: int
    quantity_expected: Decimal
    quantity_found: Decimal


def _quantity(value, *, field: str, allow_zero: bool) -> Decimal:
    try:
        qty = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not qty.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if qty < 0 or (qty == 0 and not allow_zero):
        raise ValidationError(
            {field: _("Must be zero or more.") if allow_zero else _("Must be more than zero.")}
        )
    if qty > MAX_QUANTITY:
        raise ValidationError({field: _("The quantity is too large.")})
    if qty.as_tuple().exponent < -3:
        raise ValidationError({field: _("Use at most 3 decimal places.")})
    return qty


def _act_lines(shipment: Shipment, kind: str, lines) -> list[tuple[ShipmentLine, ActLineInput]]:
    if not lines:
        raise ValidationError({"lines": _("An act needs at least one line.")})
    shipped = {
        sl.order_line_id: sl
        for sl in ShipmentLine.objects.filter(shipment=shipment).select_related(
            "order_line__product"
        )
    }
    checked, seen = [], set()
    for i, raw in enumerate(lines):
        line = raw if isinstance(raw, ActLineInput) else ActLineInput(**raw)
        prefix = f"lines.{i}"
        try:
            line_id = int(line.order_line_id)
        except (TypeError, ValueError):
            line_id = None
        if line_id not in shipped:
            raise ValidationError(
                {f"{prefix}.order_line_id": _("This line is not in the shipment.")}
            )
        if line_id in seen:
            raise ValidationError(
                {f"{prefix}.order_line_id": _("This line is already in the act.")}
            )
        seen.add(line_id)
        expected = _quantity(
            line.quantity_expected, field=f"{prefix}.quantity_expected", allow_zero=False
        )
        found = _quantity(line.quantity_found, field=f"{prefix}.quantity_found", allow_zero=True)
        field = f"{prefix}.quantity_found"
        if kind == DiscrepancyAct.Kind.SHORTAGE and found >= expected:
            raise ValidationError({field: _("A shortage finds less than the document lists.")})
        if kind == DiscrepancyAct.Kind.SURPLUS and found <= expected:
            raise ValidationError({field: _("A surplus finds more than the document lists.")})
        if kind == DiscrepancyAct.Kind.DAMAGE and not (0 < found <= expected):
            raise ValidationError(
                {field: _("Count the damaged units: more than zero, at most the document's.")}
            )
        checked.append(
            (
                shipped[line_id],
                ActLineInput(
                    order_line_id=line_id, quantity_expected=expected, quantity_found=found
                ),
            )
        )
    return checked


def _next_number(year: int) -> str:
    prefix = f"DA-{year}-"
    last = (
        DiscrepancyAct.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    try:
        n = int(last.removeprefix(prefix)) + 1 if last else 1
    except ValueError:
        n = DiscrepancyAct.objects.filter(number__startswith=prefix).count() + 1
    return f"{prefix}{n:05d}"


def _event(*, actor, act: DiscrepancyAct, kind: str, text: str, params: dict) -> None:
    order = act.shipment.order
    OrderEvent.objects.create(
        order=order,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        status=order.status,
        text=text,
        params=params,
    )


@transaction.atomic
def discrepancy_act_create(
    *,
    actor,
    shipment: Shipment,
    kind: str,
    lines,
    found_on: date | None = None,
    reason: Reason | None = None,
    note: str = "",
) -> DiscrepancyAct:
    """An act on shortage, surplus or damage found in ``shipment`` (OR-5). ``lines`` holds,
    per order line of the shipment, the quantity per document and the quantity found (for
    damage: the damaged units). The act's number is generated: DA-<year>-<n>."""
    require(actor, Action.DISCREPANCY_RECORD, shipment.order.account)
    if kind not in DiscrepancyAct.Kind.values:
        raise ValidationError({"kind": _("Choose shortage, surplus or damage.")})
    found_on = found_on or timezone.localdate()
    bounds.check_date(found_on, field="found_on", latest=timezone.localdate())
    if found_on < shipment.shipped_on:
        raise ValidationError(
            {"found_on": _("A discrepancy cannot be found before the goods were shipped.")}
        )
    if reason is not None and (reason.kind != Reason.Kind.DISCREPANCY or not reason.is_active):
        raise ValidationError({"reason": _("Choose a discrepancy reason in use.")})
    bounds.check_text(note, field="note")
    if len(note or "") > 5000:
        raise ValidationError({"note": _("Use at most %(n)d characters.") % {"n": 5000}})
    checked = _act_lines(shipment, kind, lines)

    act = None
    for _attempt in range(5):
        try:
            with transaction.atomic():
                act = DiscrepancyAct.objects.create(
                    shipment=shipment,
                    number=_next_number(found_on.year),
                    kind=kind,
                    found_on=found_on,
                    reason=reason,
                    note=(note or "").strip(),
                    created_by=actor if getattr(actor, "pk", None) else None,
                )
            break
        except IntegrityError:  # another act took the number meanwhile
            continue
    if act is None:
        raise ValidationError({"number": _("No act number was free; try again.")})
    DiscrepancyLine.objects.bulk_create(
        DiscrepancyLine(
            act=act,
            order_line=sl.order_line,
            quantity_expected=line.quantity_expected,
            quantity_found=line.quantity_found,
        )
        for sl, line in checked
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=act,
        summary=f"Discrepancy act {act.number} ({kind}) on {shipment.number}",
        changes={
            "account": shipment.order.account_id,
            "shipment": shipment.number,
            "kind": kind,
            "lines": [
                f"{line.order_line_id}: {line.quantity_expected} -> {line.quantity_found}"
                for _sl, line in checked
            ],
        },
    )
    _event(
        actor=actor,
        act=act,
        kind="discrepancy_act",
        text="Discrepancy act %(number)s recorded on shipment %(shipment)s.",
        params={"number": act.number, "shipment": shipment.number},
    )
    return act


@transaction.atomic
def discrepancy_act_resolve(
    *,
    actor,
    act: DiscrepancyAct,
    resolution: str,
    resolved_on: date | None = None,
    note: str = "",
) -> DiscrepancyAct:
    """Close an open act by a credit note (posted into the client's settlements against the
    shipment's invoice), a redelivery, or a write-off."""
    require(actor, Action.DISCREPANCY_RECORD, act.shipment.order.account)
    act = (
        DiscrepancyAct.objects.select_for_update().select_related("shipment__order").get(pk=act.pk)
    )
    if act.resolution != DiscrepancyAct.Resolution.OPEN:
        raise ValidationError({"resolution": _("This act is already resolved.")})
    choices = set(DiscrepancyAct.Resolution.values) - {DiscrepancyAct.Resolution.OPEN}
    if resolution not in choices:
        raise ValidationError({"resolution": _("Choose credit note, redelivery or write-off.")})
    resolved_on = resolved_on or timezone.localdate()
    bounds.check_date(resolved_on, field="resolved_on", latest=timezone.localdate())
    if resolved_on < act.found_on:
        raise ValidationError({"resolved_on": _("An act cannot be resolved before it was found.")})
    bounds.check_text(note, field="note")
    if len(note or "") > 5000:
        raise ValidationError({"note": _("Use at most %(n)d characters.") % {"n": 5000}})

    order = act.shipment.order
    posted = None
    if resolution == DiscrepancyAct.Resolution.CREDIT_NOTE:
        if act.kind == DiscrepancyAct.Kind.SURPLUS:
            raise ValidationError(
                {"resolution": _("A surplus is not credited: redeliver or write it off.")}
            )
        document, base = act_credit_amounts(act)
        if base <= 0:
            raise ValidationError({"resolution": _("The act comes to nothing to credit.")})
        if SettlementItem.objects.filter(
            kind=SettlementItem.Kind.CREDIT_NOTE, document_number=act.number
        ).exists():
            raise ValidationError({"resolution": _("A credit note for this act exists.")})
        bounds.check_ledger_date(resolved_on, field="resolved_on")
        posted = settlement_post(
            actor=actor,
            account_id=order.account_id,
            kind=SettlementItem.Kind.CREDIT_NOTE,
            document_number=act.number,
            document_date=resolved_on,
            amount=base,
            currency=order.currency,
            document_amount=document,
            source=SettlementItem.Source.ORDER,
            reference=act.shipment.number,
            note=f"Discrepancy act {act.number}",
        )
    old = act.resolution
    act.resolution = resolution
    act.resolved_on = resolved_on
    if note:
        act.note = "\n".join(filter(None, [act.note, note.strip()]))
    act.save(update_fields=["resolution", "resolved_on", "note", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=act,
        summary=f"Discrepancy act {act.number} resolved: {resolution}",
        changes={
            "account": order.account_id,
            "resolution": [old, resolution],
            "resolved_on": [None, resolved_on],
            "credit_note": posted.amount if posted else None,
        },
    )
    _event(
        actor=actor,
        act=act,
        kind="discrepancy_resolved",
        text="Discrepancy act %(number)s resolved: %(resolution)s.",
        params={"number": act.number, "resolution": resolution},
    )
    return act
