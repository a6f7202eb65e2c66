"""Tasks' services and selectors (AC-10), each refusal with the user allowed and the one who
must not: a task to someone outside the giver's people is 404 and nothing is written, a KAM
may not give tasks (403), the assignee moves it and a third person may not (404 out of sight,
403 in sight), overdue tasks on the assignee's and the giver's home panels only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kam.activity import selectors_tasks as selectors
from kam.activity.models import Task, TaskComment, TaskEvent
from kam.activity.services_tasks import task_assign, task_comment, task_status, task_update
from kam.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def give(actor, assignee, *, days=3, **kw):
    return task_assign(
        actor=actor,
        assignee=assignee,
        title=kw.pop("title", "Call Aurora about the tender"),
        due_on=kw.pop("due_on", today() + timedelta(days=days)),
        **kw,
    )


def nothing_written():
    return (
        Task.objects.count(),
        TaskEvent.objects.count(),
        AuditEntry.objects.filter(entity="activity.task").count(),
    ) == (0, 0, 0)


def test_a_regional_manager_gives_their_kam_a_task_on_a_client_both_see(org, book):
    task = give(
        org.regional_north, org.kam_anna, account=book.aurora, description="Ask for the volumes"
    )
    task.refresh_from_db()
    assert (task.assigned_by, task.assignee, task.account) == (
        org.regional_north,
        org.kam_anna,
        book.aurora,
    )
    assert (task.status, task.due_on, task.closed_at) == ("open", today() + timedelta(days=3), None)
    event = TaskEvent.objects.get(task=task)
    assert (event.kind, event.status_to, event.actor) == ("created", "open", org.regional_north)
    entry = AuditEntry.objects.get(entity="activity.task", entity_id=str(task.pk))
    assert entry.actor == org.regional_north and entry.changes["assignee"] == org.kam_anna.pk


def test_a_task_to_someone_outside_the_givers_people_is_404_and_nothing_written(org, book):
    with pytest.raises(Http404):
        give(org.regional_north, org.kam_sigrid)
    with pytest.raises(Http404):
        give(org.head_south, org.kam_anna)
    assert nothing_written()
    # the director sees everyone
    assert give(org.director, org.kam_sigrid).assignee == org.kam_sigrid


def test_a_kam_may_not_give_tasks(org, book):
    with pytest.raises(PermissionDenied):
        give(org.kam_anna, org.kam_boris)
    with pytest.raises(PermissionDenied):
        give(org.support_north, org.kam_anna)
    assert nothing_written()


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("due_on", {"days": -1}),
        ("due_on", {"due_on": "2025-01-01"}),
        ("title", {"title": ""}),
        ("title", {"title": "   "}),
        ("title", {"title": "x" * 201}),
        ("title", {"title": "Tender\x00"}),
        ("description", {"description": "bell\x07"}),
        ("description", {"description": "x" * 5001}),
        ("assignee", {"assignee": None}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(org, book, field, data):
    assignee = data.pop("assignee", org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        give(org.regional_north, assignee, **data)
    assert field in exc.value.message_dict
    assert nothing_written()


def test_a_due_date_past_the_planning_horizon_is_refused(org, book):
    with pytest.raises(ValidationError) as exc:
        give(org.regional_north, org.kam_anna, due_on=today().replace(year=today().year + 11))
    assert "outside the allowed dates" in exc.value.message_dict["due_on"][0]


def test_due_today_is_allowed_and_a_task_to_oneself_is_not(org, book):
    assert give(org.regional_north, org.kam_anna, days=0).due_on == today()
    with pytest.raises(ValidationError) as exc:
        give(org.regional_north, org.regional_north)
    assert "assignee" in exc.value.message_dict
    assert Task.objects.count() == 1


def test_the_client_must_be_in_both_peoples_sight(org, book):
    # Sud is Sigrid's client in the South: out of the regional manager's sight
    with pytest.raises(Http404):
        give(org.regional_north, org.kam_anna, account=book.sud)
    # Aurora is Anna's: the regional manager sees it, Boris does not
    with pytest.raises(ValidationError) as exc:
        give(org.regional_north, org.kam_boris, account=book.aurora)
    assert "client" in exc.value.message_dict
    assert nothing_written()
    assert give(org.regional_north, org.kam_boris, account=book.cedar.pk).account == book.cedar


def test_the_assignee_moves_the_status_and_a_third_person_may_not(org, book):
    task = give(org.regional_north, org.kam_anna)
    with pytest.raises(Http404):  # Boris does not see Anna's work
        task_status(actor=org.kam_boris, task=task, status="in_progress")
    with pytest.raises(PermissionDenied):  # the head sees it, but it is not his
        task_status(actor=org.head_north, task=task, status="in_progress")
    with pytest.raises(PermissionDenied):  # the giver cancels, the assignee moves it
        task_status(actor=org.regional_north, task=task, status="done")
    task.refresh_from_db()
    assert task.status == "open" and TaskEvent.objects.filter(task=task).count() == 1
    task_status(actor=org.kam_anna, task=task, status="in_progress")
    task_status(actor=org.kam_anna, task=task, status="done")
    task.refresh_from_db()
    assert task.status == "done" and task.closed_at is not None
    steps = list(
        TaskEvent.objects.filter(task=task, kind="status").values_list("status_from", "status_to")
    )
    assert steps == [("open", "in_progress"), ("in_progress", "done")]
    with pytest.raises(ValidationError) as exc:
        task_status(actor=org.regional_north, task=task, status="cancelled")
    assert "status" in exc.value.message_dict
    # the assignee may reopen a done task
    task_status(actor=org.kam_anna, task=task, status="open")
    task.refresh_from_db()
    assert (task.status, task.closed_at) == ("open", None)


def test_the_giver_cancels_and_a_cancelled_task_stays_closed(org, book):
    task = give(org.regional_north, org.kam_anna)
    with pytest.raises(PermissionDenied):
        task_status(actor=org.kam_anna, task=task, status="cancelled")
    task_status(actor=org.regional_north, task=task, status="cancelled")
    with pytest.raises(ValidationError) as exc:
        task_status(actor=org.kam_anna, task=task, status="in_progress")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        task_status(actor=org.kam_anna, task=task, status="later")
    assert "status" in exc.value.message_dict
    assert Task.objects.get().status == "cancelled"


def test_either_of_the_two_comments_and_nobody_else(org, book):
    task = give(org.regional_north, org.kam_anna)
    task_comment(actor=org.kam_anna, task=task, text="Called them, waiting for figures.")
    task_comment(actor=org.regional_north, task=task, text="Thanks")
    with pytest.raises(Http404):
        task_comment(actor=org.kam_boris, task=task, text="Me too")
    with pytest.raises(PermissionDenied):
        task_comment(actor=org.head_north, task=task, text="Me too")
    with pytest.raises(ValidationError) as exc:
        task_comment(actor=org.kam_anna, task=task, text="  ")
    assert "text" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        task_comment(actor=org.kam_anna, task=task, text="x" * 2001)
    assert "text" in exc.value.message_dict
    got = list(TaskComment.objects.order_by("pk").values_list("author__username", "text"))
    assert got == [
        ("kam_anna", "Called them, waiting for figures."),
        ("regional_north", "Thanks"),
    ]


def test_the_giver_changes_the_task_and_nobody_else(org, book):
    task = give(org.regional_north, org.kam_anna)
    with pytest.raises(PermissionDenied):
        task_update(actor=org.kam_anna, task=task, title="Mine now")
    with pytest.raises(Http404):
        task_update(actor=org.kam_sigrid, task=task, title="Mine now")
    with pytest.raises(ValidationError) as exc:
        task_update(actor=org.regional_north, task=task, due_on=today() - timedelta(days=1))
    assert "due_on" in exc.value.message_dict
    new_due = today() + timedelta(days=10)
    task_update(
        actor=org.regional_north,
        task=task,
        title="Visit Aurora",
        due_on=new_due,
        account=book.aurora,
    )
    task.refresh_from_db()
    assert (task.title, task.due_on, task.account) == ("Visit Aurora", new_due, book.aurora)
    changed = TaskEvent.objects.get(task=task, kind="changed").changes
    assert sorted(changed) == ["account", "due_on", "title"]


def test_overdue_on_the_assignees_and_the_givers_home_panel_not_on_another_kams(org, book):
    late = give(org.regional_north, org.kam_anna, days=2, title="Late one")
    give(org.regional_north, org.kam_boris, days=9, title="Boris's")
    on_time = today() + timedelta(days=2)
    later = today() + timedelta(days=5)
    # due on the day itself: not overdue yet
    anna = selectors.home_panel(user=org.kam_anna, as_of=on_time)
    assert anna["tasks_mine_overdue"] == [] and anna["tasks_open_count"] == 1
    anna = selectors.home_panel(user=org.kam_anna, as_of=later)
    assert anna["tasks_mine_overdue"] == [late] and anna["tasks_given_overdue"] == []
    assert not anna["tasks_may_assign"]
    regional = selectors.home_panel(user=org.regional_north, as_of=later)
    assert regional["tasks_given_overdue"] == [late] and regional["tasks_mine_overdue"] == []
    # the head sees the team's overdue tasks as well
    assert selectors.home_panel(user=org.head_north, as_of=later)["tasks_given_overdue"] == [late]
    boris = selectors.home_panel(user=org.kam_boris, as_of=later)
    assert boris["tasks_mine_overdue"] == [] and boris["tasks_given_overdue"] == []
    assert selectors.home_panel(user=org.head_south, as_of=later)["tasks_given_overdue"] == []
    # a KAM with no open task has no panel; done tasks are not overdue
    assert selectors.home_panel(user=org.kam_sigrid, as_of=later) is None
    task_status(actor=org.kam_anna, task=late, status="done")
    assert selectors.home_panel(user=org.kam_anna, as_of=later) is None
    assert selectors.home_panel(user=org.regional_north, as_of=later)["tasks_given_overdue"] == []


def test_the_lists_mine_given_overdue_are_scoped(org, book):
    a = give(org.regional_north, org.kam_anna, days=1)
    b = give(org.head_north, org.kam_boris, days=4)
    c = give(org.head_south, org.kam_sigrid, days=1)
    as_of = today() + timedelta(days=2)
    assert list(selectors.task_list(user=org.kam_anna, tab="mine")) == [a]
    assert list(selectors.task_list(user=org.kam_anna, tab="given")) == []
    assert list(selectors.task_list(user=org.regional_north, tab="given")) == [a]
    assert list(selectors.task_list(user=org.head_north, tab="given")) == [a, b]
    assert list(selectors.task_list(user=org.director, tab="given")) == [a, c, b]
    assert list(selectors.task_list(user=org.head_north, tab="overdue", as_of=as_of)) == [a]
    assert list(selectors.task_list(user=org.kam_boris, tab="overdue", as_of=as_of)) == []
    assert list(selectors.task_list(user=org.head_south, tab="overdue", as_of=as_of)) == [c]
    with pytest.raises(Http404):
        selectors.task_get(user=org.kam_boris, pk=a.pk)
    with pytest.raises(Http404):
        selectors.task_get(user=org.kam_anna, pk="nope")
    assert selectors.task_get(user=org.head_north, pk=a.pk) == a


def test_a_clients_tasks_on_the_client_card(org, book):
    open_task = give(org.regional_north, org.kam_anna, days=1, account=book.aurora)
    done = give(org.regional_north, org.kam_anna, days=1, account=book.aurora, title="Done one")
    give(org.regional_north, org.kam_anna, days=1, account=book.birch)
    task_status(actor=org.kam_anna, task=done, status="done")
    as_of = today() + timedelta(days=3)
    panel = selectors.client_panel(user=org.kam_anna, account=book.aurora, as_of=as_of)
    assert panel["tasks_open"] == [(open_task, True)] and panel["tasks_closed"] == [done]
    assert selectors.client_panel(user=org.kam_sigrid, account=book.aurora, as_of=as_of) is None
