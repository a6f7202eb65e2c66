"""The arithmetic of variable pay (SP-3): no database, plain inputs and outputs.

- **Bands**: a deal's commission is marginal over its size, as income tax is: with
  ``[(50 000, 12), (None, 5)]`` a deal of 60 000 earns 12 % of the first 50 000 and 5 % of the
  10 000 above (6 000 + 500). A table is a list of (upper bound or None, rate in percent), the
  bounds strictly increasing and the last open (None).
- **Overrides**: a product category's or a client group's own table replaces the default for
  that part of the deal; the band is still found by the whole deal's size (a deal of 60 000
  whose 10 000 are of an overridden category pays that category's effective rate at 60 000 on
  those 10 000).
- **Paid basis**: the earned part of a deal is its commission times the share of the invoice
  paid in the period.
- **Cuts**: a table per plan measure of (threshold percent, cut percent): a result under the
  threshold cuts the variable part by the cut of the lowest threshold it is under. Cuts of the
  missed measures add up, capped at 100 %.
- **Total** = fixed + variable, variable = commission - cuts + adjustments.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")
MAX_RATE = HUNDRED
MAX_BOUND = Decimal("999999999.99")  # kam.core.bounds.MAX_AMOUNT: no deal is larger
MAX_THRESHOLD = Decimal("1000")  # a cut threshold above 1000 % of the plan means nothing

TURNOVER, INCOME = "turnover", "income"
BASES = (TURNOVER, INCOME)
INVOICED, PAID = "invoiced", "paid"
EARNED_ON = (INVOICED, PAID)
# The plan measures a cut table may name (kam.plans.rules.MEASURES).
CUT_MEASURES = ("turnover", "income", "active_clients", "new_clients")


class RuleError(ValueError):
    """A table that cannot be used: ``field`` names the setting, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value, field: str) -> Decimal:
    if isinstance(value, bool):
        raise RuleError(field, f"{value!r} is not a number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise RuleError(field, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise RuleError(field, f"{value!r} is not a finite number")
    return number


# --- bands --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    upto: Decimal | None  # the band's upper bound of the deal's size; None: no limit
    rate: Decimal  # percent


def bands_parse(raw: Iterable, *, field: str = "bands") -> list[Band]:
    """A band table from plain data (``[[50000, 12], [None, 5]]``, also as JSON): bounds
    strictly increasing and positive, the last one open, rates 0..100."""
    try:
        rows = list(raw)
    except TypeError:
        raise RuleError(field, "a band table is a list of [upper bound, rate]") from None
    if not rows:
        raise RuleError(field, "a band table needs at least one band")
    bands: list[Band] = []
    previous = ZERO
    for i, row in enumerate(rows):
        if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != 2:
            raise RuleError(field, f"band {i + 1}: write [upper bound, rate]")
        upto_raw, rate_raw = row
        rate = _decimal(rate_raw, field)
        if not ZERO <= rate <= MAX_RATE:
            raise RuleError(field, f"band {i + 1}: the rate {rate} is outside 0..100 %")
        last = i == len(rows) - 1
        if upto_raw is None:
            if not last:
                raise RuleError(field, f"band {i + 1}: only the last band is open-ended")
            upto = None
        else:
            if last:
                raise RuleError(field, "the last band must be open-ended (no upper bound)")
            upto = _decimal(upto_raw, field)
            if upto > MAX_BOUND:
                raise RuleError(field, f"band {i + 1}: the bound {upto} is over {MAX_BOUND}")
            if upto <= previous:
                raise RuleError(
                    field, f"band {i + 1}: the bounds must increase ({upto} after {previous})"
                )
            previous = upto
        bands.append(Band(upto, rate))
    return bands


def bands_dump(bands: Sequence[Band]) -> list[list]:
    """The JSON form (strings keep decimals exact)."""
    return [[None if b.upto is None else str(b.upto), str(b.rate)] for b in bands]


def flat(rate) -> list[Band]:
    return [Band(None, _decimal(rate, "rate"))]


@dataclass(frozen=True)
class Commission:
    amount: Decimal  # unrounded
    rate: Decimal  # the effective rate, percent (amount / size)
    band: str  # the bands the deal reached, in words: "12 % to 50000; 5 % above"


def commission(size: Decimal, bands: Sequence[Band]) -> Commission:
    """The marginal commission of a deal of ``size``; nothing for a deal of zero or less."""
    if size <= 0:
        return Commission(ZERO, ZERO, "")
    total = ZERO
    lower = ZERO
    reached = []
    for b in bands:
        top = size if b.upto is None else min(size, b.upto)
        if top > lower:
            total += (top - lower) * b.rate / HUNDRED
            reached.append(b)
        if b.upto is None or size <= b.upto:
            break
        lower = b.upto
    return Commission(
        total, (total * HUNDRED / size).quantize(Decimal("0.0001")), band_words(reached)
    )


def band_words(bands: Sequence[Band]) -> str:
    parts = []
    for b in bands:
        rate = f"{b.rate.normalize():f} %"
        parts.append(f"{rate} to {b.upto.normalize():f}" if b.upto is not None else f"{rate} above")
    if len(parts) == 1 and bands[0].upto is None:
        return f"{bands[0].rate.normalize():f} %"
    return "; ".join(parts)


@dataclass(frozen=True)
class DealPart:
    """The part of one deal (ledger document) of one product category."""

    category_id: int | None
    basis: Decimal  # turnover or income of the part, base currency


@dataclass(frozen=True)
class PartCommission:
    category_id: int | None
    basis: Decimal
    amount: Decimal  # rounded to cents
    rate: Decimal
    band: str
    table: str  # "default", "category", "client group"


def table_for(
    *,
    category_id: int | None,
    client_group_id: int | None,
    default: Sequence[Band],
    by_category: Mapping[int, Sequence[Band]],
    by_client_group: Mapping[int, Sequence[Band]],
) -> tuple[Sequence[Band], str]:
    """The most specific table: the product category's, else the client group's, else the
    default."""
    if category_id is not None and category_id in by_category:
        return by_category[category_id], "category"
    if client_group_id is not None and client_group_id in by_client_group:
        return by_client_group[client_group_id], "client group"
    return default, "default"


def deal_commission(
    parts: Sequence[DealPart],
    *,
    client_group_id: int | None,
    default: Sequence[Band],
    by_category: Mapping[int, Sequence[Band]] | None = None,
    by_client_group: Mapping[int, Sequence[Band]] | None = None,
) -> list[PartCommission]:
    """Commission of one deal, split by the parts that take different tables. The band comes
    from the whole deal's size; each part pays its table's effective rate at that size."""
    by_category = by_category or {}
    by_client_group = by_client_group or {}
    size = sum((p.basis for p in parts), ZERO)
    out = []
    for p in parts:
        table, which = table_for(
            category_id=p.category_id,
            client_group_id=client_group_id,
            default=default,
            by_category=by_category,
            by_client_group=by_client_group,
        )
        c = commission(size, table)
        amount = money(c.amount * p.basis / size) if size > 0 and p.basis > 0 else ZERO
        out.append(PartCommission(p.category_id, p.basis, amount, c.rate, c.band, which))
    return out


def earned(commission_amount: Decimal, paid_share: Decimal) -> Decimal:
    """The part of a commission earned when ``paid_share`` (0..1) of the invoice is paid."""
    share = min(max(paid_share, ZERO), Decimal(1))
    return money(commission_amount * share)


def clawback(*, earned_gross: Decimal, earned_net: Decimal, returned_share: Decimal) -> Decimal:
    """The (negative) amount taken back when ``returned_share`` (0..1) of a sale is returned:
    the commission earned on it (``earned_gross``, before any clawback) times the share, never
    more than is still kept (``earned_net``)."""
    share = min(max(returned_share, ZERO), Decimal(1))
    take = min(money(earned_gross * share), max(earned_net, ZERO))
    return -take if take > 0 else ZERO


# --- cuts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CutStep:
    below: Decimal  # a result under this percent of the plan ...
    cut: Decimal  # ... cuts the variable part by this percent


def cut_table_parse(raw: Iterable, *, field: str = "cuts") -> list[CutStep]:
    """One measure's cut table: thresholds strictly increasing (0 < t <= 1000), cuts 0..100 and
    monotonic (a lower result never cuts less: the cut falls or stays as the threshold rises)."""
    try:
        rows = list(raw)
    except TypeError:
        raise RuleError(field, "a cut table is a list of [threshold %, cut %]") from None
    steps: list[CutStep] = []
    for i, row in enumerate(rows):
        if not isinstance(row, Sequence) or isinstance(row, str) or len(row) != 2:
            raise RuleError(field, f"row {i + 1}: write [threshold %, cut %]")
        below, cut = _decimal(row[0], field), _decimal(row[1], field)
        if not ZERO < below <= MAX_THRESHOLD:
            raise RuleError(field, f"row {i + 1}: the threshold {below} is outside 0..1000 %")
        if not ZERO <= cut <= HUNDRED:
            raise RuleError(field, f"row {i + 1}: the cut {cut} is outside 0..100 %")
        if steps and below <= steps[-1].below:
            raise RuleError(
                field,
                f"row {i + 1}: the thresholds must increase ({below} after {steps[-1].below})",
            )
        if steps and cut > steps[-1].cut:
            raise RuleError(
                field,
                f"row {i + 1}: under {below} % cuts {cut} %, more than under "
                f"{steps[-1].below} % ({steps[-1].cut} %): a lower result may not cut less",
            )
        steps.append(CutStep(below, cut))
    return steps


def cuts_parse(raw: Mapping, *, field: str = "cuts") -> dict[str, list[CutStep]]:
    """The cut tables of a scheme, per plan measure."""
    if not isinstance(raw, Mapping):
        raise RuleError(field, "cuts are a table per measure")
    out = {}
    for measure, table in raw.items():
        if measure not in CUT_MEASURES:
            raise RuleError(field, f"{measure!r} is not a plan measure")
        out[measure] = cut_table_parse(table, field=field)
    return out


def cuts_dump(cuts: Mapping[str, Sequence[CutStep]]) -> dict[str, list[list[str]]]:
    return {m: [[str(s.below), str(s.cut)] for s in steps] for m, steps in cuts.items() if steps}


def cut_for(percent: Decimal | None, steps: Sequence[CutStep]) -> Decimal:
    """The cut for a result of ``percent`` of the plan (None: nothing planned, no cut)."""
    if percent is None:
        return ZERO
    for step in steps:
        if percent < step.below:
            return step.cut
    return ZERO


def combined_cut(cuts: Iterable[Decimal]) -> Decimal:
    """Cuts of several missed plans add up, capped at 100 %."""
    return min(sum(cuts, ZERO), HUNDRED)


# --- the statement ------------------------------------------------------------------------


@dataclass(frozen=True)
class Totals:
    fixed: Decimal
    commission: Decimal  # sale lines + clawback lines
    cut_percent: Decimal
    cuts: Decimal  # the amount cut (positive)
    adjustments: Decimal
    variable: Decimal
    total: Decimal


def totals(
    *, fixed: Decimal, commission: Decimal, cut_percent: Decimal, adjustments: Decimal
) -> Totals:
    """variable = commission - cuts + adjustments; total = fixed + variable. A cut takes a
    share of a positive commission only (a period of clawbacks is not made smaller by a missed
    plan); adjustments correct earlier statements whose cuts were already applied."""
    cuts = money(commission * min(cut_percent, HUNDRED) / HUNDRED) if commission > 0 else ZERO
    variable = commission - cuts + adjustments
    return Totals(fixed, commission, cut_percent, cuts, adjustments, variable, fixed + variable)
