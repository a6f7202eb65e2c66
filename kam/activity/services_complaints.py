"""Writes of complaints (issue 11: AC-11): a client's complaint or a conflict, registered
against the client (and one of its orders), worked on by its owner to a resolution. Each asks
``complaint.record`` on the client (out of sight: 404, nothing written; in sight but not
allowed: 403), validates and names the field it refuses, owns its transaction and is audited.

- ``complaint_record``: client, category, description, the day it was received (not in the
  future), an optional order number of that client, an owner.
- ``complaint_assign``: another owner (a KAM or sales support person who may work on the
  client's complaints).
- ``complaint_resolve``: resolved (or rejected) with the resolution text (required) on a day
  not before it was received nor in the future.
- ``complaint_reopen``: a closed complaint is open again (the old resolution is kept in the
  audit trail).
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activity.models import TEXT_LENGTH, Complaint
from kam.activity.selectors_complaints import may_own
from kam.core import bounds
from kam.core.bounds import bounded_text as _text
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes
from kam.orders.models import Order
from kam.org.models import User
from kam.org.policy import Action, require

__all__ = ["complaint_assign", "complaint_record", "complaint_reopen", "complaint_resolve"]

ORDER_NUMBER_LENGTH = 32


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _day(value, field: str, *, earliest: date | None = None) -> date:
    """A date within the company's dates, not in the future (and not before ``earliest``)."""
    bounds.bounded_date(value, field, latest=timezone.localdate())
    if earliest is not None and value < earliest:
        raise _error(field, _("This comes before the complaint was received."))
    return value


def _order(account, number) -> Order | None:
    number = _text(number, "order_number", ORDER_NUMBER_LENGTH)
    if not number:
        return None
    order = Order.objects.filter(account=account, number=number).first()
    if order is None:
        raise _error("order_number", _("The client has no order %(number)s.") % {"number": number})
    return order


def _owner(account, value) -> User | None:
    if value is None or value == "":
        return None
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _error("owner", _("Choose from the list.")) from None
    person = User.objects.filter(pk=pk).first() if 0 < pk <= bounds.MAX_ID else None
    if person is None or not may_own(person, account):
        raise _error("owner", _("Choose a KAM or sales support person who works with the client."))
    return person


def _default_owner(actor, account) -> User | None:
    for person in (actor, account.owner):
        if person is not None and may_own(person, account):
            return person
    return None


def _fields(c: Complaint) -> dict:
    return {
        "account": c.account_id,
        "order": c.order_id,
        "category": c.category,
        "description": c.description,
        "received_on": c.received_on,
        "owner": c.owner_id,
        "status": c.status,
        "resolution": c.resolution,
        "resolved_on": c.resolved_on,
    }


def _audit(actor, action, c: Complaint, summary: str, changes: dict) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=c,
        summary=f"{summary}: complaint {c.pk} of client {c.account_id}",
        changes={"account": c.account_id, **changes},
    )


def _locked(c: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().select_related("account").get(pk=c.pk)


@transaction.atomic
def complaint_record(
    *,
    actor,
    account,
    category: str,
    description: str,
    received_on: date | None = None,
    order_number: str = "",
    owner=None,
) -> Complaint:
    """Register a complaint or a conflict against the client (AC-11). Without an owner, the
    actor (a KAM or sales support) or else the client's KAM works on it."""
    require(actor, Action.COMPLAINT_RECORD, account)
    if category not in Complaint.Category.values:
        raise _error(
            "category",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": category, "choices": ", ".join(Complaint.Category.values)},
        )
    received_on = timezone.localdate() if received_on is None else received_on
    c = Complaint(
        account=account,
        category=category,
        description=_text(description, "description", TEXT_LENGTH, required=True),
        received_on=_day(received_on, "received_on"),
        order=_order(account, order_number),
        owner=_owner(account, owner) if owner not in (None, "") else None,
        status=Complaint.Status.OPEN,
        recorded_by=actor,
    )
    if c.owner is None:
        c.owner = _default_owner(actor, account)
    c.full_clean()
    c.save()
    _audit(actor, AuditEntry.Action.CREATE, c, "complaint recorded", _fields(c))
    return c


@transaction.atomic
def complaint_assign(*, actor, complaint: Complaint, owner) -> Complaint:
    """Another owner works on an open complaint."""
    require(actor, Action.COMPLAINT_RECORD, complaint.account)
    c = _locked(complaint)
    if c.status != Complaint.Status.OPEN:
        raise _error("status", _("Only an open complaint gets another owner."))
    person = _owner(c.account, owner)
    if person is None:
        raise _error("owner", _("This field is required."))
    changes = model_changes(c, {"owner": person})
    if changes:
        c.save()
        _audit(
            actor, AuditEntry.Action.UPDATE, c, "complaint assigned", {"owner": changes["owner"]}
        )
    return c


@transaction.atomic
def complaint_resolve(
    *,
    actor,
    complaint: Complaint,
    resolution: str,
    resolved_on: date | None = None,
    rejected: bool = False,
) -> Complaint:
    """Close an open complaint: resolved (or rejected) with what was done, the resolution
    (required), on ``resolved_on`` (default today; not before it was received, not in the
    future). The time to resolve is the days between."""
    require(actor, Action.COMPLAINT_RECORD, complaint.account)
    c = _locked(complaint)
    if c.status != Complaint.Status.OPEN:
        raise _error("status", _("The complaint is closed already."))
    resolution = _text(resolution, "resolution", TEXT_LENGTH, required=True)
    resolved_on = timezone.localdate() if resolved_on is None else resolved_on
    resolved_on = _day(resolved_on, "resolved_on", earliest=c.received_on)
    old = _fields(c)
    c.status = Complaint.Status.REJECTED if rejected else Complaint.Status.RESOLVED
    c.resolution = resolution
    c.resolved_on = resolved_on
    c.full_clean()
    c.save()
    new = _fields(c)
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    changes["days_to_resolve"] = c.days_to_resolve
    _audit(actor, AuditEntry.Action.UPDATE, c, "complaint closed", changes)
    return c


@transaction.atomic
def complaint_reopen(*, actor, complaint: Complaint, reason: str = "") -> Complaint:
    """A resolved or rejected complaint is open again (the client came back to it)."""
    require(actor, Action.COMPLAINT_RECORD, complaint.account)
    c = _locked(complaint)
    if c.status == Complaint.Status.OPEN:
        raise _error("status", _("The complaint is open already."))
    reason = _text(reason, "reason", TEXT_LENGTH)
    old = _fields(c)
    c.status, c.resolution, c.resolved_on = Complaint.Status.OPEN, "", None
    c.full_clean()
    c.save()
    new = _fields(c)
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    _audit(actor, AuditEntry.Action.UPDATE, c, "complaint reopened", {**changes, "reason": reason})
    return c
