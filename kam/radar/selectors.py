"""Reads of the key-account radar: the portfolio by level, why a client is key, its history.

Public interface (what views, the API, the CLI and exports build on)::

    radar_portfolio(*, user, level="company", unit_id=None, as_of=None, only_key=False)
        -> Portfolio
    radar_concentration(*, user, level="company", unit_id=None, as_of=None) -> Concentration
    why_key(*, user, account, as_of=None) -> list[Evidence]  # Account or pk; 404 if not yours
    key_history(*, user, level=None, account=None, since=None) -> list[StatusChange]
    default_level(user) -> str                          # manager for KAMs/regionals, etc.
    unit_choices(*, user, level) -> list[tuple[int, str]]  # units the user may pick
    department_units(user) -> QuerySet[Department]      # departments the user may pick
    manager_units(user) -> QuerySet[User]               # people the user may pick
    snapshot_rows(*, as_of) -> list[KeyStatusSnapshot]  # unsaved; used by radar_snapshot_take
    latest_wallet(*, user, account) -> WalletEstimate | None  # the one the radar uses today
    wallet_currencies() -> list[str]                    # base first, then those with a rate

Dataclasses returned (frozen): ``Portfolio`` (rows, alerts, concentration, period, basis,
currency, settings; ``key_rows``), ``PortfolioRow`` (one client at one level; ``is_key``),
``Evidence`` and ``EvidenceRecord`` (why a definition applies), ``Alert``, ``Concentration``
and ``ParetoPoint``, ``StatusChange``. Codes: ``Definition``, ``Level``, ``Band`` in models;
row flags ``LOSS_MAKING``, ``REVIEW_DUE``, ``NO_OWNER``, ``OVER_LIMIT`` (also alert kinds,
beside "critical" and "mono").

How levels and scope meet (KC-10, SE-1):

* The *unit* of a row is the whole company (company level), the client's own department
  (department level) or the client's KAM (manager level). A client's share is always of its
  unit's full positive weight, computed in the database over every client of the unit, whoever
  asks: being key is a fact about the client in its unit, not about the viewer. Clients with no
  KAM are left out at manager level.
* Only rows the user may see are returned (``Account.objects.visible_to``). Any signed-in user
  may ask any level: a KAM asking for the company level sees their own clients with their
  company-level share (so they learn whether a client matters to the company, nothing about
  other clients). A head gets their department subtree; a director everything.
* ``unit_id`` narrows the rows: at department level to that department's subtree, at manager
  level to that KAM's clients. A unit the user may not pick answers Http404.
* The concentration block, ABC classes and the Pareto curve describe the clients the user
  sees in the unit (all of them, even with ``only_key``): for a director at company level that
  is the company; for a KAM, their own book.
* Assignment alerts (KC-11) concern *company-level* key accounts: clients key by amount, share
  or dependency against the company (the definitions that have a level), among the rows
  returned. Potential and the manual definitions hold at every level, so they do not count
  toward a KAM's one-to-three.

Periods, shares, bands, potential, NPV and innovators follow ``kam.radar.rules`` (see its
docstring for each choice). Months are whole calendar months: ``as_of`` picks the last month.

Work is set-based: one GROUP BY over ``ClientMonth`` for the unit totals (skipped when the
user sees everything: the rows' figures are then every client's), one for the rows' figures, one MIN(date) per (product, client) for innovators, and one small query per kind of
manual evidence -- about a dozen queries whatever the number of clients.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Context, Decimal
from itertools import pairwise
from typing import Any, NamedTuple

from django.db import connection
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum
from django.http import Http404
from django.utils import numberformat, timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.clients.selectors import account_get
from kam.core.models import CurrencyRate
from kam.core.services import company_settings
from kam.org.models import Department, Role, User
from kam.org.selectors import acting_for, visible_people
from kam.radar import rules
from kam.radar.models import (
    Band,
    CompetenceConsultation,
    Definition,
    KeyFlag,
    KeyStatusSnapshot,
    Level,
    PartnerDisclosure,
    RadarSettings,
    ReferenceCase,
    SnapshotRun,
    WalletEstimate,
)
from kam.radar.services import radar_settings
from kam.sales.models import ClientMonth, SalesLine

ZERO = Decimal(0)
DEFINITION_ORDER = list(Definition.values)
LEVEL_DEFINITIONS = {Definition.AMOUNT, Definition.SHARE, Definition.DEPENDENCY}

# Row flags (PortfolioRow.flags) and alert kinds (Alert.kind).
LOSS_MAKING = "loss_making"
NO_OWNER = "key_without_owner"
OVER_LIMIT = "kam_over_limit"
REVIEW_DUE = "review_due"


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
    unit_total: Decimal  # the unit's positive weight, the share's denominator
    revenue: Decimal
    cost: Decimal
    income: Decimal
    turnover: Decimal
    weight: Decimal  # income or turnover, as the basis says
    share_pct: Decimal  # two places, rounded down
    band: str  # "", "critical", "mono"
    loss_making: bool
    definitions: tuple[str, ...]
    suggestions: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    company_key: bool  # key by amount/share/dependency at company level, whatever the row's level
    abc: str
    npv: Decimal
    trend_pct: Decimal  # income growth last 12 vs previous 12 months, capped
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
    rows: tuple[PortfolioRow, ...]
    alerts: tuple[Alert, ...]
    concentration: Concentration

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


# --- small helpers -----------------------------------------------------------------------------


def _dec(value) -> Decimal:
    """A database sum as an exact Decimal (SQLite hands raw sums back as floats)."""
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(rules.CENT)


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _person(user: User | None) -> str:
    return str(user) if user is not None else ""


def criteria_of(s: RadarSettings) -> rules.Criteria:
    return rules.Criteria(
        basis=s.basis,
        key_amount=s.key_amount,
        key_share_pct=s.key_share_pct,
        critical_pct=s.critical_pct,
        mono_pct=s.mono_pct,
        potential_headroom=s.potential_headroom,
        abc_a_pct=s.abc_a_pct,
        abc_b_pct=s.abc_b_pct,
        npv_rate_pct=s.npv_rate_pct,
        npv_horizon_years=s.npv_horizon_years,
        npv_growth_cap_pct=s.npv_growth_cap_pct,
        innovator_share_pct=s.innovator_share_pct,
        max_key_per_kam=s.max_key_per_kam,
    )


def default_level(user) -> str:
    """The level a person looks at first: their own book for KAMs, the department for heads."""
    if user.sees_everything:
        return Level.COMPANY
    if user.role in {Role.HEAD, Role.SUPPORT}:
        return Level.DEPARTMENT
    return Level.MANAGER


def _check_level(level: str) -> str:
    if level not in Level.values:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(Level.values)}")
    return level


def department_units(user) -> QuerySet[Department]:
    if user.sees_everything:
        return Department.objects.all()
    q = Q(pk__in=[])
    for person in acting_for(user):
        if person.department_id:
            q |= Q(path__startswith=person.department.path)
    return Department.objects.filter(q)


def manager_units(user) -> QuerySet[User]:
    if user.sees_everything:
        return User.objects.filter(is_active=True)
    ids: set[int] = set()
    for person in acting_for(user):
        ids.update(visible_people(person).values_list("pk", flat=True))
    return User.objects.filter(pk__in=ids)


def unit_choices(*, user, level: str) -> list[tuple[int, str]]:
    """The units a user may narrow the radar to at ``level`` (empty at company level)."""
    if _check_level(level) == Level.DEPARTMENT:
        return [(d.pk, d.name) for d in department_units(user).order_by("path")]
    if level == Level.MANAGER:
        people = manager_units(user).filter(accounts__isnull=False).distinct()
        return [(p.pk, str(p)) for p in people.order_by("last_name", "first_name", "username")]
    return []


# --- loading: set-based ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Period:
    first: date
    last: date
    months: int
    l12_first: date  # NPV: the trailing 12 months ...
    p12_first: date  # ... and the 12 before them


def _period(as_of: date, s: RadarSettings, fiscal_start_month: int) -> _Period:
    first, last = rules.period_months(as_of, s.period, fiscal_start_month)
    l12 = rules.add_months(last, -11)
    return _Period(first, last, rules.months_between(first, last), l12, rules.add_months(l12, -12))


def _unit_totals(period: _Period, basis: str) -> dict[tuple[int | None, int | None], Decimal]:
    """Positive weight per (department, owner) over every client: two GROUP BYs, few rows.

    Each client's weight is summed first and only positive ones are added up, so a loss-making
    client cannot shrink its unit's denominator (see rules).
    """
    cm, acc = ClientMonth._meta.db_table, Account._meta.db_table
    w = "SUM(revenue - cost)" if basis == rules.INCOME else "SUM(revenue)"
    sql = (
        f"SELECT a.department_id, a.owner_id, SUM(t.w) FROM "
        f"(SELECT account_id, {w} AS w FROM {cm} WHERE month >= %s AND month <= %s "
        f"GROUP BY account_id) t JOIN {acc} a ON a.id = t.account_id "
        f"WHERE t.w > 0 GROUP BY a.department_id, a.owner_id"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [period.first, period.last])
        return {(d, o): _dec(total) for d, o, total in cur.fetchall()}


@dataclass
class _Totals:
    company: Decimal
    department: dict[int | None, Decimal]
    owner: dict[int | None, Decimal]

    @classmethod
    def of(cls, pairs: dict[tuple[int | None, int | None], Decimal]) -> "_Totals":
        dept: dict[int | None, Decimal] = defaultdict(Decimal)
        owner: dict[int | None, Decimal] = defaultdict(Decimal)
        for (d, o), total in pairs.items():
            dept[d] += total
            owner[o] += total
        return cls(sum(pairs.values(), ZERO), dict(dept), dict(owner))

    def of_unit(self, level: str, unit: int | None) -> Decimal:
        if level == Level.COMPANY:
            return self.company
        table = self.department if level == Level.DEPARTMENT else self.owner
        return table.get(unit, ZERO)


class _Figures(NamedTuple):  # a tuple: a hundred thousand are built per read
    revenue: Decimal
    cost: Decimal
    last12: Decimal
    prev12: Decimal


def _sum_reader():
    """What Django's converters make of a DecimalField SUM read back through a raw cursor.

    psycopg hands back Decimals. SQLite hands back floats (or ints), which Django cuts to 15
    significant digits without rounding to the field's places (an aggregate is not a column);
    reading them the same way keeps every figure identical to the ORM's ``values()``."""
    if connection.vendor == "sqlite":
        from_float = Context(prec=15).create_decimal_from_float
        return lambda value: ZERO if value is None else from_float(value)
    return _dec


def _figures(
    period: _Period, restrict: QuerySet | None, *, with_trend: bool = True
) -> dict[int, _Figures]:
    """The period's revenue and cost, and the two trailing years' income, per client: one
    GROUP BY over the monthly roll-up with conditional sums."""
    income = F("revenue") - F("cost")
    first = min(period.first, period.p12_first) if with_trend else period.first
    qs = ClientMonth.objects.filter(month__gte=first, month__lte=period.last)
    if restrict is not None:
        qs = qs.filter(account_id__in=restrict.values("pk"))
    if not with_trend:
        rows = qs.values("account_id").annotate(p_revenue=Sum("revenue"), p_cost=Sum("cost"))
        names = ("account_id", "p_revenue", "p_cost")
    else:
        rows = qs.values("account_id").annotate(
            p_revenue=Sum("revenue", filter=Q(month__gte=period.first)),
            p_cost=Sum("cost", filter=Q(month__gte=period.first)),
            l12=Sum(income, filter=Q(month__gte=period.l12_first)),
            p12=Sum(income, filter=Q(month__lt=period.l12_first)),
        )
        names = ("account_id", "p_revenue", "p_cost", "l12", "p12")
    # The ORM writes the statement; a raw cursor reads it, skipping Django's per-value
    # converters and per-row dicts (a second on a hundred thousand clients).
    sql, params = rows.values_list(*names).query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    read = _sum_reader()
    if not with_trend:
        return {pk: _Figures(read(r), read(c), ZERO, ZERO) for pk, r, c in fetched}
    return {pk: _Figures(read(r), read(c), read(g), read(p)) for pk, r, c, g, p in fetched}


@dataclass
class _Manual:
    flags: dict[int, dict[str, KeyFlag]]
    wallets: dict[int, WalletEstimate]
    counts: dict[str, dict[int, tuple[int, date]]]  # definition -> account -> (n, last date)
    records: dict[str, dict[int, list[EvidenceRecord]]]
    innovators: dict[int, list[tuple[int, date, int, int]]]
    products: dict[int, str]


_RECORD_MODELS = {
    Definition.REFERENCE: (ReferenceCase, "done_on"),
    Definition.PARTNER: (PartnerDisclosure, "disclosed_on"),
    Definition.COMPETENT: (CompetenceConsultation, "consulted_on"),
}


def _record_of(definition: str, obj) -> EvidenceRecord:
    who = _person(obj.recorded_by)
    if definition == Definition.REFERENCE:
        text = obj.what + (f" — {obj.result}" if obj.result else "")
        return EvidenceRecord(obj.done_on, text, "", who)
    if definition == Definition.PARTNER:
        return EvidenceRecord(obj.disclosed_on, obj.text, obj.get_kind_display(), who)
    return EvidenceRecord(obj.consulted_on, obj.topic, "", who)


def _manual(
    *,
    as_of: date,
    evidence_on: date,
    s: RadarSettings,
    restrict: QuerySet | None,
    with_records: bool,
    light: bool = False,
) -> _Manual:
    def scoped(qs):
        return qs if restrict is None else qs.filter(account_id__in=restrict.values("pk"))

    flags: dict[int, dict[str, KeyFlag]] = defaultdict(dict)
    for flag in scoped(
        KeyFlag.objects.filter(active=True, flagged_on__lte=evidence_on).select_related(
            "owner", "recorded_by"
        )
    ):
        flags[flag.account_id][flag.definition] = flag

    wallets: dict[int, WalletEstimate] = {}
    wallet_qs = scoped(WalletEstimate.objects.filter(recorded_at__lte=evidence_on)).select_related(
        "recorded_by"
    )
    if with_records:
        wallet_qs = wallet_qs.prefetch_related("competitors")
    for wallet in wallet_qs.order_by("account_id", "-recorded_at", "-pk"):
        wallets.setdefault(wallet.account_id, wallet)

    counts: dict[str, dict[int, tuple[int, date]]] = {}
    records: dict[str, dict[int, list[EvidenceRecord]]] = {}
    if light:  # snapshots: only what decides status (flags and wallets)
        return _Manual(dict(flags), wallets, counts, records, {}, {})
    for definition, (model, on) in _RECORD_MODELS.items():
        qs = scoped(model.objects.filter(**{f"{on}__lte": evidence_on}))
        if with_records:
            per: dict[int, list[EvidenceRecord]] = defaultdict(list)
            for obj in qs.select_related("recorded_by").order_by(f"-{on}", "-pk"):
                per[obj.account_id].append(_record_of(definition, obj))
            records[definition] = per
            counts[definition] = {a: (len(v), v[0].on) for a, v in per.items()}
        else:
            counts[definition] = {
                r["account_id"]: (r["n"], r["last"])
                for r in qs.values("account_id").annotate(n=Count("pk"), last=Max(on))
            }

    # KC-8 suggestion: first buyers of recently launched products, ranked over ALL buyers.
    window_start = rules.add_months(as_of.replace(day=1), -s.innovator_window_months)
    # Launched products first (a short list), so the ledger is read through its
    # (product, date) index rather than scanned whole.
    launched = dict(
        Product.objects.filter(launched_on__gte=window_start, launched_on__lte=as_of)
        .values_list("pk", "name")
        .order_by()
    )
    first_buys = (
        SalesLine.objects.filter(
            product_id__in=list(launched),
            date__gte=window_start,
            date__lte=as_of,
            quantity__gt=0,
        )
        .values("product_id", "account_id")
        .annotate(first=Min("date"))
        .values_list("product_id", "account_id", "first")
    )
    innovators = rules.first_buyers(first_buys, s.innovator_share_pct)
    if restrict is not None and innovators:
        keep = set(restrict.filter(pk__in=list(innovators)).values_list("pk", flat=True))
        innovators = {a: v for a, v in innovators.items() if a in keep}
    return _Manual(dict(flags), wallets, counts, records, innovators, launched)


# --- judging -----------------------------------------------------------------------------------


# The texts below are built while the selector runs, that is inside the request with the
# reader's language active, so figures follow that language as the pages do: "43,019.32" and
# "21.59" in English, "43 019,32" and "21,59" in Latvian and Russian.


def _money(x: Decimal) -> str:
    return number_format(x, decimal_pos=2, use_l10n=True, force_grouping=True)


def _money_formatter() -> Callable[[Decimal], str]:
    """``_money`` with the active language's separators looked up once, for a read that
    formats thousands of amounts (the same calls ``number_format`` makes, hoisted)."""
    lang = get_language()
    decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def money(x: Decimal) -> str:
        return numberformat.format(
            x, decimal_sep, 2, grouping, thousand_sep, force_grouping=True, use_l10n=True
        )

    return money


def _share(x: Decimal) -> str:
    """A client's share: two places, as the radar shows it."""
    return number_format(x, decimal_pos=2, use_l10n=True, force_grouping=True)


def _pct(x: Decimal) -> str:
    """A threshold as people write it: 10, 2.5 (not 10.000); 2,5 in Latvian and Russian."""
    return number_format(x.normalize(), use_l10n=True)


def _date(d: date | None) -> str:
    return date_format(d, "SHORT_DATE_FORMAT") if d is not None else ""


def _basis_word(basis: str) -> str:
    return _("income") if basis == rules.INCOME else _("turnover")


def _level_evidence(
    level: str, v: rules.Verdict, total: Decimal, c: rules.Criteria, months: int, currency: str
) -> list[Evidence]:
    out = []
    basis = _basis_word(c.basis)
    share = rules.display_pct(v.share_pct)
    figures = {"weight": v.weight, "share_pct": share, "unit_total": total, "basis": c.basis}
    if v.key_by_amount:
        threshold = rules.prorated_amount(c.key_amount, months)
        out.append(
            Evidence(
                Definition.AMOUNT,
                str(Definition.AMOUNT.label),
                ngettext(
                    "%(basis)s %(amount)s %(cur)s over %(months)s month ≥ %(threshold)s",
                    "%(basis)s %(amount)s %(cur)s over %(months)s months ≥ %(threshold)s",
                    months,
                )
                % {
                    "basis": basis,
                    "amount": _money(v.weight),
                    "cur": currency,
                    "months": months,
                    "threshold": _money(threshold),
                },
                level=level,
                figures={**figures, "threshold": threshold},
            )
        )
    if v.key_by_share:
        out.append(
            Evidence(
                Definition.SHARE,
                str(Definition.SHARE.label),
                _("%(share)s %% of the %(level)s's %(basis)s (%(total)s %(cur)s) ≥ %(pct)s %%")
                % {
                    "share": _share(share),
                    "level": Level(level).label.lower(),
                    "basis": basis,
                    "total": _money(total),
                    "cur": currency,
                    "pct": _pct(c.key_share_pct),
                },
                level=level,
                figures={**figures, "threshold_pct": c.key_share_pct},
            )
        )
    if v.band:
        pct = c.mono_pct if v.band == rules.MONO else c.critical_pct
        out.append(
            Evidence(
                Definition.DEPENDENCY,
                str(Band(v.band).label),
                _("%(share)s %% of the %(level)s's %(basis)s ≥ %(pct)s %%: %(band)s")
                % {
                    "share": _share(share),
                    "level": Level(level).label.lower(),
                    "basis": basis,
                    "pct": _pct(pct),
                    "band": Band(v.band).label.lower(),
                },
                level=level,
                figures={**figures, "band": v.band, "threshold_pct": pct},
            )
        )
    return out


def _manual_evidence(
    account_id: int,
    m: _Manual,
    turnover: Decimal,
    c: rules.Criteria,
    months: int,
    as_of: date,
    currency: str,
    money: Callable[[Decimal], str] = _money,
    labels: dict[str, str] | None = None,
) -> tuple[list[Evidence], list[Evidence], Decimal | None, Decimal | None]:
    """Definitions that do not depend on the level: (applied, suggested, wallet, headroom).

    ``money`` and ``labels`` (translated definition names) let a caller judging many clients
    work out the language's formats and names once."""
    if labels is None:
        labels = {d: str(Definition(d).label) for d in Definition.values}
    applied: list[Evidence] = []
    suggested: list[Evidence] = []
    wallet = m.wallets.get(account_id)
    wallet_base = room = None
    if wallet is not None:
        wallet_base = wallet.annual_budget_base
        room = rules.headroom(wallet_base, turnover, months)
        if rules.key_by_potential(wallet_base, turnover, c, months):
            competitors = tuple(
                EvidenceRecord(
                    None, f"{x.name}: {number_format(x.share_pct, use_l10n=True)} %", "competitor"
                )
                for x in getattr(wallet, "_prefetched_objects_cache", {}).get("competitors", [])
            )
            applied.append(
                Evidence(
                    Definition.POTENTIAL,
                    labels[Definition.POTENTIAL],
                    _("wallet %(wallet)s %(cur)s a year, our sales %(ours)s: headroom %(room)s")
                    % {
                        "wallet": money(wallet_base),
                        "cur": currency,
                        "ours": money(turnover),
                        "room": money(room),
                    },
                    figures={
                        "wallet": wallet_base,
                        "turnover": turnover,
                        "headroom": room,
                        "threshold": c.potential_headroom,
                    },
                    recorded_by=_person(wallet.recorded_by),
                    recorded_on=wallet.recorded_at,
                    review_on=wallet.review_on,
                    review_due=bool(wallet.review_on and wallet.review_on < as_of),
                    records=competitors,
                )
            )
    flags = m.flags.get(account_id, {})
    for definition in (
        Definition.REFERENCE,
        Definition.PARTNER,
        Definition.COMPETENT,
        Definition.INNOVATOR,
    ):
        flag = flags.get(definition)
        n, last = m.counts.get(definition, {}).get(account_id, (0, None))
        records = tuple(m.records.get(definition, {}).get(account_id, ()))
        figures: dict[str, Any] = {"records": n, "last": last} if n else {}
        if definition == Definition.INNOVATOR:
            firsts = m.innovators.get(account_id, [])
            records = tuple(
                EvidenceRecord(
                    first,
                    _("buyer %(rank)s of %(n)s of %(product)s")
                    % {"rank": rank, "n": n_buyers, "product": m.products.get(p, p)},
                    "first_purchase",
                )
                for p, first, rank, n_buyers in firsts
            )
            figures = {"products": len(firsts)} if firsts else {}
        if flag is not None:
            summary = flag.note or _("marked by hand")
            if figures.get("records"):
                summary += " · " + ngettext(
                    "%(records)s record, latest %(last)s",
                    "%(records)s records, latest %(last)s",
                    n,
                ) % {"records": n, "last": _date(last)}
            applied.append(
                Evidence(
                    definition,
                    labels[definition],
                    summary,
                    figures=figures,
                    recorded_by=_person(flag.recorded_by),
                    recorded_on=flag.flagged_on,
                    owner=_person(flag.owner),
                    review_on=flag.review_on,
                    review_due=flag.review_on < as_of,
                    records=records,
                )
            )
        elif figures:
            if definition == Definition.INNOVATOR:
                summary = ngettext(
                    "first buyer of %(n)s recently launched product",
                    "first buyer of %(n)s recently launched products",
                    figures["products"],
                ) % {"n": figures["products"]}
            else:
                summary = ngettext(
                    "%(records)s record, latest %(last)s; not marked yet",
                    "%(records)s records, latest %(last)s; not marked yet",
                    n,
                ) % {"records": n, "last": _date(last)}
            suggested.append(
                Evidence(
                    definition,
                    labels[definition],
                    summary,
                    figures=figures,
                    suggested=True,
                    records=records,
                )
            )
    return applied, suggested, wallet_base, room


def _evidence_date(as_of: date) -> date:
    """Until when manual evidence (flags, wallets, records) counts for a read as of ``as_of``.

    A look at the latest period (no newer month has sales yet) is a look at today: a flag a KAM
    set this morning, or a review date that passed yesterday, must show even though the last
    month with sales is behind us. An earlier period is read as it was then. Snapshots always
    use their own period end."""
    today = timezone.localdate()
    if as_of >= today:
        return as_of
    newer = ClientMonth.objects.filter(month__gt=as_of).exists()
    return as_of if newer else today


class _Engine:
    """Loads everything one radar read needs once, then judges rows at any level.

    ``light`` (snapshots) skips what only the screen needs: the NPV trend, record counts and
    the innovator suggestion."""

    ACCOUNT_FIELDS = (
        "pk",
        "legal_name",
        "status",
        "owner_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "department_id",
        "department__name",
    )

    def __init__(
        self,
        *,
        accounts: QuerySet,
        as_of: date,
        restricted: bool,
        with_records: bool = False,
        light: bool = False,
    ):
        self.as_of = as_of
        self.settings = radar_settings()
        self.crit = criteria_of(self.settings)
        company = company_settings()
        self.period = _period(as_of, self.settings, company.fiscal_year_start_month)
        self.currency = company.base_currency
        self.accounts = self._load(accounts)
        restrict = accounts if restricted else None
        self.figures = _figures(self.period, restrict, with_trend=not light)
        basis = self.crit.basis
        self.weights = {
            pk: rules.weight(f.revenue, f.cost, basis) for pk, f in self.figures.items()
        }
        if restricted:
            self.totals = _Totals.of(_unit_totals(self.period, self.crit.basis))
        else:  # every client is loaded already: add up here rather than scan again
            self.totals = _Totals.of(self._pairs())
        self.evidence_on = as_of if light else _evidence_date(as_of)
        self.manual = _manual(
            as_of=as_of,
            evidence_on=self.evidence_on,
            s=self.settings,
            restrict=restrict,
            with_records=with_records,
            light=light,
        )
        m = self.manual
        self.manual_ids = set(m.flags) | set(m.wallets) | set(m.innovators)
        for per in m.counts.values():
            self.manual_ids.update(per)
        # Per-read constants for ``row``: worked out once, not once per client.
        self._judges: dict[tuple[str, int | None], rules.UnitJudge] = {}
        self._owner_names: dict[int | None, str] = {}
        self._npv_rate = self.crit.npv_rate_pct / rules.HUNDRED
        self._money = _money_formatter()
        self._labels = {d: str(Definition(d).label) for d in Definition.values}

    def _load(self, accounts: QuerySet) -> list[dict]:
        """``accounts.values(*ACCOUNT_FIELDS)`` read through a raw cursor in one fetch: the
        fields are plain ids and strings, which Django's converters leave as they are."""
        names = self.ACCOUNT_FIELDS
        sql, params = accounts.values_list(*names).query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _pairs(self) -> dict[tuple[int | None, int | None], Decimal]:
        pairs: dict[tuple[int | None, int | None], Decimal] = defaultdict(Decimal)
        for a in self.accounts:
            w = self.weights.get(a["pk"])
            if w is not None and w > 0:
                pairs[(a["department_id"], a["owner_id"])] += w
        return dict(pairs)

    @staticmethod
    def unit_of(a: dict, level: str) -> int | None:
        if level == Level.COMPANY:
            return None
        return a["department_id"] if level == Level.DEPARTMENT else a["owner_id"]

    def weight_of(self, account_id: int) -> Decimal:
        return self.weights.get(account_id, ZERO)

    def shown(self, level: str) -> list[dict]:
        """Clients with no KAM have no manager-level unit."""
        if level == Level.MANAGER:
            return [a for a in self.accounts if a["owner_id"] is not None]
        return self.accounts

    def _judge(self, level: str, unit: int | None) -> rules.UnitJudge:
        judge = self._judges.get((level, unit))
        if judge is None:
            total = self.totals.of_unit(level, unit)
            judge = rules.UnitJudge(total, self.crit, self.period.months)
            self._judges[(level, unit)] = judge
        return judge

    def _owner_name(self, a: dict) -> str:
        name = self._owner_names.get(a["owner_id"])
        if name is None:
            name = _name(a["owner__first_name"], a["owner__last_name"], a["owner__username"])
            self._owner_names[a["owner_id"]] = name
        return name

    def row(self, a: dict, level: str, abc: str = "C") -> PortfolioRow:
        # Runs once per client (a hundred thousand times for a director): the common case, a
        # client with no definition and no manual evidence, builds no evidence at all.
        c, months = self.crit, self.period.months
        pk = a["pk"]
        f = self.figures.get(pk) or _NO_FIGURES
        unit = self.unit_of(a, level)
        judge = self._judge(level, unit)
        total = judge.total
        w = rules.weight(f.revenue, f.cost, c.basis)
        share, by_amount, by_share, band = judge.judge(w)
        by_level = by_amount or by_share or bool(band)
        if by_level:
            v = rules.Verdict(w, share, by_amount, by_share, band, w < 0)
            evidence = _level_evidence(level, v, total, c, months, self.currency)
        else:
            evidence = []
        suggested: list[Evidence] = []
        wallet = room = None
        if pk in self.manual_ids:
            applied, suggested, wallet, room = _manual_evidence(
                pk,
                self.manual,
                f.revenue,
                c,
                months,
                self.evidence_on,
                self.currency,
                money=self._money,
                labels=self._labels,
            )
            evidence += applied
        if evidence:
            present = {e.definition for e in evidence}
            definitions = tuple(d for d in DEFINITION_ORDER if d in present)
            review_due = any(e.review_due for e in evidence)
        else:
            definitions, review_due = (), False
        if level == Level.COMPANY:
            company_key = by_level
        else:
            company_key = self._judge(Level.COMPANY, None).is_key(w)
        loss_making = w < 0
        if loss_making:
            flags = (LOSS_MAKING, REVIEW_DUE) if review_due else (LOSS_MAKING,)
        else:
            flags = (REVIEW_DUE,) if review_due else ()
        g = rules.trend(f.last12, f.prev12, c.npv_growth_cap_pct)
        return _portfolio_row(
            {
                "account_id": pk,
                "account_name": a["legal_name"],
                "status": a["status"],
                "owner_id": a["owner_id"],
                "owner_name": self._owner_name(a),
                "department_id": a["department_id"],
                "department_name": a["department__name"] or "",
                "level": level,
                "unit_id": unit,
                "unit_total": total,
                "revenue": f.revenue,
                "cost": f.cost,
                "income": f.revenue - f.cost,
                "turnover": f.revenue,
                "weight": w,
                "share_pct": rules.display_pct(share) if w > 0 and total > 0 else _NO_SHARE,
                "band": band,
                "loss_making": loss_making,
                "definitions": definitions,
                "suggestions": tuple(e.definition for e in suggested),
                "evidence": tuple(evidence + suggested) if evidence or suggested else (),
                "company_key": company_key,
                "abc": abc,
                "npv": rules.npv_of_trend(f.last12, g, self._npv_rate, c.npv_horizon_years),
                "trend_pct": (g * 100).quantize(rules.CENT),
                "wallet": wallet,
                "headroom": room,
                "flags": flags,
            },
        )

    def could_be_key(self, a: dict, level: str) -> bool:
        """A cheap pre-test (snapshots, only_key): skip clients no rule can make key here."""
        if a["pk"] in self.manual_ids:
            return True
        w = self.weight_of(a["pk"])
        if w <= 0:
            return False
        c = self.crit
        lowest = min(x for x in (c.key_share_pct, c.critical_pct, c.mono_pct) if x is not None)
        total = self.totals.of_unit(level, self.unit_of(a, level))
        if rules.at_least(w, total, lowest):
            return True
        amount = rules.prorated_amount(c.key_amount, self.period.months)
        return amount is not None and w >= amount


_NO_FIGURES = _Figures(ZERO, ZERO, ZERO, ZERO)
_NO_SHARE = rules.display_pct(ZERO)
_ROW_FIELDS = frozenset(f.name for f in fields(PortfolioRow))


def _portfolio_row(values: dict[str, Any]) -> PortfolioRow:
    """A PortfolioRow built without the frozen dataclass's ``__init__``, which sets each of the
    28 fields through ``object.__setattr__``: about a second per hundred thousand rows. The
    object is the same (same fields, still frozen); every field must be given."""
    if values.keys() != _ROW_FIELDS:
        raise TypeError(f"PortfolioRow fields differ: {sorted(values.keys() ^ _ROW_FIELDS)}")
    row = object.__new__(PortfolioRow)
    row.__dict__.update(values)
    return row


def _concentration(weights: dict[int, Decimal], c: rules.Criteria) -> tuple[Concentration, dict]:
    order = rules.ranked(weights)
    total = rules.positive_total(weights.values())
    classes = rules.abc_classes(weights, c.abc_a_pct, c.abc_b_pct, order=order, total=total)
    counts = {"A": 0, "B": 0, "C": 0}
    sums = {"A": ZERO, "B": ZERO, "C": ZERO}
    for k, cls in classes.items():
        counts[cls] += 1
        sums[cls] += max(weights[k], ZERO)
    pct = {k: (s * 100 / total).quantize(rules.CENT) if total else ZERO for k, s in sums.items()}
    points = tuple(
        ParetoPoint(p.rank, p.clients_pct, p.cumulative_pct)
        for p in rules.pareto(weights, order=order)
    )
    conc = Concentration(
        total=total,
        clients=len(order),
        top1_pct=rules.display_pct(rules.top_share(weights, 1, order=order, total=total)),
        top5_pct=rules.display_pct(rules.top_share(weights, 5, order=order, total=total)),
        top10_pct=rules.display_pct(rules.top_share(weights, 10, order=order, total=total)),
        hhi=rules.hhi(weights, total).quantize(rules.CENT),
        abc_counts=counts,
        abc_pct=pct,
        pareto=points,
    )
    return conc, classes


def _unit_rows(user, level: str, unit_id: int | None) -> tuple[QuerySet, str]:
    """The accounts to show, and the unit's name; Http404 for a unit the user may not pick."""
    accounts = Account.objects.visible_to(user)
    if unit_id is None or level == Level.COMPANY:
        return accounts, str(_("Company")) if level == Level.COMPANY else ""
    if level == Level.DEPARTMENT:
        dept = department_units(user).filter(pk=unit_id).first()
        if dept is None:
            raise Http404("No such department.")
        return accounts.filter(department__path__startswith=dept.path), dept.name
    person = manager_units(user).filter(pk=unit_id).first()
    if person is None:
        raise Http404("No such key account manager.")
    return accounts.filter(owner=person), str(person)


def radar_portfolio(
    *,
    user,
    level: str = Level.COMPANY,
    unit_id: int | None = None,
    as_of: date | None = None,
    only_key: bool = False,
) -> Portfolio:
    """The key-account portfolio at ``level`` (KC-10), scoped to what ``user`` may see (SE-1).

    Rows are sorted by weight, largest first. ``only_key`` drops rows with no definition and is
    much cheaper on large books (the concentration block still describes every row the user
    may see in the unit; suggestions on non-key clients are then not listed)."""
    _check_level(level)
    as_of = as_of or timezone.localdate()
    accounts, unit_name = _unit_rows(user, level, unit_id)
    restricted = not (user.sees_everything and unit_id is None)
    engine = _Engine(accounts=accounts, as_of=as_of, restricted=restricted)
    shown = engine.shown(level)
    conc, classes = _concentration({a["pk"]: engine.weight_of(a["pk"]) for a in shown}, engine.crit)
    # only_key: judge in full only the clients some rule could make key (a cheap pre-test);
    # concentration and ABC above still cover every client shown.
    judged = [a for a in shown if engine.could_be_key(a, level)] if only_key else shown
    rows = sorted(
        (engine.row(a, level, classes[a["pk"]]) for a in judged),
        key=lambda r: (-r.weight, r.account_name, r.account_id),
    )

    alerts: list[Alert] = []
    for r in rows:
        if r.band:
            alerts.append(
                Alert(
                    r.band,
                    _("%(client)s is %(share)s %% of the %(level)s's %(basis)s: %(band)s")
                    % {
                        "client": r.account_name,
                        "share": _share(r.share_pct),
                        "level": Level(level).label.lower(),
                        "basis": _basis_word(engine.crit.basis),
                        "band": Band(r.band).label.lower(),
                    },
                    account_id=r.account_id,
                    account_name=r.account_name,
                    user_id=r.owner_id,
                    user_name=r.owner_name,
                    share_pct=r.share_pct,
                )
            )
    # KC-11 on company-level key status of the rows shown.
    held: dict[int, list[PortfolioRow]] = defaultdict(list)
    extra_flags: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if not r.company_key:
            continue
        if r.owner_id is None:
            extra_flags[r.account_id].append(NO_OWNER)
            alerts.append(
                Alert(
                    NO_OWNER,
                    _("%(client)s is a company key account with no KAM")
                    % {"client": r.account_name},
                    account_id=r.account_id,
                    account_name=r.account_name,
                )
            )
        else:
            held[r.owner_id].append(r)
    for owner_id, owned in held.items():
        if len(owned) > engine.crit.max_key_per_kam:
            for r in owned:
                extra_flags[r.account_id].append(OVER_LIMIT)
            alerts.append(
                Alert(
                    OVER_LIMIT,
                    ngettext(
                        "%(kam)s holds %(n)s company key account (at most %(max)s)",
                        "%(kam)s holds %(n)s company key accounts (at most %(max)s)",
                        len(owned),
                    )
                    % {
                        "kam": owned[0].owner_name,
                        "n": len(owned),
                        "max": engine.crit.max_key_per_kam,
                    },
                    user_id=owner_id,
                    user_name=owned[0].owner_name,
                    count=len(owned),
                )
            )
    for r in rows:
        for e in r.evidence:
            if e.review_due:
                alerts.append(
                    Alert(
                        REVIEW_DUE,
                        _("%(client)s: review of “%(definition)s” was due on %(on)s")
                        % {
                            "client": r.account_name,
                            "definition": e.label,
                            "on": _date(e.review_on),
                        },
                        account_id=r.account_id,
                        account_name=r.account_name,
                        user_name=e.owner,
                    )
                )

    final = tuple(
        replace(r, flags=r.flags + tuple(extra_flags[r.account_id]))
        if r.account_id in extra_flags
        else r
        for r in rows
        if not only_key or r.is_key
    )
    return Portfolio(
        level=level,
        unit_id=unit_id,
        unit_name=unit_name,
        as_of=as_of,
        period_start=engine.period.first,
        period_end=engine.period.last,
        months=engine.period.months,
        basis=engine.crit.basis,
        currency=engine.currency,
        settings=engine.settings,
        rows=final,
        alerts=tuple(alerts),
        concentration=conc,
    )


def radar_concentration(
    *, user, level: str = Level.COMPANY, unit_id: int | None = None, as_of: date | None = None
) -> Concentration:
    """KC-13: the concentration block of ``radar_portfolio`` alone."""
    return radar_portfolio(user=user, level=level, unit_id=unit_id, as_of=as_of).concentration


def why_key(*, user, account, as_of: date | None = None) -> list[Evidence]:
    """Every definition that applies to one client at any level, with its evidence, then the
    suggestions (``suggested=True``). Http404 when the user may not see the client."""
    account = account_get(user=user, pk=getattr(account, "pk", account))
    engine = _Engine(
        accounts=Account.objects.filter(pk=account.pk),
        as_of=as_of or timezone.localdate(),
        restricted=True,
        with_records=True,
    )
    a = engine.accounts[0]
    out: list[Evidence] = []
    rest: list[Evidence] = []
    for level in Level.values:
        if level == Level.MANAGER and a["owner_id"] is None:
            continue
        row = engine.row(a, level)
        out += [e for e in row.evidence if e.definition in LEVEL_DEFINITIONS]
        if level == Level.COMPANY:
            rest = [e for e in row.evidence if e.definition not in LEVEL_DEFINITIONS]
    out.sort(key=lambda e: DEFINITION_ORDER.index(e.definition))
    applied = [e for e in rest if not e.suggested]
    return out + applied + [e for e in rest if e.suggested]


# --- history -----------------------------------------------------------------------------------


def snapshot_rows(*, as_of: date) -> list[KeyStatusSnapshot]:
    """Every client's key status at every level on ``as_of`` (unsaved, key clients only)."""
    engine = _Engine(accounts=Account.objects.all(), as_of=as_of, restricted=False, light=True)
    out = []
    for level in Level.values:
        for a in engine.shown(level):
            if not engine.could_be_key(a, level):
                continue
            r = engine.row(a, level)
            if not r.definitions:
                continue
            out.append(
                KeyStatusSnapshot(
                    account_id=r.account_id,
                    level=level,
                    unit_id=r.unit_id,
                    period_end=as_of,
                    basis=engine.crit.basis,
                    income=r.income,
                    turnover=r.turnover,
                    share=r.share_pct,
                    definitions=list(r.definitions),
                    band=r.band,
                )
            )
    return out


_BAND_RANK = {"": 0, rules.CRITICAL: 1, rules.MONO: 2}


def _labels(codes) -> str:
    return ", ".join(str(Definition(c).label).lower() for c in codes)


def _moves(d0, d1, s0, s1, band0: str, band1: str) -> list[tuple[str, str]]:
    """What changed between two snapshots of one client at one level, and why."""
    out = []
    if not d0 and d1:
        out.append(("became_key", _("key by %(defs)s") % {"defs": _labels(d1)}))
    elif d0 and not d1:
        out.append(("dropped_out", _("no longer key by %(defs)s") % {"defs": _labels(d0)}))
    elif set(d0) != set(d1):
        out.append(
            (
                "definitions_changed",
                _("was %(before)s, now %(after)s") % {"before": _labels(d0), "after": _labels(d1)},
            )
        )
    b0, b1 = _BAND_RANK[band0], _BAND_RANK[band1]
    if b1 > b0:
        kind = "crossed_mono" if b1 == 2 else "crossed_critical"
        rose = _("share rose from %(a)s %% to %(b)s %%") % {
            "a": _share(s0 or ZERO),
            "b": _share(s1),
        }
        out.append((kind, rose))
    elif b1 < b0:
        kind = "fell_below_critical" if b1 == 0 else "fell_below_mono"
        fell = (
            _("share fell from %(a)s %% below the key limits") % {"a": _share(s0 or ZERO)}
            if s1 is None
            else _("share fell from %(a)s %% to %(b)s %%")
            % {"a": _share(s0 or ZERO), "b": _share(s1)}
        )
        out.append((kind, fell))
    return out


def key_history(
    *,
    user,
    level: str | None = None,
    account=None,
    since: date | None = None,
) -> list[StatusChange]:
    """When clients became key, dropped out, or crossed 20 %/70 % (up or down), and why,
    comparing each taken snapshot with the one before. Newest first."""
    if level is not None:
        _check_level(level)
    runs = list(SnapshotRun.objects.order_by("period_end").values_list("period_end", flat=True))
    if since is not None:
        earlier = [d for d in runs if d < since]
        runs = earlier[-1:] + [d for d in runs if d >= since]
    if len(runs) < 2:
        return []
    snaps = KeyStatusSnapshot.objects.visible_to(user).filter(period_end__gte=runs[0])
    if level is not None:
        snaps = snaps.filter(level=level)
    if account is not None:
        account = account_get(user=user, pk=getattr(account, "pk", account))
        snaps = snaps.filter(account=account)
    by_key: dict[tuple[int, str], dict[date, dict]] = defaultdict(dict)
    names: dict[int, str] = {}
    for s in snaps.values(
        "account_id", "account__legal_name", "level", "period_end", "share", "definitions", "band"
    ):
        by_key[(s["account_id"], s["level"])][s["period_end"]] = s
        names[s["account_id"]] = s["account__legal_name"]

    changes: list[StatusChange] = []
    for (account_id, lvl), seen in by_key.items():
        for prev, cur in pairwise(runs):
            before, after = seen.get(prev), seen.get(cur)
            d0 = tuple(before["definitions"]) if before else ()
            d1 = tuple(after["definitions"]) if after else ()
            # Snapshots keep the exact share; history text shows it as the radar does.
            s0 = rules.display_pct(before["share"]) if before else None
            s1 = rules.display_pct(after["share"]) if after else None
            for kind, reason in _moves(
                d0, d1, s0, s1, before["band"] if before else "", after["band"] if after else ""
            ):
                changes.append(
                    StatusChange(
                        account_id, names[account_id], lvl, cur, prev, kind, d0, d1, s0, s1, reason
                    )
                )
    changes.sort(key=lambda ch: (-ch.period_end.toordinal(), ch.account_name, ch.level))
    return changes


# --- what the record forms on the client card need ---------------------------------------------


def latest_wallet(*, user, account) -> WalletEstimate | None:
    """The client's newest wallet estimate (KC-4), the one the radar uses today, with its
    competitors; None when there is none. 404 for a client the user may not see (SE-1)."""
    account = account_get(user=user, pk=getattr(account, "pk", account))
    return (
        WalletEstimate.objects.visible_to(user)
        .filter(account=account, recorded_at__lte=timezone.localdate())
        .select_related("recorded_by")
        .prefetch_related("competitors")
        .order_by("-recorded_at", "-pk")
        .first()
    )


def wallet_currencies() -> list[str]:
    """Currencies a wallet may be estimated in: the base one first, then every one with a rate
    (the estimate is converted to the base currency on its date)."""
    base = company_settings().base_currency.upper()
    rated = CurrencyRate.objects.values_list("currency", flat=True).distinct().order_by("currency")
    return [base, *sorted({c.upper() for c in rated} - {base})]
