"""HTTP API of tasks and complaints (mounted at /api/activity/tasks and
/api/activity/complaints by kam/activity/api.py). The same selectors and services as the
pages: a task or complaint out of the caller's sight answers 404, one they see but may not
change 403, bad input 422 naming the field."""

from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.activity import selectors_complaints, selectors_tasks, services_complaints, services_tasks
from kam.activity.models import Complaint, Task
from kam.activity.schemas import (
    ComplaintIn,
    ComplaintListIn,
    ComplaintOut,
    ComplaintResolveIn,
    TaskCommentIn,
    TaskCommentOut,
    TaskDetailOut,
    TaskIn,
    TaskListIn,
    TaskOut,
    TaskStatusIn,
)
from kam.clients.selectors import account_get
from kam.core.schemas import Pages

tasks_router = Router()
complaints_router = Router()


def _name(user) -> str | None:
    return str(user) if user is not None else None


def task_out(task: Task) -> dict:
    return {
        "id": task.pk,
        "title": task.title,
        "description": task.description,
        "due_on": task.due_on,
        "status": task.status,
        "overdue": task.is_overdue(timezone.localdate()),
        "assignee_id": task.assignee_id,
        "assignee": _name(task.assignee),
        "assigned_by_id": task.assigned_by_id,
        "assigned_by": _name(task.assigned_by),
        "client_id": task.account_id,
        "client": task.account.legal_name if task.account_id else None,
        "created_at": task.created_at,
        "closed_at": task.closed_at,
    }


def comment_out(c) -> dict:
    return {
        "id": c.pk,
        "author_id": c.author_id,
        "author": _name(c.author),
        "text": c.text,
        "at": c.at,
    }


def task_detail_out(task: Task) -> dict:
    return {**task_out(task), "comments": [comment_out(c) for c in task.comments.all()]}


class _Rows:
    def __init__(self, qs, out):
        self.qs, self.out = qs, out

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [self.out(row) for row in self.qs[key]]


@tasks_router.get(
    "", response=list[TaskOut], summary="Tasks: to me, given by me and my team, overdue"
)
@paginate(Pages)
def task_list(request, q: Query[TaskListIn]):
    qs = selectors_tasks.task_list(
        user=request.auth, tab=q.tab, as_of=timezone.localdate(), status=q.status or None
    )
    return _Rows(qs, task_out)


@tasks_router.post("", response={201: TaskDetailOut}, summary="Give one of your people a task")
def task_create(request, payload: TaskIn):
    task = services_tasks.task_assign(
        actor=request.auth,
        assignee=payload.assignee_id,
        title=payload.title,
        description=payload.description,
        due_on=payload.due_on,
        account=payload.client_id,
    )
    return Status(201, task_detail_out(selectors_tasks.task_get(user=request.auth, pk=task.pk)))


@tasks_router.get("/{int:task_id}", response=TaskDetailOut, summary="One task with its comments")
def task_get(request, task_id: int):
    return task_detail_out(selectors_tasks.task_get(user=request.auth, pk=task_id))


@tasks_router.post(
    "/{int:task_id}/status",
    response=TaskDetailOut,
    summary="Move a task (the assignee) or cancel it (the giver)",
)
def task_status(request, task_id: int, payload: TaskStatusIn):
    task = selectors_tasks.task_get(user=request.auth, pk=task_id)
    services_tasks.task_status(actor=request.auth, task=task, status=payload.status)
    return task_detail_out(selectors_tasks.task_get(user=request.auth, pk=task_id))


@tasks_router.post(
    "/{int:task_id}/comments", response={201: TaskCommentOut}, summary="Comment on a task"
)
def task_comment(request, task_id: int, payload: TaskCommentIn):
    task = selectors_tasks.task_get(user=request.auth, pk=task_id)
    comment = services_tasks.task_comment(actor=request.auth, task=task, text=payload.text)
    return Status(201, comment_out(comment))


def complaint_out(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "client_id": c.account_id,
        "client": c.account.legal_name,
        "order_id": c.order_id,
        "order_number": c.order.number if c.order_id else None,
        "category": c.category,
        "description": c.description,
        "received_on": c.received_on,
        "owner_id": c.owner_id,
        "owner": _name(c.owner) if c.owner_id else None,
        "status": c.status,
        "resolution": c.resolution,
        "resolved_on": c.resolved_on,
        "days_to_resolve": c.days_to_resolve,
    }


def _complaint(request, pk) -> dict:
    return complaint_out(selectors_complaints.complaint_get(user=request.auth, pk=pk))


@complaints_router.get("", response=list[ComplaintOut], summary="Complaints of the clients you see")
@paginate(Pages)
def complaint_list(request, q: Query[ComplaintListIn]):
    account = account_get(user=request.auth, pk=q.client_id) if q.client_id else None
    qs = selectors_complaints.complaint_list(
        user=request.auth, status=q.status, category=q.category, account=account
    )
    return _Rows(qs, complaint_out)


@complaints_router.post("", response={201: ComplaintOut}, summary="Record a complaint or conflict")
def complaint_create(request, payload: ComplaintIn):
    account = account_get(user=request.auth, pk=payload.client_id)
    c = services_complaints.complaint_record(
        actor=request.auth,
        account=account,
        category=payload.category,
        description=payload.description,
        received_on=payload.received_on,
        order_number=payload.order_number,
        owner=payload.owner_id,
    )
    return Status(201, _complaint(request, c.pk))


@complaints_router.get("/{int:complaint_id}", response=ComplaintOut, summary="One complaint")
def complaint_get(request, complaint_id: int):
    return _complaint(request, complaint_id)


@complaints_router.post(
    "/{int:complaint_id}/resolve",
    response=ComplaintOut,
    summary="Close a complaint with its resolution (resolved or rejected)",
)
def complaint_resolve(request, complaint_id: int, payload: ComplaintResolveIn):
    c = selectors_complaints.complaint_get(user=request.auth, pk=complaint_id)
    services_complaints.complaint_resolve(
        actor=request.auth,
        complaint=c,
        resolution=payload.resolution,
        resolved_on=payload.resolved_on,
        rejected=payload.rejected,
    )
    return _complaint(request, complaint_id)
