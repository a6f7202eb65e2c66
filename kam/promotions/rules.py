"""The arithmetic of a promotion's effect (SP-4), with plain inputs and no database: the
baseline (the programme clients' own trend), difference-in-differences against a control
group, the return on the money spent, and the rule that picks the control group.

Exact: amounts are Decimals, the least-squares fit runs on Fractions, and only the answers are
rounded (to the cent, half up), so a hand computation agrees to the cent.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")
ZERO = Decimal("0")
# A control client's pre-period turnover lies within this factor of a programme client's.
TURNOVER_BAND = Fraction(2)
# At most this many control clients per programme client (the nearest in turnover).
CONTROLS_PER_CLIENT = 5


def cents(value: Fraction | Decimal | int) -> Decimal:
    """``value`` rounded to the cent, half up (away from zero)."""
    if not isinstance(value, Fraction):
        value = Fraction(value)
    sign = -1 if value < 0 else 1
    scaled = abs(value) * 100
    whole, rest = divmod(scaled.numerator, scaled.denominator)
    if rest * 2 >= scaled.denominator:
        whole += 1
    return (Decimal(sign * whole) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _fraction(value) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(Decimal(value))


def trend_fit(values: Sequence) -> tuple[Fraction, Fraction]:
    """(intercept, slope) of the least-squares line through (0, v0), (1, v1), ...

    One value: a flat line at it; none: zero."""
    n = len(values)
    if n == 0:
        return Fraction(0), Fraction(0)
    ys = [_fraction(v) for v in values]
    mean_y = sum(ys, Fraction(0)) / n
    if n == 1:
        return mean_y, Fraction(0)
    mean_t = Fraction(n - 1, 2)
    sxx = sum(((t - mean_t) ** 2 for t in range(n)), Fraction(0))
    sxy = sum(((t - mean_t) * (y - mean_y) for t, y in enumerate(ys)), Fraction(0))
    slope = sxy / sxx
    return mean_y - slope * mean_t, slope


def baseline(pre: Sequence, months: int, *, floor_at_zero: bool = True) -> list[Decimal]:
    """The trend of the ``pre`` months (oldest first), extrapolated over the ``months`` that
    follow them: ``a + b * t`` for t = len(pre) .. len(pre) + months - 1, to the cent.

    A falling trend is floored at zero (a client group does not buy less than nothing)."""
    a, b = trend_fit(pre)
    n = len(pre)
    out = []
    for t in range(n, n + months):
        value = a + b * t
        if floor_at_zero and value < 0:
            value = Fraction(0)
        out.append(cents(value))
    return out


def did_uplift(
    *,
    treated_pre: Sequence,
    treated_post: Sequence,
    control_pre: Sequence,
    control_post: Sequence,
    treated_size: int,
    control_size: int,
) -> Decimal | None:
    """Difference-in-differences, scaled to the programme group, to the cent.

    Monthly means per client: the programme group's change from the pre-period to the
    programme months, minus the control group's change, times the programme's clients and
    its months:

        (T_post - k/m * T_pre) - nT/nC * (C_post - k/m * C_pre)

    with T, C the groups' sums, m pre-period months and k programme months measured. None
    without a control group (or with nothing measured)."""
    k, m = len(treated_post), len(treated_pre)
    if not control_size or not treated_size or not k or not m:
        return None
    if len(control_pre) != m or len(control_post) != k:
        raise ValueError("the groups' series must cover the same months")
    ratio = Fraction(k, m)

    def total(xs):
        return sum((_fraction(x) for x in xs), Fraction(0))

    treated = total(treated_post) - ratio * total(treated_pre)
    control = total(control_post) - ratio * total(control_pre)
    return cents(treated - Fraction(treated_size, control_size) * control)


def roi(incremental_income: Decimal | None, cost: Decimal | None) -> Decimal | None:
    """Incremental income per unit of cost (2 places); None when either is unknown or the cost
    is zero."""
    if incremental_income is None or cost is None or cost <= 0:
        return None
    return (Decimal(incremental_income) / Decimal(cost)).quantize(CENT, rounding=ROUND_HALF_UP)


def discount_cost(net_revenue: Decimal, percent: Decimal) -> Decimal:
    """The extra discount given on invoices whose net revenue is ``net_revenue``: the list
    value is net / (1 - p), so the discount is net * p / (1 - p), to the cent."""
    p = _fraction(percent) / 100
    if p <= 0 or p >= 1:
        return ZERO
    return cents(_fraction(net_revenue) * p / (1 - p))


# --- the control group ------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A client as the matching rule sees it."""

    id: int
    segment_id: int | None
    territory_id: int | None
    pre_turnover: Decimal  # every product, the pre-period
    categories: frozenset[int] = field(default_factory=frozenset)  # bought in the pre-period


def same_place(treated: Candidate, other: Candidate) -> bool:
    """The same segment when the programme client has one; otherwise the same territory when
    it has one; a programme client with neither matches anyone's place."""
    if treated.segment_id is not None:
        return other.segment_id == treated.segment_id
    if treated.territory_id is not None:
        return other.territory_id == treated.territory_id
    return True


def in_band(treated: Decimal, other: Decimal, band: Fraction = TURNOVER_BAND) -> bool:
    """``other`` within a factor ``band`` of ``treated`` (a client with no pre-period turnover
    matches only clients with none)."""
    t, o = _fraction(treated), _fraction(other)
    if t <= 0:
        return o <= 0
    return t / band <= o <= t * band


def _distance(treated: Decimal, other: Decimal) -> float:
    t, o = float(treated), float(other)
    if t <= 0 or o <= 0:
        return 0.0 if t <= 0 and o <= 0 else math.inf
    return abs(math.log(o / t))


def control_matches(
    treated: Iterable[Candidate],
    candidates: Iterable[Candidate],
    *,
    categories: Iterable[int],
    per_client: int = CONTROLS_PER_CLIENT,
    band: Fraction = TURNOVER_BAND,
) -> dict[int, list[int]]:
    """For each programme client (by id), its control clients, nearest first: up to
    ``per_client`` clients not in the programme in the same place (``same_place``), with a
    pre-period turnover within the band (``in_band``) and who bought at least one of the
    programme's ``categories`` in the pre-period, the nearest in turnover first (ties: the
    lower id). Deterministic: the same inputs, the same matches, in any order."""
    treated = sorted(treated, key=lambda c: c.id)
    treated_ids = {c.id for c in treated}
    wanted = frozenset(categories)
    pool = sorted((c for c in candidates if c.id not in treated_ids), key=lambda c: c.id)
    pool = [c for c in pool if c.categories & wanted]
    matches: dict[int, list[int]] = {}
    for t in treated:
        near = [
            c for c in pool if same_place(t, c) and in_band(t.pre_turnover, c.pre_turnover, band)
        ]
        near.sort(key=lambda c: (_distance(t.pre_turnover, c.pre_turnover), c.id))
        matches[t.id] = [c.id for c in near[:per_client]]
    return matches


def control_group(
    treated: Iterable[Candidate],
    candidates: Iterable[Candidate],
    *,
    categories: Iterable[int],
    per_client: int = CONTROLS_PER_CLIENT,
    band: Fraction = TURNOVER_BAND,
) -> list[int]:
    """The control group: every programme client's matches (``control_matches``), once each,
    sorted by id."""
    matches = control_matches(
        treated, candidates, categories=categories, per_client=per_client, band=band
    )
    return sorted({cid for ids in matches.values() for cid in ids})
