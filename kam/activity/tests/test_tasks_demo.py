"""The demo's tasks and complaints on a small demo company: tasks from the heads and the
regional manager to their own KAMs on clients both see, some overdue (on both home pages),
done ones with comments and history; complaints over twelve months in several categories,
most resolved with their times."""

import random
from datetime import date, timedelta

import pytest
from django.db import transaction

from kam.activity import selectors_tasks
from kam.activity.demo_tasks import populate_tasks_demo
from kam.activity.models import TASK_OPEN, Complaint, Task, TaskComment, TaskEvent
from kam.activity.selectors_complaints import complaint_list, complaint_statistics
from kam.demo.generator.build import build_demo
from kam.demo.generator.plan import history_months
from kam.org.models import Role
from kam.org.policy import Action, can
from kam.org.selectors import visible_people

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(scale=0.05, seed=3, today=TODAY, password="demo-pass-1")
        # kam demo writes tasks and complaints itself; this test checks that step alone.
        Task.objects.all().delete()
        Complaint.objects.all().delete()
        before = Task.objects.count() + Complaint.objects.count()
        made = populate_tasks_demo(
            rng=random.Random(11),
            people=result.people,
            today=TODAY,
            start=history_months(TODAY)[0],
        )
        yield result, made, before
        transaction.set_rollback(True)


def test_tasks_go_from_managers_to_their_own_kams_on_clients_both_see(demo):
    _result, made, before = demo
    assert made == Task.objects.count() + Complaint.objects.count() - before
    tasks = list(Task.objects.select_related("assigned_by", "assignee", "account"))
    assert len(tasks) >= 8 * 5  # eight KAMs under a head or the regional manager, 5 to 8 each
    for t in tasks:
        assert t.assigned_by.role in {Role.HEAD, Role.REGIONAL}
        assert t.assignee.role == Role.KAM and t.assignee.manager_id == t.assigned_by_id
        assert visible_people(t.assigned_by).filter(pk=t.assignee_id).exists()
        assert t.due_on >= t.created_at.date()
        if t.account_id:
            assert t.account.owner_id == t.assignee_id
            assert can(t.assigned_by, Action.CLIENT_VIEW, t.account)
        assert (t.closed_at is None) == (t.status in TASK_OPEN)


def test_some_overdue_on_both_home_pages_and_done_ones_with_comments(demo):
    _result, _made, _before = demo
    overdue = [t for t in Task.objects.all() if t.is_overdue(TODAY)]
    kams = {t.assignee_id for t in overdue}
    assert len(kams) == 8  # at least one per KAM
    t = overdue[0]
    assert t in selectors_tasks.home_panel(user=t.assignee, as_of=TODAY)["tasks_mine_overdue"]
    giver = selectors_tasks.home_panel(user=t.assigned_by, as_of=TODAY)
    assert t in giver["tasks_given_overdue"] or len(giver["tasks_given_overdue"]) == 10
    done = Task.objects.filter(status="done")
    assert done.count() >= 10
    assert (
        TaskComment.objects.filter(task__in=done).values("task").distinct().count() == done.count()
    )
    for task in done[:20]:
        steps = list(task.history.values_list("status_to", flat=True))
        assert steps == ["open", "in_progress", "done"]
    assert Task.objects.filter(status="cancelled").exists()
    assert TaskEvent.objects.filter(kind="created").count() == Task.objects.count()


def test_complaints_over_twelve_months_most_resolved(demo):
    result, _made, _before = demo
    rows = list(Complaint.objects.all())
    assert len(rows) >= 8 * 6
    months = {(c.received_on.year, c.received_on.month) for c in rows}
    assert len(months) >= 10
    assert min(c.received_on for c in rows) >= TODAY - timedelta(days=365)
    assert len({c.category for c in rows}) >= 5
    resolved = [c for c in rows if c.status == "resolved"]
    assert len(resolved) > len(rows) / 2
    for c in rows:
        if c.status == "open":
            assert c.resolved_on is None and c.resolution == ""
        else:
            assert c.received_on <= c.resolved_on <= TODAY and c.resolution
        assert c.owner.role in {Role.KAM, Role.SUPPORT}
        assert can(c.owner, Action.COMPLAINT_RECORD, c.account)
        if c.order_id:
            assert c.order.account_id == c.account_id
    director = result.people["director"]
    stats = complaint_statistics(complaint_list(user=director), as_of=TODAY)
    assert stats.total == len(rows) and stats.median_days is not None
