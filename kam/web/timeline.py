"""One timeline per client and per person (issue 11 item 8): rows gathered from the activity
log, tasks, complaints, stage changes, notes, account plan reviews and orders, newest first.

It lives in the web shell because it reads both ``kam.activity`` and ``kam.relations`` (siblings
that may not import each other). Every source starts from the reader's scope (the apps' scoped
selectors or the models' ``visible_to``). A page costs one query per source whatever its
length: each source reads its newest ``offset + per_page + 1`` rows in the database, and the
page is cut from their merge; page numbers stop at ``MAX_PAGE``.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.activity.models import Activity, Complaint, Task
from kam.activity.selectors import client_activities
from kam.activity.selectors_complaints import complaints_visible
from kam.activity.selectors_events import events_visible
from kam.activity.selectors_tasks import tasks_visible
from kam.clients.models import Account, Contact
from kam.core.bounds import clamp_date, clamp_page
from kam.orders.models import Order, Shipment
from kam.orders.selectors import OrderFilters, order_list
from kam.relations.models import CompetitorActivity, Relation, Stage, StageChange
from kam.relations.models import PlanReview as PlanReviewModel
from kam.relations.selectors import note_list

PER_PAGE = 25
MAX_PAGE = 40  # 1 000 rows back: further, narrow the dates
TITLE_LENGTH = 120

CLIENT_KINDS = {
    "activity": gettext_lazy("Activities"),
    "task": gettext_lazy("Tasks"),
    "complaint": gettext_lazy("Complaints"),
    "stage": gettext_lazy("Stage changes"),
    "note": gettext_lazy("Notes"),
    "review": gettext_lazy("Account plan reviews"),
    "order": gettext_lazy("Orders"),
    "event": gettext_lazy("Events and trainings"),
}
PERSON_KINDS = {
    "activity": gettext_lazy("Activities"),
    "stage": gettext_lazy("Stage changes"),
    "competitor": gettext_lazy("Competitor activity"),
    "relation": gettext_lazy("Relations"),
    "event": gettext_lazy("Events and trainings"),
}


@dataclass(frozen=True)
class Row:
    at: datetime  # aware; dated rows sit at the day's local midnight
    day: date
    kind: str
    title: str
    who: str
    url: str
    pk: int


@dataclass
class TimelinePage:
    rows: list[Row]
    number: int
    has_next: bool

    def has_previous(self) -> bool:
        return self.number > 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def next_page_number(self) -> int:
        return self.number + 1


@dataclass(frozen=True)
class Source:
    kind: str
    qs: QuerySet
    field: str  # the date or datetime the row sits at
    row: Callable[[object], Row]
    is_datetime: bool = False


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _who(user) -> str:
    return str(user) if user is not None else ""


def _short(text: str) -> str:
    return Truncator(" ".join((text or "").split())).chars(TITLE_LENGTH)


def _dated(day: date, **kw) -> Row:
    return Row(at=_midnight(day), day=day, **kw)


def _timed(moment: datetime, **kw) -> Row:
    return Row(at=moment, day=timezone.localtime(moment).date(), **kw)


# --- rows --------------------------------------------------------------------------------------


def _activity_row(a: Activity) -> Row:
    return _timed(
        a.starts_at,
        kind="activity",
        title=_("%(kind)s (%(status)s): %(purpose)s")
        % {"kind": a.get_kind_display(), "status": a.get_status_display(), "purpose": a.purpose},
        who=_who(a.owner),
        url=reverse("activity:item", args=[a.pk]),
        pk=a.pk,
    )


def _task_row(t: Task) -> Row:
    return _dated(
        t.due_on,
        kind="task",
        title=_("Task due (%(status)s): %(title)s")
        % {"status": t.get_status_display(), "title": _short(t.title)},
        who=_who(t.assignee),
        url=reverse("activity:task", args=[t.pk]),
        pk=t.pk,
    )


def _complaint_row(c: Complaint) -> Row:
    return _dated(
        c.received_on,
        kind="complaint",
        title=_("Complaint (%(category)s, %(status)s): %(text)s")
        % {
            "category": c.get_category_display(),
            "status": c.get_status_display(),
            "text": _short(c.description),
        },
        who=_who(c.owner),
        url=reverse("activity:complaint", args=[c.pk]),
        pk=c.pk,
    )


def _stage_label(code: str) -> str:
    try:
        return str(Stage(code).label)
    except ValueError:
        return code


def _stage_row(s: StageChange) -> Row:
    contact = s.profile.contact
    return _dated(
        s.on,
        kind="stage",
        title=_("%(person)s: stage %(from)s → %(to)s")
        % {
            "person": str(contact),
            "from": _stage_label(s.from_stage),
            "to": _stage_label(s.to_stage),
        },
        who=_who(s.by),
        url=reverse("relations:person", args=[contact.pk]),
        pk=s.pk,
    )


def _note_row(n) -> Row:
    return _dated(
        n.on,
        kind="note",
        title=_("Note (%(kind)s): %(text)s")
        % {"kind": n.get_kind_display(), "text": _short(n.text)},
        who=_who(n.written_by),
        url=reverse("relations:client_notes", args=[n.account_id]),
        pk=n.pk,
    )


def _event_row(e) -> Row:
    return _dated(
        e.starts_on,
        kind="event",
        title=_("%(kind)s: %(title)s") % {"kind": e.get_kind_display(), "title": _short(e.title)},
        who=_who(e.organiser),
        url=reverse("activity:event", args=[e.pk]),
        pk=e.pk,
    )


def _review_row(r: PlanReviewModel) -> Row:
    return _dated(
        r.on,
        kind="review",
        title=_("Account plan reviewed: %(plan)s") % {"plan": _short(r.plan.title)},
        who=_who(r.by),
        url=reverse("relations:plan_detail", args=[r.plan_id]),
        pk=r.pk,
    )


def _order_created_row(o: Order) -> Row:
    return _timed(
        o.created_at,
        kind="order",
        title=_("Order %(number)s drafted") % {"number": o.number},
        who=_who(o.created_by),
        url=reverse("orders:detail", args=[o.pk]),
        pk=o.pk,
    )


def _order_submitted_row(o: Order) -> Row:
    return _timed(
        o.submitted_at,
        kind="order",
        title=_("Order %(number)s submitted (%(status)s)")
        % {"number": o.number, "status": o.get_status_display()},
        who=_who(o.created_by),
        url=reverse("orders:detail", args=[o.pk]),
        pk=o.pk,
    )


def _shipment_row(s: Shipment) -> Row:
    return _dated(
        s.shipped_on,
        kind="order",
        title=_("Order %(number)s shipped") % {"number": s.order.number},
        who="",
        url=reverse("orders:detail", args=[s.order_id]),
        pk=s.pk,
    )


def _competitor_row(c: CompetitorActivity) -> Row:
    return _dated(
        c.seen_on,
        kind="competitor",
        title=_("%(competitor)s: %(what)s") % {"competitor": c.competitor, "what": _short(c.what)},
        who=_who(c.recorded_by),
        url=reverse("relations:person", args=[c.profile.contact_id]),
        pk=c.pk,
    )


def _relation_row_for(contact: Contact) -> Callable[[Relation], Row]:
    def row(r: Relation) -> Row:
        other = r.to_person if r.from_person_id == contact.pk else r.from_person
        if r.from_person_id == contact.pk:
            title = _("Relation added: %(kind)s %(other)s")
        else:
            title = _("Relation added: %(other)s %(kind)s them")
        return _timed(
            r.created_at,
            kind="relation",
            title=title % {"kind": r.get_kind_display(), "other": str(other)},
            who=_who(r.created_by),
            url=reverse("relations:person", args=[other.pk]),
            pk=r.pk,
        )

    return row


# --- sources -----------------------------------------------------------------------------------


def client_sources(*, user, account: Account) -> list[Source]:
    """What a client's timeline gathers; ``account`` was fetched scoped by the caller."""
    return [
        Source(
            "activity",
            client_activities(user=user, account=account),
            "starts_at",
            _activity_row,
            True,
        ),
        Source("task", tasks_visible(user).filter(account=account), "due_on", _task_row),
        Source(
            "complaint",
            complaints_visible(user).filter(account=account),
            "received_on",
            _complaint_row,
        ),
        Source(
            "stage",
            StageChange.objects.visible_to(user)
            .filter(profile__contact__account=account)
            .select_related("profile__contact", "by"),
            "on",
            _stage_row,
        ),
        Source("note", note_list(user=user, account=account), "on", _note_row),
        # AC-6, AC-8: the client's own events and trainings, and those its people were invited to.
        Source(
            "event",
            events_visible(user)
            .filter(Q(account=account) | Q(invitations__contact__account=account))
            .distinct(),
            "starts_on",
            _event_row,
        ),
        Source(
            "review",
            PlanReviewModel.objects.visible_to(user)
            .filter(plan__account=account)
            .select_related("plan", "by"),
            "on",
            _review_row,
        ),
        Source(
            "order",
            order_list(user=user, filters=OrderFilters(account=account.pk)),
            "created_at",
            _order_created_row,
            True,
        ),
        Source(
            "order",
            order_list(user=user, filters=OrderFilters(account=account.pk)).filter(
                submitted_at__isnull=False
            ),
            "submitted_at",
            _order_submitted_row,
            True,
        ),
        Source(
            "order",
            Shipment.objects.visible_to(user)
            .filter(order__account=account)
            .select_related("order"),
            "shipped_on",
            _shipment_row,
        ),
    ]


def person_sources(*, user, contact: Contact) -> list[Source]:
    """What a person's timeline gathers; ``contact`` was fetched scoped by the caller. No
    personal profile field is read."""
    seen = Contact.objects.visible_to(user).values("pk")
    return [
        Source(
            "event",
            events_visible(user)
            .filter(Q(invitations__contact=contact) | Q(presentations__prepared_with=contact))
            .distinct(),
            "starts_on",
            _event_row,
        ),
        Source(
            "activity",
            Activity.objects.visible_to(user)
            .filter(people=contact)
            .select_related("owner")
            .order_by("-starts_at", "-pk"),
            "starts_at",
            _activity_row,
            True,
        ),
        Source(
            "stage",
            StageChange.objects.visible_to(user)
            .filter(profile__contact=contact)
            .select_related("profile__contact", "by"),
            "on",
            _stage_row,
        ),
        Source(
            "competitor",
            CompetitorActivity.objects.visible_to(user)
            .filter(profile__contact=contact)
            .select_related("profile", "recorded_by"),
            "seen_on",
            _competitor_row,
        ),
        Source(
            "relation",
            Relation.objects.filter(Q(from_person=contact) | Q(to_person=contact))
            .filter(from_person__in=seen, to_person__in=seen)
            .select_related("from_person", "to_person", "created_by"),
            "created_at",
            _relation_row_for(contact),
            True,
        ),
    ]


# --- the filters -------------------------------------------------------------------------------


def timeline_filters_check(
    *,
    allowed: Mapping[str, object],
    kinds: Iterable[str] = (),
    first: date | None = None,
    last: date | None = None,
    kinds_field: str = "kinds",
    last_field: str = "last",
) -> None:
    """The filters a reader asks a timeline for, checked in one place for the page and the API:
    every kind one of the timeline's ``allowed`` ones, the end not before the start. A refusal
    is a ``ValidationError`` naming the field as the caller called it. Far-off dates are no
    error: ``timeline_page`` pulls them into range."""
    unknown = [k for k in kinds if k not in allowed]
    if unknown:
        raise ValidationError(
            {
                kinds_field: _("Unknown kind “%(kind)s”; the kinds are: %(allowed)s.")
                % {"kind": Truncator(unknown[0]).chars(40), "allowed": ", ".join(allowed)}
            }
        )
    if first and last and first > last:
        raise ValidationError({last_field: _("The end date is before the start date.")})


# --- the page ----------------------------------------------------------------------------------


def _in_range(source: Source, first: date | None, last: date | None) -> QuerySet:
    qs = source.qs
    if source.is_datetime:
        if first:
            qs = qs.filter(**{f"{source.field}__gte": _midnight(first)})
        if last:
            qs = qs.filter(**{f"{source.field}__lt": _midnight(last + timedelta(days=1))})
    else:
        if first:
            qs = qs.filter(**{f"{source.field}__gte": first})
        if last:
            qs = qs.filter(**{f"{source.field}__lte": last})
    return qs


def timeline_page(
    sources: Iterable[Source],
    *,
    kinds: Iterable[str] = (),
    first: date | None = None,
    last: date | None = None,
    number=1,
    per_page: int = PER_PAGE,
) -> TimelinePage:
    """Page ``number`` (capped at ``MAX_PAGE``) of the sources' rows, newest first, of the
    ``kinds`` asked for (none: all) between ``first`` and ``last`` (both included, pulled into
    the allowed dates). One query per source read."""
    try:
        number = clamp_page(int(number), last_page=MAX_PAGE)
    except (TypeError, ValueError, OverflowError):
        number = 1
    first, last = clamp_date(first), clamp_date(last)
    wanted = set(kinds)
    offset = (number - 1) * per_page
    need = offset + per_page + 1
    rows: list[Row] = []
    for source in sources:
        if wanted and source.kind not in wanted:
            continue
        qs = _in_range(source, first, last).order_by(f"-{source.field}", "-pk")
        rows.extend(source.row(item) for item in qs[:need])
    rows.sort(key=lambda r: (r.at, r.kind, r.pk), reverse=True)
    return TimelinePage(
        rows=rows[offset : offset + per_page],
        number=number,
        has_next=len(rows) > offset + per_page and number < MAX_PAGE,
    )
