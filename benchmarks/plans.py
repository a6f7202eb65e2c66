"""Times plan against fact (SP-2) against DuckDB over the same ledger rows (issue 10, item 8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_data \\
        uv run --frozen --group bench python benchmarks/plans.py [--scale 180] [--reuse]

Steps, all in one run so that every figure printed was measured on this machine now:

1. Create the database if it is missing and migrate it; build the demo company with
   ``kam demo --scale N`` unless ``--reuse`` finds clients already (scale 180 on PostgreSQL:
   about 10 000 000 ledger lines, as benchmarks/radar.py builds; the same database serves both).
2. Time ``kam.plans.selectors.plan_fact`` as a director for every KAM, every department and
   the company at one period (``--period``, default the fiscal quarter of the latest sale, as
   of that day): each level reads this year's fact to date and last year's whole period and
   same days (the forecast's seasonality), credited to the owner on the sale's day.
3. Copy the ledger lines, the ownership history, the departments and each client's first
   purchase into an in-memory DuckDB database (not timed) and time the same aggregation there
   (the three date ranges, each credited by the ownership row covering the line's day, summed
   per KAM, per department subtree and for the company).
4. Print both with the ratio KAM / DuckDB (goal: at most 3) and check that both engines agree
   on every unit's turnover, income, active and new clients to date.
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"  # git-ignored
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
os.environ["DEBUG"] = "1"
os.environ.setdefault("KAM_DATA_DIR", str(OUT))

from _db import ensure_database  # noqa: E402
from radar import FULL_SCALE, best_of, build_demo, database_url, fmt  # noqa: E402

LEVELS = ("company", "department", "manager")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, help=f"kam demo --scale (default {FULL_SCALE})")
    parser.add_argument("--reuse", action="store_true", help="time the data already there")
    parser.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    parser.add_argument("--period", help="2026-11, 2026-Q1 or 2026 (default: latest quarter)")
    parser.add_argument("--as-of", type=date.fromisoformat, help="default: the latest sale")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up")
    parser.add_argument("--password", default="bench-demo", help="password of the demo users")
    return parser.parse_args()


def _copy(connection, vendor: str, query: str, path: Path) -> None:
    with path.open("w", newline="") as out:
        if vendor == "postgresql":
            with (
                connection.cursor() as cur,
                cur.cursor.copy(f"COPY ({query}) TO STDOUT WITH (FORMAT csv)") as copy,
            ):
                for block in copy:
                    out.write(bytes(block).decode())
        else:
            writer = csv.writer(out)
            with connection.cursor() as cur:
                cur.execute(query)
                while chunk := cur.fetchmany(50_000):
                    writer.writerows(chunk)


def duck_fact_sql(first: date, last: date) -> str:
    """Per (client, owner on the day, owner's department): turnover, income, whether it
    bought (a line of positive quantity), whether its first purchase ever lies here."""
    return f"""
        SELECT l.account_id, o.owner_id, o.department_id,
               sum(l.revenue) AS t,
               coalesce(sum(l.revenue - l.cost) FILTER (WHERE l.cost_known), 0) AS i,
               bool_or(l.quantity > 0) AS bought,
               bool_or(l.quantity > 0 AND l.day = f.first_day) AS new
        FROM lines l
        JOIN own o ON o.account_id = l.account_id AND o.started_on <= l.day
             AND (o.ended_on IS NULL OR o.ended_on > l.day)
        LEFT JOIN firsts f ON f.account_id = l.account_id
        WHERE l.day BETWEEN DATE '{first}' AND DATE '{last}'
        GROUP BY ALL
    """


MEASURES_SQL = """sum(t), sum(i), count(DISTINCT account_id) FILTER (WHERE bought),
               count(DISTINCT account_id) FILTER (WHERE new)"""
UNITS_SQL = {
    "manager": f"SELECT 'manager', owner_id, {MEASURES_SQL} FROM k GROUP BY owner_id",
    "department": f"""SELECT 'department', d.id, {MEASURES_SQL}
        FROM k JOIN depts kd ON kd.id = k.department_id
               JOIN depts d ON starts_with(kd.path, d.path)
        GROUP BY d.id""",
    "company": f"SELECT 'company', NULL, {MEASURES_SQL} FROM k",
}


def duck_units_sql(level: str, first: date, last: date) -> str:
    """The fact summed per KAM, per department subtree or for the company."""
    return f"WITH k AS ({duck_fact_sql(first, last)}) {UNITS_SQL[level]}"


def main() -> None:
    args = parse_args()
    url = database_url()
    os.environ["DATABASE_URL"] = url
    ensure_database(url, fresh=args.fresh)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from kam.clients.models import Account, AccountOwnership
    from kam.core.selectors import company_settings
    from kam.org.models import Department, Role, User
    from kam.plans import rules
    from kam.plans.selectors import plan_fact
    from kam.sales.models import ClientMonth, FirstPurchase, SalesLine

    vendor = connection.vendor
    scale = args.scale or (FULL_SCALE if vendor == "postgresql" else 1)
    build_seconds = None
    if Account.objects.exists():
        if not args.reuse:
            sys.exit("the database already has clients: pass --reuse, or --fresh to rebuild")
        print("reusing the data already in the database")
    else:
        build_seconds = build_demo(scale, args.password)
    if vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Account, AccountOwnership, ClientMonth, SalesLine, FirstPurchase):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            cur.execute("CHECKPOINT")

    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    if director is None:
        sys.exit("no active director in the database: build it with kam demo")
    as_of = args.as_of or SalesLine.objects.order_by("-date").values_list("date", flat=True).first()
    if as_of is None:
        sys.exit("the ledger is empty")
    fiscal = company_settings().fiscal_year_start_month
    period = (
        rules.period_parse(args.period, fiscal)
        if args.period
        else rules.period_containing(as_of, rules.QUARTER, fiscal)
    )
    print()
    print(f"database      {vendor} {connection.settings_dict['NAME']}")
    if build_seconds is not None:
        print(f"built         kam demo --scale {scale:g} in {build_seconds:,.0f} s")
    print(f"clients       {Account.objects.count():,}")
    print(f"ledger lines  {SalesLine.objects.count():,}")
    print(f"ownerships    {AccountOwnership.objects.count():,}")
    print(f"period        {period.code} ({period.starts_on}..{period.ends_on}), as of {as_of}")
    print(f"timing        best of {args.runs} after one warm-up")
    print()

    kam: dict[str, float] = {}
    reports = {}
    for level in LEVELS:
        kam[level], reports[level] = best_of(
            lambda level=level: plan_fact(user=director, level=level, period=period, as_of=as_of),
            args.runs,
        )
        print(f"KAM plan-fact {level:<10} {fmt(kam[level]):>10}  ({len(reports[level].rows)} rows)")

    # --- DuckDB over the same rows -----------------------------------------------------------
    import duckdb

    duck = duckdb.connect(":memory:")
    tables = {
        "lines": (
            f"SELECT account_id, date, revenue_base, cost_base, cost_known, quantity "
            f"FROM {SalesLine._meta.db_table}",
            "{'account_id': 'BIGINT', 'day': 'DATE', 'revenue': 'DECIMAL(18,2)', "
            "'cost': 'DECIMAL(18,2)', 'cost_known': 'BOOLEAN', 'quantity': 'DECIMAL(14,3)'}",
        ),
        "own": (
            f"SELECT account_id, owner_id, department_id, started_on, ended_on "
            f"FROM {AccountOwnership._meta.db_table}",
            "{'account_id': 'BIGINT', 'owner_id': 'BIGINT', 'department_id': 'BIGINT', "
            "'started_on': 'DATE', 'ended_on': 'DATE'}",
        ),
        "firsts": (
            f"SELECT account_id, min(first_date) FROM {FirstPurchase._meta.db_table} "
            f"GROUP BY account_id",
            "{'account_id': 'BIGINT', 'first_day': 'DATE'}",
        ),
        "depts": (
            f"SELECT id, path FROM {Department._meta.db_table}",
            "{'id': 'BIGINT', 'path': 'VARCHAR'}",
        ),
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name, (query, columns) in tables.items():
            path = Path(tmp) / f"{name}.csv"
            _copy(connection, vendor, query, path)
            duck.execute(
                f"CREATE TABLE {name} AS SELECT * FROM read_csv('{path}', header = false, "
                f"columns = {columns})"
            )
    print(f"DuckDB load                {fmt(time.perf_counter() - started):>10}  (not timed)")

    last = min(period.ends_on, as_of)
    ly = rules.last_year(period)
    ranges = [
        (period.starts_on, last),
        (ly.starts_on, ly.ends_on),
        (ly.starts_on, rules.same_day_last_year(as_of)),
    ]

    duck_times: dict[str, float] = {}
    fact = {}
    for level in LEVELS:

        def duck_run(level=level):
            return [duck.execute(duck_units_sql(level, a, b)).fetchall() for a, b in ranges]

        duck_times[level], rows = best_of(duck_run, args.runs)
        print(
            f"DuckDB        {level:<10} {fmt(duck_times[level]):>10}  "
            f"(ratio {kam[level] / duck_times[level]:,.1f}x)"
        )
        for lvl, i, t, inc, active, new in rows[0]:
            fact[(lvl, i)] = (Decimal(t).quantize(Decimal("0.01")), Decimal(inc), active, new)
    duck_seconds = sum(duck_times.values())

    # --- agreement -----------------------------------------------------------------------------
    wrong = 0
    for level in LEVELS:
        for row in reports[level].rows:
            got = tuple(row.results[m].fact for m in rules.MEASURES)
            want = fact.get((level, row.unit.id), (Decimal(0), Decimal(0), 0, 0))
            if tuple(Decimal(x) for x in got) != tuple(Decimal(x) for x in want):
                wrong += 1
                if wrong <= 5:
                    print(f"DIFFERENT     {level} {row.unit.id}: KAM {got}, DuckDB {want}")
    total = sum(kam.values())
    print()
    print(
        f"KAM total     {fmt(total):>10}   DuckDB {fmt(duck_seconds):>10}   "
        f"ratio {total / duck_seconds:,.1f}x (goal at most 3x)"
    )
    print("answers       " + ("the same for every unit" if not wrong else f"{wrong} units differ"))


if __name__ == "__main__":
    main()
