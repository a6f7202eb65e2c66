"""Reads for plans: the fact credited to the KAM who owned the client on the sale's day
(SP-2), and plan against fact."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from kam.core.selectors import single_row
from kam.plans import rules
from kam.plans.models import Plan, PlanSettings
from kam.plans.rules import MeasureResult, Period
from kam.sales.models import FirstPurchase, SalesLine

ZERO = Decimal("0")


def plan_settings() -> PlanSettings:
    return single_row(PlanSettings)


def attributed_lines(
    *, first: date, last: date, owner_ids: list[int] | None = None
) -> QuerySet[SalesLine]:
    """Ledger lines dated ``first``..``last``, each annotated with ``credited_to_id`` and
    ``credited_department_id``: the client's owner and department on the line's day, from
    the ownership history (kam.clients.models.AccountOwnership, half-open rows), so a
    reassignment does not move past results. ``owner_ids`` keeps the lines credited to those
    people. Not scoped by a reader: callers scope by who may see whose results."""
    on_the_day = Q(account__ownerships__started_on__lte=F("date")) & (
        Q(account__ownerships__ended_on__isnull=True)
        | Q(account__ownerships__ended_on__gt=F("date"))
    )
    if owner_ids is not None:
        on_the_day &= Q(account__ownerships__owner_id__in=owner_ids)
    # One filter() call, so every condition is on the same ownership row (one join), and the
    # annotations below reuse that join.
    return (
        SalesLine.objects.filter(date__gte=first, date__lte=last)
        .filter(on_the_day)
        .annotate(
            credited_to_id=F("account__ownerships__owner_id"),
            credited_department_id=F("account__ownerships__department_id"),
        )
    )


def person_fact(*, person_id: int, period: Period, as_of: date) -> dict[str, Decimal | int]:
    """Turnover, income, active clients and new clients credited to one person in ``period``
    up to ``as_of``."""
    last = min(period.ends_on, as_of)
    lines = attributed_lines(first=period.starts_on, last=last, owner_ids=[person_id])
    sums = lines.aggregate(
        turnover=Sum("revenue_base"),
        income=Sum(F("revenue_base") - F("cost_base"), filter=Q(cost_known=True)),
    )
    settings = plan_settings()
    active = (
        lines.filter(quantity__gt=0)
        .values("account_id")
        .annotate(documents=Count("document_number", distinct=True), turnover=Sum("revenue_base"))
        .filter(
            documents__gte=settings.active_min_documents,
            turnover__gte=settings.active_min_turnover,
        )
        .count()
    )
    # A new client is credited to whoever owned it on its first purchase ever.
    first_day = (
        FirstPurchase.objects.filter(account_id=OuterRef("account_id"))
        .order_by("first_date")
        .values("first_date")[:1]
    )
    new = (
        lines.filter(quantity__gt=0)
        .annotate(first_day=Subquery(first_day))
        .filter(date=F("first_day"))
        .values("account_id")
        .distinct()
        .count()
    )
    return {
        rules.TURNOVER: sums["turnover"] or ZERO,
        rules.INCOME: sums["income"] or ZERO,
        rules.ACTIVE_CLIENTS: active,
        rules.NEW_CLIENTS: new,
    }


def plan_results(*, person, period: Period, as_of: date | None = None) -> dict[str, MeasureResult]:
    """A person's own plan against the fact credited to them, per measure (pay's cuts read
    this). Not scoped by a reader: pay and the plan pages check who may see whom."""
    as_of = as_of or timezone.localdate()
    plan = Plan.objects.filter(
        level=Plan.Level.PERSON, person=person, kind=period.kind, starts_on=period.starts_on
    ).first()
    fact = person_fact(person_id=person.pk, period=period, as_of=as_of)
    out = {}
    for measure in rules.MEASURES:
        planned = getattr(plan, measure) if plan is not None else None
        out[measure] = MeasureResult(
            measure=measure,
            plan=planned,
            fact=fact[measure],
            percent=rules.percent_of(fact[measure], planned),
            forecast=None,
        )
    return out
