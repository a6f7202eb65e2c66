"""Reads of tasks, scoped by people (issue 11: AC-10).

A task is seen by its assignee, by the person who gave it, and by everyone who sees either's
work (``kam.org.selectors.visible_people``: a regional manager their KAMs', a head their
department's, the director all). Any other answers 404, as a missing one does.

- ``tasks_to_me``: assigned to the user; ``tasks_given``: given by the user or by people whose
  work the user sees (their team); ``tasks_overdue``: every task the user sees that is open or
  in progress past its due date.
- ``home_panel``: the user's overdue tasks and the overdue tasks they (or their team) gave.
- ``client_panel``: a client's tasks on the client card.
"""

from datetime import date

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.activity.models import TASK_OPEN, Task, TaskComment, TaskEvent
from kam.clients.models import Account
from kam.org.models import User
from kam.org.policy import Action, can
from kam.org.selectors import visible_people

TABS = ("mine", "given", "overdue")
PANEL_ROWS = 10


def _people_ids(user) -> QuerySet:
    return visible_people(user).values("pk")


def tasks_visible(user) -> QuerySet[Task]:
    """Every task the user may see: their own, the ones they gave, and those of the people
    whose work they see (as assignee or as giver)."""
    people = _people_ids(user)
    return Task.objects.filter(Q(assignee__in=people) | Q(assigned_by__in=people)).select_related(
        "assignee", "assigned_by", "account"
    )


def may_see_task(user, task: Task) -> bool:
    return tasks_visible(user).filter(pk=task.pk).exists()


def task_get(*, user, pk) -> Task:
    """One task the user may see, with its comments and history; 404 alike for missing and
    not yours."""
    try:
        return (
            tasks_visible(user)
            .prefetch_related(
                Prefetch("comments", queryset=TaskComment.objects.select_related("author")),
                Prefetch("history", queryset=TaskEvent.objects.select_related("actor")),
            )
            .get(pk=pk)
        )
    except (Task.DoesNotExist, ValueError, TypeError):
        raise Http404("No such task.") from None


def _overdue(qs: QuerySet[Task], as_of: date) -> QuerySet[Task]:
    return qs.filter(status__in=TASK_OPEN, due_on__lt=as_of)


def tasks_to_me(*, user, status: str | None = None) -> QuerySet[Task]:
    qs = tasks_visible(user).filter(assignee=user)
    return qs.filter(status=status) if status else qs


def tasks_given(*, user, status: str | None = None) -> QuerySet[Task]:
    """Given by the user or by someone whose work the user sees (their team)."""
    qs = tasks_visible(user).filter(assigned_by__in=_people_ids(user))
    return qs.filter(status=status) if status else qs


def tasks_overdue(*, user, as_of: date) -> QuerySet[Task]:
    return _overdue(tasks_visible(user), as_of)


def task_list(*, user, tab: str = "mine", as_of: date | None = None, status: str | None = None):
    """The list page's tab: "mine" (to me), "given" (by me and my team), "overdue"; open
    ones first by due date, then the closed ones newest first."""
    as_of = as_of or timezone.localdate()
    if tab == "given":
        qs = tasks_given(user=user, status=status)
    elif tab == "overdue":
        qs = tasks_overdue(user=user, as_of=as_of)
    else:
        qs = tasks_to_me(user=user, status=status)
    return qs.order_by("due_on", "pk")


def assignable_people(*, user) -> list[User]:
    """Whom the user may give a task: the people whose work they see, but themselves."""
    if not can(user, Action.TASK_ASSIGN):
        return []
    return list(visible_people(user).exclude(pk=user.pk).order_by("last_name", "first_name", "pk"))


def task_accounts(*, user) -> QuerySet[Account]:
    return (
        Account.objects.visible_to(user)
        .filter(archived_at__isnull=True)
        .order_by("legal_name", "pk")
    )


def home_panel(*, user, as_of: date) -> dict | None:
    """The home page's task panel: the user's own overdue tasks (a KAM's) and the overdue
    tasks the user or their team gave (a manager's). None for a person who may not give
    tasks and has none open."""
    may_assign = can(user, Action.TASK_ASSIGN)
    mine = tasks_to_me(user=user).filter(status__in=TASK_OPEN)
    open_count = mine.count()
    if not may_assign and not open_count:
        return None
    mine_overdue = list(_overdue(mine, as_of).order_by("due_on", "pk")[:PANEL_ROWS])
    given = (
        list(_overdue(tasks_given(user=user), as_of).order_by("due_on", "pk")[:PANEL_ROWS])
        if may_assign
        else []
    )
    return {
        "tasks_as_of": as_of,
        "tasks_open_count": open_count,
        "tasks_mine_overdue": mine_overdue,
        "tasks_given_overdue": given,
        "tasks_may_assign": may_assign,
    }


def client_panel(*, user, account, as_of: date) -> dict | None:
    """The client card's task panel: the client's open tasks the user may see (overdue ones
    marked) and the latest closed ones. None for a reader who may not see the client."""
    if not can(user, Action.CLIENT_VIEW, account):
        return None
    qs = tasks_visible(user).filter(account=account)
    open_tasks = list(qs.filter(status__in=TASK_OPEN).order_by("due_on", "pk")[:PANEL_ROWS])
    closed = list(qs.exclude(status__in=TASK_OPEN).order_by("-closed_at", "-pk")[:5])
    return {
        "tasks_account": account,
        "tasks_as_of": as_of,
        "tasks_open": [(t, t.due_on < as_of) for t in open_tasks],
        "tasks_closed": closed,
        "tasks_may_assign": can(user, Action.TASK_ASSIGN),
    }
