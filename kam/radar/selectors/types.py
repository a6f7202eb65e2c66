"""What the radar's reads return: frozen dataclasses, row flags and alert kinds."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from kam.radar.models import Definition, RadarSettings

ZERO = Decimal(0)
DEFINITION_ORDER = list(Definition.values)
LEVEL_DEFINITIONS = {Definition.AMOUNT, Definition.SHARE, Definition.DEPENDENCY}

# Row flags (PortfolioRow.flags) and alert kinds (Alert.kind).
LOSS_MAKING = "loss_making"
NO_OWNER = "key_without_owner"
OVER_LIMIT = "kam_over_limit"
REVIEW_DUE = "review_due"


# The portfolio table's orders: key -> (row key, largest first?). Ties fall back to the
# client's id, so pages are stable. The database sorts the same way (``board._page_sql``).
ROW_SORTS = {
    "share": (lambda r: (r.share_pct, r.weight), False),
    "-share": (lambda r: (r.share_pct, r.weight), True),
    "income": (lambda r: r.income, False),
    "-income": (lambda r: r.income, True),
    "npv": (lambda r: r.npv, False),
    "-npv": (lambda r: r.npv, True),
    "name": (lambda r: r.account_name.casefold(), False),
    "-name": (lambda r: r.account_name.casefold(), True),
}
DEFAULT_SORT = "-share"
ANY_BAND = "any"  # the band filter's "critical or mono"


# --- what callers get --------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceRecord:
    """One dated record behind a definition: a case, a disclosure, a consultation..."""

    on: date | None
    text: str
    kind: str = ""
    recorded_by: str = ""


@dataclass(frozen=True)
class Evidence:
    """Why one definition applies (or is suggested) to a client (KC-9)."""

    definition: str  # a Definition value
    label: str  # its translated name
    summary: str  # one human sentence with the figures
    level: str = ""  # for amount/share/dependency: the level it holds at; else ""
    figures: dict[str, Any] = field(default_factory=dict)
    recorded_by: str = ""
    recorded_on: date | None = None
    owner: str = ""
    review_on: date | None = None
    review_due: bool = False
    suggested: bool = False  # from data or records, not (yet) confirmed by a flag
    records: tuple[EvidenceRecord, ...] = ()


@dataclass(frozen=True)
class PortfolioRow:
    account_id: int
    account_name: str
    status: str
    owner_id: int | None
    owner_name: str
    department_id: int | None
    department_name: str
    level: str
    unit_id: int | None  # None (company), the department id, or the KAM's user id
    # the unit's positive weight, the share's denominator; None for a reader who does not see
    # every client of the unit (its amounts are secret, SE-1; see ``secrecy``)
    unit_total: Decimal | None
    revenue: Decimal
    cost: Decimal
    income: Decimal  # of the lines with a known cost: revenue - uncosted - cost
    turnover: Decimal
    # Issue 8 §3: the period's revenue of lines without a known cost (turnover, not income),
    # and whether there is any: the client's income is then incomplete (on either basis; on
    # the income basis its weight counts the costed lines only).
    uncosted: Decimal
    income_unknown: bool
    weight: Decimal  # income or turnover, as the basis says
    share_pct: Decimal  # two places, rounded down
    band: str  # "", "critical", "mono"
    loss_making: bool
    definitions: tuple[str, ...]
    suggestions: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    # KC-11: key at company level by a confirmed definition (amount, share or dependency against
    # the company, potential, a manual mark), whatever the row's level
    company_key: bool
    abc: str
    npv: Decimal
    trend_pct: Decimal | None  # income growth last 12 vs previous 12 months, as measured
    npv_growth_pct: Decimal  # the growth the NPV assumes: trend_pct capped (npv_growth_cap_pct)
    wallet: Decimal | None
    headroom: Decimal | None
    flags: tuple[str, ...]

    @property
    def is_key(self) -> bool:
        return bool(self.definitions)


@dataclass(frozen=True)
class Alert:
    kind: str  # "critical", "mono", "key_without_owner", "kam_over_limit", "review_due"
    message: str
    account_id: int | None = None
    account_name: str = ""
    user_id: int | None = None
    user_name: str = ""
    share_pct: Decimal | None = None
    count: int | None = None


@dataclass(frozen=True)
class ParetoPoint:
    rank: int
    clients_pct: Decimal
    cumulative_pct: Decimal


@dataclass(frozen=True)
class Concentration:
    """KC-13 over the rows returned."""

    total: Decimal  # positive weight of the rows
    clients: int  # rows with positive weight
    top1_pct: Decimal
    top5_pct: Decimal
    top10_pct: Decimal
    hhi: Decimal  # 0..10 000
    abc_counts: dict[str, int]
    abc_pct: dict[str, Decimal]  # share of the total per class
    pareto: tuple[ParetoPoint, ...]
    # False: computed over only the clients the reader sees, not the whole level and unit (a
    # KAM at company level): label it as theirs, never as the company's (``secrecy``).
    complete: bool = True


@dataclass(frozen=True)
class Portfolio:
    level: str
    unit_id: int | None
    unit_name: str
    as_of: date
    period_start: date  # first day of the first month
    period_end: date  # first day of the last month
    months: int
    basis: str
    currency: str
    settings: RadarSettings
    rows: tuple[PortfolioRow, ...]  # the window asked for (offset, limit) of the matching rows
    alerts: tuple[Alert, ...]  # over every row of the level the reader sees, not the window
    concentration: Concentration
    count: int = 0  # rows matching the filters
    offset: int = 0
    # Clients the reader sees at the level (every one, not the window) whose period has
    # revenue without a known cost: their income is incomplete (issue 8 §3).
    uncosted_clients: int = 0

    @property
    def key_rows(self) -> tuple[PortfolioRow, ...]:
        return tuple(r for r in self.rows if r.is_key)


@dataclass(frozen=True)
class StatusChange:
    """A move between two consecutive snapshots (history)."""

    account_id: int
    account_name: str
    level: str
    period_end: date
    previous_end: date
    kind: str  # became_key, dropped_out, crossed_critical, crossed_mono, fell_below_critical,
    #            fell_below_mono, definitions_changed
    definitions_before: tuple[str, ...]
    definitions_after: tuple[str, ...]
    share_before: Decimal | None
    share_after: Decimal | None
    reason: str
