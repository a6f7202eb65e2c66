"""The demo company's promotion (issue 10 item 6): one approved extra-discount programme in the
past with a measurable uplift.

A head of department proposes it for half of the similar clients of one segment who bought one
product category (every other client by pre-period turnover, so the other half stays a natural
control group); the director approves it; during the programme its clients buy more of the
category: extra ledger lines written through ``kam.sales.services.sales_lines_write``, so the
effect is real in the data. The cost recorded is the extra discount on the programme's
invoices, the budget a round sum above it."""

import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Sum
from django.db.models.functions import Coalesce

from kam.catalog.models import Product, ProductCategory
from kam.clients.models import Account
from kam.core.periods import add_months, month_last_day
from kam.core.selectors import company_settings
from kam.org.models import Role, User
from kam.promotions import rules
from kam.promotions.models import Promotion
from kam.promotions.services import promotion_approve, promotion_propose, promotion_record_cost
from kam.sales.models import SalesLine
from kam.sales.services import LedgerLine, sales_lines_write

MONTHS = 3  # the programme's length (and its pre-period's)
ENDED_MONTHS_AGO = 2  # its last month, counted back from today's month
MAX_CLIENTS = 6
DISCOUNT = Decimal("5")  # % off the invoice price
MIN_LIFT, MAX_LIFT = Decimal("0.25"), Decimal("0.45")  # extra purchases, of the pre-period mean
CENT = Decimal("0.01")
# A group whose pre-period trend moves more than this share of its mean over the programme's
# months is taken only when no steadier group exists.
STEADY = Fraction(1, 5)


def _period(today: date, start: date) -> tuple[date, date] | None:
    last = add_months(today, -ENDED_MONTHS_AGO)
    first = add_months(last, -(MONTHS - 1))
    if add_months(first, -MONTHS) < start.replace(day=1):
        return None  # no pre-period in the history
    return first, month_last_day(last)


def _steadiness(series: list[Decimal]) -> Fraction:
    """How far the trend of ``series`` moves over the programme, as a share of its mean: a
    steep pre-period trend makes a baseline that says little."""
    _a, b = rules.trend_fit(series)
    mean = sum(series, Decimal(0)) / len(series)
    return abs(b) * MONTHS / Fraction(mean) if mean > 0 else Fraction(10**9)


def _choice(pre_first: date, pre_last: date, heads: list[User]):
    """(head, category id, [(account id, pre revenue, pre cost)] of the programme) for the
    segment and category with the most steady buyers a head sees, or None. A group qualifies
    when its programme half's pre-period trend moves less than ``STEADY`` of its mean (else
    the steadiest group is taken). Deterministic: ties go to the lower ids."""
    rows = list(
        SalesLine.objects.filter(
            month__gte=pre_first,
            month__lte=pre_last,
            quantity__gt=0,
            account__segment__isnull=False,
            product__category__isnull=False,
            cost_known=True,
        )
        .values_list("account_id", "account__segment_id", "product__category_id", "month")
        .annotate(revenue=Sum("revenue_base"), cost=Sum("cost_base"))
        .order_by("account_id", "product__category_id", "month")
    )  # fmt: skip
    per_client: dict[tuple[int, int, int], dict[date, tuple[Decimal, Decimal]]] = defaultdict(dict)
    for account_id, segment_id, category_id, month, revenue, cost in rows:
        per_client[(segment_id, category_id, account_id)][month] = (revenue, cost)
    months = [add_months(pre_first, i) for i in range(MONTHS)]
    ranked = []
    for head in heads:
        seen = set(Account.objects.visible_to(head).values_list("pk", flat=True))
        groups: dict[tuple[int, int], list] = defaultdict(list)
        for (segment_id, category_id, account_id), by_month in sorted(per_client.items()):
            # Clients who bought the category every pre-period month.
            if account_id in seen and all(by_month.get(m, (0, 0))[0] > 0 for m in months):
                groups[(segment_id, category_id)].append((account_id, by_month))
        for (_segment_id, category_id), members in sorted(groups.items()):
            if len(members) < 3:
                continue
            members.sort(key=lambda m: (sum(v[0] for v in m[1].values()), m[0]))
            chosen = members[::2][:MAX_CLIENTS]  # every other one: the rest are neighbours
            series = [sum(m[1][month][0] for m in chosen) for month in months]
            steadiness = _steadiness(series)
            picked = [
                (aid, sum(v[0] for v in bm.values()), sum(v[1] for v in bm.values()))
                for aid, bm in chosen
            ]
            ranked.append((steadiness > STEADY, -len(members), steadiness, head.pk, category_id,
                           head, picked))  # fmt: skip
    if not ranked:
        return None
    best = min(ranked, key=lambda r: r[:5])
    return best[5], best[4], best[6]


def populate_promotions_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's promotion (see the module's docstring); returns the number of
    promotions written (0 when the history is too short or no segment has enough clients)."""
    period = _period(today, start)
    director = next((u for u in people.values() if u.role == Role.DIRECTOR), None)
    heads = sorted((u for u in people.values() if u.role == Role.HEAD), key=lambda u: u.username)
    if period is None or director is None or not heads:
        return 0
    starts_on, ends_on = period
    pre_first = add_months(starts_on, -MONTHS)
    pre_last = add_months(starts_on, -1)
    choice = _choice(pre_first, pre_last, heads)
    if choice is None:
        return 0
    head, category_id, chosen = choice
    category = ProductCategory.objects.get(pk=category_id)
    product_by_client = {}
    for account_id, product_id, _revenue in (
        SalesLine.objects.filter(
            month__gte=pre_first,
            month__lte=pre_last,
            product__category_id=category_id,
            account_id__in=[m[0] for m in chosen],
            quantity__gt=0,
        )
        .values_list("account_id", "product_id")
        .annotate(revenue=Sum("revenue_base"))
        .order_by("account_id", "-revenue", "product_id")
    ):
        product_by_client.setdefault(account_id, product_id)
    units = dict(
        Product.objects.filter(pk__in=product_by_client.values()).values_list("pk", "standard_cost")
    )

    # The budget: the discount on the pre-period's purchases grown by the mean lift, with a
    # fifth to spare, in hundreds.
    expected = sum(m[1] for m in chosen) * (1 + (MIN_LIFT + MAX_LIFT) / 2)
    budget = (rules.discount_cost(expected, DISCOUNT) * Decimal("1.2") / 100).quantize(
        Decimal(1), rounding=ROUND_HALF_UP
    ) * 100
    promotion = promotion_propose(
        actor=head,
        name=f"{category.name}: {DISCOUNT.normalize()} % off, {starts_on:%B %Y}",
        kind=Promotion.Kind.EXTRA_DISCOUNT,
        starts_on=starts_on,
        ends_on=ends_on,
        budget=max(budget, Decimal(100)),
        discount_percent=DISCOUNT,
        categories=[category_id],
        accounts=[m[0] for m in chosen],
        note="Demo: an extra discount for half of the segment's buyers of the category.",
    )
    currency = company_settings().base_currency
    # Documents named by the client's registration number, not its id: ids differ between
    # two builds on PostgreSQL (sequences do not roll back), the demo's data must not.
    registration = dict(
        Account.objects.filter(pk__in=[m[0] for m in chosen]).values_list(
            "pk", "registration_number"
        )
    )
    lines = []
    for account_id, revenue, cost in chosen:
        mean = revenue / MONTHS
        margin = (cost / revenue) if revenue else Decimal("0.6")
        product_id = product_by_client[account_id]
        unit_cost = units.get(product_id) or Decimal("1")
        for i in range(MONTHS):
            month = add_months(starts_on, i)
            lift = MIN_LIFT + (MAX_LIFT - MIN_LIFT) * Decimal(rng.randint(0, 100)) / 100
            amount = (mean * lift).quantize(CENT, rounding=ROUND_HALF_UP)
            if amount <= 0:
                continue
            day = min(month + timedelta(days=rng.randint(4, 24)), ends_on)
            line_cost = (amount * margin).quantize(CENT, rounding=ROUND_HALF_UP)
            quantity = max(Decimal(1), (line_cost / unit_cost).quantize(Decimal(1)))
            lines.append(
                LedgerLine(
                    date=day,
                    account_id=account_id,
                    product_id=product_id,
                    quantity=quantity,
                    revenue=amount,
                    cost=line_cost,
                    currency=currency,
                    document_number=f"PROMO-{month:%Y%m}-{registration[account_id]}",
                    line_number=1,
                )
            )
    sales_lines_write(actor=None, lines=lines, source=f"demo promotion {promotion.pk}")

    # The discount on every invoice of the programme's clients in the category, at 5 %.
    net = SalesLine.objects.filter(
        date__gte=starts_on,
        date__lte=ends_on,
        account_id__in=[m[0] for m in chosen],
        product__category_id=category_id,
    ).aggregate(t=Coalesce(Sum("revenue_base"), Decimal("0")))["t"]
    cost = rules.discount_cost(net, DISCOUNT)
    promotion_approve(actor=director, promotion=promotion, note="Approved for the demo.")
    promotion_record_cost(actor=director, promotion=promotion, cost=cost)
    return 1
