"""Reads of promotions (SP-4), scoped by user: the programmes that touch a client the user may
see, and a programme's effect over those clients, read from the ledger when asked.

The effect (``promotion_effect``), over whole months:

- the programme's months run from ``starts_on``'s month to ``ends_on``'s; a month is measured
  once it is over (its last day on or before ``as_of``);
- the pre-period is as many months, just before;
- the programme clients are the listed clients and the members of the listed segments, as far
  as the user sees them; the programme products are the listed products and those of the listed
  categories; every sum is of those products (``SalesLine``, base currency);
- the baseline is the programme clients' own trend: the least-squares line through their
  pre-period months, extrapolated (``rules.baseline``);
- the control group: clients the user sees, not in the programme, matched by
  ``rules.control_matches`` (same segment, else territory; pre-period turnover of every product,
  from ``ClientMonth``, within a factor of two; bought one of the programme's categories in the
  pre-period), compared by difference-in-differences (``rules.did_uplift``);
- the cost: the recorded cost, else for an extra discount with a rate the discount computed
  from the ledger (``rules.discount_cost`` of the programme lines' net revenue); a user who sees
  only part of the programme's clients gets the recorded cost pro rata by clients;
- ROI = incremental income / cost, against the baseline and against the control group.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from kam.catalog.models import Product, ProductCategory
from kam.clients.models import Account
from kam.core.bounds import MAX_ID, as_of_or_today
from kam.core.periods import add_months, month_last_day, month_range
from kam.org.selectors import visible_owner_filter
from kam.promotions import rules
from kam.promotions.models import Promotion
from kam.sales.models import ClientMonth, SalesLine

ZERO = Decimal("0")

__all__ = [
    "Effect",
    "EffectMonth",
    "Measure",
    "promotion_effect",
    "promotion_get",
    "promotion_list",
]


def _visible_promotion_ids(user):
    """The programmes touching a client ``user`` sees (listed, or in a listed segment), and
    their own proposals, as a subquery; None: every programme."""
    q = visible_owner_filter(user)
    if q is None:
        return None
    clients = Account.objects.filter(q)
    listed = Promotion.accounts.through.objects.filter(account__in=clients).values("promotion_id")
    by_segment = Promotion.segments.through.objects.filter(
        territory__segment_accounts__in=clients
    ).values("promotion_id")
    return Q(pk__in=listed) | Q(pk__in=by_segment) | Q(proposed_by=user)


def promotion_list(*, user, status: str | None = None) -> QuerySet[Promotion]:
    """The programmes ``user`` may see, the latest first."""
    qs = Promotion.objects.select_related("proposed_by", "approved_by")
    if not user.is_authenticated:
        return qs.none()
    q = _visible_promotion_ids(user)
    if q is not None:
        qs = qs.filter(q)
    if status:
        qs = qs.filter(status=status)
    return qs


def promotion_get(*, user, pk) -> Promotion:
    """One programme the user may see; 404 alike for a missing one and one not theirs."""
    if not isinstance(pk, int) or not 0 < pk <= MAX_ID:
        raise Http404(_("Not found."))
    promotion = (
        promotion_list(user=user)
        .prefetch_related("products", "categories", "accounts", "segments")
        .filter(pk=pk)
        .first()
    )
    if promotion is None:
        raise Http404(_("Not found."))
    return promotion


# --- the effect ----------------------------------------------------------------------------------


@dataclass
class Measure:
    """One quantity (turnover or income) of the programme clients over the measured months."""

    actual: Decimal
    baseline: Decimal
    vs_baseline: Decimal  # actual - baseline
    control: Decimal | None  # the control group's, scaled to the programme's clients
    vs_control: Decimal | None  # difference-in-differences


@dataclass
class EffectMonth:
    month: date
    in_programme: bool
    actual: Decimal | None  # None: not over yet
    baseline: Decimal | None  # programme months only
    control: Decimal | None  # scaled to the programme's clients; None without a group


@dataclass
class Effect:
    promotion: Promotion
    as_of: date
    currency: str
    months: list[date]  # the programme's
    measured: list[date]  # of them, those over by as_of
    pre_months: list[date]
    clients: int  # programme clients the user sees
    client_ids: list[int]  # which
    clients_total: int  # all programme clients
    matched: int  # programme clients with at least one control client
    control_size: int
    control_ids: list[int]
    turnover: Measure
    income: Measure
    cost: Decimal | None
    cost_source: str  # recorded | computed | none
    roi_vs_baseline: Decimal | None
    roi_vs_control: Decimal | None
    series: list[EffectMonth] = field(default_factory=list)

    @property
    def partial(self) -> bool:
        return self.clients < self.clients_total


def _programme_clients(promotion: Promotion) -> QuerySet[Account]:
    segments = Promotion.segments.through.objects.filter(promotion_id=promotion.pk).values(
        "territory_id"
    )
    return Account.objects.filter(Q(promotions=promotion) | Q(segment_id__in=segments)).distinct()


def _sum(values) -> Fraction:
    return sum((Fraction(v) for v in values), Fraction(0))


def _measure(
    *,
    treated: dict[date, Decimal],
    control: dict[date, Decimal],
    pre: list[date],
    measured: list[date],
    programme: list[date],
    n_treated: int,
    n_control: int,
) -> tuple[Measure, list[Decimal]]:
    t_pre = [treated.get(m, ZERO) for m in pre]
    t_post = [treated.get(m, ZERO) for m in measured]
    trend = rules.baseline(t_pre, len(programme))
    actual = rules.cents(_sum(t_post))
    base = rules.cents(_sum(trend[: len(measured)]))
    did = control_scaled = None
    if n_control and n_treated and measured:
        did = rules.did_uplift(
            treated_pre=t_pre,
            treated_post=t_post,
            control_pre=[control.get(m, ZERO) for m in pre],
            control_post=[control.get(m, ZERO) for m in measured],
            treated_size=n_treated,
            control_size=n_control,
        )
        scale = Fraction(n_treated, n_control)
        control_scaled = rules.cents(_sum(control.get(m, ZERO) for m in measured) * scale)
    return Measure(actual, base, actual - base, control_scaled, did), trend


def promotion_effect(*, user, promotion: Promotion, as_of: date | None = None) -> Effect:
    """The programme's effect over the clients ``user`` sees, as of ``as_of`` (see the module's
    docstring). A fixed number of queries, whatever the number of clients and months."""
    from kam.core.selectors import company_settings

    as_of = as_of_or_today(as_of)
    programme = month_range(promotion.starts_on, promotion.ends_on)
    first = programme[0]
    pre = [add_months(first, i - len(programme)) for i in range(len(programme))]
    measured = [m for m in programme if month_last_day(m) <= as_of]
    last_month = measured[-1] if measured else None

    # The products, and the categories the control group must have bought.
    product_rows = list(
        Product.objects.filter(Q(promotions=promotion) | Q(category__promotions=promotion))
        .distinct()
        .values_list("pk", "category_id")
    )
    product_ids = sorted({pk for pk, _c in product_rows})
    categories = {c for _p, c in product_rows if c is not None}
    categories |= set(
        ProductCategory.objects.filter(promotions=promotion).values_list("pk", flat=True)
    )

    visible = Account.objects.visible_to(user)
    all_clients = _programme_clients(promotion)
    treated_rows = list(
        all_clients.filter(pk__in=visible.values("pk")).values_list(
            "pk", "segment_id", "territory_id"
        )
    )
    treated_ids = [r[0] for r in treated_rows]
    clients_total = all_clients.count()

    # Candidates: visible clients outside the programme who bought its categories before it.
    bought: dict[int, tuple[int | None, int | None, set[int]]] = {}
    for account_id, category_id, segment_id, territory_id in (
        SalesLine.objects.filter(
            month__gte=pre[0],
            month__lte=pre[-1],
            quantity__gt=0,
            product__category_id__in=sorted(categories),
            account__in=visible.values("pk"),
        )
        .exclude(account__in=all_clients.values("pk"))
        .values_list("account_id", "product__category_id", "account__segment_id",
                     "account__territory_id")
        .distinct()
    ):  # fmt: skip
        bought.setdefault(account_id, (segment_id, territory_id, set()))[2].add(category_id)
    pre_turnover = dict(
        ClientMonth.objects.filter(
            month__gte=pre[0], month__lte=pre[-1], account_id__in=[*treated_ids, *bought]
        )
        .values("account_id")
        .annotate(total=Sum("revenue"))
        .values_list("account_id", "total")
    )
    treated = [
        rules.Candidate(pk, seg, ter, pre_turnover.get(pk, ZERO)) for pk, seg, ter in treated_rows
    ]
    candidates = [
        rules.Candidate(pk, seg, ter, pre_turnover.get(pk, ZERO), frozenset(cats))
        for pk, (seg, ter, cats) in bought.items()
    ]
    matches = rules.control_matches(treated, candidates, categories=categories)
    control_ids = sorted({c for ids in matches.values() for c in ids})
    control_set = set(control_ids)

    # The programme products' monthly sums of both groups, and the programme lines' revenue.
    sums = {
        "treated": ({}, {}),
        "control": ({}, {}),
    }  # group -> (turnover by month, income by month)
    programme_revenue = ZERO
    period_end = min(promotion.ends_on, as_of)
    rows = (
        SalesLine.objects.filter(
            month__gte=pre[0],
            month__lte=programme[-1],
            product_id__in=product_ids,
            account_id__in=[*treated_ids, *control_ids],
        )
        .values("account_id", "month")
        .annotate(
            turnover=Sum("revenue_base"),
            income=Sum(F("revenue_base") - F("cost_base"), filter=Q(cost_known=True)),
            in_period=Sum(
                "revenue_base", filter=Q(date__gte=promotion.starts_on, date__lte=period_end)
            ),
        )
        .values_list("account_id", "month", "turnover", "income", "in_period")
    )
    for account_id, month, turnover, income, in_period in rows:
        group = "control" if account_id in control_set else "treated"
        if group == "treated":
            programme_revenue += in_period or ZERO
        by_turnover, by_income = sums[group]
        by_turnover[month] = by_turnover.get(month, ZERO) + (turnover or ZERO)
        by_income[month] = by_income.get(month, ZERO) + (income or ZERO)

    kw = {
        "pre": pre,
        "measured": measured,
        "programme": programme,
        "n_treated": len(treated_ids),
        "n_control": len(control_ids),
    }
    turnover, trend = _measure(treated=sums["treated"][0], control=sums["control"][0], **kw)
    income, _trend = _measure(treated=sums["treated"][1], control=sums["control"][1], **kw)

    cost, source = _cost(promotion, programme_revenue, len(treated_ids), clients_total)
    scale = Fraction(len(treated_ids), len(control_ids)) if control_ids else None
    series = []
    for i, month in enumerate([*pre, *programme]):
        in_programme = i >= len(pre)
        over = month_last_day(month) <= as_of
        series.append(
            EffectMonth(
                month=month,
                in_programme=in_programme,
                actual=rules.cents(sums["treated"][0].get(month, ZERO)) if over else None,
                baseline=trend[i - len(pre)] if in_programme else None,
                control=rules.cents(Fraction(sums["control"][0].get(month, ZERO)) * scale)
                if over and scale is not None
                else None,
            )
        )
    return Effect(
        promotion=promotion,
        as_of=as_of,
        currency=company_settings().base_currency,
        months=programme,
        measured=measured if last_month else [],
        pre_months=pre,
        clients=len(treated_ids),
        client_ids=sorted(treated_ids),
        clients_total=clients_total,
        matched=sum(1 for ids in matches.values() if ids),
        control_size=len(control_ids),
        control_ids=control_ids,
        turnover=turnover,
        income=income,
        cost=cost,
        cost_source=source,
        roi_vs_baseline=rules.roi(income.vs_baseline, cost),
        roi_vs_control=rules.roi(income.vs_control, cost),
        series=series,
    )


def _cost(
    promotion: Promotion, programme_revenue: Decimal, seen: int, total: int
) -> tuple[Decimal | None, str]:
    if promotion.cost is not None:
        if total and seen < total:
            return rules.cents(Fraction(promotion.cost) * Fraction(seen, total)), "recorded"
        return promotion.cost, "recorded"
    if promotion.kind == Promotion.Kind.EXTRA_DISCOUNT and promotion.discount_percent:
        return rules.discount_cost(programme_revenue, promotion.discount_percent), "computed"
    return None, "none"
