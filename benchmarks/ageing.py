"""Times the receivables ageing as of a day against DuckDB over the same rows (issue 9 §13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_ageing \\
        uv run --frozen --group bench python benchmarks/ageing.py [--clients 100000 --items 2000000]

Steps, all in one run so that every figure printed was measured on this machine now:

1. Create the database if it is missing (``--fresh`` drops it first) and migrate it.
2. Unless ``--reuse``: write ``--clients`` clients (over 10 departments in two levels and one
   KAM per 200 clients) and ``--items`` open invoices, with the history that makes "as of a
   day" real: 30 % of the open invoices partly paid (a payment allocated to it), and for every
   five open invoices two more paid in full; allocations dated over the last 180 days. Written
   with COPY on PostgreSQL, executemany on SQLite (not timed).
3. Time ``selectors.ageing_report`` as a director at company, department and manager level,
   as of today and as of 90 days ago (when allocations after the day must be added back):
   one warm-up, then the best of ``--runs``. Each report is one aggregate statement (a row
   per unit and bucket; at department level a second one for the total, since a department's
   row is its subtree and rows overlap), plus the row names.
4. Copy the same tables into an in-memory DuckDB database (not timed) and time the very same
   statements there (``selectors.ageing_sql``, the text the KAM database runs), print the ratio
   KAM / DuckDB and check that both engines reach the same sums. The goal is KAM <= 3x DuckDB.
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"  # git-ignored
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
os.environ["DEBUG"] = "1"
os.environ.setdefault("KAM_DATA_DIR", str(OUT))

from _db import ensure_database  # noqa: E402

NULL = "\\N"  # COPY's NULL marker (an empty field is an empty string)
LEVELS = {"company": "department", "department": "subtree", "manager": "owner"}


def database_url() -> str:
    return os.environ.get("DATABASE_URL", f"sqlite:///{OUT / 'kam-bench-ageing.sqlite3'}")


def best_of(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    result = fn()
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


# --- the data ----------------------------------------------------------------------------------


def build(clients: int, items: int, today: date, seed: int) -> float:
    """Departments, KAMs, clients, settlement items and allocations; seconds taken."""
    from django.db import connection, transaction

    from kam.clients.models import Account
    from kam.org.models import Role, User
    from kam.org.services import department_create
    from kam.receivables.models import Allocation, SettlementItem

    started = time.perf_counter()
    rnd = random.Random(seed)
    root = department_create(actor=None, name="Company")
    tops = [department_create(actor=None, name=f"Region {i}", parent=root) for i in range(3)]
    depts = [*tops]
    for i in range(6):
        depts.append(department_create(actor=None, name=f"Team {i}", parent=tops[i % 3]))
    User.objects.create(username="bench-director", role=Role.DIRECTOR, department=root,
                        first_name="Bench", last_name="Director")  # fmt: skip
    kams = User.objects.bulk_create(
        User(
            username=f"bench-kam-{i}",
            role=Role.KAM,
            department=depts[i % len(depts)],
            first_name="Kam",
            last_name=str(i),
        )
        for i in range(max(1, clients // 200))
    )
    accounts = Account.objects.bulk_create(
        (
            Account(
                legal_name=f"Client {i}",
                registration_number=f"B{i:08d}",
                owner=kams[i % len(kams)],
                department=kams[i % len(kams)].department,
            )
            for i in range(clients)
        ),
        batch_size=5000,
    )
    ids = [a.pk for a in accounts]
    # Item and allocation rows with explicit ids, so both tables load in one pass each.
    item_cols = ["id", "created_at", "updated_at", "account_id", "kind", "document_number",
                 "document_date", "due_date", "amount", "open_amount", "currency",
                 "document_amount", "source", "reference", "note"]  # fmt: skip
    alloc_cols = ["id", "debit_id", "credit_id", "amount", "allocated_on", "created_at"]
    now = f"{today.isoformat()} 00:00:00+00"
    item_rows, alloc_rows = [], []
    next_id = 1

    def item(account, kind, number, on, due, amount, open_amount):
        nonlocal next_id
        pk = next_id
        next_id += 1
        item_rows.append([pk, now, now, account, kind, number, on.isoformat(),
                          due.isoformat() if due else NULL, amount, open_amount, "EUR", amount,
                          "import", "", ""])  # fmt: skip
        return pk

    def payment_for(invoice_id, account, on, paid):
        pay_on = on + timedelta(days=rnd.randint(0, 180))
        pay_on = min(pay_on, today)
        p = item(account, "payment", f"P{next_id}", pay_on, None, -paid, Decimal("0.00"))
        alloc_rows.append([len(alloc_rows) + 1, invoice_id, p, paid, pay_on.isoformat(), now])

    for n in range(items):
        account = ids[n % len(ids)]
        on = today - timedelta(days=rnd.randint(0, 400))
        due = on + timedelta(days=rnd.choice((14, 30, 45, 60)))
        amount = Decimal(rnd.randint(1000, 500000)) / 100
        paid = (amount * Decimal(rnd.randint(10, 90)) / 100).quantize(Decimal("0.01"))
        partly = rnd.random() < 0.3
        inv = item(account, "invoice", f"I{next_id}", on, due, amount,
                   amount - paid if partly else amount)  # fmt: skip
        if partly:
            payment_for(inv, account, on, paid)
        if n % 5 < 2:  # a fully paid invoice of the same client
            inv = item(account, "invoice", f"I{next_id}", on, due, amount, Decimal("0.00"))
            payment_for(inv, account, on, amount)

    items_table = SettlementItem._meta.db_table
    alloc_table = Allocation._meta.db_table
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table, cols, rows in ((items_table, item_cols, item_rows),
                                      (alloc_table, alloc_cols, alloc_rows)):  # fmt: skip
                buf = io.StringIO()
                csv.writer(buf).writerows(rows)
                buf.seek(0)
                copy_sql = (
                    f"COPY {table} ({', '.join(cols)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
                )
                with cur.cursor.copy(copy_sql) as copy:
                    while chunk := buf.read(1 << 20):
                        copy.write(chunk)
            for table in (items_table, alloc_table):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        else:
            for table, cols, rows in ((items_table, item_cols, item_rows),
                                      (alloc_table, alloc_cols, alloc_rows)):  # fmt: skip
                marks = ", ".join(["%s"] * len(cols))
                sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})"
                due_at = cols.index("due_date") if "due_date" in cols else None
                for start in range(0, len(rows), 50_000):
                    chunk = rows[start : start + 50_000]
                    if due_at is not None:
                        chunk = [
                            [
                                *r[:due_at],
                                None if r[due_at] == NULL else r[due_at],
                                *r[due_at + 1 :],
                            ]
                            for r in chunk
                        ]
                    cur.executemany(
                        sql, [[str(v) if isinstance(v, Decimal) else v for v in r] for r in chunk]
                    )
    return time.perf_counter() - started


# --- DuckDB ------------------------------------------------------------------------------------


def duck_load(duck, connection) -> float:
    """The four tables the statement reads, copied into DuckDB under the same names."""
    from kam.clients.models import Account
    from kam.org.models import Department
    from kam.receivables.models import Allocation, SettlementItem

    tables = {
        SettlementItem._meta.db_table: (
            "id, account_id, kind, document_date, due_date, amount, open_amount",
            {
                "id": "BIGINT",
                "account_id": "BIGINT",
                "kind": "VARCHAR",
                "document_date": "DATE",
                "due_date": "DATE",
                "amount": "DECIMAL(18,2)",
                "open_amount": "DECIMAL(18,2)",
            },
        ),
        Allocation._meta.db_table: (
            "id, debit_id, credit_id, amount, allocated_on",
            {
                "id": "BIGINT",
                "debit_id": "BIGINT",
                "credit_id": "BIGINT",
                "amount": "DECIMAL(18,2)",
                "allocated_on": "DATE",
            },
        ),
        Account._meta.db_table: (
            "id, owner_id, department_id",
            {"id": "BIGINT", "owner_id": "BIGINT", "department_id": "BIGINT"},
        ),
        Department._meta.db_table: ("id, path", {"id": "BIGINT", "path": "VARCHAR"}),
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for table, (cols, types) in tables.items():
            path = Path(tmp) / f"{table}.csv"
            export = f"SELECT {cols} FROM {table}"
            with path.open("w", newline="") as out:
                if connection.vendor == "postgresql":
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
            spec = ", ".join(f"'{k}': '{v}'" for k, v in types.items())
            duck.execute(
                f"CREATE TABLE {table} AS SELECT * FROM read_csv('{path}', header = false, "
                f"nullstr = '', columns = {{{spec}}})"
            )
    return time.perf_counter() - started


def same(a: dict, b: dict) -> bool:
    """Both engines' (unit, bucket) -> (sum, oldest due) cells, to the cent and the day."""

    def norm(cells):
        return {k: (round(float(v[0] or 0), 2), str(v[1])[:10]) for k, v in cells.items()}

    return norm(a) == norm(b)


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--clients", type=int, default=2_000)
    p.add_argument("--items", type=int, default=40_000, help="open invoices")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--seed", type=int, default=9)
    p.add_argument("--reuse", action="store_true", help="time what is already there")
    p.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    return p.parse_args()


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

    from kam.clients.models import Account
    from kam.org.models import Role, User
    from kam.receivables import selectors
    from kam.receivables.models import Allocation, SettlementItem

    today = date.today()
    built = None
    if Account.objects.exists():
        if not args.reuse:
            sys.exit("the database already has clients: pass --reuse to time them, or --fresh")
        print("reusing the data already in the database")
    else:
        print(f"building {args.clients:,} clients and {args.items:,} open invoices ...", flush=True)
        built = build(args.clients, args.items, today, args.seed)
    vendor = connection.vendor
    if vendor == "postgresql":
        with connection.cursor() as cur:
            for model in (Account, SettlementItem, Allocation):
                cur.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            cur.execute("CHECKPOINT")
    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    n_items = SettlementItem.objects.count()
    n_open = SettlementItem.objects.exclude(open_amount=0).count()
    print()
    print(f"database      {vendor} {connection.settings_dict['NAME']}")
    if built is not None:
        print(f"built         in {built:,.0f} s")
    print(f"clients       {Account.objects.count():,}")
    print(f"items         {n_items:,} ({n_open:,} open today)")
    print(f"allocations   {Allocation.objects.count():,}")
    print(f"timing        best of {args.runs} after one warm-up, as {director.username}")
    print()

    days = {"today": today, "90 days ago": today - timedelta(days=90)}
    kam: dict[tuple[str, str], float] = {}
    kam_rows: dict[tuple[str, str], dict] = {}
    for label, on in days.items():
        for level, group in LEVELS.items():
            seconds, _ = best_of(
                lambda on=on, level=level: selectors.ageing_report(
                    user=director, level=level, unit_id=None, as_of=on
                ),
                args.runs,
            )
            kam[(label, level)] = seconds

            def statement(on=on, group=group):
                sql, params = selectors.ageing_sql(as_of=on, accounts=None, group=group)
                with connection.cursor() as cur:
                    cur.execute(sql, params)
                    return {(r[0], r[1]): r[2:] for r in cur.fetchall()}

            kam_rows[(label, level)] = statement()

    import duckdb

    duck = duckdb.connect(":memory:")
    loaded = duck_load(duck, connection)
    threads = duck.execute("SELECT current_setting('threads')").fetchone()[0]
    print(
        f"DuckDB {duckdb.__version__}: tables copied in {loaded:,.1f} s (not timed), {threads} threads"
    )
    print()
    print(f"{'as of':<12} {'level':<11} {'KAM report':>12} {'DuckDB':>10} {'ratio':>7}  same sums")
    worst = 0.0
    for label, on in days.items():
        for level, group in LEVELS.items():
            sql, params = selectors.ageing_sql(as_of=on, accounts=None, group=group)
            total_sql, total_params = selectors.ageing_sql(as_of=on, accounts=None, group="all")

            def run(
                sql=sql, params=params, total_sql=total_sql, total_params=total_params, group=group
            ):
                if group == "subtree":  # as the report: a total of its own only there
                    duck.execute(total_sql.replace("%s", "?"), total_params).fetchall()
                found = duck.execute(sql.replace("%s", "?"), params).fetchall()
                return {(r[0], r[1]): r[2:] for r in found}

            seconds, rows = best_of(run, args.runs)
            ratio = kam[(label, level)] / seconds
            worst = max(worst, ratio)
            agree = "yes" if same(kam_rows[(label, level)], rows) else "NO"
            if agree == "NO" and os.environ.get("AGEING_DEBUG"):
                print(sorted(kam_rows[(label, level)].items())[:3], sorted(rows.items())[:3])
            print(f"{label:<12} {level:<11} {fmt(kam[(label, level)]):>12} {fmt(seconds):>10} "
                  f"{ratio:>6.1f}x  {agree}")  # fmt: skip
    print()
    print(f"worst ratio {worst:.1f}x (goal <= 3x DuckDB): {'met' if worst <= 3 else 'NOT met'}")


if __name__ == "__main__":
    main()
