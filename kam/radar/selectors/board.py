"""The radar's scoreboard: every client of a level judged in ONE SQL statement.

The database works out, for every client, the period's revenue, cost and revenue without a known
cost (issue 8 §3: income is revenue - uncosted - cost) and the two trailing years' income from
the running totals (``kam.sales.selectors.running_totals_sql``: two index
reads per client, four with the NPV trend, in client order, not 24 months of rows), its weight, its unit's and the
company's positive weight (over every client, whoever asks), then, over the clients the user
may see, the ranking that ABC classes, top-N shares and the Pareto curve need. Python gets back
only what it must show or judge in full:

* ``row`` rows: clients some level rule can make key here (by amount, share or a dependency
  band), company-level key accounts (KC-11 alerts), and the ids asked for;
* ``page`` rows: one window of the table, filtered by ABC class and KAM and sorted, and the
  number of rows that match (``PageQuery``; ``limit=None``: every matching row);
* the ranking's landmarks: the positive clients' count, total and sum of squares (HHI), and
  the ranked rows at the ABC edges, the top 1/5/10 and the Pareto curve's sample ranks.

All money is in integer cents and every threshold in thousandths of a percent, so the tests
(``w * 100 >= pct * total`` as ``w * 100000 >= pct_milli * total``) are exact on SQLite and
PostgreSQL alike and agree with ``kam.radar.rules`` to the cent. The rules remain the
reference: Python builds every row shown with them (evidence, NPV, texts); the SQL decides which
rows those are, their order, and the aggregates.
"""

import json
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet

from kam.clients.models import Account
from kam.core.periods import add_months
from kam.radar import rules
from kam.radar.models import Level
from kam.sales.selectors import running_totals_of, running_totals_sql

CENTS = Decimal("0.01")
ZERO = Decimal(0)


def cents(value) -> Decimal:
    """Integer cents from the database as an exact Decimal amount."""
    return Decimal(value) * CENTS if value is not None else ZERO


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
    abc: str = "C"
    # The period's revenue of lines without a known cost (issue 8 §3): in revenue, not in
    # income (income = revenue - uncosted - cost, here and in last12/prev12).
    uncosted: Decimal = ZERO

    @property
    def income(self) -> Decimal:
        return self.revenue - self.uncosted - self.cost


@dataclass(frozen=True)
class Edge:
    """The last client (largest weight first, then id) inside an ABC class."""

    weight: Decimal
    account_id: int

    def covers(self, w: Decimal, account_id: int) -> bool:
        """Is a client of weight ``w`` ranked at or before this edge?"""
        return w > self.weight or (w == self.weight and account_id <= self.account_id)


@dataclass
class Board:
    rows: dict[int, BoardRow] = field(default_factory=dict)  # every row returned, by id
    judged: list[int] = field(default_factory=list)  # "row" rows, in weight order
    page: list[int] = field(default_factory=list)  # the window's ids, in table order
    count: int = 0  # rows matching the page's filters
    shown: int = 0  # clients shown
    positive: int = 0  # ... of them with positive weight
    total: Decimal = ZERO  # their weight
    sum_squares: Decimal = ZERO  # of their weights (HHI)
    ranks: dict[int, tuple[int, Decimal, Decimal]] = field(
        default_factory=dict
    )  # pos -> id, w, running
    last_a: int = 0  # rank of the last class-A client (0: none)
    last_b: int = 0  # rank of the last class-B client (0: none; A counts as B too)
    edge_a: Edge | None = None
    edge_b: Edge | None = None
    uncosted_clients: int = 0  # clients shown whose period has revenue without a known cost

    def abc(self, w: Decimal, account_id: int) -> str:
        if w <= 0:
            return "C"
        if self.edge_a is not None and self.edge_a.covers(w, account_id):
            return "A"
        if self.edge_b is not None and self.edge_b.covers(w, account_id):
            return "B"
        return "C"

    def running_at(self, pos: int) -> Decimal:
        """Weight of the ``pos`` largest clients (all of them when fewer)."""
        pos = min(pos, self.positive)
        return self.ranks[pos][2] if pos > 0 else ZERO

    def class_sums(self) -> tuple[dict[str, int], dict[str, Decimal]]:
        """Clients and weight per ABC class (A and B are prefixes of the ranking; C is the
        rest, clients with no positive weight included)."""
        last_a, last_b = self.last_a, max(self.last_b, self.last_a)
        counts = {"A": last_a, "B": last_b - last_a, "C": self.shown - last_b}
        ra, rb = self.running_at(last_a), self.running_at(last_b)
        return counts, {"A": ra, "B": rb - ra, "C": self.total - rb}


_VENDOR = {
    "postgresql": {
        "num": "CAST({} AS NUMERIC)",
        "ids": "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(%s AS JSON))",
        # numeric: w * 10000 passes bigint from 9.2e14 cents a period, which lines at the
        # ledger's amount bound reach (issue 7 §2); DIV truncates as the integer division did.
        "share_floor": "DIV(CAST(w AS NUMERIC) * 10000, unit_int)",
        "int": "CAST({} AS BIGINT)",
        "fold": "LOWER({})",
        "square": "CAST(w AS DOUBLE PRECISION) * w",  # HHI: 2 places of 10 000 need no more
        # The least integer weight w with w * 100000 >= milli * total.
        "line": "CAST(CEIL({milli} * {total} / 100000.0) AS BIGINT)",
        "real": "CAST({} AS NUMERIC)",
        "all": "",
    },
    "sqlite": {
        "num": "{}",
        "ids": "SELECT value FROM json_each(%s)",
        "share_floor": "(w * 10000 / unit_int)",  # integers: SQLite divides them as integers
        "int": "{}",
        # SQLite's LOWER folds ASCII only; kam_casefold is str.casefold (kam.core.apps).
        "fold": "kam_casefold({})",
        "square": "CAST(w AS REAL) * w",
        "line": "(({milli} * {total} + 99999) / 100000)",
        "real": "CAST({} AS REAL)",
        "all": "LIMIT -1",  # SQLite takes OFFSET only after a LIMIT
    },
}
_UNIT_COLUMN = {Level.COMPANY: None, Level.DEPARTMENT: "department_id", Level.MANAGER: "owner_id"}


def _milli(pct: Decimal) -> int:
    return int(pct * 1000)


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
    the caller filters and sorts the judged rows itself.

    The statement is built in named steps, each adding its CTEs (or UNION branches) in order:
    every client's figures, the unit totals, the clients shown, their ranking (ABC), then the
    rows Python judges, the page, and the ranking's landmarks."""
    v = _VENDOR.get(connection.vendor, _VENDOR["sqlite"])
    # The NPV trend (two trailing years) is read here only when many rows come back or the
    # table is sorted by NPV; otherwise for the rows returned alone, after the statement.
    with_trend = page is None or page.limit is None or page.sort.lstrip("-") == "npv"
    ctes, params = _figures_ctes(period, crit, with_trend)
    lowest = _lowest_line_pct(crit)
    unit_ctes, unit_join, unit_total = _unit_ctes(level, lowest, v)
    ctes += unit_ctes
    shown, shown_params = _shown_cte(level, visible, unit_join, unit_total)
    ctes.append(shown)
    params += shown_params
    ctes += _ranking_ctes(crit, v)
    branches, keep_params = _judged_rows_branch(period, crit, lowest, keep_ids, v)
    page_params: list = []
    if page is not None:
        branch, count, page_params = _page_sql(page, crit, v)
        branches += [branch, count] if count else [branch]
    branches += _landmark_branches(v)
    sql = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(branches)
    board = _read(_fetch(sql, params + keep_params + page_params), crit.basis)
    if not with_trend:
        _add_trends(board, period)
    return board


def _figures_ctes(period, crit: rules.Criteria, with_trend: bool) -> tuple[list[str], list]:
    """Step 1, every client's figures from two to four months of the running totals: the
    ``pa``..``pd`` month points and ``fig`` (rev, cost, the trend's two years, the weight)."""
    params: list = []
    points = {"pa": period.last, "pb": add_months(period.first, -1)}
    pc = "pb"
    if with_trend:
        if add_months(period.l12_first, -1) != points["pb"]:
            points["pc"] = add_months(period.l12_first, -1)
            pc = "pc"
        points["pd"] = add_months(period.p12_first, -1)
    ctes = []
    for alias, month in points.items():
        sql, p = running_totals_sql(month)
        ctes.append(f"{alias} AS ({sql})")
        params += p

    def z(alias, col):
        return f"COALESCE({alias}.{col}, 0)"

    def income(alias):
        # Issue 8 §3: lines without a known cost are revenue, not income.
        return (
            f"({z(alias, 'revenue_cents')} - {z(alias, 'uncosted_cents')} "
            f"- {z(alias, 'cost_cents')})"
        )

    acc = Account._meta.db_table
    joins = " ".join(f"LEFT JOIN {a} ON {a}.account_id = acc.id" for a in points)
    weight = "rev - unc - cost" if crit.basis == rules.INCOME else "rev"
    if with_trend:
        trend = f"{income('pa')} - {income(pc)} AS l12, {income(pc)} - {income('pd')} AS p12"
    else:
        trend = "CAST(NULL AS BIGINT) AS l12, CAST(NULL AS BIGINT) AS p12"
    ctes.append(
        f"fig AS MATERIALIZED (SELECT f.*, {weight} AS w FROM ("
        f"SELECT acc.id, acc.department_id, acc.owner_id, "
        f"{z('pa', 'revenue_cents')} - {z('pb', 'revenue_cents')} AS rev, "
        f"{z('pa', 'cost_cents')} - {z('pb', 'cost_cents')} AS cost, "
        f"{z('pa', 'uncosted_cents')} - {z('pb', 'uncosted_cents')} AS unc, {trend} "
        f"FROM {acc} acc {joins}) f)"
    )
    return ctes, params


def _lowest_line_pct(crit: rules.Criteria) -> Decimal | None:
    """The least share that makes a client key by share or a band (None: no such rule)."""
    return min(
        (p for p in (crit.key_share_pct, crit.critical_pct, crit.mono_pct) if p is not None),
        default=None,
    )


def _unit_ctes(level: str, lowest: Decimal | None, v: dict) -> tuple[list[str], str, str]:
    """Step 2, unit totals over every client: ``company`` and, below company level, ``units``.
    Key lines (rules.UnitJudge): the least weight key by share or a band in the unit and in
    the company, worked out once per unit, so each client costs one comparison. Returns the
    CTEs, the join that gives ``shown`` its unit and the unit's columns."""

    def line(total: str) -> str:
        if lowest is None:
            return "NULL"
        return v["line"].format(milli=_milli(lowest), total=total)

    ctes = [
        f"company AS (SELECT total AS company_total, {line('total')} AS company_line, "
        f"{v['int'].format('total')} AS company_int FROM "
        f"(SELECT COALESCE(SUM(w), 0) AS total FROM fig WHERE w > 0) t)"
    ]
    unit = _UNIT_COLUMN[level]
    if unit:
        # COALESCE: clients with no department form a unit of their own, as in the rules.
        ctes.append(
            f"units AS (SELECT unit, total AS unit_total, {line('total')} AS unit_line, "
            f"{v['int'].format('total')} AS unit_int FROM "
            f"(SELECT COALESCE({unit}, 0) AS unit, SUM(w) AS total FROM fig WHERE w > 0 "
            f"GROUP BY COALESCE({unit}, 0)) t)"
        )
        unit_join = f"LEFT JOIN units ON units.unit = COALESCE(fig.{unit}, 0)"
        unit_total = "COALESCE(units.unit_total, 0) AS unit_total, units.unit_line, units.unit_int"
    else:
        unit_join = ""
        unit_total = (
            "company.company_total AS unit_total, company.company_line AS unit_line, "
            "company.company_int AS unit_int"
        )
    return ctes, unit_join, unit_total


def _shown_cte(
    level: str, visible: QuerySet | None, unit_join: str, unit_total: str
) -> tuple[str, list]:
    """Step 3, the clients shown: those the user may see (and, at manager level, with a KAM),
    each with its unit's and the company's totals and key lines."""
    where, params = [], []
    if visible is not None:
        vsql, vparams = visible.order_by().values("pk").query.sql_with_params()
        where.append(f"fig.id IN ({vsql})")
        params += vparams
    if level == Level.MANAGER:
        where.append("fig.owner_id IS NOT NULL")  # no KAM: no manager-level unit
    cte = (
        f"shown AS MATERIALIZED (SELECT fig.*, {unit_total}, "
        f"company.company_total, company.company_line FROM fig CROSS JOIN company {unit_join}"
        f"{' WHERE ' + ' AND '.join(where) if where else ''})"
    )
    return cte, params


def _ranking_ctes(crit: rules.Criteria, v: dict) -> list[str]:
    """Step 4, the ranking of the clients shown (``ranked``), its totals (``stats``) and where
    the ABC classes end (``cut``)."""
    return [
        # One window (the ranking is unique, so its default RANGE frame is the running sum):
        # one sort and one pass give each client its rank and the weight up to it, as an
        # integer.
        f"ranked AS MATERIALIZED (SELECT id, w, ROW_NUMBER() OVER r AS pos, "
        f"{v['int'].format('SUM(w) OVER r')} AS running FROM shown WHERE w > 0 "
        f"WINDOW r AS (ORDER BY w DESC, id))",
        # ABC (rules.abc_classes): A while the weight ranked before a client is under a_pct %
        # of the total shown, then B under b_pct %. Each class is a prefix of the ranking;
        # "cut" finds where each ends. For integers, before * 100000 < milli * total is
        # before < the line ceil(milli * total / 100000): one integer comparison a client.
        f"stats AS (SELECT n, total, squares, shown_n, uncosted_n, "
        f"{v['line'].format(milli=_milli(crit.abc_a_pct), total='total')} AS a_line, "
        f"{v['line'].format(milli=_milli(crit.abc_b_pct), total='total')} AS b_line FROM ("
        f"SELECT COUNT(*) AS n, COALESCE(SUM(w), 0) AS total, SUM({v['square']}) AS squares, "
        f"(SELECT COUNT(*) FROM shown) AS shown_n, "
        f"(SELECT COUNT(*) FROM shown WHERE unc <> 0) AS uncosted_n FROM ranked) t)",
        "cut AS (SELECT MAX(CASE WHEN running - w < a_line THEN pos END) AS last_a, "
        "MAX(CASE WHEN running - w < b_line THEN pos END) AS last_b "
        "FROM ranked CROSS JOIN stats)",
    ]


def _judged_rows_branch(
    period, crit: rules.Criteria, lowest: Decimal | None, keep_ids, v: dict
) -> tuple[list[str], list]:
    """Step 5, the rows Python judges: every client some rule can make key, and ``keep_ids``."""
    num = v["num"].format
    figures = "id, rev, cost, l12, p12, unit_total, company_total, unc"
    tests = []
    if lowest is not None:
        tests += ["(w > 0 AND w >= unit_line)", "(w > 0 AND w >= company_line)"]
    if crit.key_amount is not None:
        # rules.prorated_amount: w >= key_amount * months / 12, in cents and exact.
        amount = int(crit.key_amount * 100) * period.months
        tests.append(f"(w > 0 AND {num('w')} * 12 >= {amount})")
    branches = []
    keep_params = []
    if keep_ids:
        tests.append(f"id IN ({v['ids']})")
        keep_params.append(json.dumps(sorted(keep_ids)))
    if tests:
        branches.append(
            f"SELECT 'row' AS kind, NULL AS n, {figures} FROM shown WHERE {' OR '.join(tests)}"
        )
    return branches, keep_params


def _landmark_branches(v: dict) -> list[str]:
    """Step 7 (after the page), the ranking's landmarks: its totals and the ranks the
    concentration block and the Pareto curve need."""
    num = v["num"].format
    return [
        f"SELECT 'stats', n, last_a, total, {num('squares')}, last_b, shown_n, NULL, NULL, "
        "uncosted_n FROM stats CROSS JOIN cut",
        "SELECT 'rank', pos, id, w, running, NULL, NULL, NULL, NULL, NULL FROM ranked "
        "CROSS JOIN stats CROSS JOIN cut WHERE pos IN (1, 5, 10, n) OR pos = last_a "
        "OR pos = last_b OR pos %% (CASE WHEN n <= 100 THEN 1 ELSE (n + 99) / 100 END) = 0",
    ]


def _fetch(sql: str, params: list) -> list[tuple]:
    postgres = connection.vendor == "postgresql"
    scope = transaction.atomic(savepoint=False) if postgres else nullcontext()
    with scope, connection.cursor() as cur:
        if postgres:
            # Its sorts (the ranking, the window) hold 100 000 narrow rows: in memory, not in
            # temporary files as with the default 4 MB. For this transaction only.
            cur.execute("SET LOCAL work_mem = '32MB'")
        cur.execute(sql, params)
        return cur.fetchall()


def _add_trends(board: Board, period) -> None:
    """The trailing years' income of the rows returned (NPV and its trend)."""
    last, l12, p12 = (
        period.last,
        add_months(period.l12_first, -1),
        add_months(period.p12_first, -1),
    )
    totals = running_totals_of(list(board.rows), [last, l12, p12])

    def income(account_id, month):
        revenue, cost, uncosted = totals.get((account_id, month), (0, 0, 0))
        return revenue - uncosted - cost

    for pk, r in board.rows.items():
        a, b, c = income(pk, last), income(pk, l12), income(pk, p12)
        board.rows[pk] = replace(r, last12=cents(a - b), prev12=cents(b - c))


def _page_sql(page: PageQuery, crit: rules.Criteria, v: dict) -> tuple[str, str | None, list]:
    """The window branch (ranked by ``page.sort``, ties by id) and, when rows are filtered,
    the count branch."""
    key = page.sort.lstrip("-")
    d = "DESC" if page.sort.startswith("-") else "ASC"
    # The rows to filter and sort: the clients shown, with what the filter or the order needs
    # joined inside, so the columns outside are the shown rows' own.
    extra, joins = [], []
    if page.abc:
        # The class of a row from the ABC edges (see Edge.covers): no join to the ranking.
        edge = (
            "(SELECT r.w FROM ranked r CROSS JOIN cut WHERE r.pos = cut.{0}) AS w{0}, "
            "(SELECT r.id FROM ranked r CROSS JOIN cut WHERE r.pos = cut.{0}) AS id{0}"
        )
        extra.append("edges.*")
        joins.append(f"CROSS JOIN (SELECT {edge.format('last_a')}, {edge.format('last_b')}) edges")
    if key == "name":  # the names are joined for this order only
        extra.append("named.legal_name")
        joins.append(f"JOIN {Account._meta.db_table} named ON named.id = shown.id")
    if extra:
        source = f"(SELECT shown.*, {', '.join(extra)} FROM shown {' '.join(joins)}) s"
    else:
        source = "shown s"
    filters, params = [], []
    if page.abc:
        covers = "(w > w{0} OR (w = w{0} AND id <= id{0}))"
        cls = (
            f"CASE WHEN w <= 0 THEN 'C' WHEN {covers.format('last_a')} THEN 'A' "
            f"WHEN {covers.format('last_b')} THEN 'B' ELSE 'C' END"
        )
        filters.append(f"{cls} = %s")
        params.append(page.abc)
    if page.owner_id is not None:
        filters.append("owner_id = %s")
        params.append(page.owner_id)
    cond = f" WHERE {' AND '.join(filters)}" if filters else ""
    if key == "share":
        share = f"CASE WHEN w > 0 AND unit_total > 0 THEN {v['share_floor']} ELSE 0 END"
        keys = [share, "w"]
    elif key == "income":
        keys = ["rev - unc - cost"]
    elif key == "npv":
        keys = [_npv_sql(crit, v)]
    else:
        keys = [v["fold"].format("legal_name")]
    window = ""
    if page.limit is not None:
        window = f" LIMIT {int(page.limit)}"
    elif page.offset:
        window = f" {v['all']}"
    if page.offset:
        window += f" OFFSET {int(page.offset)}"
    # ORDER BY ... LIMIT inside (a bounded top-N sort), numbered outside over the few rows kept.
    named = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
    order = ", ".join(f"k{i} {d}" for i in range(len(keys))) + ", id"
    inner = (
        f"SELECT id, rev, cost, l12, p12, unit_total, company_total, unc, {named} "
        f"FROM {source}{cond} ORDER BY {order}{window}"
    )
    branch = (
        f"SELECT 'page', ROW_NUMBER() OVER (ORDER BY {order}), id, rev, cost, l12, p12, "
        f"unit_total, company_total, unc FROM ({inner}) windowed"
    )
    if not filters:  # every client shown matches: the count is the stats' shown_n
        return branch, None, params
    count = (
        f"SELECT 'count', COUNT(*), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL "
        f"FROM {source}{cond}"
    )
    return branch, count, params * 2


def _npv_sql(crit: rules.Criteria, v: dict) -> str:
    """A sort key equal to ``rules.npv`` in cents before rounding (the rows shown use the
    rules): last12 * sum_{t=1..years} f^t with f = (1 + g) / (1 + rate), in Horner form (no
    POWER on SQLite), g the capped trend."""
    real = v["real"].format
    cap = f"{crit.npv_growth_cap_pct / 100:f}"
    g = f"{real('l12 - p12')} / p12"
    growth = (
        f"CASE WHEN p12 <= 0 OR l12 <= 0 THEN 0 WHEN {g} > {cap} THEN {cap} "
        f"WHEN {g} < -{cap} THEN -{cap} ELSE {g} END"
    )
    f = f"((1 + ({growth})) / {1 + crit.npv_rate_pct / 100:f})"
    annuity = "0"
    for _ in range(max(crit.npv_horizon_years, 0)):
        annuity = f"({f} * (1 + {annuity}))"
    return f"{real('l12')} * {annuity}"


def _read(fetched, basis: str) -> Board:
    b = Board()
    b.count = -1
    judged, page, figures = [], [], {}
    last_a = last_b = None
    for kind, n, acc_id, rev, cost, l12, p12, unit_total, company_total, unc in fetched:
        if kind in ("row", "page"):
            figures[acc_id] = (rev, cost, l12, p12, unit_total, company_total, unc)
            if kind == "row":
                judged.append(acc_id)
            else:
                page.append((n, acc_id))
        elif kind == "count":
            b.count = n
        elif kind == "stats":
            b.positive, last_a, last_b, b.shown = n or 0, acc_id, l12, int(p12 or 0)
            b.total = cents(rev)
            b.sum_squares = _exact(cost) * CENTS * CENTS
            b.uncosted_clients = int(unc or 0)
        elif kind == "rank":
            b.ranks[n] = (acc_id, cents(rev), cents(cost))
    if b.count < 0:  # no filter: every client shown matches
        b.count = b.shown
    b.ranks = dict(sorted(b.ranks.items()))
    b.last_a, b.last_b = int(last_a or 0), int(last_b or 0)
    for attr, pos in (("edge_a", b.last_a), ("edge_b", b.last_b)):
        if pos:
            acc_id, w, _running = b.ranks[pos]
            setattr(b, attr, Edge(w, acc_id))
    b.page = [i for _, i in sorted(page)]
    # Each row once, its ABC class from the edges (the same rule the database used); the
    # judged rows in ranking order (largest weight first, then id), as the alerts list them.
    income = basis == rules.INCOME
    order = {}
    for acc_id, (rev, cost, l12, p12, unit_total, company_total, unc) in figures.items():
        w = (rev - unc - cost if income else rev) if rev is not None else 0
        order[acc_id] = w
        b.rows[acc_id] = BoardRow(
            acc_id,
            cents(rev),
            cents(cost),
            cents(l12),
            cents(p12),
            cents(unit_total),
            cents(company_total),
            b.abc(cents(w), acc_id),
            cents(unc),
        )
    b.judged = sorted(judged, key=lambda i: (-order[i], i))
    return b


def _exact(value) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)
