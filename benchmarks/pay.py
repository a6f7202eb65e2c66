"""Times pay statements for 100 KAMs (issue 10 §8: under 10 s).

    uv run --frozen python benchmarks/pay.py                      # SQLite, benchmarks/out/
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_pay \\
        uv run --frozen python benchmarks/pay.py --fresh

Steps:

1. Create the database if it is missing (``--fresh`` drops it first) and migrate it.
2. Build ``--kams`` KAMs (default 100) under one head, each with ``--clients`` clients
   (default 8) and a ledger of ``--documents`` documents per client and month (default 6,
   two product lines each) over the three months before last month, their plans for last month,
   and for every second KAM the invoices of last month's documents, paid in part
   (not timed). Half the KAMs are paid on invoiced turnover with bands 12 % / 5 % at 50 000,
   half on paid sales.
3. Time ``statement_prepare`` for every KAM for last month as the director (first
   computation), then again (a recompute replaces every line), then ``statements_prepare``
   for all of them in one transaction, and print the seconds of each (and the CPU seconds of
   this process), the statements' lines and whether the goal (< 10 s for all) is met.
"""

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")

from _db import ensure_database  # noqa: E402

GOAL_S = 10.0


def database_url() -> str:
    return os.environ.get("DATABASE_URL", f"sqlite:///{OUT / 'kam-bench-pay.sqlite3'}")


def build(args, period) -> list:
    from kam.core.periods import add_months
    from kam.org.models import Role
    from kam.org.services import user_create
    from kam.pay import services
    from kam.plans.models import Plan
    from kam.receivables.services import settlement_post
    from kam.sales.services import LedgerLine, sales_lines_write
    from kam.testing import build_org, make_account, make_product

    rng = random.Random(args.seed)
    org = build_org()
    products = [make_product() for _ in range(20)]
    invoiced = services.scheme_create(
        actor=org.director,
        name="Bench invoiced",
        fixed_amount=Decimal("1500"),
        bands=[[50000, 12], [None, 5]],
        cuts={"turnover": [[90, 30]], "active_clients": [[95, 10]]},
    )
    paid = services.scheme_create(
        actor=org.director,
        name="Bench paid",
        fixed_amount=Decimal("1200"),
        basis="income",
        earned_on="paid",
        bands=[[20000, 15], [None, 8]],
        cuts={"turnover": [[90, 30]]},
    )
    first_month = add_months(period.starts_on, -3)
    kams = []
    lines = []
    invoices = []
    doc = 0
    for k in range(args.kams):
        kam = user_create(
            actor=None,
            username=f"bench_kam_{k:03d}",
            password="bench-not-a-secret",  # noqa: S106 (a throwaway database)
            role=Role.KAM,
            first_name="Bench",
            last_name=f"Kam {k:03d}",
            department=org.north,
            manager=org.head_north,
        )
        kams.append(kam)
        services.scheme_assign(
            actor=org.director,
            person=kam,
            scheme=paid if k % 2 else invoiced,
            starts=period.previous().previous().previous(),
        )
        Plan.objects.create(
            kind=period.kind,
            starts_on=period.starts_on,
            level=Plan.Level.PERSON,
            person=kam,
            department=org.north,
            turnover=Decimal(rng.randrange(50_000, 150_000)),
            active_clients=args.clients,
            new_clients=0,
            currency="EUR",
        )
        for c in range(args.clients):
            account = make_account(owner=kam, registration_number=f"BP{k:03d}{c:04d}")
            for m in range(4):
                month = add_months(first_month, m)
                for _d in range(args.documents):
                    doc += 1
                    number = f"BP-{doc:08d}"
                    on = month + timedelta(days=rng.randrange(0, 27))
                    total = Decimal(0)
                    for line in (1, 2):
                        revenue = Decimal(rng.randrange(100, 20_000))
                        total += revenue
                        lines.append(
                            LedgerLine(
                                date=on,
                                account_id=account.pk,
                                product_id=rng.choice(products).pk,
                                quantity=Decimal(1),
                                revenue=revenue,
                                cost=(revenue * Decimal("0.7")).quantize(Decimal("0.01")),
                                currency="EUR",
                                document_number=number,
                                line_number=line,
                            )
                        )
                    if k % 2 and m >= 2:
                        invoices.append((account, number, on, total))
    sales_lines_write(actor=None, lines=lines, source="bench")
    for n, (account, number, on, total) in enumerate(invoices):
        settlement_post(
            actor=None,
            account_id=account.pk,
            kind="invoice",
            document_number=number,
            document_date=on,
            due_date=on + timedelta(days=30),
            amount=total,
            currency="EUR",
            audit=False,
        )
        if n % 3:
            pay_on = min(on + timedelta(days=rng.randrange(10, 40)), period.ends_on)
            settlement_post(
                actor=None,
                account_id=account.pk,
                kind="payment",
                document_number=f"BPP-{n:08d}",
                document_date=pay_on,
                amount=(total * Decimal("0.6")).quantize(Decimal("0.01")),
                currency="EUR",
                allocate_to=number,
                audit=False,
            )
    return kams


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kams", type=int, default=100)
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--documents", type=int, default=6)
    p.add_argument("--seed", type=int, default=10)
    p.add_argument("--fresh", action="store_true", help="drop the benchmark database first")
    args = p.parse_args()
    url = database_url()
    os.environ["DATABASE_URL"] = url
    OUT.mkdir(parents=True, exist_ok=True)
    ensure_database(url, fresh=args.fresh)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from kam.core.selectors import company_settings
    from kam.org.models import User
    from kam.pay.models import PayStatementLine
    from kam.pay.services import statement_prepare, statements_prepare
    from kam.plans.rules import period_containing
    from kam.sales.models import SalesLine

    today = timezone.localdate()
    period = period_containing(today, "month", company_settings().fiscal_year_start_month)
    period = period.previous()
    if User.objects.filter(username="bench_kam_000").exists():
        print("reusing the KAMs already in the database")
        kams = list(User.objects.filter(username__startswith="bench_kam_").order_by("username"))
    elif User.objects.exists():
        sys.exit("the database already has people: point DATABASE_URL elsewhere or pass --fresh")
    else:
        started = time.perf_counter()
        kams = build(args, period)
        print(f"built         {len(kams)} KAMs in {time.perf_counter() - started:,.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    director = User.objects.get(username="director")
    print(f"database      {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"ledger        {SalesLine.objects.count():,} lines")
    print(f"period        {period.code}")
    for label in ("one at a time", "again"):
        started, cpu = time.perf_counter(), time.process_time()
        for kam in kams:
            statement_prepare(actor=director, person=kam, period=period, as_of=today)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu
        n_lines = PayStatementLine.objects.filter(statement__starts_on=period.starts_on).count()
        verdict = "goal met" if seconds < GOAL_S else "goal NOT met"
        print(
            f"{label:<18}{len(kams)} statements, {n_lines:,} lines in {seconds:.2f} s "
            f"({seconds / len(kams) * 1000:.0f} ms each; goal < {GOAL_S:.0f} s: {verdict})"
        )
        print(f"{'':<18}of which {cpu:.2f} s in this process (the rest: waiting for the database)")
    started, cpu = time.perf_counter(), time.process_time()
    done, skipped = statements_prepare(actor=director, people=kams, period=period, as_of=today)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    verdict = "goal met" if seconds < GOAL_S else "goal NOT met"
    print(
        f"{'in one batch':<18}{len(done)} statements ({len(skipped)} skipped) in {seconds:.2f} s"
        f" with statements_prepare, one transaction (goal < {GOAL_S:.0f} s: {verdict})"
    )
    print(f"{'':<18}of which {cpu:.2f} s in this process")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine       {os.cpu_count()} CPUs, load average {load:.1f} (a busy machine slows it)")


if __name__ == "__main__":
    main()
