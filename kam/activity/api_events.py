"""HTTP API of events and trainings (mounted at /api/activity/events by kam/activity/api.py).
The same selectors and services as the pages: an event out of the caller's sight answers 404,
one they see but may not change 403, bad input 422 naming the field."""

from django.http import Http404
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.activity import selectors_events, services_events
from kam.activity.models import Event, Invitation
from kam.activity.schemas import (
    EventAttendanceIn,
    EventDetailOut,
    EventIn,
    EventInvitationOut,
    EventInviteIn,
    EventListIn,
    EventOut,
)
from kam.core.schemas import Pages

events_router = Router()


def _name(user) -> str:
    return str(user)


def event_out(e: Event) -> dict:
    return {
        "id": e.pk,
        "kind": e.kind,
        "title": e.title,
        "starts_on": e.starts_on,
        "ends_on": e.ends_on,
        "place": e.place,
        "description": e.description,
        "organiser_id": e.organiser_id,
        "organiser": _name(e.organiser),
        "client_id": e.account_id,
        "client": e.account.legal_name if e.account_id else None,
    }


def invitation_out(i: Invitation) -> dict:
    return {
        "id": i.pk,
        "contact_id": i.contact_id,
        "contact": f"{i.contact.first_name} {i.contact.last_name}",
        "client_id": i.contact.account_id,
        "client": i.contact.account.legal_name,
        "invited_on": i.invited_on,
        "status": i.status,
    }


def event_detail_out(user, e: Event) -> dict:
    return {
        **event_out(e),
        "invitations": [
            invitation_out(i) for i in selectors_events.event_invitations(user=user, event=e)
        ],
        "presentations": [
            {
                "id": p.pk,
                "title": p.title,
                "download_url": reverse("activity:event_presentation_file", args=[p.pk]),
                "prepared_with": sorted(c.pk for c in p.prepared_with.all()),
            }
            for p in selectors_events.event_presentations(event=e)
        ],
    }


class _Rows:
    def __init__(self, qs, out):
        self.qs, self.out = qs, out

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [self.out(row) for row in self.qs[key]]


@events_router.get("", response=list[EventOut], summary="Events and trainings the caller sees")
@paginate(Pages)
def event_list(request, q: Query[EventListIn]):
    return _Rows(selectors_events.event_list(user=request.auth, kind=q.kind or None), event_out)


@events_router.post("", response={201: EventDetailOut}, summary="A new event or training")
def event_create(request, payload: EventIn):
    e = services_events.event_create(
        actor=request.auth,
        kind=payload.kind,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        place=payload.place,
        description=payload.description,
        account=payload.client_id,
    )
    e = selectors_events.event_get(user=request.auth, pk=e.pk)
    return Status(201, event_detail_out(request.auth, e))


@events_router.get(
    "/{int:event_id}", response=EventDetailOut, summary="One event: invitations, presentations"
)
def event_get(request, event_id: int):
    e = selectors_events.event_get(user=request.auth, pk=event_id)
    return event_detail_out(request.auth, e)


@events_router.post(
    "/{int:event_id}/invitations",
    response={201: list[EventInvitationOut]},
    summary="Invite people (of clients the caller works with)",
)
def event_invite(request, event_id: int, payload: EventInviteIn):
    e = selectors_events.event_get(user=request.auth, pk=event_id)
    new = services_events.event_invite(
        actor=request.auth, event=e, contacts=payload.contact_ids, invited_on=payload.invited_on
    )
    pks = [i.pk for i in new]
    rows = selectors_events.event_invitations(user=request.auth, event=e).filter(pk__in=pks)
    return Status(201, [invitation_out(i) for i in rows])


@events_router.post(
    "/{int:event_id}/invitations/{int:invitation_id}/attendance",
    response=EventInvitationOut,
    summary="Came, declined or did not come",
)
def event_attendance(request, event_id: int, invitation_id: int, payload: EventAttendanceIn):
    e = selectors_events.event_get(user=request.auth, pk=event_id)
    inv = selectors_events.event_invitations(user=request.auth, event=e).filter(pk=invitation_id)
    inv = inv.first()
    if inv is None:
        raise Http404("No such invitation.")
    services_events.attendance_record(actor=request.auth, invitation=inv, status=payload.status)
    inv.refresh_from_db()
    return invitation_out(inv)
