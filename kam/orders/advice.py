"""Order advice's arithmetic, with no database (OR-2): a client's buying rhythm per product,
what clients like it buy that it does not, and how far the suggestions go within available
credit. Plain values in, plain values out; ``selectors_advice`` feeds it from the ledger.

Each suggestion carries its reason as data (a code and the values), so the page, the API and
any language say it in their own words.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from math import ceil

# A rhythm needs at least three purchases (two intervals); fewer say so instead of guessing.
MIN_PURCHASES = 3
# The suggested quantity is the median of the client's last few purchases of the product.
RECENT_PURCHASES = 5
# "Due" a few days before the median interval is over: an order takes days to arrive.
DUE_SOON_DAYS = 3
# A product clients like it buy: at least MIN_BUYERS of them, or MIN_SHARE % of them (but
# never on the word of a single client: at least MIN_SHARE_BUYERS).
MIN_BUYERS = 3
MIN_SHARE = Decimal("50")
MIN_SHARE_BUYERS = 2

ZERO = Decimal("0")


@dataclass(frozen=True)
class Reason:
    """Why a product is suggested (or not): ``code`` for programs, ``values`` for the sentence.

    codes: "rhythm" (interval, days_since, last), "too_few" (purchases, last, days_since),
    "peers" (buyers, peers, basis: "segment" | "industry", group)."""

    code: str
    values: dict


@dataclass(frozen=True)
class Purchase:
    on: date
    quantity: Decimal


@dataclass(frozen=True)
class Rhythm:
    product_id: int
    purchases: int  # purchase days up to as_of
    last: date
    days_since: int
    interval: Decimal | None  # median days between purchases; None: fewer than MIN_PURCHASES
    due: bool
    quantity: Decimal  # median quantity of the recent purchases

    @property
    def reason(self) -> Reason:
        if self.interval is None:
            return Reason(
                "too_few",
                {"purchases": self.purchases, "last": self.last, "days_since": self.days_since},
            )
        return Reason(
            "rhythm",
            {
                "interval": whole_days(self.interval),
                "days_since": self.days_since,
                "last": self.last,
            },
        )

    @property
    def overdue_ratio(self) -> Decimal:
        """Days since the last purchase per interval: 1.25 is a quarter of a rhythm late."""
        if not self.interval:
            return ZERO
        return Decimal(self.days_since) / self.interval


def median(values: Sequence[Decimal | int]) -> Decimal:
    """The middle value (the mean of the two middle ones for an even count)."""
    if not values:
        raise ValueError("median of nothing")
    ordered = sorted(Decimal(v) for v in values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[mid]
    return (ordered[mid - 1] + ordered[mid]) / 2


def whole_days(value: Decimal) -> int:
    """A median interval as the whole number of days the sentence says (half up)."""
    return int(value.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _by_day(purchases: Iterable[Purchase], as_of: date) -> list[Purchase]:
    """One purchase per day (two deliveries on one day are one purchase: an interval of 0
    days would make the client look twice as frequent), up to ``as_of``, oldest first."""
    days: dict[date, Decimal] = {}
    for p in purchases:
        if p.on <= as_of and p.quantity > 0:
            days[p.on] = days.get(p.on, ZERO) + p.quantity
    return [Purchase(on, q) for on, q in sorted(days.items())]


def rhythm(
    product_id: int,
    purchases: Iterable[Purchase],
    as_of: date,
    *,
    min_purchases: int = MIN_PURCHASES,
    recent: int = RECENT_PURCHASES,
    due_soon_days: int = DUE_SOON_DAYS,
) -> Rhythm | None:
    """The client's rhythm of buying one product as of ``as_of``; None: never bought by then."""
    days = _by_day(purchases, as_of)
    if not days:
        return None
    last = days[-1].on
    days_since = (as_of - last).days
    quantity = median([p.quantity for p in days[-recent:]])
    if len(days) < min_purchases:
        return Rhythm(product_id, len(days), last, days_since, None, False, quantity)
    interval = median([(b.on - a.on).days for a, b in pairwise(days)])
    due = days_since >= interval - due_soon_days
    return Rhythm(product_id, len(days), last, days_since, interval, due, quantity)


def due_again(rhythms: Iterable[Rhythm | None]) -> list[Rhythm]:
    """The products due again, the most overdue (in rhythms) first."""
    found = [r for r in rhythms if r is not None and r.due]
    return sorted(found, key=lambda r: (-r.overdue_ratio, r.product_id))


@dataclass(frozen=True)
class PeerProduct:
    """What similar clients did with one product in the last 12 months."""

    product_id: int
    buyers: int  # similar clients who bought it
    revenue: Decimal  # their revenue on it (ranks ties; never shown: it is their business)
    first_quantities: tuple[Decimal, ...] = ()  # each buyer's first-order quantity


@dataclass(frozen=True)
class PeerSuggestion:
    product_id: int
    buyers: int
    peers: int
    revenue: Decimal
    quantity: Decimal | None  # median first-order quantity; None: no first order known


def peer_threshold(
    peers: int,
    *,
    min_buyers: int = MIN_BUYERS,
    min_share: Decimal = MIN_SHARE,
    min_share_buyers: int = MIN_SHARE_BUYERS,
) -> int:
    """How many of ``peers`` similar clients must buy a product for it to be suggested: at
    least ``min_buyers``, or ``min_share`` % of them when that is fewer (small groups), but
    never fewer than ``min_share_buyers``."""
    by_share = max(min_share_buyers, ceil(Decimal(peers) * min_share / 100))
    return min(min_buyers, by_share)


def peer_suggestions(
    products: Iterable[PeerProduct],
    *,
    peers: int,
    owned: set[int] | frozenset[int] = frozenset(),
    min_buyers: int = MIN_BUYERS,
    min_share: Decimal = MIN_SHARE,
    min_share_buyers: int = MIN_SHARE_BUYERS,
) -> list[PeerSuggestion]:
    """Products enough similar clients buy and this client never bought, the most widely
    bought first (then by the similar clients' revenue on it)."""
    if peers <= 0:
        return []
    need = peer_threshold(
        peers, min_buyers=min_buyers, min_share=min_share, min_share_buyers=min_share_buyers
    )
    found = [
        PeerSuggestion(
            p.product_id,
            p.buyers,
            peers,
            p.revenue,
            median(p.first_quantities) if p.first_quantities else None,
        )
        for p in products
        if p.product_id not in owned and p.buyers >= need
    ]
    return sorted(found, key=lambda s: (-s.buyers, -s.revenue, s.product_id))


@dataclass(frozen=True)
class Fit:
    taken: tuple[bool, ...]  # per amount, in the order given
    used: Decimal
    left: Decimal


def fit_credit(amounts: Sequence[Decimal], available: Decimal) -> Fit:
    """Take the amounts in order of priority while they fit in what credit is left; one that
    does not fit is marked (not dropped) and a smaller one after it may still fit. The sum
    taken never exceeds ``available`` (nothing fits a zero or negative one)."""
    left = max(available, ZERO)
    used = ZERO
    taken = []
    for amount in amounts:
        ok = amount <= left
        taken.append(ok)
        if ok:
            left -= amount
            used += amount
    return Fit(tuple(taken), used, left)


@dataclass(frozen=True)
class Line:
    """A suggestion priced: what the view and the API show and a draft order takes."""

    product_id: int
    kind: str  # "due" | "peers"
    reason: Reason
    quantity: Decimal
    price: Decimal | None = None
    amount: Decimal | None = None
    fits_credit: bool | None = None  # None: not priced, so not weighed against credit


@dataclass
class Plan:
    due: list[Line] = field(default_factory=list)
    peers: list[Line] = field(default_factory=list)
    used: Decimal = ZERO
    left: Decimal | None = None


def amount_of(price: Decimal, quantity: Decimal) -> Decimal:
    return (price * quantity).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def plan(due: Sequence[Line], peers: Sequence[Line], available: Decimal | None) -> Plan:
    """Price the lines that carry a price (amount = price x quantity) and weigh them against
    credit in order of priority: the due ones first (the client's own rhythm), then the ones
    clients like it buy. ``available`` None: no contract, so nothing is weighed."""
    lines = [
        replace(ln, amount=amount_of(ln.price, ln.quantity)) if ln.price is not None else ln
        for ln in [*due, *peers]
    ]
    cut = len(due)
    if available is None:
        return Plan(lines[:cut], lines[cut:])
    priced = [i for i, ln in enumerate(lines) if ln.amount is not None]
    fit = fit_credit([lines[i].amount for i in priced], available)
    for i, ok in zip(priced, fit.taken, strict=True):
        lines[i] = replace(lines[i], fits_credit=ok)
    return Plan(lines[:cut], lines[cut:], fit.used, fit.left)
