"""Account plan pages, each with the user who may and the one who must not."""

from datetime import date
from decimal import Decimal

import pytest

from kam.relations.models import PlanAction, PlanGoal, PlanPendingChange, PlanReview
from kam.relations.selectors_plans import client_panel, home_panel
from kam.relations.services_plans import (
    account_plan_create,
    account_plan_level_set,
    action_add,
    goal_add,
    goal_update,
)

pytestmark = pytest.mark.django_db


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
        measure="EUR",
        target_value="100000",
        current_value="25000",
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


def test_the_list(org, plan, login):
    page = login(org.kam_anna).get("/relations/account-plans/")
    assert page.status_code == 200
    assert "Aurora 2026" in page.content.decode()
    page = login(org.kam_sigrid).get("/relations/account-plans/")
    assert page.status_code == 200 and "Aurora 2026" not in page.content.decode()
    assert (
        "Aurora 2026"
        in login(org.regional_north)
        .get("/relations/account-plans/?level=D1&status=draft")
        .content.decode()
    )
    assert (
        "Aurora 2026"
        not in login(org.regional_north).get("/relations/account-plans/?level=D4").content.decode()
    )


def test_the_detail_with_health_chart_and_no_inline_script(org, plan, login):
    page = login(org.kam_anna).get(f"/relations/account-plans/{plan.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Grow turnover" in text and 'id="plans-goals-data"' in text
    assert "1 of 1 goal is on track or done." in text
    assert 'id="plans-goal-form"' in text  # the KAM may propose
    assert 'id="plans-level-form"' not in text  # but not set her own level
    assert "relations/plans.js" in text
    assert "<script>" not in text  # CSP: json_script blocks only carry a type
    manager = login(org.regional_north).get(f"/relations/account-plans/{plan.pk}/").content
    assert b'id="plans-level-form"' in manager and b'id="plans-review-form"' in manager
    for other in (org.kam_sigrid, org.kam_boris):
        assert login(other).get(f"/relations/account-plans/{plan.pk}/").status_code == 404


def test_a_d1_kams_goal_waits_and_the_manager_approves_on_the_page(org, plan, login):
    goal = plan.goals.get()
    c = login(org.kam_anna)
    r = c.post(
        f"/relations/account-plans/goals/{goal.pk}/",
        {
            "text": goal.text,
            "measure": "EUR",
            "target_value": "150000",
            "current_value": "25000",
            "due_on": "2026-12-31",
            "status": "on_track",
        },
    )
    assert r.status_code == 302
    goal.refresh_from_db()
    assert goal.target_value == Decimal("100000")  # waits
    change = PlanPendingChange.objects.get(plan=plan)
    assert change.fields == {"target_value": "150000.00"}
    assert c.post(f"/relations/account-plans/pending/{change.pk}/approve/").status_code == 403
    m = login(org.regional_north)
    assert b"150000.00" in m.get("/relations/account-plans/pending/").content
    r = m.post(f"/relations/account-plans/pending/{change.pk}/approve/", {"next": "pending"})
    assert r.status_code == 302 and r["Location"] == "/relations/account-plans/pending/"
    goal.refresh_from_db()
    assert goal.target_value == Decimal("150000")


def test_the_manager_refuses_on_the_page(org, plan, login):
    goal = plan.goals.get()
    change = goal_update(actor=org.kam_anna, goal=goal, current_value="1").pending
    assert (
        login(org.kam_sigrid)
        .post(f"/relations/account-plans/pending/{change.pk}/refuse/")
        .status_code
        == 404
    )
    r = login(org.regional_north).post(
        f"/relations/account-plans/pending/{change.pk}/refuse/", {"note": "Not yet"}
    )
    assert r.status_code == 302
    change.refresh_from_db()
    goal.refresh_from_db()
    assert (change.status, change.decision_note, goal.current_value) == (
        "refused",
        "Not yet",
        Decimal("25000"),
    )


def test_the_level_form_is_the_managers(org, plan, login):
    c = login(org.kam_anna)
    assert c.get(f"/relations/account-plans/{plan.pk}/level/").status_code == 403
    assert c.post(f"/relations/account-plans/{plan.pk}/level/", {"level": "D4"}).status_code == 403
    assert (
        login(org.kam_sigrid).get(f"/relations/account-plans/{plan.pk}/level/").status_code == 404
    )
    m = login(org.regional_north)
    assert m.get(f"/relations/account-plans/{plan.pk}/level/").status_code == 200
    r = m.post(f"/relations/account-plans/{plan.pk}/level/", {"level": "D2", "reason": "Learning"})
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.level == "D2"


def test_a_d2_kam_marks_an_action_done_on_the_page(org, plan, login):
    account_plan_level_set(actor=org.regional_north, plan=plan, level="D2")
    item = plan.actions.get()
    assert (
        login(org.kam_sigrid).post(f"/relations/account-plans/actions/{item.pk}/done/").status_code
        == 404
    )
    r = login(org.kam_anna).post(f"/relations/account-plans/actions/{item.pk}/done/")
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.done_on is not None and item.progress == 100


def test_goal_and_action_forms(org, plan, login):
    account_plan_level_set(actor=org.regional_north, plan=plan, level="D4")
    c = login(org.kam_anna)
    r = c.post(
        f"/relations/account-plans/{plan.pk}/goals/",
        {
            "text": "Second line listed",
            "target_value": "1",
            "current_value": "0",
            "due_on": "2026-10-01",
            "status": "on_track",
        },
    )
    assert r.status_code == 302 and PlanGoal.objects.filter(text="Second line listed").exists()
    r = c.post(
        f"/relations/account-plans/{plan.pk}/actions/",
        {"text": "Trip", "owner": org.kam_anna.pk, "due_on": "2026-10-01", "cost": "5000"},
        follow=True,
    )
    assert PlanAction.objects.filter(text="Trip").exists()
    assert "past the budget" in r.content.decode()
    # bad input: 400 with the message, nothing changed
    r = c.post(
        f"/relations/account-plans/{plan.pk}/goals/",
        {
            "text": "Old",
            "target_value": "1",
            "current_value": "0",
            "due_on": "1990-01-01",
            "status": "on_track",
        },
    )
    assert r.status_code == 400 and "outside the allowed dates" in r.content.decode()
    assert not PlanGoal.objects.filter(text="Old").exists()
    other = login(org.kam_sigrid)
    assert other.post(f"/relations/account-plans/{plan.pk}/goals/", {}).status_code == 404
    assert (
        other.get(f"/relations/account-plans/actions/{plan.actions.first().pk}/").status_code == 404
    )


def test_create_a_plan_and_record_a_review(org, world, plan, login):
    c = login(org.kam_anna)
    assert c.get(f"/relations/account-plans/new/?client={world.anna.pk}").status_code == 200
    assert c.get(f"/relations/account-plans/new/?client={world.sigrid.pk}").status_code == 404
    r = c.post(
        "/relations/account-plans/new/",
        {
            "client": world.anna.pk,
            "title": "Head's project",
            "person": world.head.pk,
            "starts_on": "2026-01-01",
            "ends_on": "2026-06-30",
            "review_every_days": "14",
            "status": "active",
            "budget": "0",
        },
    )
    assert r.status_code == 302
    assert world.anna.account_plans.filter(title="Head's project", person=world.head).exists()
    assert login(org.credit).get("/relations/account-plans/new/").status_code == 403
    assert (
        login(org.kam_anna)
        .post(f"/relations/account-plans/{plan.pk}/reviews/", {"on": "2026-06-01"})
        .status_code
        == 403
    )
    r = login(org.regional_north).post(
        f"/relations/account-plans/{plan.pk}/reviews/", {"on": "2026-06-01", "notes": "OK"}
    )
    assert r.status_code == 302 and PlanReview.objects.filter(plan=plan).count() == 1


def test_panels(org, world, plan):
    panel = client_panel(user=org.kam_anna, account=world.anna, as_of=date(2026, 6, 1))
    [(row, score)] = panel["plans_rows"]
    # goals 1/1 on track (40 of 40), actions 1 overdue of 1 (0 of 25): 40/65 -> 62
    assert row == plan and score == 62
    assert client_panel(user=org.kam_sigrid, account=world.anna) is None
    goal_update(actor=org.kam_anna, goal=plan.goals.get(), current_value="1")
    home = home_panel(user=org.regional_north, as_of=date(2026, 12, 1))
    assert home["plans_pending_count"] == 1
    assert home_panel(user=org.kam_anna, as_of=date(2026, 12, 1)) is None
    assert home_panel(user=org.head_south, as_of=date(2026, 12, 1)) is None


def test_the_list_makes_the_same_queries_whatever_its_length(org, world, plan, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = login(org.regional_north)
    c.get("/relations/account-plans/")
    with CaptureQueriesContext(connection) as one:
        assert c.get("/relations/account-plans/").status_code == 200
    for n in range(3):
        account_plan_create(
            actor=org.regional_north,
            account=world.boris,
            title=f"Bora {n}",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
        )
    with CaptureQueriesContext(connection) as four:
        page = c.get("/relations/account-plans/")
    assert all(f">Bora {n}<" in page.content.decode() for n in range(3))
    assert len(four) == len(one)
