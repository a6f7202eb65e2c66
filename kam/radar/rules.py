"""The key-client rules as pure functions: plain Decimals in, plain answers out, no database.

Choices made here, once, for every level and every caller:

* **Weight** (KC-1): income (revenue minus cost) by default, or turnover (revenue). Returns are
  negative ledger lines, so they are already netted in the sums. A line without a known cost
  (issue 8 §3) is turnover but no income: income is (revenue - uncosted revenue) - cost, and
  the radar says the client's income is incomplete; on turnover nothing changes.
* **Shares of positive weight.** A loss-making client (weight <= 0) must not inflate everyone
  else's share nor take a negative one. The denominator is the sum of the *positive* weights of
  the unit; a client with weight <= 0 has share 0, is never key by share or band, and is listed
  with a "loss-making" note. Shares of the positive clients therefore sum to exactly 100 %.
* **Thresholds are inclusive and exact.** "10 %" is key at exactly 10 %; the comparison is
  ``weight * 100 >= pct * total`` in Decimal, so no rounding can move a client across a line.
* **Amount threshold** is per year; for a shorter period (fiscal year or quarter to date) it is
  prorated by the months covered: ``amount * months / 12``.
* **Potential** (KC-4): headroom = annual wallet minus our turnover annualised from the period
  (``turnover * 12 / months``); key when headroom >= the threshold. A client with no sales has
  the whole wallet as headroom.
* **ABC** (KC-13): clients ranked by positive weight; a client is A while the cumulative share
  *before* it is under the A limit (so the largest client is always A), B while under the B
  limit, C otherwise; clients with no positive weight are C.
* **HHI**: the sum of squared percentage shares of positive weight, 0..10 000.
* **NPV** (KC-12): the trailing-12-month income is the annual margin ``m``; the trend ``g`` is
  last 12 months vs the previous 12, ``(m - prev) / prev`` capped to +-cap, and 0 when the
  previous year's income was not positive (no base to grow from) or ``m`` is not positive.
  The cap is the NPV's assumption only: the trend shown beside it is ``growth``, as measured.
  ``NPV = sum_{t=1..H} m (1+g)^t / (1+r)^t`` for horizon ``H`` years at rate ``r``.
* **Innovators** (KC-8): for each product launched within the window, its buyers are ranked by
  the date of their first purchase; the first ``ceil(n * pct / 100)`` buyers (at least one) are
  innovators, and a buyer tied on the cut-off date is included too.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache
from math import ceil

from kam.core.periods import add_months, month_of

ZERO = Decimal(0)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

INCOME = "income"
TURNOVER = "turnover"
CRITICAL = "critical"
MONO = "mono"

ROLLING_12 = "rolling12"
FISCAL_YEAR = "fiscal_year"
FISCAL_QUARTER = "fiscal_quarter"


@dataclass(frozen=True)
class Criteria:
    """The settings the rules need, as plain values (from ``RadarSettings``)."""

    basis: str = INCOME
    key_amount: Decimal | None = None
    key_share_pct: Decimal | None = Decimal(10)
    critical_pct: Decimal = Decimal(20)
    mono_pct: Decimal = Decimal(70)
    potential_headroom: Decimal = Decimal(50000)
    abc_a_pct: Decimal = Decimal(80)
    abc_b_pct: Decimal = Decimal(95)
    npv_rate_pct: Decimal = Decimal(10)
    npv_horizon_years: int = 5
    npv_growth_cap_pct: Decimal = Decimal(20)
    innovator_share_pct: Decimal = Decimal("2.5")
    max_key_per_kam: int = 3


@dataclass(frozen=True)
class Verdict:
    """One client judged within one unit at one level."""

    weight: Decimal
    share_pct: Decimal  # exact (28 digits); 0 for loss-making clients
    key_by_amount: bool
    key_by_share: bool
    band: str  # "", "critical" or "mono"
    loss_making: bool


# --- periods -----------------------------------------------------------------------------------


def period_months(as_of: date, kind: str, fiscal_start_month: int = 1) -> tuple[date, date]:
    """The first and last month (first days) of the period that ends in ``as_of``'s month."""
    last = month_of(as_of)
    if kind == ROLLING_12:
        return add_months(last, -11), last
    step = 12 if kind == FISCAL_YEAR else 3 if kind == FISCAL_QUARTER else 0
    if not step:
        raise ValueError(f"unknown period {kind!r}")
    since_start = (last.month - fiscal_start_month) % step
    return add_months(last, -since_start), last


# --- weights, shares, bands --------------------------------------------------------------------


def weight(revenue: Decimal, cost: Decimal, basis: str, uncosted: Decimal = ZERO) -> Decimal:
    """Income or turnover. ``uncosted``: the part of ``revenue`` whose lines have no known
    cost (issue 8 §3); income counts only the lines with one, turnover counts every line."""
    if basis == INCOME:
        return revenue - uncosted - cost
    if basis == TURNOVER:
        return revenue
    raise ValueError(f"unknown basis {basis!r}")


def positive_total(weights: Iterable[Decimal]) -> Decimal:
    return sum((w for w in weights if w > 0), ZERO)


def share_pct(w: Decimal, total: Decimal) -> Decimal:
    """A client's share of the unit's positive weight, in %; 0 when it has none."""
    if w <= 0 or total <= 0:
        return ZERO
    return w * HUNDRED / total


def shares(
    weights: Mapping[Hashable, Decimal], total: Decimal | None = None
) -> dict[Hashable, Decimal]:
    total = positive_total(weights.values()) if total is None else total
    return {k: share_pct(w, total) for k, w in weights.items()}


def at_least(w: Decimal, total: Decimal, pct: Decimal | None) -> bool:
    """Is ``w`` at least ``pct`` % of ``total``? Exact: no division, no rounding."""
    if pct is None or w <= 0 or total <= 0:
        return False
    return w * HUNDRED >= pct * total


def band(w: Decimal, total: Decimal, c: Criteria) -> str:
    """KC-3: mono client from ``mono_pct``, critical dependency from ``critical_pct``."""
    if at_least(w, total, c.mono_pct):
        return MONO
    if at_least(w, total, c.critical_pct):
        return CRITICAL
    return ""


def prorated_amount(amount: Decimal | None, months: int) -> Decimal | None:
    if amount is None:
        return None
    return amount * months / 12


def judge(w: Decimal, total: Decimal, c: Criteria, *, months: int = 12) -> Verdict:
    """KC-2, KC-3: one client of weight ``w`` in a unit whose positive weights sum to ``total``."""
    threshold = prorated_amount(c.key_amount, months)
    return Verdict(
        weight=w,
        share_pct=share_pct(w, total),
        key_by_amount=threshold is not None and w > 0 and w >= threshold,
        key_by_share=at_least(w, total, c.key_share_pct),
        band=band(w, total, c),
        loss_making=w < 0,
    )


class UnitJudge:
    """``judge`` for many clients of one unit: the prorated amount and each ``pct * total`` are
    worked out once, so a client costs a multiplication and a few comparisons. The same
    Decimal operations as ``judge`` in the same order, so the same answers to the last digit."""

    __slots__ = ("amount", "critical_line", "mono_line", "share_line", "total")

    def __init__(self, total: Decimal, c: Criteria, months: int = 12):
        self.total = total
        self.amount = prorated_amount(c.key_amount, months)
        live = total > 0  # at_least: no share of a unit with no positive weight
        self.share_line = c.key_share_pct * total if live and c.key_share_pct is not None else None
        self.critical_line = c.critical_pct * total if live and c.critical_pct is not None else None
        self.mono_line = c.mono_pct * total if live and c.mono_pct is not None else None

    def judge(self, w: Decimal) -> tuple[Decimal, bool, bool, str]:
        """(share_pct, key_by_amount, key_by_share, band) as ``judge`` has them."""
        by_amount = self.amount is not None and w > 0 and w >= self.amount
        if w <= 0 or self.total <= 0:
            return ZERO, by_amount, False, ""
        w100 = w * HUNDRED
        by_share = self.share_line is not None and w100 >= self.share_line
        if self.mono_line is not None and w100 >= self.mono_line:
            band_ = MONO
        elif self.critical_line is not None and w100 >= self.critical_line:
            band_ = CRITICAL
        else:
            band_ = ""
        return w100 / self.total, by_amount, by_share, band_

    def is_key(self, w: Decimal) -> bool:
        """Key by amount, share or dependency (a band) in this unit."""
        if self.amount is not None and w > 0 and w >= self.amount:
            return True
        if w <= 0 or self.total <= 0:
            return False
        w100 = w * HUNDRED
        lines = (self.share_line, self.critical_line, self.mono_line)
        return any(line is not None and w100 >= line for line in lines)


def display_pct(pct: Decimal) -> Decimal:
    """Two places, rounded down: a shown "10.00" is never a 9.999 that is not key."""
    return pct.quantize(CENT, rounding=ROUND_DOWN)


# --- potential ---------------------------------------------------------------------------------


def headroom(wallet: Decimal, turnover: Decimal, months: int = 12) -> Decimal:
    """KC-4: annual wallet minus our turnover annualised from ``months`` months."""
    annual = turnover * 12 / months if months != 12 else turnover
    return wallet - max(annual, ZERO)


def key_by_potential(wallet: Decimal | None, turnover: Decimal, c: Criteria, months=12) -> bool:
    return wallet is not None and headroom(wallet, turnover, months) >= c.potential_headroom


# --- concentration -----------------------------------------------------------------------------


def ranked(weights: Mapping[Hashable, Decimal]) -> list[tuple[Hashable, Decimal]]:
    """Positive weights, largest first; ties broken by key so the order is stable."""
    return sorted(((k, w) for k, w in weights.items() if w > 0), key=lambda kw: (-kw[1], kw[0]))


# The concentration functions take ``order`` (the result of ``ranked``) when the caller computes
# several of them over the same weights: sorting 100 000 Decimals once instead of five times is
# most of a large portfolio's concentration time. ``total`` likewise: ``positive_total(weights
# .values())`` worked out once.
Ranked = list[tuple[Hashable, Decimal]]


def abc_classes(
    weights: Mapping[Hashable, Decimal],
    a_pct=Decimal(80),
    b_pct=Decimal(95),
    order: Ranked | None = None,
    total: Decimal | None = None,
) -> dict[Hashable, str]:
    total = positive_total(weights.values()) if total is None else total
    out = dict.fromkeys(weights, "C")
    # A while the weight ranked before a client is under a_pct % of the total, then B under
    # b_pct %: compared exactly (before * 100 < pct * total), as the database does it.
    a_line, b_line = a_pct * total, b_pct * total
    before = ZERO
    for k, w in ranked(weights) if order is None else order:
        before100 = before * HUNDRED
        out[k] = "A" if before100 < a_line else "B" if before100 < b_line else "C"
        before += w
    return out


def top_share(
    weights: Mapping[Hashable, Decimal],
    n: int,
    order: Ranked | None = None,
    total: Decimal | None = None,
) -> Decimal:
    total = positive_total(weights.values()) if total is None else total
    if total <= 0:
        return ZERO
    top = (ranked(weights) if order is None else order)[:n]
    return sum((w for _, w in top), ZERO) * HUNDRED / total


def hhi(weights: Mapping[Hashable, Decimal], total: Decimal | None = None) -> Decimal:
    """Herfindahl-Hirschman index on shares of positive weight, 0..10 000."""
    total = positive_total(weights.values()) if total is None else total
    return hhi_of(sum((w * w for w in weights.values() if w > 0), ZERO), total)


def hhi_of(sum_of_squares: Decimal, total: Decimal) -> Decimal:
    """HHI from the sum of the squared positive weights and their total: the sum of squared
    shares in % is sum(w^2) * 100^2 / total^2 (one division, as the database hands it over)."""
    if total <= 0:
        return ZERO
    return sum_of_squares * HUNDRED * HUNDRED / (total * total)


@dataclass(frozen=True)
class ParetoPoint:
    rank: int  # clients counted so far, largest first
    clients_pct: Decimal  # rank as % of clients with positive weight
    cumulative_pct: Decimal  # their cumulative share of positive weight


def pareto(
    weights: Mapping[Hashable, Decimal], max_points: int = 100, order: Ranked | None = None
) -> list[ParetoPoint]:
    """The Pareto curve, thinned to at most ``max_points`` evenly spaced ranks (plus the last)."""
    order = ranked(weights) if order is None else order
    n = len(order)
    if not n:
        return []
    total = positive_total(w for _, w in order)
    step = max(1, ceil(n / max_points))
    points, running = [], ZERO
    for i, (_, w) in enumerate(order, start=1):
        running += w
        if i % step == 0 or i == n or i == 1:
            points.append(
                ParetoPoint(
                    rank=i,
                    clients_pct=(Decimal(i) * HUNDRED / n).quantize(CENT),
                    cumulative_pct=(running * HUNDRED / total).quantize(CENT),
                )
            )
    return points


# --- value -------------------------------------------------------------------------------------


def growth(last12: Decimal, prev12: Decimal) -> Decimal | None:
    """Yearly growth of income as measured, a fraction, uncapped: what the Trend column shows.
    None with no positive base year to grow from (a new client, a loss-making year)."""
    if prev12 <= 0:
        return None
    return (last12 - prev12) / prev12


def trend(last12: Decimal, prev12: Decimal, cap_pct: Decimal) -> Decimal:
    """The growth the NPV assumes: ``growth`` capped to +-cap (``npv_growth_cap_pct``, 20 % by
    default), and 0 with no positive base or no positive margin to project."""
    g = growth(last12, prev12)
    if g is None or last12 <= 0:
        return ZERO
    cap = cap_pct / HUNDRED
    return max(-cap, min(cap, g))


@lru_cache(maxsize=4096)
def _annuity(g: Decimal, r: Decimal, years: int) -> Decimal:
    """sum_{t=1..years} ((1+g)/(1+r))^t; cached, since most clients share a few trends."""
    factor = (1 + g) / (1 + r)
    total, f = ZERO, Decimal(1)
    for _ in range(years):
        f *= factor
        total += f
    return total


def npv(last12: Decimal, prev12: Decimal, c: Criteria) -> Decimal:
    """KC-12: the discounted expected margin over the horizon (method in the module doc)."""
    g = trend(last12, prev12, c.npv_growth_cap_pct)
    return npv_of_trend(last12, g, c.npv_rate_pct / HUNDRED, c.npv_horizon_years)


def npv_of_trend(last12: Decimal, g: Decimal, rate: Decimal, years: int) -> Decimal:
    """``npv`` once the trend ``g`` and the rate (a fraction) are known: a portfolio works
    out the rate once and shows the trend beside the NPV."""
    return (last12 * _annuity(g, rate, years)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- innovators --------------------------------------------------------------------------------


def innovator_cutoff(buyers: int, pct: Decimal) -> int:
    """How many of a product's first buyers count as innovators (at least one)."""
    if buyers <= 0 or pct <= 0:
        return 0
    return max(1, ceil(Decimal(buyers) * pct / HUNDRED))


def first_buyers(
    first_purchases: Iterable[tuple[Hashable, Hashable, date]], pct: Decimal
) -> dict[Hashable, list[tuple[Hashable, date, int, int]]]:
    """From (product, account, first purchase date) rows, the innovators: account ->
    [(product, first date, rank, buyers of the product)]. Ties on the cut-off date count."""
    by_product: dict[Hashable, list[tuple[date, Hashable]]] = {}
    for product, account, first in first_purchases:
        by_product.setdefault(product, []).append((first, account))
    out: dict[Hashable, list[tuple[Hashable, date, int, int]]] = {}
    for product, buyers in by_product.items():
        buyers.sort(key=lambda fa: (fa[0], str(fa[1])))
        n = len(buyers)
        cut = innovator_cutoff(n, pct)
        last_date = buyers[cut - 1][0]
        rank = 0
        for i, (first, account) in enumerate(buyers, start=1):
            if i > cut and first != last_date:
                break
            if i == 1 or first != buyers[i - 2][0]:
                rank = i
            out.setdefault(account, []).append((product, first, rank, n))
    return out
