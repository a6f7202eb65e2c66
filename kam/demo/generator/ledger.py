"""The demo's sales history: per client, month by month, orders of product lines and the odd
credit note. Plain Python, no database; amounts are integer cents until the writer turns them
into Decimals (or COPY text)."""

import calendar
import math
from bisect import bisect_left
from datetime import date

from kam.demo.generator.plan import (
    HISTORY_MONTHS,
    WINDOW_MONTHS,
    ClientPlan,
    ProductPlan,
    rng_for,
)

# Calendar rhythm of a medical distributor: quiet summer, busy autumn and year end.
SEASON = (0.92, 0.95, 1.08, 1.02, 1.0, 0.95, 0.85, 0.88, 1.05, 1.1, 1.1, 1.1)
LINE_VALUE = 220.0  # EUR, a typical order line at scale 1
MAX_LINES_PER_MONTH = 400
# Above scale 1 clients get more numerous faster than their order lines: scale 180 gives
# 108 000 clients and 10.4 million lines (measured), the benchmark size.
DENSITY_EXPONENT = 0.25
RUB_PER_EUR_START = 95.0

# A ledger row: (date, product index, quantity, revenue cents, cost cents, document, line no)
Row = tuple[date, int, int, int, int, str, int]


def line_value(scale: float) -> float:
    return LINE_VALUE * max(1.0, scale) ** DENSITY_EXPONENT


def rub_rates(seed: int, months: list[date]) -> list[int]:
    """EUR per RUB for each month, times 10^8 (CurrencyRate keeps 8 places): a random walk."""
    rng = rng_for(seed, "rub")
    rub_per_eur = RUB_PER_EUR_START
    out = []
    for _ in months:
        rub_per_eur *= math.exp(rng.gauss(0, 0.03))
        out.append(round(1e8 / rub_per_eur))
    return out


class LedgerGenerator:
    def __init__(
        self,
        *,
        seed: int,
        scale: float,
        months: list[date],
        products: list[ProductPlan],
        rub_rates: list[int],
    ):
        self.seed = seed
        self.months = months
        self.window_start = months[HISTORY_MONTHS - WINDOW_MONTHS]
        self.line_value = line_value(scale)
        self.cost = [p.cost_cents for p in products]
        first = months[0].year * 12 + months[0].month
        self.launch = [
            None if p.launched_on is None else p.launched_on.year * 12 + p.launched_on.month - first
            for p in products
        ]
        self.established = [i for i, p in enumerate(products) if p.launched_on is None]
        self.rub_rates = rub_rates
        self.days = [
            [date(m.year, m.month, d) for d in range(1, calendar.monthrange(m.year, m.month)[1] + 1)]
            for m in months
        ]  # fmt: skip

    # --- one client ---------------------------------------------------------------------------

    def _available(self, c: ClientPlan, m: int, cache: dict) -> tuple[list[int], list[float]]:
        """The client's basket in month ``m``: new products only once it has adopted them."""
        avail = tuple(
            p
            for p in c.basket
            if self.launch[p] is None
            or (c.adoption_lag is not None and m >= self.launch[p] + c.adoption_lag)
        ) or (self.established[c.no % len(self.established)],)
        if avail not in cache:
            weights = [1 / (c.basket.index(p) + 1 if p in c.basket else 1) ** 0.9 for p in avail]
            cum, acc = [], 0.0
            for w in weights:
                acc += w
                cum.append(acc)
            cache[avail] = (list(avail), cum)
        return cache[avail]

    def client_rows(self, c: ClientPlan) -> list[Row]:
        """Every ledger row of one client, in EUR cents, from its own RNG stream."""
        if not c.buys:
            return []
        rng = rng_for(self.seed, f"ledger:{c.no}")
        annual_revenue = c.annual_income / (c.margin if c.margin > 0 else 0.2)
        monthly = annual_revenue / 12
        skip = max(0.0, 0.4 * (1 - annual_revenue / 15_000))  # small clients skip months
        price_factor = 1 / (1 - c.margin)
        rows: list[Row] = []
        cache: dict = {}
        for m in range(c.first_month, c.last_month + 1):
            if m > c.first_month and rng.random() < skip:
                continue
            month = self.months[m]
            target = (
                monthly
                * SEASON[month.month - 1]
                * (1 + c.trend) ** ((m - HISTORY_MONTHS + 1) / 12)
                * rng.lognormvariate(0, 0.2)
            )
            if m - c.first_month < 2 and c.first_month > 0:
                target *= 0.5  # a new client starts carefully
            n_lines = max(1, min(MAX_LINES_PER_MONTH, round(target / self.line_value)))
            n_orders = max(1, min(n_lines, round(n_lines / c.lines_per_order)))
            avail, cum = self._available(c, m, cache)
            picks = rng.choices(avail, cum_weights=cum, k=n_lines)
            days = self.days[m]
            order_days = sorted(rng.randrange(len(days)) for _ in range(n_orders))
            stem = f"{month.year}{month.month:02d}-{c.no:06d}"
            per_line = target * 100 / n_lines / 1.197  # lognormvariate(0, 0.6) has mean 1.197
            first_row = len(rows)
            order, line_no = -1, 0
            for j, p in enumerate(picks):
                unit_cost = self.cost[p]
                price = unit_cost * price_factor * (1 + rng.gauss(0, 0.02))
                value = per_line * rng.lognormvariate(0, 0.6)
                if price > value and rng.random() * price > value:
                    # A small client buys a costly item now and then, not every month: on
                    # average the line still brings ``value``.
                    continue
                qty = max(1, round(value / price))
                k = j * n_orders // n_lines
                if k != order:
                    order, line_no = k, 0
                line_no += 1
                rows.append(
                    (
                        days[order_days[k]],
                        p,
                        qty,
                        round(qty * price),
                        qty * unit_cost,
                        f"INV{stem}-{k + 1:03d}",
                        line_no,
                    )
                )
            if len(rows) > first_row and rng.random() < c.return_rate:
                # OR-4: part of a line comes back on a credit note a few days later.
                d, p, q, rev, _cost, _doc, _ln = rows[rng.randrange(first_row, len(rows))]
                back = max(1, round(q * rng.uniform(0.1, 0.6)))
                day = days[min(len(days) - 1, d.day - 1 + rng.randint(2, 10))]
                rows.append(
                    (day, p, -back, -round(rev * back / q), -back * self.cost[p], f"CN{stem}", 1)
                )
        return rows

    # --- whole-company adjustments -----------------------------------------------------------

    def window_income(self, rows: list[Row]) -> int:
        start = self.window_start
        return sum(r[3] - r[4] for r in rows if r[0] >= start)

    def fit_share(self, rows: list[Row], others_income: int, share: float) -> list[Row]:
        """Re-price a client's last 12 months so that it earns exactly ``share`` of the income
        of itself plus the others (KC-3: the anchor near 22 %), whatever the tail earned."""
        start = self.window_start
        target = share / (1 - share) * others_income
        revenue = sum(r[3] for r in rows if r[0] >= start)
        cost = sum(r[4] for r in rows if r[0] >= start)
        if revenue <= 0:
            return rows
        factor = (target + cost) / revenue
        return [
            (d, p, q, round(rev * factor), c, doc, ln) if d >= start else (d, p, q, rev, c, doc, ln)
            for d, p, q, rev, c, doc, ln in rows
        ]

    def in_currency(self, rows: list[Row], currency: str) -> list[Row]:
        """The same rows with amounts in ``currency`` (only RUB besides the base EUR)."""
        if currency == "EUR":
            return rows
        starts = self.months
        out = []
        for d, p, q, rev, cost, doc, ln in rows:
            rate = self.rub_rates[bisect_left(starts, d.replace(day=1))]
            out.append((d, p, q, round(rev * 1e8 / rate), round(cost * 1e8 / rate), doc, ln))
        return out
