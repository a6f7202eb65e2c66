"""HTTP API of the schedule (mounted at /api/activity by kam/api.py): a person's week, plan,
log, complete, cancel, a client's activities and the key clients gone quiet. The same
selectors and services as the pages; a client, item or person out of the caller's sight
answers 404, one they see but may not change 403, bad input 422 naming the field."""

from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.activity import selectors, services
from kam.activity.api_events import events_router
from kam.activity.api_tasks import complaints_router, tasks_router
from kam.activity.models import Activity
from kam.activity.schemas import (
    ActivityCancelIn,
    ActivityCompleteIn,
    ActivityLogIn,
    ActivityOut,
    ActivityPlanIn,
    ActivityQuietOut,
    ActivityWeekIn,
    ActivityWeekOut,
)
from kam.clients.selectors import account_get
from kam.core.bounds import as_of_or_today
from kam.core.schemas import Pages

router = Router()


class ActivityAsOfIn(Schema):
    as_of: date | None = None


def _name(user) -> str:
    return str(user)


def item_out(item: Activity) -> dict:
    return {
        "id": item.pk,
        "client_id": item.account_id,
        "client": item.account.legal_name,
        "owner_id": item.owner_id,
        "owner": _name(item.owner),
        "kind": item.kind,
        "status": item.status,
        "starts_at": item.starts_at,
        "ends_at": item.ends_at,
        "purpose": item.purpose,
        "people": [{"id": p.pk, "name": str(p)} for p in item.people.all()],
        "outcome": item.outcome,
        "next_step": item.next_step,
        "next_step_on": item.next_step_on,
        "topics": item.topics,
        "agreed": item.agreed,
        "follows_id": item.follows_id,
    }


def _fresh(request, item: Activity) -> dict:
    return item_out(selectors.activity_get(user=request.auth, pk=item.pk))


@router.get("/week", response=ActivityWeekOut, summary="A person's week, Monday to Sunday")
def activity_week(request, q: Query[ActivityWeekIn]):
    wk = selectors.week(
        user=request.auth, owner=q.person, week_start=q.week or timezone.localdate()
    )
    return {
        "person_id": wk.owner.pk,
        "person": _name(wk.owner),
        "week_start": wk.start,
        "week_end": wk.end,
        "days": [{"day": d.day, "items": [item_out(i) for i in d.items]} for d in wk.days],
    }


@router.post("/planned", response={201: ActivityOut}, summary="Plan a visit, call or meeting")
def activity_plan(request, payload: ActivityPlanIn):
    account = account_get(user=request.auth, pk=payload.client_id)
    item = services.activity_plan(
        actor=request.auth,
        account=account,
        kind=payload.kind,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        purpose=payload.purpose,
        people=payload.people,
        owner=payload.owner_id,
    )
    return Status(201, _fresh(request, item))


@router.post("/logged", response={201: ActivityOut}, summary="Log an ad-hoc activity, done")
def activity_log(request, payload: ActivityLogIn):
    account = account_get(user=request.auth, pk=payload.client_id)
    data = payload.model_dump(exclude={"client_id"})
    item = services.activity_log(actor=request.auth, account=account, **data)
    return Status(201, _fresh(request, item))


@router.get("/items/{int:item_id}", response=ActivityOut, summary="One activity")
def activity_get(request, item_id: int):
    return item_out(selectors.activity_get(user=request.auth, pk=item_id))


@router.post(
    "/items/{int:item_id}/complete",
    response=ActivityOut,
    summary="A planned activity is done: outcome and next step",
)
def activity_complete(request, item_id: int, payload: ActivityCompleteIn):
    item = selectors.activity_get(user=request.auth, pk=item_id)
    data = payload.model_dump(exclude_none=True)
    item = services.activity_complete(actor=request.auth, item=item, **data)
    return _fresh(request, item)


@router.post(
    "/items/{int:item_id}/cancel", response=ActivityOut, summary="Cancel a planned activity"
)
def activity_cancel(request, item_id: int, payload: ActivityCancelIn):
    item = selectors.activity_get(user=request.auth, pk=item_id)
    item = services.activity_cancel(actor=request.auth, item=item, reason=payload.reason)
    return _fresh(request, item)


@router.get("/clients/{int:client_id}", response=list[ActivityOut], summary="A client's activities")
@paginate(Pages)
def activity_client(request, client_id: int):
    account = account_get(user=request.auth, pk=client_id)
    return _Items(selectors.client_activities(user=request.auth, account=account))


class _Items:
    def __init__(self, qs):
        self.qs = qs

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [item_out(i) for i in self.qs[key]]


@router.get(
    "/gone-quiet",
    response=list[ActivityQuietOut],
    summary="Key clients with no contact for longer than their rhythm",
)
def activity_gone_quiet(request, q: Query[ActivityAsOfIn]):
    rows = selectors.gone_quiet(user=request.auth, as_of=as_of_or_today(q.as_of))
    return [
        {
            "client_id": r.account_id,
            "client": r.account_name,
            "registration_number": r.registration_number,
            "owner_id": r.owner_id,
            "kam": r.owner_name,
            "key_status": r.status,
            "rhythm_days": r.rhythm_days,
            "last_contact": r.last_contact,
            "days_since": r.days_since,
        }
        for r in rows
    ]


# Tasks and complaints (AC-10, AC-11): kam/activity/api_tasks.py.
router.add_router("/tasks", tasks_router)
router.add_router("/complaints", complaints_router)
router.add_router("/events", events_router)
