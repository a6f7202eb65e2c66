"""The account plans' API, each endpoint with the user who may and the one who must not."""

from datetime import date
from decimal import Decimal

import pytest

from kam.org.services import api_token_create
from kam.relations.models import PlanGoal, PlanPendingChange
from kam.relations.services_plans import (
    account_plan_create,
    account_plan_level_set,
    action_add,
    goal_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    class Caller:
        def __init__(self, user):
            _, key = api_token_create(actor=None, user=user, name="test")
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def get(self, path):
            return client.get(f"/api/relations{path}", **self.auth)

        def post(self, path, data=None):
            return client.post(
                f"/api/relations{path}", data or {}, content_type="application/json", **self.auth
            )

        def patch(self, path, data):
            return client.patch(
                f"/api/relations{path}", data, content_type="application/json", **self.auth
            )

        def put(self, path, data):
            return client.put(
                f"/api/relations{path}", data, content_type="application/json", **self.auth
            )

    return Caller


@pytest.fixture
def plan(org, world):
    plan = account_plan_create(
        actor=org.regional_north,
        account=world.anna,
        title="Aurora 2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        budget="1000",
    ).obj
    goal_add(
        actor=org.regional_north,
        plan=plan,
        text="Grow turnover",
        target_value="100000",
        due_on=date(2026, 12, 31),
    )
    action_add(
        actor=org.regional_north,
        plan=plan,
        text="Present the new line",
        owner=org.kam_anna,
        due_on=date(2026, 3, 1),
        cost="200",
    )
    return plan


def test_list_and_detail(org, plan, api):
    r = api(org.kam_anna).get("/account-plans")
    assert r.status_code == 200
    [row] = r.json()["items"]
    assert (row["title"], row["level"], row["goals_total"], row["actions_total"]) == (
        "Aurora 2026",
        "D1",
        1,
        1,
    )
    assert api(org.kam_sigrid).get("/account-plans").json()["count"] == 0
    r = api(org.kam_anna).get(f"/account-plans/{plan.pk}")
    body = r.json()
    assert r.status_code == 200 and body["may_alone"] == []
    assert body["health"]["parts"][0]["reason"] == "1 of 1 goal is on track or done."
    assert body["budget"] == "1000.00" and body["committed"] == "200.00"
    assert api(org.kam_boris).get(f"/account-plans/{plan.pk}").status_code == 404


def test_a_d1_kams_goal_waits_202_and_the_manager_approves(org, plan, api):
    goal = plan.goals.get()
    r = api(org.kam_anna).patch(f"/account-plans/goals/{goal.pk}", {"target_value": "120000"})
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "pending" and body["pending"]["fields"] == {
        "target_value": "120000.00"
    }
    goal.refresh_from_db()
    assert goal.target_value == Decimal("100000")
    change_id = body["pending"]["id"]
    assert api(org.kam_anna).post(f"/account-plans/pending/{change_id}/approve").status_code == 403
    assert (
        api(org.kam_sigrid).post(f"/account-plans/pending/{change_id}/approve").status_code == 404
    )
    assert [
        c["id"] for c in api(org.regional_north).get("/account-plans/pending").json()["items"]
    ] == [change_id]
    r = api(org.regional_north).post(f"/account-plans/pending/{change_id}/approve", {"note": "ok"})
    assert r.status_code == 200 and r.json()["applied"] == ["target_value"]
    goal.refresh_from_db()
    assert goal.target_value == Decimal("120000")


def test_refuse(org, plan, api):
    r = api(org.kam_anna).put(f"/account-plans/{plan.pk}/budget", {"budget": "5000"})
    assert r.status_code == 202
    change_id = r.json()["pending"]["id"]
    r = api(org.regional_north).post(f"/account-plans/pending/{change_id}/refuse", {"note": "No"})
    assert r.status_code == 200 and r.json()["status"] == "refused"
    plan.refresh_from_db()
    assert plan.budget == Decimal("1000")


def test_a_d4_kam_adds_at_once_and_a_d2_kam_marks_done(org, plan, api):
    account_plan_level_set(actor=org.regional_north, plan=plan, level="D4")
    r = api(org.kam_anna).post(
        f"/account-plans/{plan.pk}/goals",
        {"text": "List the second line", "target_value": "3", "due_on": "2026-09-30"},
    )
    assert r.status_code == 201 and PlanGoal.objects.filter(pk=r.json()["id"]).exists()
    r = api(org.kam_anna).post(
        f"/account-plans/{plan.pk}/actions",
        {"text": "Congress", "owner_id": org.kam_anna.pk, "due_on": "2026-09-01", "cost": "900"},
    )
    assert r.status_code == 201
    assert r.json()["warnings"] == [
        "The actions cost 1100.00 EUR: 100.00 past the budget of 1000.00."
    ]
    account_plan_level_set(actor=org.regional_north, plan=plan, level="D2")
    item = plan.actions.get(text="Present the new line")
    r = api(org.kam_anna).post(f"/account-plans/actions/{item.pk}/done", {"done_on": "2026-02-27"})
    assert r.status_code == 200 and r.json()["status"] == "applied"
    r = api(org.kam_anna).patch(f"/account-plans/actions/{item.pk}", {"cost": "1"})
    assert r.status_code == 202
    assert (
        api(org.kam_sigrid).patch(f"/account-plans/actions/{item.pk}", {"cost": "1"}).status_code
        == 404
    )


def test_level_set_only_by_the_manager(org, plan, api):
    assert (
        api(org.kam_anna).post(f"/account-plans/{plan.pk}/level", {"level": "D4"}).status_code
        == 403
    )
    assert (
        api(org.head_south).post(f"/account-plans/{plan.pk}/level", {"level": "D4"}).status_code
        == 404
    )
    r = api(org.regional_north).post(
        f"/account-plans/{plan.pk}/level", {"level": "D3", "reason": "x"}
    )
    assert r.status_code == 201 and r.json()["to_level"] == "D3"
    r = api(org.regional_north).post(f"/account-plans/{plan.pk}/level", {"level": "D9"})
    assert r.status_code == 422 and "level" in r.content.decode()


def test_create_review_and_bad_input(org, world, plan, api):
    r = api(org.kam_anna).post(
        "/account-plans",
        {
            "client_id": world.anna.pk,
            "title": "KOL project",
            "person_id": world.head.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
        },
    )
    assert r.status_code == 201 and r.json()["person_id"] == world.head.pk
    bad = {
        "client_id": world.anna.pk,
        "title": "x",
        "starts_on": "2026-02-01",
        "ends_on": "2026-01-01",
    }
    r = api(org.kam_anna).post("/account-plans", bad)
    assert r.status_code == 422 and "ends_on" in r.content.decode()
    assert (
        api(org.kam_sigrid).post("/account-plans", {**bad, "client_id": world.anna.pk}).status_code
        == 404
    )
    r = api(org.regional_north).post(f"/account-plans/{plan.pk}/reviews", {"on": "2026-06-01"})
    assert r.status_code == 201
    assert api(org.kam_anna).post(f"/account-plans/{plan.pk}/reviews", {}).status_code == 403
    r = api(org.kam_anna).patch(f"/account-plans/goals/{plan.goals.get().pk}", {"text": "a\x00b"})
    assert r.status_code == 422
    assert not PlanPendingChange.objects.filter(plan=plan).exists()
