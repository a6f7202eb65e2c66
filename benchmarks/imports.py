"""Times ``kam import sales`` against PostgreSQL's raw COPY of the same rows (issue 8 §6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_imports \\
        uv run --frozen python benchmarks/imports.py [--lines 200000] [--profile]

Steps, all in one run so that every figure printed was measured on this machine now:

1. Create the database if it is missing and migrate it; empty its ledger (the lines and the
   derived tables), so every run imports into the same state.
2. Make sure it has ``--clients`` clients and ``--products`` products (imported once with
   ``kam import clients`` and ``kam import products``, not timed).
3. Write a sales CSV of ``--lines`` lines (default 200 000; ``--lines 1000000``), the columns
   of docs/import.md, over 24 months, documents of one to nine lines, a return now and then
   (not timed). Seeded: the same file every run.
4. Time the raw COPY of that file into an unindexed temporary table whose columns are the
   file's (text, integer, date, numeric): what PostgreSQL alone needs to take the rows in, no
   check, no conversion, no index. The best of ``--runs``.
5. Time ``kam import sales FILE --system`` in a child process (its memory is its own), on the
   empty ledger: the file read and checked, every line written, the derived tables (monthly
   roll-up, running totals, first purchases) refreshed, committed. Its wall time, lines per
   second, the ratio to COPY's rate and the child's peak RSS.
6. ``--profile``: the same import again in this process under cProfile (after emptying the
   ledger), printing the functions that take the time.

The goal (issue 8 §6) is an import at 25 % or more of COPY's rate; the figures and what they
mean are in docs/performance.md.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"  # git-ignored: the CSV files
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
# As in production: DEBUG off (no query log kept per statement), so a throwaway key.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
os.environ.setdefault("KAM_DATA_DIR", str(OUT))

from _db import ensure_database  # noqa: E402

GOAL = 0.25  # the import's rate as a share of COPY's (issue 8 §6)


# --- the database ------------------------------------------------------------------------------


def empty_ledger() -> None:
    """No ledger lines and no derived rows: every timed import starts from the same state."""
    from django.db import connection

    from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine

    tables = [m._meta.db_table for m in (SalesLine, ClientMonth, ClientRunningTotal, FirstPurchase)]
    with connection.cursor() as cur:
        cur.execute(f"TRUNCATE {', '.join(tables)}")
        cur.execute(f"VACUUM ANALYZE {SalesLine._meta.db_table}")


def kam(*args: str, rusage: bool = False):
    """``python -m kam ARGS`` in a child process: (seconds, peak RSS in MiB, CPU seconds), the
    last two None unless ``rusage``."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kam.settings"}
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 -- our own interpreter and arguments
        [sys.executable, "-m", "kam", *args], cwd=ROOT, env=env, stdout=subprocess.DEVNULL
    )
    _pid, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        sys.exit(f"kam {' '.join(args)} failed ({child.returncode})")
    if not rusage:
        return seconds, None, None
    return seconds, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # Linux: KiB


def registration(n: int) -> str:
    return f"BENCH{n:07d}"


def sku(n: int) -> str:
    return f"BSKU-{n:05d}"


def ensure_catalogue(clients: int, products: int) -> None:
    """The clients and products the sales file names, imported once (not timed)."""
    from kam.catalog.models import Product
    from kam.clients.models import Account

    OUT.mkdir(parents=True, exist_ok=True)
    have = Account.objects.filter(registration_number__startswith="BENCH").count()
    if have < clients:
        path = OUT / "bench-clients.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["registration_number", "legal_name", "country"])
            for i in range(clients):
                w.writerow([registration(i), f"Bench client {i} SIA", "LV"])
        print(f"importing {clients:,} clients", flush=True)
        kam("import", "clients", str(path), "--system")
    have = Product.objects.filter(sku__startswith="BSKU-").count()
    if have < products:
        path = OUT / "bench-products.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["sku", "name", "category", "standard_cost"])
            for i in range(products):
                w.writerow([sku(i), f"Bench product {i}", f"Category {i % 20}", "10.00"])
        print(f"importing {products:,} products", flush=True)
        kam("import", "products", str(path), "--system")


# --- the file ----------------------------------------------------------------------------------

COLUMNS = (
    "document_number",
    "line_number",
    "date",
    "client",
    "sku",
    "quantity",
    "revenue",
    "cost",
    "currency",
)


def write_sales_csv(path: Path, lines: int, clients: int, products: int, seed: int = 8) -> None:
    """``lines`` sales lines over the 24 months up to last month: documents of 1..9 lines,
    one client each, about one line in 40 a return."""
    rng = random.Random(seed)
    first = (date.today().replace(day=1) - timedelta(days=730)).replace(day=1)
    span = (date.today().replace(day=1) - first).days
    written = doc = 0
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        while written < lines:
            doc += 1
            day = (first + timedelta(days=rng.randrange(span))).isoformat()
            client = registration(rng.randrange(clients))
            for n in range(1, min(rng.randint(1, 9), lines - written) + 1):
                quantity = rng.randint(1, 40)
                price = rng.randint(100, 50_000)  # cents
                revenue = quantity * price
                cost = revenue * rng.randint(50, 95) // 100
                if rng.random() < 0.025:
                    quantity, revenue, cost = -quantity, -revenue, -cost
                w.writerow(
                    [
                        f"B-{doc:08d}",
                        n,
                        day,
                        client,
                        sku(rng.randrange(products)),
                        quantity,
                        f"{revenue / 100:.2f}",
                        f"{cost / 100:.2f}",
                        "EUR",
                    ]
                )
                written += 1


# --- timing ------------------------------------------------------------------------------------


def time_copy(path: Path, runs: int) -> float:
    """The best of ``runs`` raw COPYs of the file into an unindexed temporary table."""
    from django.db import connection

    best = float("inf")
    for _ in range(runs):
        with connection.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS copy_bench")
            cur.execute(
                "CREATE TEMP TABLE copy_bench (document_number text, line_number integer, "
                "date date, client text, sku text, quantity numeric, revenue numeric, "
                "cost numeric, currency text)"
            )
            raw = cur.cursor  # psycopg's own cursor: COPY FROM STDIN
            started = time.perf_counter()
            with (
                path.open("rb") as f,
                raw.copy("COPY copy_bench FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
            ):
                while data := f.read(1 << 20):
                    copy.write(data)
            best = min(best, time.perf_counter() - started)
            cur.execute("SELECT COUNT(*) FROM copy_bench")
            (count,) = cur.fetchone()
            cur.execute("DROP TABLE copy_bench")
    print(f"  COPY: {count:,} rows", flush=True)
    return best


def time_write_only(path: Path) -> float:
    """``sales_lines_write`` alone of the file's lines, parsed here without the importer's
    checks, in the importer's chunks, then the derived tables' refresh: the ledger's share of
    an import. Rolled back, so the ledger stays empty."""
    from django.db import transaction

    from kam.catalog.models import Product
    from kam.clients.models import Account
    from kam.imports.services.sales import CHUNK
    from kam.sales.services import (
        LedgerBounds,
        LedgerLine,
        client_month_refresh,
        sales_lines_write,
    )

    accounts = dict(Account.objects.values_list("registration_number", "id"))
    products = dict(Product.objects.values_list("sku", "id"))
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        lines = [
            LedgerLine(
                date=date.fromisoformat(day),
                account_id=accounts[client],
                product_id=products[code],
                quantity=Decimal(quantity),
                revenue=Decimal(revenue),
                cost=Decimal(cost),
                currency=currency,
                document_number=document,
                line_number=int(number),
            )
            for document, number, day, client, code, quantity, revenue, cost, currency in reader
        ]
    bounds = LedgerBounds()
    started = time.perf_counter()
    with transaction.atomic():
        for i in range(0, len(lines), CHUNK):
            sales_lines_write(
                actor=None,
                lines=lines[i : i + CHUNK],
                audit=False,
                refresh=False,
                checked=bounds,
            )
        written = time.perf_counter() - started
        client_month_refresh(account_ids={ln.account_id for ln in lines})
        refreshed = time.perf_counter() - started - written
        transaction.set_rollback(True)
    print(f"  sales_lines_write alone: {written:.2f} s, then the refresh {refreshed:.2f} s")
    return written + refreshed


def profile_import(path: Path, top: int) -> None:
    from kam.imports.services import IMPORTERS

    empty_ledger()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    result = IMPORTERS["sales"](source=path, actor=None)
    profiler.disable()
    print(f"\nprofiled import: {time.perf_counter() - started:.1f} s, ok={result.ok}")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    print(out.getvalue())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=200_000)
    ap.add_argument("--clients", type=int, default=5_000)
    ap.add_argument("--products", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=3, help="COPY runs (the best is kept)")
    ap.add_argument("--fresh", action="store_true", help="drop the database and build again")
    ap.add_argument("--profile", action="store_true", help="profile one more import")
    ap.add_argument("--top", type=int, default=30, help="functions the profile prints")
    args = ap.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a PostgreSQL database of its own (it is emptied)")
    ensure_database(
        url,
        fresh=args.fresh,
        postgres_only="benchmarks/imports.py measures PostgreSQL's COPY: set DATABASE_URL to one",
    )
    kam("migrate", "--no-input")

    import django

    django.setup()
    from django.db import connection

    ensure_catalogue(args.clients, args.products)
    empty_ledger()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=OUT, prefix="bench-sales-", suffix=".csv", delete=False
    ) as tmp:
        path = Path(tmp.name)
    try:
        started = time.perf_counter()
        write_sales_csv(path, args.lines, args.clients, args.products)
        size = path.stat().st_size
        print(
            f"file: {args.lines:,} lines, {size / 2**20:.1f} MiB "
            f"(written in {time.perf_counter() - started:.1f} s, not timed)",
            flush=True,
        )
        copy_s = time_copy(path, args.runs)
        write_s = time_write_only(path)
        connection.close()  # the child imports through its own connection
        print("importing (kam import sales --system) ...", flush=True)
        load = os.getloadavg()[0]
        import_s, rss, cpu = kam("import", "sales", str(path), "--system", rusage=True)
        with connection.cursor() as cur:
            cur.execute("SELECT COUNT(*) FROM sales_salesline")
            (stored,) = cur.fetchone()
        if stored != args.lines:
            sys.exit(f"the import stored {stored:,} lines, not {args.lines:,}")
        copy_rate, import_rate = args.lines / copy_s, args.lines / import_s
        ratio = import_rate / copy_rate
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            (version,) = cur.fetchone()
        print(
            f"\nPostgreSQL {version}, {args.lines:,} lines, {args.clients:,} clients, "
            f"{args.products:,} products\n"
            f"  raw COPY (unindexed temp table): {copy_s:8.2f} s  {copy_rate:>10,.0f} lines/s\n"
            f"  kam import sales:                {import_s:8.2f} s  {import_rate:>10,.0f} lines/s"
            f"  peak RSS {rss:,.0f} MiB\n"
            f"  the import's own CPU time {cpu:.1f} s (the rest of its wall time is the "
            f"database's and waiting); load average before it {load:.1f}\n"
            f"  the ledger's write and refresh alone: {write_s:8.2f} s "
            f"{args.lines / write_s:>10,.0f} lines/s\n"
            f"  import / COPY rate: {ratio:.1%} (goal: at least {GOAL:.0%}: "
            f"{'met' if ratio >= GOAL else 'NOT met'})"
        )
        if args.profile:
            profile_import(path, args.top)
    finally:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
