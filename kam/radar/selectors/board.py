"""The radar's scoreboard: every client of a level judged in ONE SQL statement.

The database works out, for every client, the period's revenue and cost and the two trailing
years' income from the running totals (``kam.sales.selectors.running_totals_sql``: three or
four index reads per client, not 24 months of rows), its weight, its unit's and the company's
positive weight (window sums over every client, whoever asks), then, over the rows the user may
see, the ranking that ABC classes, top-N shares and the Pareto curve need. Python gets back
only what it must show or judge in full:

* ``row`` rows: clients some level rule can make key here (by amount, share or a dependency
  band), company-level key accounts (KC-11 alerts), and the ids asked for (clients with manual
  evidence: flags, wallets, records, innovator suggestions);
* ``page`` rows: one page of the table, filtered by ABC class and KAM and sorted, plus the
  number of rows that match (``PageQuery``; ``limit=None`` returns every matching row);
* the concentration: counts and sums per ABC class, the top 1/5/10 sums, the sum of squared
  weights (HHI) and the Pareto curve's sample points.

All money is in integer cents and every threshold in thousandths of a percent, so the
comparisons (``w * 100 >= pct * total`` as ``w * 100000 >= pct_milli * total``) are exact on
SQLite and PostgreSQL alike and agree with ``kam.radar.rules`` to the cent: the rules remain
the reference, and Python still builds every row shown with them (evidence, NPV, texts). The
SQL decides only which rows those are, their ABC class, their order and the aggregates.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet

from kam.clients.models import Account
from kam.radar import rules
from kam.radar.models import Level
from kam.sales.selectors import add_months, running_totals_sql

CENTS = Decimal("0.01")


def cents(value) -> Decimal:
    """Integer cents from the database as an exact Decimal amount."""
    return (Decimal(value) if value is not None else Decimal(0)) * CENTS


@dataclass(frozen=True)
class PageQuery:
    """Which rows the table shows: filters the database can apply, the order, the window."""

    sort: str = "-share"  # share, income, npv, name; "-" for largest/last first
    abc: str = ""
    owner_id: int | None = None
    offset: int = 0
    limit: int | None = None  # None: every matching row


@dataclass(frozen=True)
class BoardRow:
    """One client's figures at a level, as the database worked them out."""

    account_id: int
    revenue: Decimal
    cost: Decimal
    last12: Decimal  # income over the trailing 12 months ...
    prev12: Decimal  # ... and the 12 before (NPV trend)
    unit_total: Decimal
    company_total: Decimal
    abc: str


@dataclass
class Board:
    rows: dict[int, BoardRow] = field(default_factory=dict)  # every row returned, by id
    judged: list[int] = field(default_factory=list)  # "row" rows, in weight order
    page: list[int] = field(default_factory=list)  # the page's ids, in table order
    count: int = 0  # rows matching the page's filters
    positive: int = 0  # clients shown with positive weight
    total: Decimal = Decimal(0)  # their weight
    sum_squares: Decimal = Decimal(0)  # of their weights (HHI)
    top: dict[int, Decimal] = field(default_factory=dict)  # n -> sum of the n largest
    classes: dict[str, tuple[int, Decimal]] = field(default_factory=dict)  # ABC -> (n, sum)
    pareto: list[tuple[int, Decimal]] = field(default_factory=list)  # (rank, running sum)


def _vendor():
    if connection.vendor == "postgresql":
        return {
            "num": "CAST({} AS NUMERIC)",
            "real": "CAST({} AS NUMERIC)",
            "ids": "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(%s AS JSON))",
            "floor_div": "FLOOR({} / {})",
        }
    return {
        "num": "{}",
        "real": "CAST({} AS REAL)",
        "ids": "SELECT value FROM json_each(%s)",
        "floor_div": "({} / {})",  # integers: SQLite divides them as integers
    }


def _pct_milli(pct: Decimal | None) -> int | None:
    return None if pct is None else int(pct * 1000)


_UNIT_COLUMN = {Level.COMPANY: None, Level.DEPARTMENT: "department_id", Level.MANAGER: "owner_id"}
_SORT_SQL = {
    "share": "share_floor {dir}, w {dir}",
    "income": "income {dir}",
    "npv": "npv {dir}",
    "name": "LOWER(legal_name) {dir}",
}


def scoreboard(
    *,
    period,
    crit: rules.Criteria,
    level: str,
    visible: QuerySet | None,
    keep_ids: set[int] | frozenset[int] = frozenset(),
    page: PageQuery | None = None,
) -> Board:
    """Judge every client at ``level`` in one statement (see the module doc).

    ``visible``: the accounts the user may see (None: every one). ``keep_ids``: ids whose
    figures must come back whatever their status. ``page``: the table's window, or None when
    the caller filters and sorts the judged rows itself."""
    v = _vendor()
    num = v["num"].format
    params: list = []

    def point(month, alias):
        sql, p = running_totals_sql(month)
        params.extend(p)
        return f"{alias} AS ({sql})"

    last = period.last
    before_first = add_months(period.first, -1)
    before_l12 = add_months(period.l12_first, -1)
    before_p12 = add_months(period.p12_first, -1)
    ctes = [point(last, "pa"), point(before_first, "pb")]
    pc = "pb"
    if before_l12 != before_first:
        ctes.append(point(before_l12, "pc"))
        pc = "pc"
    ctes.append(point(before_p12, "pd"))

    def z(alias, col):
        return f"COALESCE({alias}.{col}, 0)"

    def income(alias):
        return f"({z(alias, 'revenue_cents')} - {z(alias, 'cost_cents')})"

    acc = Account._meta.db_table
    joins = " ".join(
        f"LEFT JOIN {a} ON {a}.account_id = acc.id" for a in sorted({"pa", "pb", pc, "pd"})
    )
    ctes.append(
        f"fig AS (SELECT acc.id, acc.department_id, acc.owner_id, acc.legal_name, "
        f"{z('pa', 'revenue_cents')} - {z('pb', 'revenue_cents')} AS rev, "
        f"{z('pa', 'cost_cents')} - {z('pb', 'cost_cents')} AS cost, "
        f"{income('pa')} - {income(pc)} AS l12, {income(pc)} - {income('pd')} AS p12 "
        f"FROM {acc} acc {joins})"
    )
    weight = "rev - cost" if crit.basis == rules.INCOME else "rev"
    positive = "CASE WHEN w > 0 THEN w ELSE 0 END"
    unit = _UNIT_COLUMN[level]
    over_unit = f"OVER (PARTITION BY {unit})" if unit else "OVER ()"
    ctes.append(
        f"tot AS (SELECT x.*, SUM({positive}) OVER () AS company_total, "
        f"SUM({positive}) {over_unit} AS unit_total "
        f"FROM (SELECT fig.*, {num(weight)} AS w FROM fig) x)"
    )
    where = []
    if visible is not None:
        vsql, vparams = visible.order_by().values("pk").query.sql_with_params()
        where.append(f"id IN ({vsql})")
        params.extend(vparams)
    if level == Level.MANAGER:
        where.append("owner_id IS NOT NULL")  # clients with no KAM have no manager-level unit
    rank = "ORDER BY CASE WHEN w > 0 THEN 0 ELSE 1 END, w DESC, id"
    ctes.append(
        f"ranked AS (SELECT tot.*, ROW_NUMBER() OVER ({rank}) AS pos, "
        f"SUM({positive}) OVER ({rank} ROWS UNBOUNDED PRECEDING) AS running "
        f"FROM tot {'WHERE ' + ' AND '.join(where) if where else ''})"
    )
    ctes.append(
        f"v AS MATERIALIZED (SELECT ranked.*, "
        f"SUM({positive}) OVER () AS shown_total, "
        f"COUNT(CASE WHEN w > 0 THEN 1 END) OVER () AS shown_n FROM ranked)"
    )

    # ABC (rules.abc_classes): A while the weight ranked before a client is under a_pct % of
    # the total shown, then B under b_pct %, else C; non-positive weights are C.
    a_milli, b_milli = _pct_milli(crit.abc_a_pct), _pct_milli(crit.abc_b_pct)
    before = "(running - w) * 100000"
    abc = (
        f"CASE WHEN w <= 0 THEN 'C' WHEN {before} < {a_milli} * shown_total THEN 'A' "
        f"WHEN {before} < {b_milli} * shown_total THEN 'B' ELSE 'C' END"
    )
    figures = f"id, rev, cost, l12, p12, unit_total, company_total, {abc} AS abc"

    # Which rows some level rule can make key (rules.UnitJudge), in the unit and the company.
    lowest = min(
        (p for p in (crit.key_share_pct, crit.critical_pct, crit.mono_pct) if p is not None),
        default=None,
    )
    key_tests = []
    if lowest is not None:
        milli = _pct_milli(lowest)
        key_tests.append(f"(w > 0 AND w * 100000 >= {milli} * unit_total AND unit_total > 0)")
        key_tests.append(f"(w > 0 AND w * 100000 >= {milli} * company_total AND company_total > 0)")
    amount = rules.prorated_amount(crit.key_amount, period.months)
    if amount is not None:
        # w >= key_amount * months / 12, in cents: w * 12 >= amount_cents * months.
        amount_cents = int(crit.key_amount * 100)
        key_tests.append(f"(w > 0 AND w * 12 >= {amount_cents} * {period.months})")
    if keep_ids:
        key_tests.append(f"id IN ({v['ids']})")
        params.append(json.dumps(sorted(keep_ids)))
    branches = []
    if key_tests:
        branches.append(
            f"SELECT 'row' AS kind, pos AS n, {figures} FROM v WHERE {' OR '.join(key_tests)}"
        )

    if page is not None:
        filters, fparams = [], []
        if page.abc:
            filters.append(f"({abc}) = %s")
            fparams.append(page.abc)
        if page.owner_id is not None:
            filters.append("owner_id = %s")
            fparams.append(page.owner_id)
        cond = f"WHERE {' AND '.join(filters)}" if filters else ""
        key = page.sort.lstrip("-")
        direction = "DESC" if page.sort.startswith("-") else "ASC"
        order = _SORT_SQL[key].format(dir=direction)
        share_floor = v["floor_div"].format("w * 10000", "unit_total")
        sortable = (
            f"SELECT v.*, CASE WHEN w > 0 AND unit_total > 0 THEN {share_floor} ELSE 0 END "
            f"AS share_floor, rev - cost AS income, {_npv_sql(crit, v)} AS npv FROM v"
        )
        window = f"rn > {int(page.offset)}"
        if page.limit is not None:
            window += f" AND rn <= {int(page.offset) + int(page.limit)}"
        branches.append(
            f"SELECT 'page' AS kind, rn AS n, {figures} FROM (SELECT s.*, ROW_NUMBER() OVER "
            f"(ORDER BY {order}, LOWER(legal_name), id) AS rn FROM ({sortable}) s {cond}) p "
            f"WHERE {window}"
        )
        branches.append(
            f"SELECT 'count', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
            f"FROM v {cond}"
        )
        params_page = fparams * 2
    else:
        params_page = []
    square = v["real"].format("w") + " * w"
    branches += [
        # ABC classes: how many clients and how much weight each holds.
        f"SELECT 'class', COUNT(*), NULL, SUM(w), NULL, NULL, NULL, NULL, NULL, cls "
        f"FROM (SELECT w, {abc} AS cls FROM v WHERE w > 0) c GROUP BY cls",
        # Totals: clients with positive weight, their sum and sum of squares; the top 1/5/10.
        f"SELECT 'total', MAX(shown_n), NULL, MAX(shown_total), "
        f"SUM(CASE WHEN w > 0 THEN {square} END), "
        f"MAX(CASE WHEN w > 0 AND pos <= 1 THEN running END), "
        f"MAX(CASE WHEN w > 0 AND pos <= 5 THEN running END), "
        f"MAX(CASE WHEN w > 0 AND pos <= 10 THEN running END), NULL, NULL FROM v",
        # The Pareto curve (rules.pareto): every step-th rank, the first and the last.
        "SELECT 'pareto', pos, NULL, running, NULL, NULL, NULL, NULL, NULL, NULL FROM v "
        "WHERE w > 0 AND (pos = 1 OR pos = shown_n OR pos %% "
        "(CASE WHEN shown_n <= 100 THEN 1 ELSE (shown_n + 99) / 100 END) = 0)",
    ]
    # Parameters: the CTEs', then the keep-ids list (inside the "row" branch), then the page's.
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)
    params += params_page
    with connection.cursor() as cur:
        cur.execute(sql, params)
        fetched = cur.fetchall()
    return _read(fetched)


def _npv_sql(crit: rules.Criteria, v: dict) -> str:
    """A sort key equal to ``rules.npv`` rounded to the cent (the rows shown use the rules):
    last12 * sum_{t=1..years} f^t with f = (1 + g) / (1 + rate), in Horner form (no POWER on
    SQLite), g the capped trend."""
    real = v["real"].format
    cap = f"{crit.npv_growth_cap_pct / 100:f}"
    growth = (
        f"CASE WHEN p12 <= 0 OR l12 <= 0 THEN 0 ELSE "
        f"CASE WHEN {real('l12 - p12')} / p12 > {cap} THEN {cap} "
        f"WHEN {real('l12 - p12')} / p12 < -{cap} THEN -{cap} "
        f"ELSE {real('l12 - p12')} / p12 END END"
    )
    f = f"((1 + ({growth})) / {1 + crit.npv_rate_pct / 100:f})"
    annuity = "0"
    for _ in range(max(crit.npv_horizon_years, 0)):
        annuity = f"({f} * (1 + {annuity}))"
    return f"ROUND({real('l12')} * {annuity}, 0)"


def _read(fetched) -> Board:
    b = Board()
    for kind, n, acc_id, rev, cost, l12, p12, unit_total, company_total, abc in fetched:
        if kind in ("row", "page"):
            if acc_id not in b.rows:
                b.rows[acc_id] = BoardRow(
                    acc_id,
                    cents(rev),
                    cents(cost),
                    cents(l12),
                    cents(p12),
                    cents(unit_total),
                    cents(company_total),
                    abc,
                )
            (b.judged if kind == "row" else b.page).append((n, acc_id))
        elif kind == "count":
            b.count = n
        elif kind == "class":
            b.classes[abc] = (n, cents(rev))
        elif kind == "total":
            b.positive = n or 0
            b.total = cents(rev)
            b.sum_squares = _exact(cost) * CENTS * CENTS
            for k, s in ((1, l12), (5, p12), (10, unit_total)):
                b.top[k] = cents(s)
        elif kind == "pareto":
            b.pareto.append((n, cents(rev)))
    b.judged = [i for _, i in sorted(b.judged)]
    b.page = [i for _, i in sorted(b.page)]
    b.pareto.sort()
    return b


def _exact(value) -> Decimal:
    if value is None:
        return Decimal(0)
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)
