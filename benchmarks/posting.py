"""Times posting shipped order lines into the sales ledger and the settlements through the
order services against PostgreSQL's raw COPY of the same ledger rows (issue 9 §13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_posting \\
        uv run --frozen python benchmarks/posting.py [--lines 20000] [--lines-per-order 10]

Steps, all in one run so that every figure printed was measured on this machine now:

1. Create the database afresh (it is dropped at the end unless ``--keep``) and migrate it.
2. Build (not timed) a department with a KAM and sales support, ``--clients`` clients with a
   contract, a valid credit check and room under their limit, a price column, and
   ``--lines / --lines-per-order`` confirmed orders of ``--lines-per-order`` lines each, with
   their credit reservations, as ``order_confirm`` leaves them.
3. Time ``order_ship`` (the gate at shipment, the lines into the ledger, the roll-up refreshed)
   and ``shipment_invoice`` (the gate at invoice, the invoice into the settlements, the
   reservation lowered) for every order, one after another, as sales support works the queue.
4. Time the raw COPY of the same ledger rows (as CSV, the columns of the sales import) into an
   unindexed temporary table: what PostgreSQL alone needs to take the rows in.
5. Print both rates and the ratio. The goal (issue 9 §13) is posting at 25 % or more of COPY's
   rate.
"""

import argparse
import csv
import io
import os
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
# As in production: DEBUG off (no query log kept per statement), so a throwaway key.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")

from _db import drop_database, ensure_database  # noqa: E402

GOAL = 0.25  # posting's rate as a share of COPY's (issue 9 §13)


def build(clients: int, orders: int, per_order: int):
    """The organisation, clients with terms, and ``orders`` confirmed orders (rows written
    directly, as the order services leave them after confirmation)."""
    from django.db import transaction
    from django.utils import timezone

    from kam.credit.models import CreditAccount, CreditReservation
    from kam.orders.models import Order, OrderLine
    from kam.testing import (
        build_org,
        make_account,
        make_contract,
        make_credit_check,
        make_price,
        make_price_column,
        make_product,
    )

    with transaction.atomic():
        org = build_org()
        column = make_price_column()
        products = [make_product(cost=Decimal("6")) for _ in range(per_order)]
        for p in products:
            make_price(column=column, product=p, price="10.00")
        accounts, contracts = [], []
        for _ in range(clients):
            account = make_account(owner=org.kam_anna)
            contracts.append(
                make_contract(account=account, column=column, credit_limit="900000000")
            )
            make_credit_check(account=account)
            accounts.append(account)
        CreditAccount.objects.bulk_create([CreditAccount(account=a) for a in accounts])
        now = timezone.now()
        total = Decimal(10 * per_order)
        rows = [
            Order(
                account=accounts[i % clients],
                number=f"B-{i:08d}",
                status=Order.Status.CONFIRMED,
                contract=contracts[i % clients],
                price_column=column,
                currency="EUR",
                erp_number=f"ERP-{i:08d}",
                total=total,
                total_base=total,
                created_by=org.kam_anna,
                submitted_at=now - timedelta(days=1),
            )
            for i in range(orders)
        ]
        Order.objects.bulk_create(rows, batch_size=2000)
        OrderLine.objects.bulk_create(
            [
                OrderLine(
                    order=o,
                    line_number=n + 1,
                    product=products[n],
                    quantity=Decimal(1),
                    list_price=Decimal(10),
                    price=Decimal(10),
                    amount=Decimal(10),
                )
                for o in rows
                for n in range(per_order)
            ],
            batch_size=5000,
        )
        CreditReservation.objects.bulk_create(
            [
                CreditReservation(account_id=o.account_id, ref=o.credit_ref, amount=total)
                for o in rows
            ],
            batch_size=5000,
        )
    return org, rows


def time_posting(org, orders) -> float:
    from kam.orders.services import order_ship, shipment_invoice

    support = org.support_north
    started = time.perf_counter()
    for i, order in enumerate(orders, 1):
        shipment = order_ship(actor=support, order=order, version=order.version)
        shipment_invoice(actor=support, shipment=shipment, version=shipment.order.version)
        if i % 500 == 0:
            rate = i / (time.perf_counter() - started)
            print(f"  {i:,} orders posted ({rate:,.0f} orders/s)", flush=True)
    return time.perf_counter() - started


def ledger_csv() -> tuple[bytes, int]:
    """The posted ledger lines as the sales import's CSV (what COPY takes in)."""
    from kam.sales.models import SalesLine

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(
        ["document_number", "line_number", "date", "client", "sku", "quantity", "revenue",
         "cost", "currency"]
    )  # fmt: skip
    n = 0
    for row in SalesLine.objects.order_by("pk").values_list(
        "document_number",
        "line_number",
        "date",
        "account__registration_number",
        "product__sku",
        "quantity",
        "revenue",
        "cost",
        "currency",
    ):
        writer.writerow(row)
        n += 1
    return buf.getvalue().encode(), n


def time_copy(data: bytes, runs: int) -> float:
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
            started = time.perf_counter()
            with cur.cursor.copy("COPY copy_bench FROM STDIN WITH (FORMAT csv, HEADER true)") as c:
                c.write(data)
            best = min(best, time.perf_counter() - started)
            cur.execute("DROP TABLE copy_bench")
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lines", type=int, default=20_000, help="order lines to post")
    ap.add_argument("--lines-per-order", type=int, default=10)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--runs", type=int, default=3, help="COPY runs (the best is kept)")
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = ap.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    ensure_database(
        url,
        fresh=True,
        postgres_only="benchmarks/posting.py compares with PostgreSQL's COPY: set DATABASE_URL "
        "to a PostgreSQL database of its own (it is dropped)",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0)
        orders = max(1, args.lines // args.lines_per_order)
        print(f"building {orders:,} confirmed orders of {args.lines_per_order} lines ...")
        org, rows = build(args.clients, orders, args.lines_per_order)
        lines = orders * args.lines_per_order
        print("posting (order_ship + shipment_invoice per order) ...")
        posting = time_posting(org, rows)
        data, count = ledger_csv()
        assert count == lines, (count, lines)
        copy = time_copy(data, args.runs)
        post_rate, copy_rate = lines / posting, lines / copy
        ratio = post_rate / copy_rate
        print()
        print(f"  posting through the services: {posting:8.2f} s  {post_rate:12,.0f} lines/s")
        print(f"  raw COPY of the same rows:    {copy:8.2f} s  {copy_rate:12,.0f} lines/s")
        verdict = "met" if ratio >= GOAL else "NOT met"
        print(f"  posting / COPY rate: {ratio:.1%} (goal: at least {GOAL:.0%}: {verdict})")
    finally:
        connection.close()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
