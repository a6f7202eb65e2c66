"""Account plans' services: what each development level lets the KAM change alone, what waits
for the manager, the manager's approval and refusal, and the refusals that change nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.core.models import AuditEntry
from kam.relations.models import AccountPlan, PlanAction, PlanGoal, PlanPendingChange
from kam.relations.services_plans import (
    ALONE,
    account_plan_create,
    account_plan_level_set,
    account_plan_update,
    action_add,
    action_done,
    action_update,
    budget_set,
    goal_add,
    goal_update,
    pending_approve,
    pending_refuse,
    review_record,
)

pytestmark = pytest.mark.django_db


def make_plan(org, world, level=None, budget="1000"):
    plan = account_plan_create(
        actor=org.regional_north,
        account=world.anna,
        title="Aurora 2026",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        budget=budget,
    ).obj
    if level:
        account_plan_level_set(actor=org.regional_north, plan=plan, level=level)
    goal = goal_add(
        actor=org.regional_north,
        plan=plan,
        text="Grow turnover",
        measure="EUR",
        target_value="100000",
        due_on=date(2026, 12, 31),
    ).obj
    action = action_add(
        actor=org.regional_north,
        plan=plan,
        text="Present the new line to the head",
        owner=org.kam_anna,
        due_on=date(2026, 3, 1),
        goal=goal,
        cost="200",
    ).obj
    plan.refresh_from_db()
    return plan, goal, action


def test_the_level_table():
    assert ALONE["D1"] == frozenset()
    assert ALONE["D2"] == {"action_progress"}
    assert ALONE["D3"] == {"action_progress", "actions", "goal_progress"}
    assert ALONE["D4"] >= {"budget", "goals", "plan", "actions"}


def test_a_new_plan_is_d1_with_its_kam_and_base_currency(org, world):
    result = account_plan_create(
        actor=org.kam_anna,
        account=world.anna,
        title="Aurora",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        budget="500",
    )
    plan = result.obj
    assert (plan.level, plan.owner, plan.currency, plan.budget) == ("D1", org.kam_anna, "EUR", 0)
    # the KAM's own budget waits for the manager
    assert result.status == "partly"
    assert result.pending.kind == "budget_set" and result.pending.fields == {"budget": "500.00"}
    assert AuditEntry.objects.filter(entity="relations.accountplan", entity_id=plan.pk).exists()


def test_a_d1_kams_change_waits_and_nothing_changes_until_approved(org, world):
    plan, goal, action = make_plan(org, world)
    assert plan.level == "D1"
    result = goal_update(actor=org.kam_anna, goal=goal, current_value="40000")
    assert result.status == "pending"
    goal.refresh_from_db()
    assert goal.current_value == 0
    added = action_add(
        actor=org.kam_anna, plan=plan, text="Dinner", owner=org.kam_anna, due_on=date(2026, 4, 1)
    )
    assert added.status == "pending" and added.obj is None
    assert PlanAction.objects.filter(plan=plan).count() == 1
    done = action_done(actor=org.kam_anna, action=action, done_on=date(2026, 2, 20))
    assert done.status == "pending"
    action.refresh_from_db()
    assert action.done_on is None
    assert plan.pending.filter(status="pending").count() == 3
    # the manager approves: applied now
    applied = pending_approve(actor=org.regional_north, change=result.pending)
    goal.refresh_from_db()
    assert goal.current_value == Decimal("40000") and applied.applied == ["current_value"]
    pending_approve(actor=org.regional_north, change=added.pending)
    assert PlanAction.objects.filter(plan=plan, text="Dinner").exists()
    result.pending.refresh_from_db()
    assert (result.pending.status, result.pending.decided_by) == ("approved", org.regional_north)


def test_a_d4_kams_change_applies_at_once(org, world):
    plan, goal, _action = make_plan(org, world, level="D4")
    result = goal_update(actor=org.kam_anna, goal=goal, target_value="120000", current_value="5")
    assert result.status == "applied" and result.applied == ["current_value", "target_value"]
    goal.refresh_from_db()
    assert goal.target_value == Decimal("120000")
    assert budget_set(actor=org.kam_anna, plan=plan, budget="2000").status == "applied"
    plan.refresh_from_db()
    assert plan.budget == Decimal("2000")
    assert not plan.pending.exists()


def test_a_d2_kam_marks_an_action_done_but_a_target_waits(org, world):
    _plan, goal, action = make_plan(org, world, level="D2")
    done = action_done(actor=org.kam_anna, action=action, done_on=date(2026, 2, 20))
    assert done.status == "applied"
    action.refresh_from_db()
    assert (action.done_on, action.progress) == (date(2026, 2, 20), 100)
    target = goal_update(actor=org.kam_anna, goal=goal, target_value="150000")
    assert target.status == "pending"
    goal.refresh_from_db()
    assert goal.target_value == Decimal("100000")
    assert target.pending.before == {"target_value": "100000.00"}
    # a change of both groups is split: the progress applies, the due date waits
    mixed = action_update(actor=org.kam_anna, action=action, progress=90, due_on=date(2026, 5, 1))
    assert mixed.status == "partly" and mixed.applied == ["progress"]
    assert mixed.pending.fields == {"due_on": "2026-05-01"}
    # refused: nothing of it is applied
    pending_refuse(actor=org.regional_north, change=target.pending, note="Too ambitious")
    goal.refresh_from_db()
    target.pending.refresh_from_db()
    assert goal.target_value == Decimal("100000") and target.pending.status == "refused"
    with pytest.raises(ValidationError) as exc:
        pending_approve(actor=org.regional_north, change=target.pending)
    assert "status" in exc.value.error_dict


def test_a_d3_kam_changes_actions_and_current_values_not_targets_or_budget(org, world):
    plan, goal, action = make_plan(org, world, level="D3")
    assert action_update(actor=org.kam_anna, action=action, cost="300").status == "applied"
    assert goal_update(actor=org.kam_anna, goal=goal, status="at_risk").status == "applied"
    assert goal_update(actor=org.kam_anna, goal=goal, target_value="1").status == "pending"
    assert budget_set(actor=org.kam_anna, plan=plan, budget="5").status == "pending"
    plan.refresh_from_db()
    assert plan.budget == Decimal("1000")


def test_spending_past_the_budget_warns(org, world):
    plan, _goal, _action = make_plan(org, world, level="D3")
    result = action_add(
        actor=org.kam_anna,
        plan=plan,
        text="Congress trip",
        owner=org.kam_anna,
        due_on=date(2026, 9, 1),
        cost="900",
    )
    assert result.status == "applied"
    assert result.warnings == ["The actions cost 1100.00 EUR: 100.00 past the budget of 1000.00."]


def test_the_manager_sets_the_level_never_the_kam_on_her_own(org, world):
    plan, _goal, _action = make_plan(org, world)
    change = account_plan_level_set(
        actor=org.regional_north, plan=plan, level="D3", reason="Knows the client well"
    )
    plan.refresh_from_db()
    assert (plan.level, plan.level_set_by, change.from_level) == ("D3", org.regional_north, "D1")
    with pytest.raises(PermissionDenied):
        account_plan_level_set(actor=org.kam_anna, plan=plan, level="D4")
    with pytest.raises(Http404):
        account_plan_level_set(actor=org.head_south, plan=plan, level="D4")
    plan.refresh_from_db()
    assert plan.level == "D3"
    with pytest.raises(ValidationError) as exc:
        account_plan_level_set(actor=org.regional_north, plan=plan, level="D3")
    assert "level" in exc.value.error_dict


def test_no_level_or_approval_on_ones_own_plan(org, world):
    plan = account_plan_create(
        actor=org.regional_north,
        account=world.anna,
        title="Regional's own",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        owner=org.regional_north,
    ).obj
    with pytest.raises(PermissionDenied):
        account_plan_level_set(actor=org.regional_north, plan=plan, level="D4")
    # her own changes wait for her manager (the head), like anybody's at D1
    result = budget_set(actor=org.regional_north, plan=plan, budget="10")
    assert result.status == "pending"
    with pytest.raises(PermissionDenied):
        pending_approve(actor=org.regional_north, change=result.pending)
    pending_approve(actor=org.head_north, change=result.pending)
    plan.refresh_from_db()
    assert plan.budget == Decimal("10")


def test_another_kam_may_not_touch_the_plan(org, world):
    plan, goal, _action = make_plan(org, world)
    with pytest.raises(Http404):
        goal_update(actor=org.kam_sigrid, goal=goal, current_value="1")
    with pytest.raises(PermissionDenied):
        goal_update(actor=org.support_north, goal=goal, current_value="1")
    goal.refresh_from_db()
    assert goal.current_value == 0 and not plan.pending.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"due_on": date(1999, 1, 1)}, "due_on"),
        ({"text": "bad\x00"}, "text"),
        ({"target_value": "1000000000"}, "target_value"),
        ({"target_value": "-1"}, "target_value"),
        ({"status": "lost"}, "status"),
    ],
)
def test_bad_goal_input_is_refused_naming_the_field(org, world, data, field):
    plan, goal, _action = make_plan(org, world, level="D4")
    with pytest.raises(ValidationError) as exc:
        goal_update(actor=org.kam_anna, goal=goal, **data)
    assert field in exc.value.error_dict
    goal.refresh_from_db()
    assert goal.target_value == Decimal("100000") and not plan.pending.exists()


def test_bad_action_and_plan_input(org, world):
    plan, _goal, action = make_plan(org, world, level="D4")
    with pytest.raises(ValidationError) as exc:
        action_add(
            actor=org.kam_anna, plan=plan, text="x", owner=org.kam_sigrid, due_on=date(2026, 1, 2)
        )
    assert "owner" in exc.value.error_dict  # Sigrid does not see the client
    with pytest.raises(ValidationError) as exc:
        action_done(actor=org.kam_anna, action=action, done_on=date(2100, 1, 1))
    assert "done_on" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        account_plan_update(actor=org.kam_anna, plan=plan, ends_on=date(2025, 1, 1))
    assert "ends_on" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        budget_set(actor=org.kam_anna, plan=plan, budget="1.001")
    assert "budget" in exc.value.error_dict
    # a closed plan takes no more changes
    account_plan_update(actor=org.kam_anna, plan=plan, status="closed")
    with pytest.raises(ValidationError) as exc:
        budget_set(actor=org.kam_anna, plan=plan, budget="1")
    assert "plan" in exc.value.error_dict


def test_a_review_sets_the_next_one(org, world):
    plan, _goal, _action = make_plan(org, world)
    review = review_record(
        actor=org.regional_north, plan=plan, on=date(2026, 6, 1), notes="Good start"
    )
    plan.refresh_from_db()
    assert review.by == org.regional_north
    assert plan.next_review_on == date(2026, 7, 1)  # 30 days later
    with pytest.raises(PermissionDenied):
        review_record(actor=org.kam_anna, plan=plan)
    assert plan.reviews.count() == 1


def test_proposals_are_validated_before_they_wait(org, world):
    plan, _goal, action = make_plan(org, world)
    with pytest.raises(ValidationError):
        action_update(actor=org.kam_anna, action=action, owner=org.kam_boris)
    assert not PlanPendingChange.objects.filter(plan=plan).exists()
    assert AccountPlan.objects.get(pk=plan.pk).level == "D1"
    assert PlanGoal.objects.filter(plan=plan).count() == 1
