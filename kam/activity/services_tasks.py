"""Writes of tasks (issue 11: AC-10): a manager gives one of their people a task with a due
date; the assignee works it through its statuses; both comment. Each write validates and
names the field it refuses, owns its transaction, keeps the task's history and is audited;
nothing changes after a refusal.

- ``task_assign``: ``task.assign`` (director, head, regional); the assignee must lie among
  the actor's visible people (else 404, nothing written), a client must be in both people's
  sight, the due date not before today.
- ``task_update``: the person who gave it changes the title, description, due date, client.
- ``task_status``: the assignee moves it (open, in progress, done); the giver may cancel it.
- ``task_comment``: the assignee or the giver.

Someone who does not see the task gets 404; someone who sees it but is neither of the two
people gets 403.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.activity.models import (
    COMMENT_LENGTH,
    TASK_OPEN,
    TEXT_LENGTH,
    TITLE_LENGTH,
    Task,
    TaskComment,
    TaskEvent,
)
from kam.activity.selectors_tasks import may_see_task
from kam.clients.models import Account
from kam.core import bounds
from kam.core.bounds import bounded_text as _text
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.models import User
from kam.org.policy import Action, can, require
from kam.org.selectors import visible_people

__all__ = ["task_assign", "task_comment", "task_status", "task_update"]

UPDATE_FIELDS = ("title", "description", "due_on", "account")


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _due(value, *, field: str = "due_on") -> date:
    bounds.bounded_date(value, field)
    if value < timezone.localdate():
        raise _error(field, _("The due date cannot be before today."))
    return value


def _pk(value, field: str) -> int:
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _error(field, _("Choose from the list.")) from None
    if not 0 < pk <= bounds.MAX_ID:
        raise _error(field, _("Choose from the list."))
    return pk


def _assignee(actor, value) -> User:
    """A person whose work the actor sees (else 404, as for a missing person), not the actor."""
    if value is None or value == "":
        raise _error("assignee", _("This field is required."))
    pk = _pk(value, "assignee")
    person = visible_people(actor).filter(pk=pk).first()
    if person is None:
        raise Http404(_("No such person."))
    if person.pk == actor.pk:
        raise _error("assignee", _("Give the task to one of the people you manage."))
    return person


def _account(actor, assignee: User, value) -> Account | None:
    """A client both people see: out of the actor's sight 404, out of the assignee's refused."""
    if value is None or value == "":
        return None
    account = value if isinstance(value, Account) else None
    if account is None:
        account = Account.objects.filter(pk=_pk(value, "client")).first()
    if account is None or not can(actor, Action.CLIENT_VIEW, account):
        raise Http404(_("Not found."))
    if not can(assignee, Action.CLIENT_VIEW, account):
        raise _error("client", _("The assignee does not see this client."))
    return account


def _fields(task: Task) -> dict:
    return {
        "title": task.title,
        "description": task.description,
        "due_on": task.due_on,
        "account": task.account_id,
        "status": task.status,
        "assignee": task.assignee_id,
    }


def _event(actor, task: Task, kind: str, *, changes=None, status_from="", status_to="") -> None:
    TaskEvent.objects.create(
        task=task,
        actor=actor if getattr(actor, "pk", None) else None,
        at=timezone.now(),
        kind=kind,
        status_from=status_from,
        status_to=status_to,
        changes=changes or {},
    )


def _audit(actor, action, task: Task, summary: str, changes: dict) -> None:
    audit_record(
        actor=actor,
        action=action,
        instance=task,
        summary=f"{summary}: task {task.pk} for {task.assignee_id}",
        changes=changes,
    )


def _jsonable(changes: dict) -> dict:
    return {
        k: [v.isoformat() if isinstance(v, date) else v for v in pair]
        for k, pair in changes.items()
    }


def _visible(actor, task: Task) -> Task:
    """The task locked for the write, if the actor sees it (else 404)."""
    if not may_see_task(actor, task):
        raise Http404(_("No such task."))
    return (
        Task.objects.select_for_update().select_related("assignee", "assigned_by").get(pk=task.pk)
    )


@transaction.atomic
def task_assign(
    *,
    actor,
    assignee,
    title: str,
    due_on: date,
    description: str = "",
    account=None,
) -> Task:
    """Give ``assignee`` (one of the actor's people) a task due on ``due_on`` (AC-10)."""
    require(actor, Action.TASK_ASSIGN)
    person = _assignee(actor, assignee)
    task = Task(
        assigned_by=actor,
        assignee=person,
        account=_account(actor, person, account),
        title=_text(title, "title", TITLE_LENGTH, required=True),
        description=_text(description, "description", TEXT_LENGTH),
        due_on=_due(due_on),
        status=Task.Status.OPEN,
    )
    task.full_clean()
    task.save()
    fields = _fields(task)
    _event(actor, task, TaskEvent.Kind.CREATED, status_to=task.status)
    _audit(actor, AuditEntry.Action.CREATE, task, "task given", fields)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, **data) -> Task:
    """The person who gave the task changes its title, description, due date or client (a
    new due date not before today). A done or cancelled task is closed."""
    task = _visible(actor, task)
    if task.assigned_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who gave the task may change it."))
    unknown = sorted(set(data) - set(UPDATE_FIELDS))
    if unknown:
        raise _error(unknown[0], _("This cannot be changed here."))
    if task.status not in TASK_OPEN:
        raise _error("status", _("A done or cancelled task cannot be changed."))
    old = _fields(task)
    if "title" in data:
        task.title = _text(data["title"], "title", TITLE_LENGTH, required=True)
    if "description" in data:
        task.description = _text(data["description"], "description", TEXT_LENGTH)
    if "due_on" in data and data["due_on"] != task.due_on:
        task.due_on = _due(data["due_on"])
    if "account" in data:
        task.account = _account(actor, task.assignee, data["account"])
    task.full_clean()
    new = _fields(task)
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    if changes:
        task.save()
        _event(actor, task, TaskEvent.Kind.CHANGED, changes=_jsonable(changes))
        _audit(actor, AuditEntry.Action.UPDATE, task, "task changed", changes)
    return task


@transaction.atomic
def task_status(*, actor, task: Task, status: str) -> Task:
    """The assignee moves the task between open, in progress and done; the person who gave
    it may cancel it (not once done). A cancelled task stays cancelled."""
    task = _visible(actor, task)
    if status not in Task.Status.values:
        raise _error(
            "status",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": status, "choices": ", ".join(Task.Status.values)},
        )
    if status == Task.Status.CANCELLED:
        if task.assigned_by_id != actor.pk:
            raise PermissionDenied(_("Only the person who gave the task may cancel it."))
        if task.status == Task.Status.DONE:
            raise _error("status", _("A done task cannot be cancelled."))
    elif task.assignee_id != actor.pk:
        raise PermissionDenied(_("Only the assignee may move the task."))
    if task.status == Task.Status.CANCELLED:
        raise _error("status", _("A cancelled task is closed."))
    if task.status == status:
        raise _error("status", _("The task is already in this status."))
    before = task.status
    task.status = status
    closed = status in (Task.Status.DONE, Task.Status.CANCELLED)
    task.closed_at = timezone.now() if closed else None
    task.save(update_fields=["status", "closed_at", "updated_at"])
    _event(actor, task, TaskEvent.Kind.STATUS, status_from=before, status_to=status)
    _audit(actor, AuditEntry.Action.UPDATE, task, "task status", {"status": [before, status]})
    return task


@transaction.atomic
def task_comment(*, actor, task: Task, text: str) -> TaskComment:
    """A comment by the assignee or the person who gave the task."""
    task = _visible(actor, task)
    if actor.pk not in (task.assignee_id, task.assigned_by_id):
        raise PermissionDenied(_("Only the assignee and the person who gave the task comment."))
    comment = TaskComment(
        task=task,
        author=actor,
        text=_text(text, "text", COMMENT_LENGTH, required=True),
        at=timezone.now(),
    )
    comment.full_clean()
    comment.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=comment,
        summary=f"comment on task {task.pk}",
        changes={"task": task.pk, "text": comment.text},
    )
    return comment
