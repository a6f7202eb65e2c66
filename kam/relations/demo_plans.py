"""Account plans of the demo company (issue 11 §10, AC-12): a plan for each of the clients with
the highest turnover in the last 12 months (the key clients, without asking the radar), at
different development levels, with goals, actions (some done, some overdue), reviews with the
manager and a pending change or two the manager has still to decide.

Written through the services (a few hundred rows), so the level's rules, the bounds and the
audit hold as in production. Same rng, same data.
"""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from kam.clients.models import Account
from kam.core.money import quantize
from kam.core.periods import add_months, month_of
from kam.org.models import User
from kam.org.policy import Action, can
from kam.relations.models import DevelopmentLevel, PlanPendingChange, Profile
from kam.relations.services_plans import (
    account_plan_create,
    account_plan_level_set,
    action_add,
    action_done,
    goal_add,
    goal_update,
    review_record,
)
from kam.sales.models import ClientMonth

MAX_PLANS = 12
LEVELS = [DevelopmentLevel.D1, DevelopmentLevel.D2, DevelopmentLevel.D3, DevelopmentLevel.D4]
GOALS = [
    ("Grow the turnover by a tenth", "EUR"),
    ("List the new infusion line in the formulary", "products"),
    ("Move deliveries to EDI orders", "% of orders"),
    ("Train the ward nurses on the new line", "people"),
]
ACTIONS = [
    "Present the new line to the head of department",
    "Agree the annual volume and its bonus",
    "Invite the chief pharmacist to the spring congress",
    "Run a training for the ward nurses",
    "Prepare the tender documents with the tender team",
    "Set up EDI with the client's IT",
]
REVIEW_NOTES = [
    "On track; the volume talks are the next step.",
    "The listing is slower than planned: procurement rules changed.",
    "Good progress; keep the training dates.",
]


def _top_clients(today: date) -> list[Account]:
    this = month_of(today)
    ids = list(
        ClientMonth.objects.filter(month__gte=add_months(this, -12), month__lt=this)
        .values("account_id")
        .annotate(turnover=Sum("revenue"))
        .filter(turnover__gt=0)
        .order_by("-turnover", "account_id")
        .values_list("account_id", flat=True)[: MAX_PLANS * 2]
    )
    accounts = {a.pk: a for a in Account.objects.filter(pk__in=ids, owner__isnull=False)}
    return [accounts[i] for i in ids if i in accounts][:MAX_PLANS]


def _turnover(account: Account, today: date) -> Decimal:
    this = month_of(today)
    total = ClientMonth.objects.filter(
        account=account, month__gte=add_months(this, -12), month__lt=this
    ).aggregate(s=Sum("revenue"))["s"]
    return total or Decimal(0)


def _manager(owner: User, account: Account, director: User | None) -> User | None:
    for person in (owner.manager, director):
        if person and person.pk != owner.pk and can(person, Action.ACCOUNT_PLAN_APPROVE, account):
            return person
    return None


def populate_account_plans_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's account plans (see the module's docstring); the rows written."""
    director = next((u for u in people.values() if u.role == "director"), None)
    written = 0
    begin = max(start, today.replace(month=1, day=1))
    with transaction.atomic():
        for i, account in enumerate(_top_clients(today)):
            owner = account.owner
            if not can(owner, Action.ACCOUNT_PLAN_EDIT, account):
                continue
            manager = _manager(owner, account, director)
            level = LEVELS[i % len(LEVELS)]
            vip = (
                Profile.objects.filter(contact__account=account, is_kol=True)
                .select_related("contact")
                .first()
            )
            plan = account_plan_create(
                actor=None,
                account=account,
                title=f"{account.legal_name}: {today.year}",
                starts_on=begin,
                ends_on=begin.replace(month=12, day=31),
                owner=owner,
                person=vip.contact if vip and i % 3 == 0 else None,
                review_every_days=rng.choice([14, 30, 30, 60]),
                budget=Decimal(rng.choice([2000, 5000, 8000, 12000])),
                status="active",
            ).obj
            written += 1
            if manager is not None:
                on = max(begin, today - timedelta(days=rng.randint(20, 90)))
                account_plan_level_set(
                    actor=manager, plan=plan, level=level, on=min(on, today), reason=""
                )
                written += 1
            goals = []
            turnover = _turnover(account, today)
            elapsed = max(1, (today - begin).days) / 365
            for text, measure in rng.sample(GOALS, rng.randint(2, 3)):
                if measure == "EUR":
                    target = quantize(turnover * Decimal("1.1"))
                    current = quantize(
                        turnover * Decimal(str(round(elapsed * rng.uniform(0.7, 1.2), 3)))
                    )
                else:
                    target = Decimal(rng.choice([1, 10, 25, 80]))
                    current = quantize(target * Decimal(str(round(rng.uniform(0.1, 0.9), 2))))
                status = rng.choices(
                    ["on_track", "at_risk", "done", "missed"], weights=[55, 25, 12, 8]
                )[0]
                goals.append(
                    goal_add(
                        actor=None,
                        plan=plan,
                        text=text,
                        measure=measure,
                        target_value=target,
                        current_value=current,
                        due_on=plan.ends_on,
                        status=status,
                    ).obj
                )
            written += len(goals)
            for text in rng.sample(ACTIONS, rng.randint(3, 5)):
                due = begin + timedelta(days=rng.randint(15, 330))
                item = action_add(
                    actor=None,
                    plan=plan,
                    text=text,
                    owner=owner,
                    due_on=due,
                    goal=rng.choice(goals),
                    cost=Decimal(rng.choice([0, 150, 400, 900, 1500])),
                ).obj
                written += 1
                if due < today and rng.random() < 0.65:  # done; the rest of the past: overdue
                    action_done(actor=None, action=item, done_on=min(today, due))
            if manager is not None:
                last = today - timedelta(days=rng.randint(3, 40))
                days = [last - timedelta(days=plan.review_every_days * n) for n in range(3)]
                for on in sorted(d for d in days[: rng.randint(1, 3)] if d >= begin):
                    review_record(actor=manager, plan=plan, on=on, notes=rng.choice(REVIEW_NOTES))
                    written += 1
            plan.refresh_from_db()
            # A KAM below D3 proposes a better figure: it waits for the manager.
            pending = PlanPendingChange.objects.filter(status="pending").count()
            if manager is not None and level in ("D1", "D2") and pending < 2 and goals:
                goal = goals[0]
                goal_update(
                    actor=owner, goal=goal, current_value=quantize(goal.current_value * 2 + 1)
                )
                written += 1
    return written
