"""Reads for plans: the fact credited to the KAM who owned the client on the sale's day
(SP-2), and plan against fact."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.clients.models import Account, AccountOwnership
from kam.core.bounds import MAX_ID
from kam.core.money import db_sum
from kam.core.periods import add_months, month_last_day, month_of
from kam.core.selectors import company_settings, single_row
from kam.org.models import Department, Role, User
from kam.org.selectors import acting_for, visible_people
from kam.plans import rules
from kam.plans.models import Plan, PlanSettings
from kam.plans.rules import MeasureResult, Period
from kam.sales.models import ClientMonth, FirstPurchase, SalesLine

ZERO = Decimal("0")


def plan_settings() -> PlanSettings:
    return single_row(PlanSettings)


def attributed_lines(
    *, first: date, last: date, owner_ids: list[int] | None = None
) -> QuerySet[SalesLine]:
    """Ledger lines dated ``first``..``last``, each annotated with ``credited_to_id`` and
    ``credited_department_id``: the client's owner and department on the line's day, from
    the ownership history (kam.clients.models.AccountOwnership, half-open rows), so a
    reassignment does not move past results. ``owner_ids`` keeps the lines credited to those
    people. Not scoped by a reader: callers scope by who may see whose results."""
    on_the_day = Q(account__ownerships__started_on__lte=F("date")) & (
        Q(account__ownerships__ended_on__isnull=True)
        | Q(account__ownerships__ended_on__gt=F("date"))
    )
    if owner_ids is not None:
        on_the_day &= Q(account__ownerships__owner_id__in=owner_ids)
    # One filter() call, so every condition is on the same ownership row (one join), and the
    # annotations below reuse that join.
    return (
        SalesLine.objects.filter(date__gte=first, date__lte=last)
        .filter(on_the_day)
        .annotate(
            credited_to_id=F("account__ownerships__owner_id"),
            credited_department_id=F("account__ownerships__department_id"),
        )
    )


def person_fact(*, person_id: int, period: Period, as_of: date) -> dict[str, Decimal | int]:
    """Turnover, income, active clients and new clients credited to one person in ``period``
    up to ``as_of``."""
    last = min(period.ends_on, as_of)
    lines = attributed_lines(first=period.starts_on, last=last, owner_ids=[person_id])
    return _lines_fact(lines)


def team_fact(*, department, first: date, last: date) -> dict[str, Decimal | int]:
    """The same four measures for the lines credited to a department's subtree."""
    ids = list(
        Department.objects.filter(path__startswith=department.path).values_list("pk", flat=True)
    )
    return _lines_fact(
        attributed_lines(first=first, last=last).filter(credited_department_id__in=ids)
    )


def _lines_fact(lines) -> dict[str, Decimal | int]:
    sums = lines.aggregate(
        turnover=Sum("revenue_base"),
        income=Sum(F("revenue_base") - F("cost_base"), filter=Q(cost_known=True)),
    )
    settings = plan_settings()
    active = (
        lines.filter(quantity__gt=0)
        .values("account_id")
        .annotate(documents=Count("document_number", distinct=True), turnover=Sum("revenue_base"))
        .filter(
            documents__gte=settings.active_min_documents,
            turnover__gte=settings.active_min_turnover,
        )
        .count()
    )
    # A new client is credited to whoever owned it on its first purchase ever.
    first_day = (
        FirstPurchase.objects.filter(account_id=OuterRef("account_id"))
        .order_by("first_date")
        .values("first_date")[:1]
    )
    new = (
        lines.filter(quantity__gt=0)
        .annotate(first_day=Subquery(first_day))
        .filter(date=F("first_day"))
        .values("account_id")
        .distinct()
        .count()
    )
    return {
        rules.TURNOVER: sums["turnover"] or ZERO,
        rules.INCOME: sums["income"] or ZERO,
        rules.ACTIVE_CLIENTS: active,
        rules.NEW_CLIENTS: new,
    }


# --- plans -----------------------------------------------------------------------------------

# The columns of the XLSX export and import (the same, so an export re-imports).
IMPORT_COLUMNS = (
    "period",
    "level",
    "department",
    "person",
    rules.TURNOVER,
    rules.INCOME,
    rules.ACTIVE_CLIENTS,
    rules.NEW_CLIENTS,
)


def plan_values(plan: Plan | None) -> dict:
    """A plan's measures (None where nothing is planned, every measure without a plan)."""
    return {m: (getattr(plan, m) if plan is not None else None) for m in rules.MEASURES}


def _period_plans(period: Period):
    return Plan.objects.filter(kind=period.kind, starts_on=period.starts_on)


def parent_for(*, level: str, department, person, period: Period) -> Plan | None:
    """The plan a new plan is split from: for a person, their regional manager's plan, else
    the nearest department plan up their department's path; for a department, the nearest
    plan up the path; the company's plan last."""
    plans = _period_plans(period)
    if level == Plan.Level.COMPANY:
        return None
    if level == Plan.Level.PERSON and person.manager_id and person.manager.role == Role.REGIONAL:
        found = plans.filter(level=Plan.Level.PERSON, person_id=person.manager_id).first()
        if found is not None:
            return found
    start = department if level == Plan.Level.PERSON else getattr(department, "parent", None)
    ids = [int(x) for x in start.path.strip("/").split("/") if x] if start is not None else []
    found = {
        p.department_id: p for p in plans.filter(level=Plan.Level.DEPARTMENT, department_id__in=ids)
    }
    for dept_id in reversed(ids):
        if dept_id in found:
            return found[dept_id]
    return plans.filter(level=Plan.Level.COMPANY).first()


# --- the fact, fast: client-months where one owner covers the month, lines elsewhere --------

# A key of the fact: (client, the owner on the sale's day, the owner's department).
Key = tuple[int, int, int | None]
# Per key: turnover, income, purchase documents, turnover of purchase lines, new (0/1).
T, INC, DOCS, BOUGHT, NEW = range(5)


def _row(facts: dict, key: Key) -> list:
    row = facts.get(key)
    if row is None:
        row = facts[key] = [ZERO, ZERO, 0, ZERO, 0]
    return row


def _whole_months(first: date, last: date) -> tuple[date | None, date | None]:
    """The first and last month lying whole inside first..last (None, None: none)."""
    a = first if first.day == 1 else add_months(first, 1)
    b = month_of(last) if last == month_last_day(last) else add_months(month_of(last), -1)
    return (a, b) if a <= b else (None, None)


def _split_client_months(a: date, b: date) -> set[tuple[int, date]]:
    """The client-months in a..b in which the owner changed on another day than the 1st."""
    end = month_last_day(b)
    rows = AccountOwnership.objects.filter(
        Q(started_on__gte=a, started_on__lte=end) | Q(ended_on__gte=a, ended_on__lte=end)
    ).values_list("account_id", "started_on", "ended_on")
    out = set()
    for account_id, started, ended in rows:
        for day in (started, ended):
            if day is not None and a <= day <= end and day.day != 1:
                out.add((account_id, month_of(day)))
    return out


def _line_money(facts: dict, lines, pairs=None, *, bought: set | None = None) -> None:
    """Turnover and income per key from the lines (of the client-months in ``pairs`` only,
    when given); the keys with a purchase line among them added to ``bought``."""
    keys = ["account_id", "credited_to_id", "credited_department_id"]
    if pairs is not None:
        keys.append("month")
    rows = lines.values(*keys).annotate(
        t=Sum("revenue_base"),
        i=Sum(F("revenue_base") - F("cost_base"), filter=Q(cost_known=True)),
        b=Count("pk", filter=Q(quantity__gt=0)),
    )
    for r in rows:
        if pairs is not None and (r["account_id"], r["month"]) not in pairs:
            continue
        key = (r["account_id"], r["credited_to_id"], r["credited_department_id"])
        row = _row(facts, key)
        row[T] += db_sum(r["t"])
        row[INC] += db_sum(r["i"])
        if bought is not None and r["b"]:
            bought.add(key)


def _month_money(facts: dict, a: date, b: date, split: set) -> tuple[set[Key], set[Key]]:
    """Turnover and income from ClientMonth for the months a..b, credited to the owner of
    the month's first day; the split client-months taken out again (the caller adds their
    lines). Returns the keys a month of positive net quantity proves a purchase for, and the
    others (the caller looks at their lines)."""
    on_first_day = Q(account__ownerships__started_on__lte=F("month")) & (
        Q(account__ownerships__ended_on__isnull=True)
        | Q(account__ownerships__ended_on__gt=F("month"))
    )
    months = ClientMonth.objects.filter(month__gte=a, month__lte=b).filter(on_first_day)
    owner = {
        "owner_id": F("account__ownerships__owner_id"),
        "dept_id": F("account__ownerships__department_id"),
    }
    sums = {
        "t": Sum("revenue"),
        "i": Sum(F("revenue") - F("revenue_uncosted") - F("cost")),
        "bought": Count("pk", filter=Q(quantity__gt=0)),
    }
    bought: dict[Key, int] = {}
    for account_id, owner_id, dept_id, t, i, n in (
        months.values("account_id")
        .annotate(**owner)
        .values("account_id", "owner_id", "dept_id")
        .annotate(**sums)
        .values_list("account_id", "owner_id", "dept_id", "t", "i", "bought")
    ):
        key = (account_id, owner_id, dept_id)
        row = _row(facts, key)
        row[T] += db_sum(t)
        row[INC] += db_sum(i)
        bought[key] = n
    if split:
        accounts = {account for account, _ in split}
        for r in (
            months.filter(account_id__in=accounts)
            .values("account_id", "month")
            .annotate(**owner)
            .values("account_id", "month", "owner_id", "dept_id")
            .annotate(**sums)
        ):
            if (r["account_id"], r["month"]) not in split:
                continue
            key = (r["account_id"], r["owner_id"], r["dept_id"])
            row = _row(facts, key)
            row[T] -= db_sum(r["t"])
            row[INC] -= db_sum(r["i"])
            bought[key] -= r["bought"]
    certain = {key for key, n in bought.items() if n > 0}
    return certain, set(bought) - certain


def _purchases(facts: dict, lines, *, counted: bool) -> None:
    """Purchase documents and their turnover per key from the lines (quantity > 0)."""
    rows = lines.filter(quantity__gt=0).values(
        "account_id", "credited_to_id", "credited_department_id"
    )
    if counted:
        rows = rows.annotate(d=Count("document_number", distinct=True), b=Sum("revenue_base"))
    else:
        rows = rows.distinct()
    for r in rows:
        row = _row(facts, (r["account_id"], r["credited_to_id"], r["credited_department_id"]))
        if counted:
            row[DOCS] = r["d"]
            row[BOUGHT] = db_sum(r["b"])
        else:
            row[DOCS] = 1


def _new_clients(facts: dict, first: date, last: date) -> None:
    """Each client whose first purchase ever lies in first..last, credited to its owner on
    that day."""
    firsts = dict(
        FirstPurchase.objects.values("account_id")
        .annotate(day=Min("first_date"))
        .filter(day__gte=first, day__lte=last)
        .values_list("account_id", "day")
    )
    if not firsts:
        return
    for account_id, owner_id, dept_id, started, ended in AccountOwnership.objects.filter(
        account_id__in=list(firsts)
    ).values_list("account_id", "owner_id", "department_id", "started_on", "ended_on"):
        day = firsts[account_id]
        if started <= day and (ended is None or ended > day):
            _row(facts, (account_id, owner_id, dept_id))[NEW] = 1


def fact_table(*, first: date, last: date, settings: PlanSettings | None = None) -> dict:
    """The fact of first..last per (client, owner on the sale's day, owner's department):
    [turnover, income, purchase documents, turnover of purchase lines, new client 0/1].

    Money comes from ClientMonth for the client-months one ownership row covers whole and
    from the lines for the client-months in which the owner changed and for a month not yet
    whole (``last`` before its end). Purchases: with the default definition of an active
    client (one purchase, any amount) a client-month of positive net quantity proves one;
    the lines are read only for the keys it cannot prove. Otherwise the lines count the
    purchase documents. The same numbers as summing ``attributed_lines``, read faster."""
    settings = settings or plan_settings()
    facts: dict[Key, list] = {}
    if last < first:
        return facts
    simple = settings.active_min_documents <= 1 and settings.active_min_turnover <= 0
    a, b = _whole_months(first, last)
    # Line reads for purchases (the simple definition): keys the months cannot prove.
    purchase_reads = []
    certain: set[Key] = set()
    if a is None:
        parts = [(first, last)]
    else:
        split = _split_client_months(a, b)
        certain, doubtful = _month_money(facts, a, b, split)
        if split:
            lines = attributed_lines(first=a, last=month_last_day(b)).filter(
                account_id__in={account for account, _ in split},
                month__in={month for _, month in split},
            )
            _line_money(facts, lines, pairs=split, bought=certain)
        if doubtful:
            purchase_reads.append(
                attributed_lines(first=a, last=month_last_day(b)).filter(
                    account_id__in={key[0] for key in doubtful}
                )
            )
        parts = []
        if first < a:
            parts.append((first, a - timedelta(days=1)))
        if month_last_day(b) < last:
            parts.append((add_months(b, 1), last))
    for p0, p1 in parts:
        _line_money(facts, attributed_lines(first=p0, last=p1), bought=certain)
    if simple:
        for key in certain:
            facts[key][DOCS] = 1
        for lines in purchase_reads:
            _purchases(facts, lines, counted=False)
    else:
        _purchases(facts, attributed_lines(first=first, last=last), counted=True)
    _new_clients(facts, first, last)
    return {k: v for k, v in facts.items() if any(v)}


def _measures(rows, settings: PlanSettings) -> dict:
    """The four measures of a unit from its (key, row) pairs of a fact table."""
    turnover = income = ZERO
    purchases: dict[int, list] = {}
    new = set()
    for key, row in rows:
        turnover += row[T]
        income += row[INC]
        if row[DOCS]:
            p = purchases.setdefault(key[0], [0, ZERO])
            p[0] += row[DOCS]
            p[1] += row[BOUGHT]
        if row[NEW]:
            new.add(key[0])
    least = max(settings.active_min_documents, 1)
    active = sum(
        1
        for docs, bought in purchases.values()
        if docs >= least and bought >= settings.active_min_turnover
    )
    return {
        rules.TURNOVER: turnover,
        rules.INCOME: income,
        rules.ACTIVE_CLIENTS: active,
        rules.NEW_CLIENTS: len(new),
    }


class _Index:
    """A fact table indexed by owner and by department subtree."""

    def __init__(self, facts: dict, settings: PlanSettings):
        self.facts = facts
        self.settings = settings
        self.by_owner: dict[int, list] = {}
        self.by_dept: dict[int | None, list] = {}
        for item in facts.items():
            self.by_owner.setdefault(item[0][1], []).append(item)
            self.by_dept.setdefault(item[0][2], []).append(item)
        self._paths = None

    def person(self, person_id: int) -> dict:
        return _measures(self.by_owner.get(person_id, ()), self.settings)

    def department(self, department) -> dict:
        if self._paths is None:
            self._paths = dict(
                Department.objects.filter(pk__in=[d for d in self.by_dept if d]).values_list(
                    "pk", "path"
                )
            )
        ids = [d for d, path in self._paths.items() if path.startswith(department.path)]
        return _measures((item for d in ids for item in self.by_dept[d]), self.settings)

    def company(self) -> dict:
        return _measures(self.facts.items(), self.settings)

    def unit(self, unit: "PlanUnit") -> dict:
        if unit.level == COMPANY:
            return self.company()
        if unit.level == DEPARTMENT:
            return self.department(unit.department)
        return self.person(unit.id)

    def unit_items(self, unit: "PlanUnit"):
        if unit.level == COMPANY:
            return list(self.facts.items())
        if unit.level == DEPARTMENT:
            self.department(unit.department)  # loads the paths
            ids = [d for d, p in self._paths.items() if p.startswith(unit.department.path)]
            return [item for d in ids for item in self.by_dept[d]]
        return list(self.by_owner.get(unit.id, ()))


# --- the fact per unit, summed in the database ------------------------------------------------

# The groupings unit_facts sums a fact to: per owner, per department subtree, the company.
BY_OWNER, BY_DEPARTMENT, BY_COMPANY = "owner", "department", "company"


def _simple_active(settings: PlanSettings) -> bool:
    """The default definition of an active client: one purchase, of any amount."""
    return settings.active_min_documents <= 1 and settings.active_min_turnover <= 0


def _in_range(column: str, first: date, last: date, params: list) -> str:
    params += [first, last]
    return f"{column} BETWEEN %s AND %s"


def _flags(condition_of, ranges, params: list) -> str:
    """One 0/1 column per date range: ``condition_of(i, params)`` says whether a row counts
    there (None: never)."""
    out = []
    for i in range(len(ranges)):
        cond = condition_of(i, params)
        out.append(f"CASE WHEN {cond} THEN 1 ELSE 0 END AS in{i}" if cond else f"0 AS in{i}")
    return ", ".join(out)


def _unit_facts_sql(ranges, groupings, split) -> tuple[str, list]:
    """The SQL of ``unit_facts`` and its parameters."""
    cm = ClientMonth._meta.db_table
    sl = SalesLine._meta.db_table
    own = AccountOwnership._meta.db_table
    fp = FirstPurchase._meta.db_table
    dep = Department._meta.db_table
    whole = [_whole_months(f, la) if f <= la else (None, None) for f, la in ranges]
    live = [(f, la) for f, la in ranges if f <= la]
    lo, hi = min(f for f, _ in live), max(la for _, la in live)
    params: list = []
    ctes = []
    if split:
        ctes.append("split (acc, m) AS (VALUES " + ", ".join(["(%s, %s)"] * len(split)) + ")")
        for account_id, month in sorted(split):
            params += [account_id, month]

    def owner_on(alias: str, day: str) -> str:
        return (
            f"JOIN {own} o ON o.account_id = {alias}.account_id AND o.started_on <= {day} "
            f"AND (o.ended_on IS NULL OR o.ended_on > {day})"
        )

    branches = []
    # Client-months one ownership row covers whole (not split), credited to that owner. A
    # month of positive net quantity proves a purchase; another (rare) is looked up in its
    # lines, by the (account, date) index: OFFSET 0 keeps PostgreSQL from hashing the whole
    # ledger's purchases for it instead, as it does with more work_mem.
    months = [(a, b) for a, b in whole if a is not None]
    if months:
        p: list = []
        flags = _flags(
            lambda i, q: _in_range("cm.month", *whole[i], q) if whole[i][0] else None, ranges, p
        )
        where = " OR ".join(_in_range("cm.month", a, b, p) for a, b in months)
        not_split = (
            " AND NOT EXISTS (SELECT 1 FROM split s WHERE s.acc = cm.account_id AND s.m = cm.month)"
            if split
            else ""
        )
        branches.append(
            (
                f"""SELECT cm.account_id AS acc, o.owner_id AS own, o.department_id AS dept,
                    cm.revenue AS t, cm.revenue - cm.revenue_uncosted - cm.cost AS i,
                    CASE WHEN cm.quantity > 0 THEN 1
                         WHEN EXISTS (SELECT 1 FROM {sl} x WHERE x.account_id = cm.account_id
                                      AND x.month = cm.month AND x.quantity > 0
                                      LIMIT 1 OFFSET 0) THEN 1
                         ELSE 0 END AS b,
                    0 AS n, {flags}
                FROM {cm} cm {owner_on("cm", "cm.month")}
                WHERE ({where}){not_split}""",
                p,
            )
        )
    line_cols = (
        "l.account_id AS acc, o.owner_id AS own, o.department_id AS dept, l.revenue_base AS t, "
        "CASE WHEN l.cost_known THEN l.revenue_base - l.cost_base ELSE 0 END AS i, "
        "CASE WHEN l.quantity > 0 THEN 1 ELSE 0 END AS b, 0 AS n"
    )
    # The lines of the days outside whole months, credited to the owner on the line's day.
    parts = []
    for (f, la), (a, b) in zip(ranges, whole, strict=True):
        if f > la:
            continue
        if a is None:
            parts.append((f, la))
            continue
        if f < a:
            parts.append((f, a - timedelta(days=1)))
        if month_last_day(b) < la:
            parts.append((add_months(b, 1), la))
    if parts:
        p = []

        def partial(i, q):
            f, la = ranges[i]
            if f > la:
                return None
            cond = _in_range("l.date", f, la, q)
            a, b = whole[i]
            if a is not None:
                cond += " AND NOT " + _in_range("l.month", a, b, q)
            return cond

        flags = _flags(partial, ranges, p)
        where = " OR ".join(_in_range("l.date", f, la, p) for f, la in parts)
        branches.append(
            (f"SELECT {line_cols}, {flags} FROM {sl} l {owner_on('l', 'l.date')} WHERE {where}", p)
        )
    # The lines of the client-months in which the owner changed on another day than the 1st.
    if split:
        p = []

        def changed(i, q):
            f, la = ranges[i]
            a, b = whole[i]
            if f > la or a is None:
                return None
            return _in_range("l.date", f, la, q) + " AND " + _in_range("l.month", a, b, q)

        flags = _flags(changed, ranges, p)
        where = _in_range("l.date", lo, hi, p)
        branches.append(
            (
                f"""SELECT {line_cols}, {flags} FROM {sl} l
                JOIN split s ON s.acc = l.account_id AND s.m = l.month
                {owner_on("l", "l.date")} WHERE {where}""",
                p,
            )
        )
    # A new client: its first purchase ever, credited to its owner on that day.
    p = []
    flags = _flags(
        lambda i, q: _in_range("f.day", *ranges[i], q) if ranges[i][0] <= ranges[i][1] else None,
        ranges,
        p,
    )
    # The clients with a first purchase (of some product) in lo..hi and none before lo: their
    # first purchase ever lies in lo..hi, and is the earliest of those. Filtering the range
    # first and looking back by the (account, product) index reads a fraction of what the
    # minimum of every client's every product does (0.25 s against 0.45 s at 1.25M rows).
    within = _in_range("x.first_date", lo, hi, p)
    p.append(lo)
    branches.append(
        (
            f"""SELECT f.account_id AS acc, o.owner_id AS own, o.department_id AS dept,
                0 AS t, 0 AS i, 0 AS b, 1 AS n, {flags}
            FROM (SELECT x.account_id, MIN(x.first_date) AS day FROM {fp} x
                  WHERE {within} AND NOT EXISTS (
                      SELECT 1 FROM {fp} e WHERE e.account_id = x.account_id
                      AND e.first_date < %s)
                  GROUP BY x.account_id) f
            {owner_on("f", "f.day")}""",
            p,
        )
    )
    for _sql, p in branches:
        params += p
    ctes.append("base AS (" + " UNION ALL ".join(sql for sql, _ in branches) + ")")
    n = len(ranges)
    # Per client, owner, department and the ranges a row counts in (few such sets: four
    # aggregates per row, whatever the number of ranges), then per range.
    flags = ", ".join(f"in{i}" for i in range(n))
    ctes.append(
        f"keys AS (SELECT acc, own, dept, {flags}, SUM(t) AS t, SUM(i) AS i, MAX(b) AS b, "
        f"MAX(n) AS n FROM base GROUP BY acc, own, dept, {flags})"
    )
    # Money summed per unit straight from the keys; the clients counted once per unit (a
    # client credited to two owners of one department, or twice to one owner).
    money = ", ".join(
        f"SUM(CASE WHEN k.in{i} = 1 THEN k.t ELSE 0 END), "
        f"SUM(CASE WHEN k.in{i} = 1 THEN k.i ELSE 0 END)"
        for i in range(n)
    )
    per_client = ", ".join(
        f"MAX(CASE WHEN k.in{i} = 1 THEN k.b ELSE 0 END) AS b{i}, "
        f"MAX(CASE WHEN k.in{i} = 1 THEN k.n ELSE 0 END) AS n{i}"
        for i in range(n)
    )
    counts = ", ".join(f"SUM(b{i}), SUM(n{i})" for i in range(n))
    units = {
        BY_OWNER: ("k.own", "keys k"),
        BY_COMPANY: ("0", "keys k"),
        BY_DEPARTMENT: (
            "d.id",
            f"keys k JOIN {dep} kd ON kd.id = k.dept "
            f"JOIN {dep} d ON SUBSTR(kd.path, 1, LENGTH(d.path)) = d.path",
        ),
    }
    selects = []
    for g in groupings:
        unit, source = units[g]
        # (GROUP BY 0 would name a column)
        by, by_client = (f"GROUP BY {unit}", f"{unit}, ") if g != BY_COMPANY else ("", "")
        selects.append(f"SELECT '{g}', 'money', {unit}, {money} FROM {source} {by}")
        selects.append(
            f"""SELECT '{g}', 'clients', u, {counts} FROM (
                SELECT {unit} AS u, k.acc, {per_client} FROM {source}
                WHERE k.b = 1 OR k.n = 1 GROUP BY {by_client}k.acc
            ) c GROUP BY u"""
        )
    sql = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
    return sql, params


def unit_facts(*, ranges: list[tuple[date, date]], groupings, settings=None) -> list[dict]:
    """The four measures of every unit of ``groupings`` (BY_OWNER: owner id, BY_DEPARTMENT:
    department id, its subtree; BY_COMPANY: None) for each date range: one dict per range,
    ``{(grouping, unit id): measures}``, a unit without fact in any range left out. One query, summed in the
    database: money from ClientMonth where one ownership row covers the client-month, the
    lines elsewhere (as ``fact_table``); purchases as the default definition of an active
    client counts them (ValueError for another: ``fact_table`` counts those). The same
    numbers as ``_Index(fact_table(...))`` per range."""
    settings = settings or plan_settings()
    if not _simple_active(settings):
        raise ValueError("unit_facts counts active clients by the default definition only")
    out: list[dict] = [{} for _ in ranges]
    if not ranges or all(f > la for f, la in ranges):
        return out
    whole = [_whole_months(f, la) for f, la in ranges if f <= la]
    months = [(a, b) for a, b in whole if a is not None]
    split = (
        _split_client_months(min(a for a, _ in months), max(b for _, b in months))
        if months
        else set()
    )
    sql, params = _unit_facts_sql(ranges, groupings, split)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # Compiling the query's many expressions (JIT) takes longer than running them:
            # about a second at 10 000 000 lines. For this query only (the previous value
            # back after it, the transaction's end undoes it anyway).
            cur.execute("SELECT current_setting('jit')")
            jit = cur.fetchone()[0]
            cur.execute("SET LOCAL jit = off")
        cur.execute(sql, params)
        rows = cur.fetchall()
        if connection.vendor == "postgresql":
            cur.execute("SELECT set_config('jit', %s, true)", [jit])
    zero = dict.fromkeys(rules.MEASURES, 0)
    for grouping, kind, unit_id, *values in rows:
        key = (grouping, None if grouping == BY_COMPANY else unit_id)
        for i in range(len(ranges)):
            found = out[i].setdefault(key, {**zero, rules.TURNOVER: ZERO, rules.INCOME: ZERO})
            x, y = values[2 * i : 2 * i + 2]
            if kind == "money":
                found[rules.TURNOVER], found[rules.INCOME] = db_sum(x), db_sum(y)
            else:
                found[rules.ACTIVE_CLIENTS], found[rules.NEW_CLIENTS] = int(x or 0), int(y or 0)
    return out


# --- units: what a user may see --------------------------------------------------------------

COMPANY, DEPARTMENT, MANAGER = "company", "department", "manager"
LEVELS = (COMPANY, DEPARTMENT, MANAGER)
PLAN_LEVEL = {
    COMPANY: Plan.Level.COMPANY,
    DEPARTMENT: Plan.Level.DEPARTMENT,
    MANAGER: Plan.Level.PERSON,
}
SALES_ROLES = (Role.KAM, Role.REGIONAL, Role.HEAD)


@dataclass(frozen=True)
class PlanUnit:
    level: str  # company, department or manager
    id: int | None
    name: str
    department: Department | None = None  # the department (a person's own, for a person)


def default_level(user) -> str:
    if user.sees_everything:
        return COMPANY
    if user.role in {Role.HEAD, Role.SUPPORT}:
        return DEPARTMENT
    return MANAGER


def plan_departments(user) -> QuerySet[Department]:
    """The departments whose plans and results a user may see: every one for those who see
    everything, a head's (or sales support's) subtree; none for a KAM or a regional manager
    (they see people)."""
    if user.sees_everything:
        return Department.objects.all()
    q = Q(pk__in=[])
    for person in acting_for(user):
        if person.sees_everything:
            return Department.objects.all()
        if person.role in {Role.HEAD, Role.SUPPORT} and person.department_id:
            q |= Q(path__startswith=person.department.path)
    return Department.objects.filter(q)


def plan_people(user, *, period: Period | None = None) -> QuerySet[User]:
    """The people whose plans and results a user may see: those in a sales role, and anyone
    with a plan in ``period``."""
    q = Q(role__in=SALES_ROLES)
    if period is not None:
        q |= Q(pk__in=_period_plans(period).filter(level=Plan.Level.PERSON).values("person_id"))
    return visible_people(user).filter(q).order_by("last_name", "first_name", "username")


def _company_unit() -> PlanUnit:
    return PlanUnit(COMPANY, None, str(_("Company")))


def _person_unit(p) -> PlanUnit:
    return PlanUnit(MANAGER, p.pk, str(p), p.department)


def plan_unit_get(*, user, level: str, unit_id: int | None) -> PlanUnit:
    """One unit the user may see; Http404 for one they may not (or that does not exist)."""
    if level == COMPANY:
        if not user.sees_everything or unit_id is not None:
            raise Http404(_("Not found."))
        return _company_unit()
    if unit_id is None or not 0 < unit_id <= MAX_ID:
        raise Http404(_("Not found."))
    if level == DEPARTMENT:
        dept = plan_departments(user).filter(pk=unit_id).first()
        if dept is None:
            raise Http404(_("Not found."))
        return PlanUnit(DEPARTMENT, dept.pk, dept.name, dept)
    if level == MANAGER:
        person = visible_people(user).filter(pk=unit_id).first()
        if person is None:
            raise Http404(_("Not found."))
        return _person_unit(person)
    raise Http404(_("Not found."))


def unit_choices(*, user, level: str, period: Period | None = None) -> list[tuple[int, str]]:
    if level == DEPARTMENT:
        return [(d.pk, d.name) for d in plan_departments(user).order_by("path")]
    if level == MANAGER:
        return [(p.pk, str(p)) for p in plan_people(user, period=period)]
    return []


# --- plan against fact -----------------------------------------------------------------------


@dataclass(frozen=True)
class PlanFactRow:
    unit: PlanUnit
    plan: Plan | None
    results: dict[str, MeasureResult]
    split: dict[str, rules.SplitGap] | None  # this plan against the plans split from it
    parent_split: dict[str, rules.SplitGap] | None  # the parent's plan against its children

    @property
    def split_over(self) -> dict:
        return rules.split_over(self.split) if self.split else {}


@dataclass(frozen=True)
class PlanFactReport:
    level: str
    unit: PlanUnit | None
    period: Period
    as_of: date
    currency: str
    plans_income: bool
    rows: list[PlanFactRow] = field(default_factory=list)


class _Units:
    """One range of ``unit_facts``: a unit's four measures (zero where it has no fact)."""

    def __init__(self, facts: dict):
        self.facts = facts

    def unit(self, unit: "PlanUnit") -> dict:
        if unit.level == COMPANY:
            key = (BY_COMPANY, None)
        elif unit.level == DEPARTMENT:
            key = (BY_DEPARTMENT, unit.id)
        else:
            key = (BY_OWNER, unit.id)
        found = self.facts.get(key)
        if found is None:
            return {
                rules.TURNOVER: ZERO,
                rules.INCOME: ZERO,
                rules.ACTIVE_CLIENTS: 0,
                rules.NEW_CLIENTS: 0,
            }
        return found


class _Forecaster:
    """This year's fact to date and last year's, for the forecast of every unit."""

    def __init__(self, *, period: Period, as_of: date, settings: PlanSettings, level: str):
        self.period, self.as_of, self.settings = period, as_of, settings
        ranges = [(period.starts_on, min(period.ends_on, as_of))]
        self.seasonal = period.starts_on <= as_of < period.ends_on
        if self.seasonal:
            ly = rules.last_year(period)
            ranges += [
                (ly.starts_on, ly.ends_on),
                (ly.starts_on, rules.same_day_last_year(as_of)),
            ]
        if _simple_active(settings):
            # Summed per unit in the database, the three ranges in one query; a person's
            # team (their department's subtree) for the seasonality they have none of.
            groupings = {
                COMPANY: [BY_COMPANY],
                DEPARTMENT: [BY_DEPARTMENT],
                MANAGER: [BY_OWNER, BY_DEPARTMENT] if self.seasonal else [BY_OWNER],
            }[level]
            facts = [
                _Units(f) for f in unit_facts(ranges=ranges, groupings=groupings, settings=settings)
            ]
        else:
            facts = [
                _Index(fact_table(first=f, last=la, settings=settings), settings)
                for f, la in ranges
            ]
        self.now = facts[0]
        if self.seasonal:
            self.ly_whole, self.ly_to_date = facts[1:]

    def _factors(self, whole: dict, to_date: dict) -> dict:
        return {m: rules.seasonal_factor(whole[m], to_date[m]) for m in rules.MEASURES}

    def factors(self, unit: PlanUnit) -> dict:
        own = self._factors(self.ly_whole.unit(unit), self.ly_to_date.unit(unit))
        missing = [m for m, f in own.items() if f is None]
        if missing and unit.level == MANAGER and unit.department is not None:
            team = self._team_factors(unit.department)
            for m in missing:
                own[m] = team[m]
        return own

    def _team_factors(self, department) -> dict:
        """A person's team's seasonality (their department's subtree), once per team."""
        cache = self.__dict__.setdefault("_teams", {})
        if department.pk not in cache:
            team = PlanUnit(DEPARTMENT, department.pk, department.name, department)
            cache[department.pk] = self._factors(
                self.ly_whole.unit(team), self.ly_to_date.unit(team)
            )
        return cache[department.pk]

    def results(self, unit: PlanUnit, plan: Plan | None) -> dict[str, MeasureResult]:
        fact = self.now.unit(unit)
        factors = self.factors(unit) if self.seasonal else dict.fromkeys(rules.MEASURES)
        return {
            m: rules.measure_result(
                measure=m,
                plan=getattr(plan, m) if plan is not None else None,
                fact=fact[m],
                forecast=rules.forecast_end(
                    fact=fact[m], period=self.period, as_of=self.as_of, factor=factors[m]
                ),
            )
            for m in rules.MEASURES
        }


def _plans_by_unit(period: Period) -> tuple[dict, dict]:
    plans = list(_period_plans(period))
    by_unit = {}
    children: dict[int, list] = {}
    for p in plans:
        if p.level == Plan.Level.COMPANY:
            by_unit[(COMPANY, None)] = p
        elif p.level == Plan.Level.DEPARTMENT:
            by_unit[(DEPARTMENT, p.department_id)] = p
        else:
            by_unit[(MANAGER, p.person_id)] = p
        if p.parent_id:
            children.setdefault(p.parent_id, []).append(p)
    return by_unit, children


def _split(plan: Plan | None, children: dict) -> dict | None:
    if plan is None or plan.pk not in children:
        return None
    return rules.split_check(plan_values(plan), [plan_values(c) for c in children[plan.pk]])


def _period_of(period: Period | str) -> Period:
    if isinstance(period, Period):
        return period
    return rules.period_parse(period, company_settings().fiscal_year_start_month)


def plan_fact(
    *, user, level: str, unit_id: int | None = None, period, as_of: date
) -> PlanFactReport:
    """Plan against fact for every unit of ``level`` the user may see (``unit_id``: one
    department and the departments below it, or one person): per measure the plan, the fact
    to date (credited to the owner on the sale's day), the percentage and the forecast for
    the period's end; and the split of each unit's plan (against its children) and of its
    parent's. Http404 for a unit or a level the user may not see; ValueError for a level that
    is none."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    period = _period_of(period)
    settings = plan_settings()
    unit = None
    if level == COMPANY:
        unit = plan_unit_get(user=user, level=COMPANY, unit_id=None)
        units = [unit]
    elif level == DEPARTMENT:
        depts = plan_departments(user).order_by("path")
        if unit_id is not None:
            unit = plan_unit_get(user=user, level=level, unit_id=unit_id)
            depts = depts.filter(path__startswith=unit.department.path)
        units = [PlanUnit(DEPARTMENT, d.pk, d.name, d) for d in depts]
    else:
        if unit_id is not None:
            unit = plan_unit_get(user=user, level=level, unit_id=unit_id)
            units = [unit]
        else:
            units = [_person_unit(p) for p in plan_people(user, period=period)]
    rows = []
    if units:
        forecaster = _Forecaster(period=period, as_of=as_of, settings=settings, level=level)
        by_unit, children = _plans_by_unit(period)
        parents = {p.pk: p for p in by_unit.values()}
        for u in units:
            plan = by_unit.get((u.level, u.id))
            parent = parents.get(plan.parent_id) if plan is not None and plan.parent_id else None
            rows.append(
                PlanFactRow(
                    unit=u,
                    plan=plan,
                    results=forecaster.results(u, plan),
                    split=_split(plan, children),
                    parent_split=_split(parent, children),
                )
            )
    return PlanFactReport(
        level=level,
        unit=unit,
        period=period,
        as_of=as_of,
        currency=company_settings().base_currency,
        plans_income=settings.plans_income,
        rows=rows,
    )


# --- the drill-down: the clients behind a figure ----------------------------------------------


@dataclass(frozen=True)
class ClientFactRow:
    account_id: int | None  # None: the clients credited here that the user no longer sees
    name: str
    turnover: Decimal
    income: Decimal
    documents: int
    active: bool
    new: bool
    clients: int = 1


def plan_fact_clients(
    *, user, unit: PlanUnit, period, measure: str, as_of: date
) -> list[ClientFactRow]:
    """The clients behind one figure of ``unit`` (from ``plan_unit_get``, so the user may see
    it) in ``period`` up to ``as_of``: every client with a turnover or income for a money
    measure, the active or the new clients for the counts; largest first. Clients credited
    to the unit that the user may not see today (handed to someone else since) are summed in
    one row without names."""
    if measure not in rules.MEASURES:
        raise ValueError(f"unknown measure {measure!r}")
    period = _period_of(period)
    settings = plan_settings()
    last = min(period.ends_on, as_of)
    index = _Index(fact_table(first=period.starts_on, last=last, settings=settings), settings)
    per_client: dict[int, list] = {}
    for key, row in index.unit_items(unit):
        per_client.setdefault(key[0], []).append((key, row))
    least = max(settings.active_min_documents, 1)
    found = []
    for account_id, items in per_client.items():
        turnover = sum((r[T] for _k, r in items), ZERO)
        income = sum((r[INC] for _k, r in items), ZERO)
        docs = sum(r[DOCS] for _k, r in items)
        bought = sum((r[BOUGHT] for _k, r in items), ZERO)
        active = docs >= least and bought >= settings.active_min_turnover
        new = any(r[NEW] for _k, r in items)
        keep = {
            rules.TURNOVER: turnover != 0,
            rules.INCOME: income != 0,
            rules.ACTIVE_CLIENTS: active,
            rules.NEW_CLIENTS: new,
        }[measure]
        if keep:
            found.append((account_id, turnover, income, docs, active, new))
    visible = dict(
        Account.objects.visible_to(user)
        .filter(pk__in=[f[0] for f in found])
        .values_list("pk", "legal_name")
    )
    out = []
    hidden = [0, ZERO, ZERO, 0]
    for account_id, turnover, income, docs, active, new in found:
        if account_id in visible:
            out.append(
                ClientFactRow(account_id, visible[account_id], turnover, income, docs, active, new)
            )
        else:
            hidden[0] += 1
            hidden[1] += turnover
            hidden[2] += income
            hidden[3] += docs
    key = (
        (lambda r: (-r.income, r.name))
        if measure == rules.INCOME
        else (lambda r: (-r.turnover, r.name))
    )
    out.sort(key=key)
    if hidden[0]:
        out.append(
            ClientFactRow(
                None,
                str(_("Other clients (handed to someone you do not see)")),
                hidden[1],
                hidden[2],
                hidden[3],
                measure == rules.ACTIVE_CLIENTS,
                measure == rules.NEW_CLIENTS,
                clients=hidden[0],
            )
        )
    return out


# --- one person's plan (pay's cuts read it) and the home panel -------------------------------


def plan_results(*, person, period: Period, as_of: date | None = None) -> dict[str, MeasureResult]:
    """A person's own plan against the fact credited to them, per measure, with the forecast
    for the period's end (pay's cuts read this). Not scoped by a reader: pay and the plan
    pages check who may see whom."""
    as_of = as_of or timezone.localdate()
    plan = Plan.objects.filter(
        level=Plan.Level.PERSON, person=person, kind=period.kind, starts_on=period.starts_on
    ).first()
    fact = person_fact(person_id=person.pk, period=period, as_of=as_of)
    factors = dict.fromkeys(rules.MEASURES)
    if period.starts_on <= as_of < period.ends_on:
        ly = rules.last_year(period)
        whole = person_fact(person_id=person.pk, period=ly, as_of=ly.ends_on)
        to_date = person_fact(person_id=person.pk, period=ly, as_of=rules.same_day_last_year(as_of))
        factors = {m: rules.seasonal_factor(whole[m], to_date[m]) for m in rules.MEASURES}
        if person.department_id and any(f is None for f in factors.values()):
            # No history of their own for a measure: the team's seasonality (the lines
            # credited to their department's subtree), as plan_fact's forecast does.
            through = rules.same_day_last_year(as_of)
            whole = team_fact(department=person.department, first=ly.starts_on, last=ly.ends_on)
            to_date = team_fact(department=person.department, first=ly.starts_on, last=through)
            factors = {
                m: f if f is not None else rules.seasonal_factor(whole[m], to_date[m])
                for m, f in factors.items()
            }
    return {
        m: rules.measure_result(
            measure=m,
            plan=getattr(plan, m) if plan is not None else None,
            fact=fact[m],
            forecast=rules.forecast_end(
                fact=fact[m], period=period, as_of=as_of, factor=factors[m]
            ),
        )
        for m in rules.MEASURES
    }


def home_panel(*, user, as_of: date) -> dict | None:
    """A person's three plans for the current month at a glance (the home page); None for
    someone without a plan this month."""
    if not getattr(user, "is_authenticated", False):
        return None
    period = rules.period_containing(as_of, rules.MONTH, company_settings().fiscal_year_start_month)
    if not Plan.objects.filter(
        level=Plan.Level.PERSON, person=user, kind=period.kind, starts_on=period.starts_on
    ).exists():
        return None
    results = plan_results(person=user, period=period, as_of=as_of)
    shown = [rules.TURNOVER, rules.ACTIVE_CLIENTS, rules.NEW_CLIENTS]
    if plan_settings().plans_income:
        shown.insert(1, rules.INCOME)
    return {
        "plan_panel": {
            "period": period,
            "as_of": as_of,
            "currency": company_settings().base_currency,
            "results": [results[m] for m in shown],
        }
    }


def plans_export_rows(*, user, period) -> list[list]:
    """The plans of ``period`` the user may see, in the columns of the import."""
    period = _period_of(period)
    depts = set(plan_departments(user).values_list("pk", flat=True))
    people = set(visible_people(user).values_list("pk", flat=True))
    rows = []
    for p in _period_plans(period).select_related("department", "person"):
        if p.level == Plan.Level.COMPANY and not user.sees_everything:
            continue
        if p.level == Plan.Level.DEPARTMENT and p.department_id not in depts:
            continue
        if p.level == Plan.Level.PERSON and p.person_id not in people:
            continue
        rows.append(
            [
                period.code,
                p.level,
                p.department.name if p.level == Plan.Level.DEPARTMENT else "",
                p.person.username if p.person_id else "",
                p.turnover,
                p.income,
                p.active_clients,
                p.new_clients,
            ]
        )
    return rows


@dataclass(frozen=True)
class PlanSplitRow:
    unit: PlanUnit
    plan: Plan
    split: dict[str, rules.SplitGap] | None

    @property
    def split_over(self) -> dict:
        return rules.split_over(self.split) if self.split else {}


def plans_visible(*, user, period) -> list[PlanSplitRow]:
    """The plans of ``period`` the user may see (the company's, the departments', the
    people's), each with its split against the plans below it: the plan page's list (no
    fact read)."""
    period = _period_of(period)
    by_unit, children = _plans_by_unit(period)
    units = [_company_unit()] if user.sees_everything else []
    units += [
        PlanUnit(DEPARTMENT, d.pk, d.name, d) for d in plan_departments(user).order_by("path")
    ]
    units += [_person_unit(p) for p in plan_people(user, period=period)]
    out = []
    for u in units:
        plan = by_unit.get((u.level, u.id))
        if plan is not None:
            out.append(PlanSplitRow(u, plan, _split(plan, children)))
    return out
