"""Times the key-account radar against DuckDB over the same ledger rows (issue 3, item 9).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_data \\
        uv run --frozen --group bench python benchmarks/radar.py [--scale 180] [--reuse]

Steps, all in one run so that every figure printed was measured on this machine now:

1. Create the database if it is missing and migrate it.
2. Build the demo company with ``kam demo --scale N`` (skipped with ``--reuse`` when the
   database already has clients). Scale 180, the default on PostgreSQL, gives about 108 000
   clients and 10 100 000 lines (167 gives 100 000 clients but only 9 600 000 lines).
3. Print the data set's size (after VACUUM ANALYZE on PostgreSQL, untimed: a table in use
   has statistics and a visibility map).
4. Time ``radar_portfolio`` as a director at company, department and manager level: one
   warm-up, then the best of ``--runs``; first as the Key accounts page and the API call it
   (every client judged, alerts and concentration over all of them, one page of 100 rows
   built), then with every row built, as an export asked before issue 7, then the export's
   rows built in bulk (``radar_export``) and iterated, and written as CSV. Then the same
   aggregation as one GROUP BY in the KAM database over the monthly roll-up (``ClientMonth``,
   what the radar read before the running totals), and where the radar's time goes.
5. Copy the ledger rows (account, month, base revenue and cost, the client's KAM and
   department) into an in-memory DuckDB table (not timed) and time DuckDB computing the same
   aggregation over those raw rows, per level.
6. Print the times side by side with the ratio KAM / DuckDB, and check that both engines
   reach the same answer.

The SQL statement timed in both engines is the radar's arithmetic (``kam.radar.rules``): per
client the period's revenue and cost and the two trailing years' income (for the NPV trend);
per unit (the company, each department, each KAM) the sum of positive weights; each client's
share of it, key by share, the 20 %/70 % bands and the ABC class. It ends in a checksum
(counts and sums over every per-client row), so that only the aggregation is timed, not the
transfer of 100 000 rows into Python, and the engines' answers can be compared.
"""

import argparse
import contextlib
import cProfile
import csv
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"  # git-ignored: the SQLite file and demo-logins.txt
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
os.environ["DEBUG"] = "1"
os.environ.setdefault("KAM_DATA_DIR", str(OUT))

from _db import ensure_database  # noqa: E402

LEVELS = ("company", "department", "manager")
PAGE_SIZE = 100  # the Key accounts page's (kam/radar/views.py)
FULL_SCALE = 180  # about 108 000 clients and 10 100 000 ledger lines (167 gives 9.6 M)


# --- the database ------------------------------------------------------------------------------


def database_url() -> str:
    return os.environ.get("DATABASE_URL", f"sqlite:///{OUT / 'kam-bench.sqlite3'}")


def build_demo(scale: float, password: str) -> float:
    """``kam demo --scale`` in a child process (its memory is not this process's); seconds."""
    started = time.perf_counter()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kam.settings", "DEBUG": "1"}
    command = [sys.executable, "-m", "kam", "demo", "--scale", str(scale)]
    print(f"building: kam demo --scale {scale} --password ...", flush=True)
    done = subprocess.run(  # noqa: S603 -- our own interpreter and arguments
        [*command, "--password", password],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if done.returncode:
        sys.exit(f"kam demo failed ({done.returncode})")
    print(done.stdout.splitlines()[1] if done.stdout else "", flush=True)
    return time.perf_counter() - started


# --- timing ------------------------------------------------------------------------------------


def best_of(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    """One warm-up call, then the fastest of ``runs`` calls (seconds) and the last result."""
    result = fn()
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


# --- the aggregation as SQL (PostgreSQL, SQLite and DuckDB alike) ------------------------------


def aggregation_sql(source: str, level: str, p, crit) -> str:
    """The radar's arithmetic for ``level`` over ``source`` (columns account_id, month,
    revenue, cost, owner_id, department_id), ending in a one-row checksum.

    Same rules as kam.radar.rules: weight = income or turnover; a unit's total is the sum of
    its *positive* weights; thresholds are inclusive (``w * 100 >= pct * total``); a client is
    A while the cumulative share before it is under the A limit. Dates and thresholds come from
    the company's radar settings, inlined as literals so the statement is the same text for
    every engine."""
    weight = "revenue - cost" if crit.basis == "income" else "revenue"
    unit = {"company": "", "department": "PARTITION BY department_id", "manager": ""}[level]
    if level == "manager":
        unit = "PARTITION BY owner_id"
    where = "WHERE owner_id IS NOT NULL" if level == "manager" else ""
    lo = min(p.first, p.p12_first)
    pos = "CASE WHEN weight > 0 THEN weight ELSE 0 END"

    def at_least(pct) -> str:
        return f"weight > 0 AND weight * 100 >= {pct} * unit_total"

    key = at_least(crit.key_share_pct) if crit.key_share_pct is not None else "1 = 0"
    return f"""
WITH per_client AS (
    SELECT account_id, owner_id, department_id,
           SUM(CASE WHEN month >= '{p.first}' THEN revenue ELSE 0 END) AS revenue,
           SUM(CASE WHEN month >= '{p.first}' THEN cost ELSE 0 END) AS cost,
           SUM(CASE WHEN month >= '{p.l12_first}' THEN revenue - cost ELSE 0 END) AS last12,
           SUM(CASE WHEN month < '{p.l12_first}' THEN revenue - cost ELSE 0 END) AS prev12
    FROM {source}
    WHERE month >= '{lo}' AND month <= '{p.last}'
    GROUP BY account_id, owner_id, department_id
), weighted AS (
    SELECT account_id, owner_id, department_id, revenue, cost, last12, prev12,
           {weight} AS weight
    FROM per_client {where}
), shared AS (
    SELECT weighted.*,
           SUM({pos}) OVER ({unit}) AS unit_total,
           SUM({pos}) OVER () AS grand_total,
           COALESCE(SUM({pos}) OVER (ORDER BY weight DESC, account_id
                                     ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
               AS before
    FROM weighted
)
SELECT COUNT(*) AS clients,
       SUM(CASE WHEN weight > 0 THEN 1 ELSE 0 END) AS positive,
       SUM(weight) AS weight,
       SUM(last12) AS last12,
       SUM(prev12) AS prev12,
       SUM(CASE WHEN weight > 0 AND unit_total > 0 THEN weight * 100 / unit_total ELSE 0 END)
           AS shares,
       SUM(CASE WHEN {key} THEN 1 ELSE 0 END) AS key_by_share,
       SUM(CASE WHEN {at_least(crit.critical_pct)} AND NOT ({at_least(crit.mono_pct)})
           THEN 1 ELSE 0 END) AS critical,
       SUM(CASE WHEN {at_least(crit.mono_pct)} THEN 1 ELSE 0 END) AS mono,
       SUM(CASE WHEN weight > 0 AND before * 100 < {crit.abc_a_pct} * grand_total
           THEN 1 ELSE 0 END) AS abc_a
FROM shared
"""


CHECK_FIELDS = (
    "clients",
    "positive",
    "weight",
    "last12",
    "prev12",
    "shares",
    "key_by_share",
    "critical",
    "mono",
    "abc_a",
)


MONEY = ("weight", "last12", "prev12")


def same_money(a: Decimal, b: Decimal) -> bool:
    """Equal to the cent; SQLite sums in floating point, so allow its rounding there."""
    return abs(a - b) <= max(Decimal("0.01"), abs(a) * Decimal("1e-12"))


def checksum(row) -> dict:
    out = dict(zip(CHECK_FIELDS, row, strict=True))
    for k in MONEY:
        out[k] = Decimal(str(out[k] or 0)).quantize(Decimal("0.01"))
    out["shares"] = round(float(out["shares"] or 0), 4)
    return out


def agree(field: str, a, b) -> bool:
    if field in MONEY:
        return same_money(a, b)
    if field == "shares":
        return abs(a - b) < 0.01
    return a == b


def radar_checksum(portfolio) -> dict:
    """The part of the checksum the radar's own rows can answer."""
    positive = [r for r in portfolio.rows if r.weight > 0]
    return {
        "positive": len(positive),
        "weight": sum((r.weight for r in portfolio.rows), Decimal(0)),
        "key_by_share": sum(1 for r in portfolio.rows if "share" in r.definitions),
        "critical": sum(1 for r in portfolio.rows if r.band == "critical"),
        "mono": sum(1 for r in portfolio.rows if r.band == "mono"),
        "abc_a": sum(1 for r in positive if r.abc == "A"),
    }


# --- where the radar's time goes ---------------------------------------------------------------

# (module that looks the name up, name) -> label. The selectors are a package: each step is
# wrapped where it is called from. The breakdown is a profiler: it reaches the selectors' own
# steps through their modules on purpose (kam.radar.selectors exports public names only), and
# says so when a step is renamed.
STEPS = {
    ("engine", "_manual"): "flags, wallets, records, innovators (_manual)",
    ("engine", "scoreboard"): "the scoreboard statement: judge every client in SQL (scoreboard)",
    ("engine", "accounts"): "names and owners of the rows built (_Engine.accounts)",
    ("engine", "row"): "rules, evidence, PortfolioRow for the rows built (_Engine.row)",
    ("portfolio", "_concentration"): "concentration from the aggregates (_concentration)",
}


def breakdown(radar, director, as_of, runs: int, limit: int | None) -> dict[str, float]:
    """Time the steps of ``radar_portfolio`` by wrapping the selectors' functions for a few
    calls; the fastest call's split. Empty when the steps are no longer there."""
    from kam.radar.selectors import engine, portfolio

    modules = {"engine": engine, "portfolio": portfolio}
    methods = {"accounts", "row"}
    targets = {}
    for (module, name), _label in STEPS.items():
        owner = engine._Engine if name in methods else modules[module]
        if not hasattr(owner, name):
            print(f"(no breakdown: kam.radar.selectors no longer has {name})")
            return {}
        targets[(module, name)] = owner
    spent: dict[str, float] = {}

    def timed(key, fn):
        def wrapper(*a, **kw):
            started = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                spent[key] = spent.get(key, 0.0) + time.perf_counter() - started

        return wrapper

    originals = {k: getattr(owner, k[1]) for k, owner in targets.items()}
    best: dict = {}
    try:
        for k, owner in targets.items():
            setattr(owner, k[1], timed(k, originals[k]))
        for _ in range(runs):
            spent.clear()
            started = time.perf_counter()
            radar.radar_portfolio(user=director, level="company", as_of=as_of, limit=limit)
            spent["total"] = time.perf_counter() - started
            if not best or spent["total"] < best["total"]:
                best = dict(spent)
    finally:
        for k, owner in targets.items():
            setattr(owner, k[1], originals[k])
    out = {label: best.get(k, 0.0) for k, label in STEPS.items()}
    out["alerts, KC-11 flags, the window (the rest)"] = best["total"] - sum(out.values())
    out["total"] = best["total"]
    return out


# --- main --------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        help=f"kam demo --scale (default {FULL_SCALE} on PostgreSQL: over 100 000 clients and "
        "10 000 000 lines; 1 on SQLite)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time the data already in the database, if any"
    )
    parser.add_argument(
        "--fresh",
        action="store_true",
        help="drop the benchmark database first (it must hold nothing you need)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs after one warm-up")
    parser.add_argument("--password", default="bench-demo", help="password of the demo users")
    parser.add_argument(
        "--profile", action="store_true", help="print the radar's top functions (cProfile)"
    )
    parser.add_argument(
        "--skip-ledger-sql",
        action="store_true",
        help="skip timing the aggregation over the raw ledger in the KAM database",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    url = database_url()
    os.environ["DATABASE_URL"] = url  # for kam.settings here and in kam demo
    ensure_database(url, fresh=args.fresh)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)

    from kam.clients.models import Account
    from kam.org.models import Role, User
    from kam.radar import selectors as radar
    from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine

    vendor = connection.vendor
    scale = args.scale or (FULL_SCALE if vendor == "postgresql" else 1)
    build_seconds = None
    if Account.objects.exists():
        if not args.reuse:
            sys.exit(
                "the database already has clients: pass --reuse to time them, or --fresh to "
                "drop the database and build it again"
            )
        print("reusing the data already in the database")
    else:
        build_seconds = build_demo(scale, args.password)

    if vendor == "postgresql":
        # A bulk load leaves no planner statistics until autovacuum gets round to it; a
        # database in use has them. Not timed.
        # VACUUM too (autovacuum does it to a table in use): index-only scans of the running
        # totals need the visibility map a fresh bulk load does not have yet.
        with connection.cursor() as cur:
            for model in (Account, ClientMonth, SalesLine, ClientRunningTotal, FirstPurchase):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            # Write what the maintenance dirtied now, not in the background of the timings.
            cur.execute("CHECKPOINT")

    clients = Account.objects.count()
    lines = SalesLine.objects.count()
    months = ClientMonth.objects.count()
    last_month = ClientMonth.objects.order_by("-month").values_list("month", flat=True).first()
    as_of = last_month or date.today()
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    if director is None:
        sys.exit("no active director in the database: build it with kam demo")
    settings = radar.radar_settings()
    crit = radar.criteria_of(settings)
    period = radar.radar_period(as_of=as_of)

    print()
    print(f"database      {vendor} {connection.settings_dict['NAME']}")
    if build_seconds is not None:
        print(f"built         kam demo --scale {scale:g} in {build_seconds:,.0f} s")
    print(f"clients       {clients:,}")
    print(f"ledger lines  {lines:,}")
    print(f"client months {months:,}")
    print(
        f"radar as of   {as_of} (period {period.first:%Y-%m}..{period.last:%Y-%m}, "
        f"basis {crit.basis}, NPV trend from {period.p12_first:%Y-%m}); as {director.username}"
    )
    print(f"timing        best of {args.runs} after one warm-up")
    print()

    # --- KAM: the radar end to end -------------------------------------------------------------
    # What the Key accounts page and the API ask for: the whole level judged, alerts and
    # concentration over every client, and one page of rows (PAGE_SIZE, largest share first).
    # And what an export or `kam radar` asks for: every row built.
    kam: dict[str, float] = {}
    kam_all: dict[str, float] = {}
    pages, portfolios = {}, {}
    for level in LEVELS:
        kam[level], pages[level] = best_of(
            lambda level=level: radar.radar_portfolio(
                user=director, level=level, as_of=as_of, limit=PAGE_SIZE
            ),
            args.runs,
        )
        p = pages[level]
        print(
            f"KAM radar     {level:<10} {fmt(kam[level]):>10}  (page of {len(p.rows)} rows of "
            f"{p.count:,}; {len(p.alerts)} alerts)"
        )
    for level in LEVELS:
        kam_all[level], portfolios[level] = best_of(
            lambda level=level: radar.radar_portfolio(user=director, level=level, as_of=as_of),
            max(1, args.runs - 1),
        )
        print(
            f"KAM all rows  {level:<10} {fmt(kam_all[level]):>10}  "
            f"({len(portfolios[level].rows):,} rows built, as for an export)"
        )

    # What an export costs now (issue 7 §3): every export row built in bulk and iterated
    # (``radar_export``), and the same written as the CSV download's bytes.
    from kam.radar import exports
    from kam.radar.selectors.export import radar_export

    kam_export: dict[str, float] = {}
    kam_csv: dict[str, float] = {}
    for level in LEVELS:

        def iterate(level=level):
            return sum(1 for _ in radar_export(user=director, level=level, as_of=as_of).rows)

        def write_csv(level=level):
            e = radar_export(user=director, level=level, as_of=as_of)
            return sum(len(c) for c in exports.portfolio_csv_chunks(e.portfolio, e.rows))

        kam_export[level], n = best_of(iterate, args.runs)
        kam_csv[level], size = best_of(write_csv, max(1, args.runs - 1))
        if n != len(portfolios[level].rows):
            sys.exit(f"export rows at {level}: {n:,}, not {len(portfolios[level].rows):,}")
        print(
            f"KAM export    {level:<10} {fmt(kam_export[level]):>10}  ({n:,} export rows "
            f"iterated; as CSV {fmt(kam_csv[level])}, {size / 1e6:,.1f} MB)"
        )

    # --- KAM: the same aggregation as one SQL statement over the monthly roll-up ----------------
    cm, acc = ClientMonth._meta.db_table, Account._meta.db_table
    roll_up = (
        f"(SELECT m.account_id, m.month, m.revenue, m.cost, a.owner_id, a.department_id "
        f"FROM {cm} m JOIN {acc} a ON a.id = m.account_id) s"
    )

    def kam_sql(source: str, level: str):
        def run():
            with connection.cursor() as cur:
                cur.execute(aggregation_sql(source, level, period, crit))
                return cur.fetchone()

        return run

    kam_agg: dict[str, float] = {}
    kam_checks = {}
    for level in LEVELS:
        kam_agg[level], row = best_of(kam_sql(roll_up, level), args.runs)
        kam_checks[level] = checksum(row)
        print(f"KAM SQL       {level:<10} {fmt(kam_agg[level]):>10}  (over ClientMonth)")

    ledger_sql = None
    if not args.skip_ledger_sql:
        sl = SalesLine._meta.db_table
        ledger = (
            f"(SELECT l.account_id, l.month, l.revenue_base AS revenue, l.cost_base AS cost, "
            f"a.owner_id, a.department_id FROM {sl} l JOIN {acc} a ON a.id = l.account_id) s"
        )
        ledger_sql, _row = best_of(kam_sql(ledger, "company"), max(1, args.runs - 1))
        print(f"KAM SQL       {'company':<10} {fmt(ledger_sql):>10}  (over the raw ledger)")

    # --- where the radar's time goes (company level): the selectors' own steps are wrapped
    # with timers for a few calls; if they are renamed, this part says so. -------------------
    parts = breakdown(radar, director, as_of, args.runs, PAGE_SIZE)

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        radar.radar_portfolio(user=director, level="company", as_of=as_of, limit=PAGE_SIZE)
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
        print(out.getvalue())

    # --- DuckDB: the same rows, in memory -------------------------------------------------------
    import duckdb

    started = time.perf_counter()
    duck = duckdb.connect(":memory:")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.csv"
        export = (
            f"SELECT l.account_id, l.month, l.revenue_base, l.cost_base, a.owner_id, "
            f"a.department_id FROM {SalesLine._meta.db_table} l "
            f"JOIN {acc} a ON a.id = l.account_id"
        )
        with path.open("w", newline="") as out:
            if vendor == "postgresql":
                with (
                    connection.cursor() as cur,
                    cur.cursor.copy(f"COPY ({export}) TO STDOUT WITH (FORMAT csv)") as copy,
                ):
                    for block in copy:
                        out.write(bytes(block).decode())
            else:
                writer = csv.writer(out)
                with connection.cursor() as cur:
                    cur.execute(export)
                    while chunk := cur.fetchmany(50_000):
                        writer.writerows(chunk)
        duck.execute(
            f"""CREATE TABLE ledger AS SELECT * FROM read_csv('{path}', header = false,
            columns = {{'account_id': 'BIGINT', 'month': 'DATE',
                       'revenue': 'DECIMAL(18,2)', 'cost': 'DECIMAL(18,2)',
                       'owner_id': 'BIGINT', 'department_id': 'BIGINT'}})"""
        )
    loaded = duck.execute("SELECT COUNT(*) FROM ledger").fetchone()[0]
    load_seconds = time.perf_counter() - started
    threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]
    print(
        f"DuckDB {duckdb.__version__}: {loaded:,} ledger rows loaded in {load_seconds:,.1f} s "
        f"(not timed), {threads} threads"
    )

    ddb: dict[str, float] = {}
    ddb_checks = {}
    for level in LEVELS:
        q = aggregation_sql("ledger", level, period, crit)
        ddb[level], row = best_of(lambda q=q: duck.execute(q).fetchone(), args.runs)
        ddb_checks[level] = checksum(row)
        print(f"DuckDB        {level:<10} {fmt(ddb[level]):>10}  (over the raw ledger)")

    # --- side by side ---------------------------------------------------------------------------
    print()
    print(
        f"{'level':<11}{'KAM radar':>11}{'all rows':>11}{'export':>11}{'KAM SQL':>11}"
        f"{'DuckDB':>11}{'radar/DuckDB':>14}{'all/DuckDB':>12}{'export/DuckDB':>15}"
        f"{'CSV/DuckDB':>12}{'SQL/DuckDB':>12}"
    )
    for level in LEVELS:
        d = ddb[level]
        print(
            f"{level:<11}{fmt(kam[level]):>11}{fmt(kam_all[level]):>11}"
            f"{fmt(kam_export[level]):>11}{fmt(kam_agg[level]):>11}"
            f"{fmt(d):>11}{kam[level] / d:>13.1f}x{kam_all[level] / d:>11.1f}x"
            f"{kam_export[level] / d:>14.1f}x{kam_csv[level] / d:>11.1f}x"
            f"{kam_agg[level] / d:>11.1f}x"
        )
    print(
        f"KAM radar = radar_portfolio() end to end as the page and the API call it (every client "
        f"judged, alerts and concentration over all, {PAGE_SIZE} rows built); all rows = the same "
        "with every row built, as an export did; export = every export row built in bulk and "
        "iterated (radar_export), CSV = the same written as the download's bytes; KAM SQL = the aggregation as one GROUP BY over "
        "ClientMonth (the previous design's database part); DuckDB = that statement over the raw "
        "ledger rows in memory. Goal: radar within 3x of DuckDB."
    )
    if ledger_sql is not None:
        print(
            f"The statement over the raw ledger in {vendor} (no roll-up) takes "
            f"{fmt(ledger_sql)} at company level: {ledger_sql / ddb['company']:.1f}x DuckDB."
        )
    if parts:
        total = parts.pop("total")
        print()
        print(f"Where the radar's time goes (company level, fastest of {args.runs} timed calls):")
        for label, seconds in parts.items():
            print(f"  {label:<64}{fmt(seconds):>10}  {seconds / total:>5.0%}")
        print(f"  {'radar_portfolio in all':<64}{fmt(total):>10}")

    # --- same answer? ---------------------------------------------------------------------------
    print()
    ok = True
    for level in LEVELS:
        a, b = kam_checks[level], ddb_checks[level]
        same = all(agree(k, a[k], b[k]) for k in CHECK_FIELDS)
        r = radar_checksum(portfolios[level])
        c = pages[level].concentration
        radar_same = all(agree(k, r[k], a[k]) for k in r) and (
            c.clients == a["positive"] and c.abc_counts["A"] == a["abc_a"]
        )
        ok = ok and same and radar_same
        print(
            f"check {level:<10} KAM SQL {'=' if same else '!='} DuckDB, radar rows "
            f"{'=' if radar_same else '!='} SQL: {b['positive']:,} clients with positive weight, "
            f"{b['key_by_share']} key by share, {b['critical']} critical, {b['mono']} mono, "
            f"{b['abc_a']} class A"
        )
        if not (same and radar_same):
            print(f"    KAM SQL {a}\n    DuckDB  {b}\n    radar   {r}")
    with contextlib.suppress(Exception):
        duck.close()
    if not ok:
        sys.exit("the engines disagree: the figures above compare different work")


if __name__ == "__main__":
    main()
