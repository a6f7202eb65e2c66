"""Tasks' pages and API (/schedule/tasks/, /api/activity/tasks), each with the user allowed
and the one who must not: the tabs, a new task (403 for a KAM; someone outside the giver's
people refused, nothing written), the detail with comments, the status (the assignee; 404
for a third person who does not see it, 403 for one who does), comments, the giver's change,
and the home and client panels' templates."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from kam.activity import selectors_tasks
from kam.activity.models import Task, TaskComment
from kam.activity.services_tasks import task_assign, task_comment

pytestmark = pytest.mark.django_db

J = "application/json"


def give(actor, assignee, *, days=3, **kw):
    return task_assign(
        actor=actor,
        assignee=assignee,
        title=kw.pop("title", "Call Aurora about the tender"),
        due_on=timezone.localdate() + timedelta(days=days),
        **kw,
    )


def make_overdue(task, days=2):
    """Time passes: the due date is now behind us (a service refuses a past due date)."""
    Task.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=days))


def test_the_tabs_for_the_assignee_the_giver_and_another_kam(org, book, sign_in):
    task = give(org.regional_north, org.kam_anna, account=book.aurora)
    mark = f'data-task="{task.pk}"'
    anna = sign_in(org.kam_anna)
    r = anna.get("/schedule/tasks/")
    assert r.status_code == 200 and mark in r.content.decode()
    assert "Aurora SIA" in r.content.decode()
    assert mark not in anna.get("/schedule/tasks/", {"tab": "given"}).content.decode()
    regional = sign_in(org.regional_north)
    assert mark in regional.get("/schedule/tasks/", {"tab": "given"}).content.decode()
    assert mark not in regional.get("/schedule/tasks/", {"tab": "mine"}).content.decode()
    boris = sign_in(org.kam_boris)
    for tab in ("mine", "given", "overdue"):
        assert mark not in boris.get("/schedule/tasks/", {"tab": tab}).content.decode()
    # overdue: on the assignee's and the giver's overdue tab, with the badge
    assert mark not in anna.get("/schedule/tasks/", {"tab": "overdue"}).content.decode()
    make_overdue(task)
    for client in (anna, regional):
        html = client.get("/schedule/tasks/", {"tab": "overdue"}).content.decode()
        assert mark in html and "is-overdue" in html
    r = anna.get("/schedule/tasks/", {"tab": "mine"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "<html" not in r.content.decode()
    assert mark in r.content.decode()


def test_a_new_task_from_the_page(org, book, sign_in):
    assert sign_in(org.kam_anna).get("/schedule/tasks/new/").status_code == 403
    regional = sign_in(org.regional_north)
    r = regional.get("/schedule/tasks/new/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "Anna Kam" in html and "Boris Kam" in html and "Sigrid Kam" not in html
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    data = {"assignee": org.kam_anna.pk, "title": "Visit Aurora", "due_on": due}
    r = regional.post("/schedule/tasks/new/", {**data, "assignee": org.kam_sigrid.pk})
    assert r.status_code == 400 and Task.objects.count() == 0
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    r = regional.post("/schedule/tasks/new/", {**data, "due_on": past})
    assert r.status_code == 400 and "The due date cannot be before today." in r.content.decode()
    r = regional.post("/schedule/tasks/new/", {**data, "client": book.aurora.pk})
    assert r.status_code == 302
    task = Task.objects.get()
    assert r["Location"] == f"/schedule/tasks/{task.pk}/"
    assert (task.assignee, task.account, task.title) == (org.kam_anna, book.aurora, "Visit Aurora")
    r = sign_in(org.kam_anna).post("/schedule/tasks/new/", data)
    assert r.status_code == 403 and Task.objects.count() == 1


def test_the_detail_status_and_comments_on_the_page(org, book, sign_in):
    task = give(org.regional_north, org.kam_anna)
    task_comment(actor=org.regional_north, task=task, text="Before Friday, please")
    anna = sign_in(org.kam_anna)
    r = anna.get(f"/schedule/tasks/{task.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and "Before Friday, please" in html and 'id="task-status"' in html
    assert 'id="task-cancel"' not in html
    assert sign_in(org.kam_boris).get(f"/schedule/tasks/{task.pk}/").status_code == 404
    head = sign_in(org.head_north)
    html = head.get(f"/schedule/tasks/{task.pk}/").content.decode()
    assert 'id="task-status"' not in html and "task_comment" not in html
    # a third person: 404 out of sight, 403 in sight
    r = sign_in(org.kam_boris).post(f"/schedule/tasks/{task.pk}/status/", {"status": "done"})
    assert r.status_code == 404
    r = head.post(f"/schedule/tasks/{task.pk}/status/", {"status": "done"})
    assert r.status_code == 403
    r = anna.post(f"/schedule/tasks/{task.pk}/status/", {"status": "in_progress"})
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "in_progress"
    r = anna.post(f"/schedule/tasks/{task.pk}/comment/", {"text": ""})
    assert r.status_code == 400
    r = anna.post(f"/schedule/tasks/{task.pk}/comment/", {"text": "On it"})
    assert r.status_code == 302
    assert (
        sign_in(org.kam_boris)
        .post(f"/schedule/tasks/{task.pk}/comment/", {"text": "x"})
        .status_code
        == 404
    )
    assert head.post(f"/schedule/tasks/{task.pk}/comment/", {"text": "x"}).status_code == 403
    assert list(TaskComment.objects.values_list("text", flat=True)) == [
        "Before Friday, please",
        "On it",
    ]
    html = sign_in(org.regional_north).get(f"/schedule/tasks/{task.pk}/").content.decode()
    assert 'id="task-cancel"' in html and "open → in_progress" in html
    r = sign_in(org.regional_north).post(
        f"/schedule/tasks/{task.pk}/status/", {"status": "cancelled"}
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "cancelled"


def test_the_giver_changes_the_task_on_the_page(org, book, sign_in):
    task = give(org.regional_north, org.kam_anna)
    assert sign_in(org.kam_anna).get(f"/schedule/tasks/{task.pk}/edit/").status_code == 403
    assert sign_in(org.kam_sigrid).get(f"/schedule/tasks/{task.pk}/edit/").status_code == 404
    regional = sign_in(org.regional_north)
    assert regional.get(f"/schedule/tasks/{task.pk}/edit/").status_code == 200
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    r = regional.post(f"/schedule/tasks/{task.pk}/edit/", {"title": "", "due_on": due})
    assert r.status_code == 400
    r = regional.post(f"/schedule/tasks/{task.pk}/edit/", {"title": "New title", "due_on": due})
    assert r.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.due_on.isoformat()) == ("New title", due)
    r = sign_in(org.kam_anna).post(
        f"/schedule/tasks/{task.pk}/edit/", {"title": "Mine", "due_on": due}
    )
    assert r.status_code == 403


def test_the_panels_render(org, book):
    task = give(org.regional_north, org.kam_anna, days=1, account=book.aurora)
    as_of = timezone.localdate() + timedelta(days=3)
    html = render_to_string(
        "activity/tasks/_home_panel.html",
        selectors_tasks.home_panel(user=org.kam_anna, as_of=as_of),
    )
    assert f'data-task="{task.pk}"' in html and "My overdue tasks" in html
    html = render_to_string(
        "activity/tasks/_home_panel.html",
        selectors_tasks.home_panel(user=org.regional_north, as_of=as_of),
    )
    assert f'data-task="{task.pk}"' in html and "Overdue tasks I or my team gave" in html
    html = render_to_string(
        "activity/tasks/_client_panel.html",
        selectors_tasks.client_panel(user=org.kam_anna, account=book.aurora, as_of=as_of),
    )
    assert f'data-task="{task.pk}"' in html and "Overdue" in html


# --- the API -----------------------------------------------------------------------------------


def post(client, path, data):
    return client.post(f"/api/activity/tasks{path}", data, content_type=J)


def test_api_create_404_outside_the_givers_people_403_for_a_kam_422_naming_the_field(
    org, book, sign_in
):
    due = (timezone.localdate() + timedelta(days=4)).isoformat()
    body = {"assignee_id": org.kam_anna.pk, "title": "Visit", "due_on": due}
    regional = sign_in(org.regional_north)
    r = post(regional, "", {**body, "assignee_id": org.kam_sigrid.pk})
    assert r.status_code == 404
    r = post(sign_in(org.kam_anna), "", {**body, "assignee_id": org.kam_boris.pk})
    assert r.status_code == 403
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    r = post(regional, "", {**body, "due_on": past})
    assert r.status_code == 422
    assert [e["field"] for e in r.json()["errors"]] == ["due_on"]
    r = post(regional, "", {**body, "client_id": book.sud.pk})
    assert r.status_code == 404
    assert Task.objects.count() == 0
    r = post(regional, "", {**body, "client_id": book.aurora.pk})
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["assignee"], data["assigned_by"], data["client"], data["status"]) == (
        "Anna Kam",
        "Rita Regional",
        "Aurora SIA",
        "open",
    )
    assert data["overdue"] is False and data["comments"] == []


def test_api_list_status_and_comment(org, book, sign_in):
    task = give(org.regional_north, org.kam_anna)
    anna, boris, head = sign_in(org.kam_anna), sign_in(org.kam_boris), sign_in(org.head_north)
    r = anna.get("/api/activity/tasks")
    assert r.status_code == 200 and [t["id"] for t in r.json()["items"]] == [task.pk]
    assert boris.get("/api/activity/tasks").json()["items"] == []
    given = sign_in(org.regional_north).get("/api/activity/tasks", {"tab": "given"}).json()
    assert [t["id"] for t in given["items"]] == [task.pk]
    assert anna.get("/api/activity/tasks", {"tab": "bogus"}).status_code == 422
    make_overdue(task)
    overdue = head.get("/api/activity/tasks", {"tab": "overdue"}).json()["items"]
    assert [(t["id"], t["overdue"]) for t in overdue] == [(task.pk, True)]
    assert boris.get(f"/api/activity/tasks/{task.pk}").status_code == 404
    assert post(boris, f"/{task.pk}/status", {"status": "done"}).status_code == 404
    assert post(head, f"/{task.pk}/status", {"status": "done"}).status_code == 403
    r = post(anna, f"/{task.pk}/status", {"status": "sleeping"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"
    r = post(anna, f"/{task.pk}/status", {"status": "done"})
    assert r.status_code == 200 and r.json()["status"] == "done" and not r.json()["overdue"]
    assert post(boris, f"/{task.pk}/comments", {"text": "x"}).status_code == 404
    r = post(anna, f"/{task.pk}/comments", {"text": "Done: offer sent"})
    assert r.status_code == 201 and r.json()["author"] == "Anna Kam"
    r = post(anna, f"/{task.pk}/comments", {"text": "\x00"})
    assert r.status_code in (400, 422)
    detail = anna.get(f"/api/activity/tasks/{task.pk}").json()
    assert [c["text"] for c in detail["comments"]] == ["Done: offer sent"]
