"""Reads of the schedule and the activity log, scoped by user (issue 11: AC-1..AC-3).

- A person's **week** (``week``): the items of one person whose work the user may see
  (``kam.org.selectors.visible_people``: a KAM their own, a regional manager their KAMs', a
  head their department's), of clients the user may see, Monday to Sunday in the current
  time zone. Another person's week answers 404, as a missing one does.
- A **client's** items (``client_activities``): everyone's, for a client the user may see.
- **Gone quiet** (``gone_quiet``, AC-3): key clients whose last done contact is older than
  their rhythm. Key status comes from the radar: one ``radar_portfolio(only_key=True)`` read
  at the settings' level (a fixed number of queries whatever the book's size; its row's band
  tells critical from key), then one query for every listed client's last contact and one for
  their registration numbers.
- The **iCal feed** (``feed_items``): a person's planned and done items for a valid secret;
  a wrong and a revoked secret answer the same 404.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Max, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.activity.models import Activity, ActivitySettings, CalendarFeed
from kam.clients.models import Account, Contact
from kam.core.bounds import clamp_date
from kam.core.selectors import single_row
from kam.org.models import User
from kam.org.policy import Action, can, scope
from kam.org.selectors import visible_people
from kam.radar.models import Band
from kam.radar.selectors import radar_portfolio

CRITICAL = "critical"
KEY = "key"
# The feed's window: what a calendar program needs, not the whole history.
FEED_PAST_DAYS = 92
FEED_FUTURE_DAYS = 366


def activity_settings() -> ActivitySettings:
    """The rhythm's one settings row, created with its defaults on first use."""
    return single_row(ActivitySettings)


def rhythm_days(s: ActivitySettings, status: str) -> int | None:
    return s.critical_days if status == CRITICAL else s.key_days if status == KEY else None


# --- time --------------------------------------------------------------------------------------


def week_start_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    """The start of ``day`` in the current time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# --- single items and people -------------------------------------------------------------------


def _items(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    return qs.select_related("account", "owner").prefetch_related(
        Prefetch("people", queryset=Contact.objects.order_by("last_name", "first_name", "pk"))
    )


def activity_get(*, user, pk) -> Activity:
    """One item of a client the user may see; 404 alike for missing and not yours."""
    try:
        return _items(Activity.objects.visible_to(user)).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404("No such activity.") from None


def person_get(*, user, pk) -> User:
    """A person whose work ``user`` may see; 404 alike for missing and not theirs."""
    try:
        return visible_people(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404("No such person.") from None


def schedule_people(*, user) -> list[User]:
    """The people whose week ``user`` may open: themselves first, then by name."""
    people = list(visible_people(user).order_by("last_name", "first_name", "pk"))
    return sorted(people, key=lambda p: p.pk != user.pk)


def recordable_accounts(*, user) -> QuerySet[Account]:
    """Clients in work on which the user may plan and log activities, by name."""
    q = scope(user, Action.ACTIVITY_RECORD)
    qs = Account.objects.visible_to(user).filter(archived_at__isnull=True)
    if q is not None:
        qs = qs.filter(q)
    return qs.order_by("legal_name", "pk")


# --- the week ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    day: date
    items: tuple[Activity, ...]

    @property
    def is_weekend(self) -> bool:
        return self.day.weekday() >= 5


@dataclass(frozen=True)
class Week:
    owner: User
    start: date  # a Monday
    days: tuple[Day, ...]  # Monday .. Sunday

    @property
    def end(self) -> date:
        return self.start + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.start - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def count(self) -> int:
        return sum(len(d.items) for d in self.days)


def week(*, user, owner: User | int | None = None, week_start: date) -> Week:
    """The items of ``owner``'s (default: the user's) week holding ``week_start``, Monday to
    Sunday in the current time zone; 404 for a person whose work the user may not see.
    Three queries (the person, the items, their people) whatever the week holds."""
    if owner is None:
        owner = user
    person = person_get(user=user, pk=owner.pk if isinstance(owner, User) else owner)
    monday = week_start_of(clamp_date(week_start))
    first, after = local_midnight(monday), local_midnight(monday + timedelta(days=7))
    items = list(
        _items(
            Activity.objects.visible_to(user).filter(
                owner=person, starts_at__gte=first, starts_at__lt=after
            )
        ).order_by("starts_at", "pk")
    )
    by_day: dict[date, list[Activity]] = {monday + timedelta(days=i): [] for i in range(7)}
    for item in items:
        by_day[local_day(item.starts_at)].append(item)
    return Week(person, monday, tuple(Day(d, tuple(v)) for d, v in by_day.items()))


# --- a client's items --------------------------------------------------------------------------


def client_activities(*, user, account) -> QuerySet[Activity]:
    """Every item of a client the user may see (whoever's), newest first."""
    return _items(Activity.objects.visible_to(user).filter(account=account)).order_by(
        "-starts_at", "-pk"
    )


def last_contact(*, account, before: datetime | None = None) -> datetime | None:
    """When the client's last done item started (None: never)."""
    qs = Activity.objects.filter(account=account, status=Activity.Status.DONE)
    if before is not None:
        qs = qs.filter(starts_at__lt=before)
    return qs.aggregate(m=Max("starts_at"))["m"]


def client_panel(*, user, account, as_of: date) -> dict | None:
    """The client card's activity panel: the last contact, what is planned next and the
    latest done items. None for a reader who may not see the client."""
    if not can(user, Action.CLIENT_VIEW, account):
        return None
    now = timezone.now()
    items = client_activities(user=user, account=account)
    upcoming = list(
        items.filter(status=Activity.Status.PLANNED, starts_at__gte=now).order_by("starts_at")[:5]
    )
    recent = list(items.filter(status=Activity.Status.DONE)[:5])
    last = last_contact(account=account, before=local_midnight(as_of + timedelta(days=1)))
    return {
        "activity_account": account,
        "activity_upcoming": upcoming,
        "activity_recent": recent,
        "activity_last": last,
        "activity_days_since": (as_of - local_day(last)).days if last else None,
        "activity_may_record": can(user, Action.ACTIVITY_RECORD, account),
    }


# --- gone quiet (AC-3) -------------------------------------------------------------------------


@dataclass(frozen=True)
class QuietRow:
    account_id: int
    account_name: str
    registration_number: str
    owner_id: int | None
    owner_name: str
    status: str  # CRITICAL | KEY
    rhythm_days: int
    last_contact: date | None  # None: no done contact recorded
    days_since: int | None

    @property
    def days_over(self) -> int | None:
        return None if self.days_since is None else self.days_since - self.rhythm_days


def key_statuses(*, user, as_of: date) -> tuple[dict[int, tuple[str, object]], ActivitySettings]:
    """Each key client the user sees, as the radar judges it at the settings' level on
    ``as_of``: {account id: (CRITICAL or KEY, its radar row)}."""
    s = activity_settings()
    portfolio = radar_portfolio(user=user, level=s.level, as_of=as_of, only_key=True)
    out = {}
    for row in portfolio.rows:
        status = CRITICAL if row.band in {Band.CRITICAL, Band.MONO} else KEY
        out[row.account_id] = (status, row)
    return out, s


def _last_contacts(account_ids: list[int], as_of: date) -> dict[int, datetime]:
    """{account id: when its last done item on or before ``as_of`` started}, one query."""
    before = local_midnight(as_of + timedelta(days=1))
    return dict(
        Activity.objects.filter(
            account_id__in=account_ids, status=Activity.Status.DONE, starts_at__lt=before
        )
        .values("account_id")
        .annotate(m=Max("starts_at"))
        .values_list("account_id", "m")
    )


@dataclass(frozen=True)
class ContactRhythm:
    """A client's last contact against its rhythm on a day (an account plan's health, AC-12)."""

    days_since: int | None  # None: no done contact recorded
    rhythm_days: int | None  # None: not a key client, so no rhythm

    @property
    def never_contacted(self) -> bool:
        return self.days_since is None


def contact_rhythms(*, user, account_ids: list[int], as_of: date) -> dict[int, ContactRhythm]:
    """For each of ``account_ids`` the user sees: the days since its last done contact on or
    before ``as_of`` and its rhythm by its key status as the user's radar judges it. Two reads
    whatever the number of clients: the radar's and the last contacts'."""
    if not account_ids:
        return {}
    statuses, s = key_statuses(user=user, as_of=as_of)
    last = _last_contacts(account_ids, as_of)
    out = {}
    for pk in account_ids:
        status = statuses.get(pk)
        seen = local_day(last[pk]) if pk in last else None
        out[pk] = ContactRhythm(
            days_since=(as_of - seen).days if seen else None,
            rhythm_days=rhythm_days(s, status[0]) if status else None,
        )
    return out


def gone_quiet(*, user, as_of: date | None = None) -> list[QuietRow]:
    """Key clients the user sees whose last done contact (on or before ``as_of``) is older
    than their rhythm, or who have none: the longest overdue first, never contacted at the
    top. A fixed number of queries: the settings, the radar's read, the last contacts, the
    registration numbers."""
    as_of = clamp_date(as_of) if as_of else timezone.localdate()
    statuses, s = key_statuses(user=user, as_of=as_of)
    wanted = {
        pk: (status, row, rhythm_days(s, status))
        for pk, (status, row) in statuses.items()
        if rhythm_days(s, status) is not None
    }
    if not wanted:
        return []
    last = _last_contacts(list(wanted), as_of)
    numbers = dict(
        Account.objects.filter(pk__in=list(wanted)).values_list("pk", "registration_number")
    )
    rows = []
    for pk, (status, row, days) in wanted.items():
        seen = local_day(last[pk]) if pk in last else None
        since = (as_of - seen).days if seen else None
        if since is not None and since <= days:
            continue
        rows.append(
            QuietRow(
                account_id=pk,
                account_name=row.account_name,
                registration_number=numbers.get(pk, ""),
                owner_id=row.owner_id,
                owner_name=row.owner_name,
                status=status,
                rhythm_days=days,
                last_contact=seen,
                days_since=since,
            )
        )
    rows.sort(
        key=lambda r: (
            r.days_since is not None,
            -(r.days_over or 0),
            r.status != CRITICAL,
            r.account_name,
        )
    )
    return rows


def home_panel(*, user, as_of: date) -> dict | None:
    """The home page's panel for people who plan visits: the week ahead and the key clients
    gone quiet (the first ten). None for a person who records no activities."""
    if not can(user, Action.ACTIVITY_RECORD):
        return None
    quiet = gone_quiet(user=user, as_of=as_of)
    now = timezone.now()
    upcoming = list(
        _items(
            Activity.objects.visible_to(user).filter(
                owner=user,
                status=Activity.Status.PLANNED,
                starts_at__gte=now,
                starts_at__lt=local_midnight(as_of + timedelta(days=8)),
            )
        ).order_by("starts_at")[:10]
    )
    return {
        "activity_quiet": quiet[:10],
        "activity_quiet_count": len(quiet),
        "activity_upcoming": upcoming,
    }


# --- the iCal feed -----------------------------------------------------------------------------


def feed_get(*, user) -> CalendarFeed | None:
    """The person's active feed (its secret is never shown again)."""
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def feed_items(*, token: str) -> tuple[User, list[Activity]]:
    """The person of an active feed and their planned and done items from three months back
    to a year ahead. A wrong secret, a revoked one and an inactive person: the same 404."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise Http404("No such feed.")
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=CalendarFeed.hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        raise Http404("No such feed.")
    user = feed.user
    now = timezone.now()
    items = list(
        _items(
            Activity.objects.visible_to(user).filter(
                owner=user,
                status__in=[Activity.Status.PLANNED, Activity.Status.DONE],
                starts_at__gte=now - timedelta(days=FEED_PAST_DAYS),
                starts_at__lt=now + timedelta(days=FEED_FUTURE_DAYS),
            )
        ).order_by("starts_at", "pk")
    )
    return user, items
