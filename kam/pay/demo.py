"""The demo company's pay (issue 10 §6): two schemes, one on invoiced turnover with bands of
12 % up to 50 000 and 5 % above, one on paid income, assigned to the demo KAMs in turn, and
their statements for the past months through the services: approved by their head (or the
director), the older ones locked. Runs after the plans demo, so the cuts read real plans."""

import random
from datetime import date
from decimal import Decimal

from kam.core.selectors import company_settings
from kam.org.models import Role, User
from kam.pay import services
from kam.plans.rules import MONTH, period_containing

MONTHS = 6  # the past months with statements
OPEN_MONTHS = 2  # the latest of them stay approved, the older ones are locked


def _approver(kam: User, director: User) -> User:
    manager = kam.manager
    while manager is not None and manager.role not in {Role.HEAD, Role.DIRECTOR}:
        manager = manager.manager
    return manager or director


def populate_pay_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's pay; returns the number of statements."""
    director = next((u for u in people.values() if u.role == Role.DIRECTOR), None)
    kams = sorted((u for u in people.values() if u.role == Role.KAM), key=lambda u: u.username)
    if director is None or not kams:
        return 0
    fiscal = company_settings().fiscal_year_start_month
    invoiced = services.scheme_create(
        actor=director,
        name="Key accounts: invoiced turnover",
        fixed_amount=Decimal("1800"),
        basis="turnover",
        earned_on="invoiced",
        bands=[[50000, 12], [None, 5]],
        cuts={
            "turnover": [[80, 50], [90, 30]],
            "active_clients": [[95, 10]],
            "new_clients": [[50, 5]],
        },
    )
    paid = services.scheme_create(
        actor=director,
        name="Key accounts: paid income",
        fixed_amount=Decimal("1500"),
        basis="income",
        earned_on="paid",
        bands=[[20000, 20], [None, 10]],
        cuts={"turnover": [[90, 30]], "income": [[90, 20]], "active_clients": [[95, 10]]},
    )
    first = period_containing(start, MONTH, fiscal)
    current = period_containing(today, MONTH, fiscal)
    periods = []
    p = current
    for _i in range(MONTHS):
        p = p.previous()
        if p.starts_on < first.starts_on:
            break
        periods.append(p)
    periods.reverse()
    order = kams[:]
    rng.shuffle(order)
    for i, kam in enumerate(order):
        services.scheme_assign(
            actor=director, person=kam, scheme=paid if i % 2 else invoiced, starts=first
        )
    count = 0
    for n, period in enumerate(periods):
        lock = n < len(periods) - OPEN_MONTHS
        for kam in kams:
            s = services.statement_prepare(actor=director, person=kam, period=period, as_of=today)
            services.statement_approve(actor=_approver(kam, director), statement=s)
            if lock:
                services.statement_lock(actor=director, statement=s)
            count += 1
    return count
