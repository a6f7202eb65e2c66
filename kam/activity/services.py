"""Writes of the schedule and the activity log (issue 11: AC-1..AC-3). Each asks the policy
(``activity.record`` on the client: out of the actor's sight is 404, nothing written),
validates with ``kam.core.bounds`` and names the field it refuses, owns its transaction and
is audited.

- ``activity_plan``: a planned item on the schedule (AC-1).
- ``activity_log``: an ad-hoc item, done directly; "done" is never in the future (AC-2).
- ``activity_complete``: a planned item becomes done with the outcome, the next step and its
  date (a negotiation with its topics and what was agreed); the next step can be planned as a
  new item at once.
- ``activity_cancel``, ``activity_update``.
- ``activity_settings_update``: the relationship rhythm (AC-3).
- ``calendar_feed_create`` / ``calendar_feed_revoke``: the personal iCal feed's secret URL.
"""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activity.models import (
    NEXT_STEP_LENGTH,
    PURPOSE_LENGTH,
    TEXT_LENGTH,
    Activity,
    ActivitySettings,
    CalendarFeed,
)
from kam.activity.selectors import activity_settings
from kam.clients.models import Contact
from kam.core import bounds
from kam.core.bounds import bounded_text as _text
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes
from kam.org.policy import Action, can, require
from kam.org.selectors import visible_people
from kam.radar.models import Level

__all__ = [
    "activity_cancel",
    "activity_complete",
    "activity_log",
    "activity_plan",
    "activity_settings_update",
    "activity_update",
    "calendar_feed_create",
    "calendar_feed_revoke",
]

# How long an item lasts when no end is given.
DEFAULT_MINUTES = {Activity.Kind.CALL: 30}
DEFAULT_LENGTH = 60
MAX_LENGTH = timedelta(hours=24)
# A next step planned as an item starts at this hour of its day.
NEXT_STEP_HOUR = time(10, 0)
MAX_RHYTHM_DAYS = 366


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _choice(value, choices, field: str) -> str:
    if value not in choices.values:
        raise _error(
            field,
            _("%(value)s is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(choices.values)},
        )
    return value


def _moment(value, field: str) -> datetime:
    """An aware datetime (a naive one is read in the current time zone) within the bounds."""
    if value is None:
        raise _error(field, _("Enter a date and time."))
    if not isinstance(value, datetime):
        raise _error(field, _("Enter a date and time."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    bounds.check_date(timezone.localtime(value).date(), field=field)
    return value


def _span(kind: str, starts_at, ends_at) -> tuple[datetime, datetime]:
    starts_at = _moment(starts_at, "starts_at")
    if ends_at is None:
        ends_at = starts_at + timedelta(minutes=DEFAULT_MINUTES.get(kind, DEFAULT_LENGTH))
    ends_at = _moment(ends_at, "ends_at")
    if ends_at < starts_at:
        raise _error("ends_at", _("The end comes before the start."))
    if ends_at - starts_at > MAX_LENGTH:
        raise _error("ends_at", _("An activity lasts at most a day."))
    return starts_at, ends_at


def _not_in_future(starts_at: datetime, ends_at: datetime) -> tuple[datetime, datetime]:
    """A done item has happened: its start is not in the future; an end past now is cut to
    now (a call logged while it is still going on)."""
    now = timezone.now()
    if starts_at > now:
        raise _error(
            "starts_at", _("An activity that is done cannot start in the future: plan it instead.")
        )
    return starts_at, min(ends_at, now)


def _people(account, people: Iterable | None) -> list[Contact]:
    """The client's contact people named by ``people`` (ids or contacts)."""
    ids = []
    for p in people or []:
        pk = p.pk if isinstance(p, Contact) else p
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise _error("people", _("Choose the client's contact people.")) from None
        if not 0 < pk <= bounds.MAX_ID:
            raise _error("people", _("Choose the client's contact people."))
        ids.append(pk)
    ids = list(dict.fromkeys(ids))
    found = list(Contact.objects.filter(account=account, pk__in=ids))
    if len(found) != len(ids):
        raise _error("people", _("Only the client's own contact people can take part."))
    return found


def _topics(kind: str, topics, agreed, *, required: bool) -> tuple[list[str], str]:
    topics = list(dict.fromkeys(topics or []))
    agreed = _text(agreed, "agreed", TEXT_LENGTH)
    if kind != Activity.Kind.NEGOTIATION:
        if topics:
            raise _error("topics", _("Only a negotiation has topics."))
        if agreed:
            raise _error("agreed", _("Only a negotiation records what was agreed."))
        return [], ""
    for t in topics:
        _choice(t, Activity.Topic, "topics")
    if required and not topics:
        raise _error("topics", _("Choose what the negotiation was about."))
    order = list(Activity.Topic.values)
    return sorted(topics, key=order.index), agreed


def _next_step(next_step, next_step_on, *, after: date) -> tuple[str, date | None]:
    next_step = _text(next_step, "next_step", NEXT_STEP_LENGTH)
    if next_step_on is not None:
        bounds.bounded_date(next_step_on, "next_step_on")
        if next_step_on < after:
            raise _error("next_step_on", _("The next step comes after the activity."))
        if not next_step:
            raise _error("next_step", _("Say what the next step is."))
    return next_step, next_step_on


def _owner(actor, account, owner):
    """Whose schedule the item goes on: the actor's, or (a manager planning for their KAM) a
    person whose work the actor sees and who may record activities for the client."""
    if owner is None or owner == actor or getattr(owner, "pk", owner) == actor.pk:
        return actor
    pk = getattr(owner, "pk", owner)
    person = visible_people(actor).filter(pk=pk).first()
    if person is None:
        raise _error("owner", _("Choose a person whose work you see."))
    if not can(person, Action.ACTIVITY_RECORD, account):
        raise _error("owner", _("This person may not plan visits for this client."))
    return person


def _may_change(actor, item: Activity) -> None:
    """The client's recorder who is the item's owner or sees the owner's work."""
    require(actor, Action.ACTIVITY_RECORD, item.account)
    if item.owner_id != actor.pk and not visible_people(actor).filter(pk=item.owner_id).exists():
        raise PermissionDenied(_("Only the KAM and their managers may change this activity."))


def _audit(actor, action, item: Activity, summary: str, changes: dict) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=item,
        summary=f"{summary} {item.kind} with client {item.account_id}",
        changes={"account": item.account_id, **changes},
    )


def _record(item: Activity, people: list[Contact]) -> Activity:
    item.full_clean(exclude=["people"])
    item.save()
    item.people.set(people)
    return item


def _fields(item: Activity) -> dict:
    return {
        "kind": item.kind,
        "status": item.status,
        "starts_at": item.starts_at.isoformat(),
        "ends_at": item.ends_at.isoformat(),
        "purpose": item.purpose,
        "outcome": item.outcome,
        "next_step": item.next_step,
        "next_step_on": item.next_step_on,
        "topics": item.topics,
        "agreed": item.agreed,
        "owner": item.owner_id,
    }


@transaction.atomic
def activity_plan(
    *,
    actor,
    account,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    purpose: str,
    people: Iterable | None = None,
    owner=None,
    follows: Activity | None = None,
) -> Activity:
    """Put a visit, call, meeting or negotiation with the client on the schedule (AC-1)."""
    require(actor, Action.ACTIVITY_RECORD, account)
    _choice(kind, Activity.Kind, "kind")
    starts_at, ends_at = _span(kind, starts_at, ends_at)
    item = Activity(
        account=account,
        owner=_owner(actor, account, owner),
        kind=kind,
        status=Activity.Status.PLANNED,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=_text(purpose, "purpose", PURPOSE_LENGTH, required=True),
        follows=follows,
        created_by=actor,
    )
    _record(item, _people(account, people))
    _audit(actor, AuditEntry.Action.CREATE, item, "planned", _fields(item))
    return item


@transaction.atomic
def activity_log(
    *,
    actor,
    account,
    kind: str,
    starts_at: datetime,
    ends_at: datetime | None = None,
    purpose: str,
    outcome: str,
    people: Iterable | None = None,
    next_step: str = "",
    next_step_on: date | None = None,
    topics: Iterable[str] | None = None,
    agreed: str = "",
    plan_next_step: bool = False,
) -> Activity:
    """Log an ad-hoc item that is already done (AC-2): its start is not in the future."""
    require(actor, Action.ACTIVITY_RECORD, account)
    _choice(kind, Activity.Kind, "kind")
    starts_at, ends_at = _not_in_future(*_span(kind, starts_at, ends_at))
    topics, agreed = _topics(kind, topics, agreed, required=True)
    next_step, next_step_on = _next_step(
        next_step, next_step_on, after=timezone.localtime(starts_at).date()
    )
    item = Activity(
        account=account,
        owner=actor,
        kind=kind,
        status=Activity.Status.DONE,
        starts_at=starts_at,
        ends_at=ends_at,
        purpose=_text(purpose, "purpose", PURPOSE_LENGTH, required=True),
        outcome=_text(outcome, "outcome", TEXT_LENGTH, required=True),
        next_step=next_step,
        next_step_on=next_step_on,
        topics=topics,
        agreed=agreed,
        created_by=actor,
    )
    people_found = _people(account, people)
    _record(item, people_found)
    _audit(actor, AuditEntry.Action.CREATE, item, "logged", _fields(item))
    if plan_next_step:
        _plan_next(actor, item, people_found)
    return item


def _plan_next(actor, item: Activity, people: list[Contact]) -> Activity:
    if item.next_step_on is None:
        raise _error("next_step_on", _("Enter the next step's date to plan it."))
    start = timezone.make_aware(datetime.combine(item.next_step_on, NEXT_STEP_HOUR))
    kind = item.kind
    return activity_plan(
        actor=actor,
        account=item.account,
        kind=kind,
        starts_at=start,
        purpose=item.next_step,
        people=people,
        owner=item.owner,
        follows=item,
    )


def _locked(item: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("account").get(pk=item.pk)


@transaction.atomic
def activity_complete(
    *,
    actor,
    item: Activity,
    outcome: str,
    next_step: str = "",
    next_step_on: date | None = None,
    topics: Iterable[str] | None = None,
    agreed: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    people: Iterable | None = None,
    plan_next_step: bool = False,
) -> Activity:
    """A planned item happened: done with the outcome and the next step with its date (and a
    negotiation's topics and what was agreed). ``starts_at``/``ends_at`` say when it really
    happened, if not as planned; it cannot have happened in the future. With
    ``plan_next_step`` the next step goes on the schedule as a planned item."""
    _may_change(actor, item)
    item = _locked(item)
    if item.status != Activity.Status.PLANNED:
        raise _error("status", _("Only a planned activity can be completed."))
    old = _fields(item)
    if starts_at is not None and ends_at is None:
        ends_at = starts_at + (item.ends_at - item.starts_at)
    starts_at, ends_at = _not_in_future(
        *_span(item.kind, starts_at or item.starts_at, ends_at or item.ends_at)
    )
    item.topics, item.agreed = _topics(item.kind, topics, agreed, required=True)
    item.next_step, item.next_step_on = _next_step(
        next_step, next_step_on, after=timezone.localtime(starts_at).date()
    )
    item.outcome = _text(outcome, "outcome", TEXT_LENGTH, required=True)
    item.starts_at, item.ends_at = starts_at, ends_at
    item.status = Activity.Status.DONE
    people_found = _people(item.account, people) if people is not None else list(item.people.all())
    _record(item, people_found)
    new = _fields(item)
    _audit(
        actor,
        AuditEntry.Action.UPDATE,
        item,
        "completed",
        {k: [old[k], v] for k, v in new.items() if old[k] != v},
    )
    if plan_next_step:
        _plan_next(actor, item, people_found)
    return item


@transaction.atomic
def activity_cancel(*, actor, item: Activity, reason: str = "") -> Activity:
    """A planned item will not happen."""
    _may_change(actor, item)
    item = _locked(item)
    if item.status != Activity.Status.PLANNED:
        raise _error("status", _("Only a planned activity can be cancelled."))
    reason = _text(reason, "reason", TEXT_LENGTH)
    item.status = Activity.Status.CANCELLED
    if reason:
        item.outcome = reason
    item.save(update_fields=["status", "outcome", "updated_at"])
    _audit(
        actor,
        AuditEntry.Action.UPDATE,
        item,
        "cancelled",
        {"status": [Activity.Status.PLANNED, item.status], "reason": reason},
    )
    return item


UPDATE_FIELDS = (
    "kind",
    "starts_at",
    "ends_at",
    "purpose",
    "people",
    "outcome",
    "next_step",
    "next_step_on",
    "topics",
    "agreed",
)


@transaction.atomic
def activity_update(*, actor, item: Activity, **data) -> Activity:
    """Change an item: a planned one's kind, time, purpose and people; a done one's record
    too (outcome, next step, topics, agreed), where "done" still cannot move into the future.
    A cancelled item is closed."""
    _may_change(actor, item)
    unknown = sorted(set(data) - set(UPDATE_FIELDS))
    if unknown:
        raise _error(unknown[0], _("This cannot be changed here."))
    item = _locked(item)
    if item.status == Activity.Status.CANCELLED:
        raise _error("status", _("A cancelled activity cannot be changed."))
    done = item.status == Activity.Status.DONE
    if not done:
        closed = {"outcome", "next_step", "next_step_on", "topics", "agreed"} & set(data)
        if closed:
            raise _error(sorted(closed)[0], _("Record this when the activity is completed."))
    old = _fields(item)
    kind = _choice(data.get("kind", item.kind), Activity.Kind, "kind")
    starts_at = data.get("starts_at", item.starts_at)
    if "starts_at" in data and "ends_at" not in data:
        ends_at = _moment(starts_at, "starts_at") + (item.ends_at - item.starts_at)
    else:
        ends_at = data.get("ends_at", item.ends_at)
    starts_at, ends_at = _span(kind, starts_at, ends_at)
    if done:
        starts_at, ends_at = _not_in_future(starts_at, ends_at)
        topics, agreed = _topics(
            kind, data.get("topics", item.topics), data.get("agreed", item.agreed), required=True
        )
        next_step, next_step_on = _next_step(
            data.get("next_step", item.next_step),
            data.get("next_step_on", item.next_step_on),
            after=timezone.localtime(starts_at).date(),
        )
        changes = model_changes(
            item,
            {
                "outcome": _text(
                    data.get("outcome", item.outcome), "outcome", TEXT_LENGTH, required=True
                ),
                "topics": topics,
                "agreed": agreed,
                "next_step": next_step,
                "next_step_on": next_step_on,
            },
        )
    else:
        changes = {}
    purpose = _text(data.get("purpose", item.purpose), "purpose", PURPOSE_LENGTH, required=True)
    model_changes(
        item, {"kind": kind, "starts_at": starts_at, "ends_at": ends_at, "purpose": purpose}
    )
    people = _people(item.account, data["people"]) if "people" in data else None
    if people is not None:
        before = sorted(item.people.values_list("pk", flat=True))
        after = sorted(p.pk for p in people)
        if before != after:
            changes["people"] = [before, after]
        _record(item, people)
    else:
        item.full_clean(exclude=["people"])
        item.save()
    new = _fields(item)
    changes.update({k: [old[k], v] for k, v in new.items() if old[k] != v})
    if changes:
        _audit(actor, AuditEntry.Action.UPDATE, item, "changed", changes)
    return item


# --- the rhythm (AC-3) -------------------------------------------------------------------------

SETTINGS_FIELDS = ("level", "critical_days", "key_days")


def _rhythm(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _error(field, _("Enter a whole number of days, or leave it empty."))
    try:
        value = int(str(value))
    except (TypeError, ValueError):
        raise _error(field, _("Enter a whole number of days, or leave it empty.")) from None
    if not 1 <= value <= MAX_RHYTHM_DAYS:
        raise _error(
            field,
            _("Enter a whole number from %(minimum)d to %(maximum)d.")
            % {"minimum": 1, "maximum": MAX_RHYTHM_DAYS},
        )
    return value


@transaction.atomic
def activity_settings_update(*, actor, **data) -> ActivitySettings:
    """Change the relationship rhythm: days between contacts for critical and for key
    clients (empty: no rhythm), and the level at which the radar judges key status."""
    require(actor, Action.ACTIVITY_SETTINGS_EDIT)
    unknown = sorted(set(data) - set(SETTINGS_FIELDS))
    if unknown:
        raise _error(unknown[0], _("Not an activity setting."))
    clean = {}
    if "level" in data:
        clean["level"] = _choice(data["level"], Level, "level")
    for field in ("critical_days", "key_days"):
        if field in data:
            clean[field] = _rhythm(data[field], field)
    obj = ActivitySettings.objects.select_for_update().get(pk=activity_settings().pk)
    changes = model_changes(obj, clean)
    if changes:
        obj.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=obj,
            summary="relationship rhythm",
            changes=changes,
        )
    return obj


# --- the personal iCal feed --------------------------------------------------------------------


@transaction.atomic
def calendar_feed_create(*, actor) -> tuple[CalendarFeed, str]:
    """A new secret feed URL for the actor's own schedule; the old one stops working. Returns
    the feed and its secret, which is shown this once and never stored."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    now = timezone.now()
    revoked = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = CalendarFeed.new_token()
    feed = CalendarFeed.objects.create(user=actor, token_hash=CalendarFeed.hash_token(token))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=feed,
        summary="calendar feed created" + (" (the old one revoked)" if revoked else ""),
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor) -> int:
    """The actor's feed URL stops working; how many were revoked (0 or 1)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Sign in first."))
    feeds = list(
        CalendarFeed.objects.select_for_update().filter(user=actor, revoked_at__isnull=True)
    )
    now = timezone.now()
    for feed in feeds:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=feed,
            summary="calendar feed revoked",
            changes={"revoked_at": now},
        )
    return len(feeds)
