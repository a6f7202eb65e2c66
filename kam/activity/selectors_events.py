"""Reads of events and trainings (issue 11: AC-6, AC-8). An event is seen by its organiser and
by whoever sees a client involved in it (the training's client, or the client of a person
invited); its invitations show only the people of clients the reader sees. One out of sight
answers 404, as a missing one does.

- ``event_list``, ``event_get``, ``event_invitations``, ``presentation_get``.
- ``person_events(user=, contact=)`` and ``client_events(user=, account=)``: plain rows
  (date, kind, title, status, url) for the people's and the clients' timelines.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kam.activity.models import Event, Invitation, Presentation
from kam.clients.models import Account, Contact
from kam.org.policy import Action, can, scope

__all__ = [
    "EventRow",
    "client_events",
    "event_get",
    "event_invitations",
    "event_list",
    "events_visible",
    "may_manage",
    "person_events",
    "presentation_get",
    "recording_accounts",
    "recording_contacts",
]


def _seen_accounts(user) -> QuerySet[Account]:
    return Account.objects.visible_to(user).values("pk")


def events_visible(user) -> QuerySet[Event]:
    if user is None or not user.is_authenticated:
        return Event.objects.none()
    seen = _seen_accounts(user)
    involved = Event.objects.filter(
        Q(account__in=seen) | Q(invitations__contact__account__in=seen)
    ).values("pk")
    return Event.objects.filter(Q(organiser=user) | Q(pk__in=involved)).select_related(
        "account", "organiser"
    )


def event_list(*, user, kind: str | None = None, account=None) -> QuerySet[Event]:
    qs = events_visible(user)
    if kind:
        qs = qs.filter(kind=kind)
    if account is not None:
        qs = qs.filter(Q(account=account) | Q(invitations__contact__account=account)).distinct()
    return qs.order_by("-starts_on", "-pk")


def event_get(*, user, pk) -> Event:
    """One event the user may see; 404 alike for missing and not yours."""
    try:
        return events_visible(user).get(pk=pk)
    except (Event.DoesNotExist, ValueError, TypeError):
        raise Http404("No such event.") from None


def event_invitations(*, user, event: Event) -> QuerySet[Invitation]:
    """The invitations to the event of people whose client the user sees."""
    return (
        Invitation.objects.filter(event=event, contact__account__in=_seen_accounts(user))
        .select_related("contact", "contact__account")
        .order_by("contact__last_name", "contact__first_name", "pk")
    )


def event_presentations(*, event: Event) -> QuerySet[Presentation]:
    return event.presentations.select_related("prepared_by").prefetch_related("prepared_with")


def presentation_get(*, user, pk) -> Presentation:
    """A presentation of an event the user sees; 404 alike for missing and not yours."""
    try:
        p = Presentation.objects.select_related("event").get(pk=pk)
    except (Presentation.DoesNotExist, ValueError, TypeError):
        raise Http404("No such presentation.") from None
    if not events_visible(user).filter(pk=p.event_id).exists():
        raise Http404("No such presentation.")
    return p


def may_manage(user, event: Event) -> bool:
    """Its organiser, or a person who may record activities for the event's client."""
    if user is None or not can(user, Action.ACTIVITY_RECORD):
        return False
    if event.organiser_id == user.pk:
        return True
    return event.account_id is not None and can(user, Action.ACTIVITY_RECORD, event.account)


def recording_accounts(*, user) -> QuerySet[Account]:
    """Clients in work on which the user may record activities, by name."""
    q = scope(user, Action.ACTIVITY_RECORD)
    qs = Account.objects.visible_to(user).filter(archived_at__isnull=True)
    if q is not None:
        qs = qs.filter(q)
    return qs.order_by("legal_name", "pk")


def recording_contacts(*, user, account=None) -> QuerySet[Contact]:
    """People of the clients the user may record for (of one client when given)."""
    qs = Contact.objects.filter(account__in=recording_accounts(user=user).values("pk"))
    if account is not None:
        qs = qs.filter(account=account)
    return qs.select_related("account").order_by("account__legal_name", "last_name", "pk")


@dataclass(frozen=True)
class EventRow:
    date: date
    kind: str
    title: str
    status: str
    url: str


def _url(event_id: int) -> str:
    return reverse("activity:event", args=[event_id])


def person_events(*, user, contact: Contact) -> list[EventRow]:
    """A person's events, newest first: their invitations (the status: invited, came,
    declined, no_show) and the presentations prepared with them (``presented``). Empty for
    a reader who does not see the person's client."""
    if not can(user, Action.CLIENT_VIEW, contact.account):
        return []
    rows = [
        EventRow(i.event.starts_on, i.event.kind, i.event.title, i.status, _url(i.event_id))
        for i in Invitation.objects.filter(contact=contact).select_related("event")
    ]
    rows += [
        EventRow(p.event.starts_on, p.event.kind, p.event.title, "presented", _url(p.event_id))
        for p in Presentation.objects.filter(prepared_with=contact).select_related("event")
    ]
    return sorted(rows, key=lambda r: (r.date, r.url), reverse=True)


def client_events(*, user, account: Account, as_of: date | None = None) -> list[EventRow]:
    """A client's events (its trainings and the events its people were invited to), newest
    first; the status is ``planned`` before the event starts, ``held`` from then. Empty for a
    reader who does not see the client."""
    if not can(user, Action.CLIENT_VIEW, account):
        return []
    as_of = as_of or timezone.localdate()
    qs = Event.objects.filter(
        Q(account=account) | Q(invitations__contact__account=account)
    ).distinct()
    return [
        EventRow(
            e.starts_on, e.kind, e.title, "planned" if e.starts_on > as_of else "held", _url(e.pk)
        )
        for e in qs.order_by("-starts_on", "-pk")
    ]
