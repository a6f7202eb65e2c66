"""Order advice for one client (OR-2): what it is due to order again by its own rhythm, what
clients like it buy and it does not, priced from its contract's column and weighed against its
available credit. Reads only: the arithmetic is ``kam.orders.advice``.

The ledger is read in a few aggregate queries (per product and day for the client, per product
for the similar clients), never line by line.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.contracts.models import Contract
from kam.contracts.selectors import contract_active
from kam.core.selectors import company_settings
from kam.credit.selectors import credit_position
from kam.orders import advice
from kam.orders.advice import Line, PeerProduct, Purchase, Reason
from kam.pricing.selectors import column_price
from kam.sales.models import FirstPurchase, SalesLine

# How far back the client's own rhythm is read, and the similar clients' purchases.
RHYTHM_DAYS = 730
PEER_DAYS = 365
# Fewer similar clients with purchases than this and the group says little: the segment
# gives way to the industry, and no group at all gives no "clients like it" suggestions.
MIN_PEERS = 3
# At most this many suggestions of each kind (each is priced with one lookup).
MAX_DUE = 20
MAX_PEERS = 10
MAX_UNSETTLED = 10
PANEL_SIZE = 3


@dataclass(frozen=True)
class Suggestion:
    product: Product
    kind: str  # "due" | "peers"
    reason: Reason
    quantity: Decimal
    price: Decimal | None
    amount: Decimal | None
    fits_credit: bool | None  # None: unpriced (no contract), so not weighed

    @property
    def text(self) -> str:
        return reason_text(self.reason)


@dataclass(frozen=True)
class PeerGroup:
    basis: str  # "segment" | "industry"
    name: str
    peers: int  # similar clients with purchases in the last 12 months


@dataclass
class Advice:
    account: Account
    as_of: date
    contract: Contract | None
    currency: str
    available: Decimal | None  # None: no contract, nothing weighed
    due: list[Suggestion] = field(default_factory=list)
    peers: list[Suggestion] = field(default_factory=list)
    unsettled: list[Suggestion] = field(default_factory=list)  # too few purchases for a rhythm
    group: PeerGroup | None = None
    notes: list[Reason] = field(default_factory=list)
    used: Decimal = Decimal("0")  # the amount of the suggestions that fit the credit
    left: Decimal | None = None

    @property
    def suggestions(self) -> list[Suggestion]:
        return [*self.due, *self.peers]

    @property
    def over_credit(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.fits_credit is False]

    @property
    def note_texts(self) -> list[str]:
        return [note_text(n) for n in self.notes]


def _account(user, account) -> Account:
    pk = getattr(account, "pk", account)
    try:
        return Account.objects.visible_to(user).select_related("segment").get(pk=pk)
    except (Account.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such client.")) from None


def _bought():
    """Sold lines of real products: returns and service lines (freight) are no purchases."""
    return SalesLine.objects.filter(quantity__gt=0, product__is_service=False)


def _rhythms(account: Account, as_of: date) -> list[advice.Rhythm]:
    rows = (
        _bought()
        .filter(account=account, date__lte=as_of, date__gt=as_of - timedelta(days=RHYTHM_DAYS))
        .filter(product__is_active=True)  # a discontinued product is offered to nobody
        .values("product_id", "date")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    )
    purchases: dict[int, list[Purchase]] = {}
    for row in rows:
        purchases.setdefault(row["product_id"], []).append(Purchase(row["date"], row["quantity"]))
    return [r for pid, ps in purchases.items() if (r := advice.rhythm(pid, ps, as_of)) is not None]


def _peer_lines(account: Account, as_of: date):
    return (
        _bought()
        .filter(date__lte=as_of, date__gt=as_of - timedelta(days=PEER_DAYS))
        .exclude(account_id=account.pk)
    )


def _peer_group(account: Account, as_of: date) -> tuple[PeerGroup | None, Q | None, Reason]:
    """Clients like this one: the same segment, else the same industry, when enough of them
    bought in the last 12 months. The reason says why there is no group when there is none."""
    lines = _peer_lines(account, as_of)
    tried = []
    options = []
    if account.segment_id:
        options.append(("segment", account.segment.name, Q(account__segment_id=account.segment_id)))
    if account.industry.strip():
        options.append(
            ("industry", account.industry, Q(account__industry__iexact=account.industry))
        )
    for basis, name, q in options:
        n = lines.filter(q).values("account_id").distinct().count()
        if n >= MIN_PEERS:
            return PeerGroup(basis, name, n), q, Reason("", {})
        tried.append({"basis": basis, "group": name, "peers": n})
    if not options:
        return None, None, Reason("no_group", {})
    return None, None, Reason("few_peers", {"tried": tried, "min": MIN_PEERS})


def _peer_suggestions(
    account: Account, as_of: date, group: PeerGroup, q: Q
) -> list[advice.PeerSuggestion]:
    lines = _peer_lines(account, as_of).filter(q)
    owned = FirstPurchase.objects.filter(account_id=account.pk, first_date__lte=as_of)
    need = advice.peer_threshold(group.peers)
    stats = list(
        lines.filter(product__is_active=True)
        .exclude(product_id__in=owned.values("product_id"))
        .values("product_id")
        .annotate(buyers=Count("account_id", distinct=True), revenue=Sum("revenue_base"))
        .filter(buyers__gte=need)
        .order_by("-buyers", "-revenue", "product_id")[:MAX_PEERS]
    )
    if not stats:
        return []
    ids = [row["product_id"] for row in stats]
    # Each buyer's first order of the product: the lines of its first purchase day, for the
    # buyers who bought it in the window (FirstPurchase is each client's first day ever).
    first_day = FirstPurchase.objects.filter(
        account_id=OuterRef("account_id"),
        product_id=OuterRef("product_id"),
        first_date=OuterRef("date"),
    )
    in_window = lines.filter(
        account_id=OuterRef("account_id"), product_id=OuterRef("product_id")
    ).values("pk")
    firsts: dict[int, list[Decimal]] = {}
    for row in (
        _bought()
        .filter(q, product_id__in=ids)
        .exclude(account_id=account.pk)
        .filter(Exists(first_day), Exists(in_window))
        .values("account_id", "product_id")
        .annotate(quantity=Sum("quantity"))
        .order_by()
    ):
        firsts.setdefault(row["product_id"], []).append(row["quantity"])
    products = [
        PeerProduct(
            row["product_id"],
            row["buyers"],
            row["revenue"] or Decimal("0"),
            tuple(firsts.get(row["product_id"], ())),
        )
        for row in stats
    ]
    return advice.peer_suggestions(products, peers=group.peers)


def order_advice(*, user, account, as_of: date) -> "Advice":
    """What the client may order next, as of ``as_of`` (OR-2). Http404 for a client out of
    the user's sight, as for a missing one."""
    account = _account(user, account)
    rhythms = _rhythms(account, as_of)
    due = advice.due_again(rhythms)[:MAX_DUE]
    unsettled = sorted(
        (r for r in rhythms if r.interval is None), key=lambda r: (-r.purchases, r.days_since)
    )[:MAX_UNSETTLED]

    notes: list[Reason] = []
    if not rhythms:
        notes.append(Reason("no_history", {"days": RHYTHM_DAYS}))
    group, q, why_none = _peer_group(account, as_of)
    peer_found = _peer_suggestions(account, as_of, group, q) if group else []
    if group is None:
        notes.append(why_none)

    contract = contract_active(account_id=account.pk, on=as_of)
    base = company_settings().base_currency
    currency = contract.price_column.price_list.currency if contract else base

    due_lines = [Line(r.product_id, "due", r.reason, r.quantity) for r in due]
    peer_lines = [
        Line(
            s.product_id,
            "peers",
            Reason(
                "peers",
                {
                    "buyers": s.buyers,
                    "peers": s.peers,
                    "basis": group.basis,
                    "group": group.name,
                },
            ),
            s.quantity,
        )
        for s in peer_found
        if s.quantity is not None and s.quantity > 0
    ]
    products = Product.objects.in_bulk(
        {ln.product_id for ln in [*due_lines, *peer_lines]} | {r.product_id for r in unsettled}
    )

    available = None
    if contract is None:
        notes.append(Reason("no_contract", {}))
    else:
        column = contract.price_column

        def priced(lines: list[Line]) -> list[Line]:
            kept = []
            for ln in lines:
                price = column_price(column_id=column.pk, product_id=ln.product_id, on=as_of)
                if price is None:
                    product = products[ln.product_id]
                    notes.append(
                        Reason(
                            "no_price",
                            {"sku": product.sku, "product": product.name, "column": column.name},
                        )
                    )
                    continue
                kept.append(Line(ln.product_id, ln.kind, ln.reason, ln.quantity, price))
            return kept

        due_lines, peer_lines = priced(due_lines), priced(peer_lines)
        if currency == base:
            available = credit_position(account_id=account.pk, as_of=as_of).available
        else:
            notes.append(Reason("other_currency", {"prices": currency, "credit": base}))
    fitted = advice.plan(due_lines, peer_lines, available)

    def suggestion(ln: Line) -> Suggestion:
        return Suggestion(
            products[ln.product_id],
            ln.kind,
            ln.reason,
            ln.quantity,
            ln.price,
            ln.amount,
            ln.fits_credit,
        )

    return Advice(
        account=account,
        as_of=as_of,
        contract=contract,
        currency=currency,
        available=available,
        due=[suggestion(ln) for ln in fitted.due],
        peers=[suggestion(ln) for ln in fitted.peers],
        unsettled=[
            Suggestion(products[r.product_id], "too_few", r.reason, r.quantity, None, None, None)
            for r in unsettled
        ],
        group=group,
        notes=notes,
        used=fitted.used,
        left=fitted.left,
    )


def client_panel(*, user, account, as_of: date) -> dict:
    """The client card's panel: the three first suggestions and the way to the whole advice."""
    result = order_advice(user=user, account=account, as_of=as_of)
    return {
        "account": result.account,
        "advice": result,
        "top": result.suggestions[:PANEL_SIZE],
        "more": max(len(result.suggestions) - PANEL_SIZE, 0),
    }


# --- words ---------------------------------------------------------------------------------


def _days_ago(days: int) -> str:
    if days == 0:
        return _("last bought today")
    return ngettext("last %(n)d day ago", "last %(n)d days ago", days) % {"n": days}


def reason_text(reason: Reason) -> str:
    """A suggestion's reason in a line, in the active language."""
    v = reason.values
    if reason.code == "rhythm":
        every = ngettext("bought every %(n)d day", "bought every %(n)d days", v["interval"]) % {
            "n": v["interval"]
        }
        return _("%(every)s, %(last)s") % {"every": every, "last": _days_ago(v["days_since"])}
    if reason.code == "too_few":
        times = ngettext("bought %(n)d time", "bought %(n)d times", v["purchases"]) % {
            "n": v["purchases"]
        }
        return _("%(times)s, %(last)s: too few purchases to tell a rhythm") % {
            "times": times,
            "last": _days_ago(v["days_since"]),
        }
    if reason.code == "peers":
        if v["basis"] == "segment":
            template = _("bought by %(buyers)d of %(peers)d similar clients (segment %(group)s)")
        else:
            template = _("bought by %(buyers)d of %(peers)d similar clients (industry %(group)s)")
        return template % v
    return reason.code


def note_text(note: Reason) -> str:
    """A remark on the whole advice, in the active language."""
    v = note.values
    if note.code == "no_contract":
        return _(
            "The client has no active contract: the suggestions are not priced, and an order "
            "needs a contract. Prepare one first."
        )
    if note.code == "no_price":
        return (
            _("%(sku)s %(product)s has no price in the column %(column)s, so it is left out.") % v
        )
    if note.code == "no_history":
        return _("The client bought nothing in the last two years: no rhythm to go by.")
    if note.code == "no_group":
        return _(
            "The client has no segment or industry, so there are no clients like it to "
            "compare with."
        )
    if note.code == "few_peers":
        tried = "; ".join(
            (
                _("segment %(group)s: %(peers)d")
                if t["basis"] == "segment"
                else _("industry %(group)s: %(peers)d")
            )
            % t
            for t in v["tried"]
        )
        return _(
            "Too few similar clients bought in the last 12 months to suggest from (%(tried)s; "
            "at least %(min)d needed)."
        ) % {"tried": tried, "min": v["min"]}
    if note.code == "other_currency":
        return (
            _(
                "The prices are in %(prices)s and the credit in %(credit)s, so the suggestions are "
                "not weighed against the credit."
            )
            % v
        )
    return note.code
