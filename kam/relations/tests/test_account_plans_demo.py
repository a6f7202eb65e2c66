"""The demo's account plans on a small demo company: the key clients get plans at different
levels, with goals, actions (some overdue), reviews and a pending change or two."""

import random
from datetime import date

import pytest
from django.db import transaction

from kam.demo.generator.build import build_demo
from kam.demo.generator.plan import history_months
from kam.relations import selectors_plans
from kam.relations.demo_plans import MAX_PLANS, populate_account_plans_demo
from kam.relations.models import (
    AccountPlan,
    PlanAction,
    PlanGoal,
    PlanLevelChange,
    PlanPendingChange,
    PlanReview,
)

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(scale=0.05, seed=5, today=TODAY, password="demo-pass-1")
        AccountPlan.objects.all().delete()  # whatever the build wrote: count ours alone
        written = populate_account_plans_demo(
            rng=random.Random(13),
            people=result.people,
            today=TODAY,
            start=history_months(TODAY)[0],
        )
        yield result, written
        transaction.set_rollback(True)


def test_plans_at_different_levels(demo):
    _result, written = demo
    plans = AccountPlan.objects.count()
    assert 4 <= plans <= MAX_PLANS
    assert len(set(AccountPlan.objects.values_list("level", flat=True))) >= 3
    assert written == (
        plans
        + PlanLevelChange.objects.count()
        + PlanGoal.objects.count()
        + PlanAction.objects.count()
        + PlanReview.objects.count()
        + PlanPendingChange.objects.count()
    )
    assert all(p.budget > 0 and p.status == "active" for p in AccountPlan.objects.all())


def test_actions_done_and_overdue_reviews_and_pending(demo):
    assert PlanAction.objects.filter(done_on__isnull=False).exists()
    assert PlanAction.objects.filter(done_on__isnull=True, due_on__lt=TODAY).exists()
    assert PlanReview.objects.exists()
    assert 1 <= PlanPendingChange.objects.filter(status="pending").count() <= 2
    for plan in AccountPlan.objects.all():
        assert plan.owner_id == plan.account.owner_id


def test_the_manager_sees_health_and_what_waits(demo):
    result, _written = demo
    director = result.people["director"]
    plan = AccountPlan.objects.order_by("pk").first()
    view = selectors_plans.plan_detail(user=director, plan=plan, as_of=TODAY)
    assert view.health.score is not None and len(view.health.reasons) == 4
    assert selectors_plans.pending_for(user=director).count() >= 1
