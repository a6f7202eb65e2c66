"""Plans for the demo company: 24 months of monthly plans for the company, each department
and each KAM, written through ``plan_set`` (audited, the cascade's parents set).

A KAM's plan is the fact the ledger credits them with in that month times a factor in
0.85..1.15 (each KAM leans one way, so some are mostly over their plans and some under); a
department's plan is the sum of the plans of the KAMs in its subtree, the company's the sum
of all, so every split adds up. Same rng, same plans."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from kam.core.periods import add_months, month_last_day, month_of, months_between
from kam.org.models import Department, Role, User
from kam.plans import rules
from kam.plans.selectors import _Index, fact_table, plan_settings
from kam.plans.services import plan_set

MONTHS = 24
HUNDRED = Decimal("100")


def _factor(rng, lean: float) -> Decimal:
    value = min(1.15, max(0.85, lean + rng.uniform(-0.06, 0.06)))
    return Decimal(str(round(value, 3)))


def _count(value: int, factor: Decimal) -> int:
    return int((Decimal(value) * factor).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _total(plans: dict, members) -> dict:
    out = {rules.TURNOVER: Decimal(0), rules.ACTIVE_CLIENTS: 0, rules.NEW_CLIENTS: 0}
    for pk in members:
        for m in out:
            out[m] += plans[pk][m]
    return out


def populate_plans_demo(*, rng, people: dict[str, User], today: date, start: date) -> int:
    """Write the plans; ``people``: username -> User; the months from ``start``'s (at most
    24 back from ``today``'s) to ``today``'s. Returns how many plans were written."""
    director = next(
        (u for u in people.values() if u.role == Role.DIRECTOR and u.is_active), None
    ) or next((u for u in people.values() if u.is_superuser), None)
    if director is None:
        return 0
    kams = sorted(
        (u for u in people.values() if u.role == Role.KAM and u.is_active), key=lambda u: u.pk
    )
    lean = {u.pk: rng.uniform(0.88, 1.12) for u in kams}
    departments = list(Department.objects.order_by("path"))
    settings = plan_settings()
    first = max(month_of(start), add_months(month_of(today), -(MONTHS - 1)))
    written = 0
    for i in range(months_between(first, today)):
        month = add_months(first, i)
        period = rules.Period(rules.MONTH, month)
        index = _Index(
            fact_table(first=month, last=month_last_day(month), settings=settings), settings
        )
        plans = {}
        for kam in kams:
            fact = index.person(kam.pk)
            factor = _factor(rng, lean[kam.pk])
            turnover = (max(fact[rules.TURNOVER], Decimal(0)) * factor / HUNDRED).quantize(
                Decimal("1"), rounding=ROUND_HALF_UP
            ) * HUNDRED
            plans[kam.pk] = {
                rules.TURNOVER: turnover,
                rules.ACTIVE_CLIENTS: _count(fact[rules.ACTIVE_CLIENTS], factor),
                rules.NEW_CLIENTS: _count(fact[rules.NEW_CLIENTS], factor),
            }

        units = [{"level": "company", **_total(plans, plans)}]
        for dept in departments:
            members = [
                k.pk for k in kams if k.department_id and k.department.path.startswith(dept.path)
            ]
            if members:
                units.append({"level": "department", "department": dept, **_total(plans, members)})
        units += [{"level": "person", "person": kam, **plans[kam.pk]} for kam in kams]
        for unit in units:
            plan_set(actor=director, period=period, confirm_over=True, **unit)
        written += len(units)
    return written
