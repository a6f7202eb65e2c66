"""Times an order's pass through the credit gate with 20 concurrent submitters (issue 9 §13).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_credit \\
        uv run --frozen python benchmarks/credit_gate.py [--submitters 20] [--orders 40]

Steps, all in one run so that every figure printed was measured on this machine now:

1. Drop and create the throwaway database named by ``DATABASE_URL`` (it must be a database of
   its own: it is dropped again at the end unless ``--keep``) and migrate it.
2. Build ``--clients`` clients (default 200), each with an active contract, a valid credit
   check, a few open invoices and its ``CreditAccount`` row (as after its first order), so
   that the gate reads a real position (not timed).
3. Start ``--submitters`` threads (default 20), each with its own PostgreSQL connection. Each
   submits ``--orders`` orders (default 40) one after another, each in its own transaction:
   - **gate**: ``credit_reserve`` (lock the client's ``CreditAccount`` row, read the limit,
     the open reservations, the receivables and the last check, judge, write the
     reservation), as an order's submission does;
   - **baseline**: the same transaction writing the same reservation row with a plain
     INSERT, no lock, no reads.
   Both run over the same clients in the same order: ``spread`` picks a random client per
   order (the realistic case: 20 people submitting for different clients); ``hot`` sends
   every order to one client (the worst case: the lock queues all 20 submitters).
4. Print p50/p95/p99 latency per order and the orders per second of each, the ratios gate /
   baseline, and whether the gate's p95 in the spread case meets the goal (<= 50 ms).

Python threads share one interpreter, so the submitters' Python work is serialised by the GIL
as well as the database's locks; baseline and gate pay that alike, which is why the ratio is
printed beside the absolute figures.
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "kam.settings"
# As in production: DEBUG off (no query log kept per statement), so a throwaway key.
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")

from _db import drop_database, ensure_database  # noqa: E402

GOAL_P95_S = 0.050  # issue 9 §13: the gate's p95 with 20 concurrent submitters


def build(clients: int) -> list:
    """Clients with a contract (limit far above what the run reserves), a valid check and
    three open invoices each, one of them overdue but under the blocking threshold."""
    from kam.receivables.services import settlement_post
    from kam.testing import (
        build_org,
        make_account,
        make_contract,
        make_credit_check,
        make_price_column,
    )

    org = build_org()
    column = make_price_column(code="key")
    today = date.today()
    accounts = []
    for n in range(clients):
        acc = make_account(owner=org.kam_anna, registration_number=f"BENCH{n:06d}")
        make_contract(account=acc, column=column, credit_limit="900000000")
        make_credit_check(
            account=acc,
            checked_on=today - timedelta(days=30),
            next_review_on=today + timedelta(days=330),
        )
        for i, (days_ago, amount) in enumerate(((5, "1200"), (20, "800"), (50, "60"))):
            on = today - timedelta(days=days_ago)
            settlement_post(
                actor=None,
                account_id=acc.pk,
                kind="invoice",
                document_number=f"B-{n}-{i}",
                document_date=on,
                due_date=on + timedelta(days=30),
                amount=Decimal(amount),
                currency="EUR",
                audit=False,
            )
        accounts.append(acc)
    # Each client's lock row, as after its first order (the first order creates it).
    from kam.credit.models import CreditAccount

    CreditAccount.objects.bulk_create([CreditAccount(account=a) for a in accounts])
    return org, accounts


def run(
    kind: str, org, targets: list[list], amount: Decimal, *, tag: str
) -> tuple[list[float], float]:
    """Every submitter thread works through its list of clients; latencies in seconds and the
    wall time of the whole run."""
    from django.db import connection, transaction

    from kam.credit.models import CreditReservation
    from kam.credit.services import credit_reserve

    latencies: list[float] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(targets) + 1)
    on = date.today()

    def submit(worker: int, accounts: list) -> None:
        mine = []
        try:
            connection.ensure_connection()
            barrier.wait()
            for i, account in enumerate(accounts):
                ref = f"{tag}:{kind}:{worker}:{i}"
                started = time.perf_counter()
                with transaction.atomic():
                    if kind == "gate":
                        credit_reserve(
                            actor=org.kam_anna,
                            account=account,
                            ref=ref,
                            amount=amount,
                            stage="submit",
                            on=on,
                        )
                    else:
                        CreditReservation.objects.create(account=account, ref=ref, amount=amount)
                mine.append(time.perf_counter() - started)
        except BaseException as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)

    threads = [threading.Thread(target=submit, args=(w, accs)) for w, accs in enumerate(targets)]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    return latencies, wall


def _process_submit(kind, org, worker, accounts, amount, tag, barrier, out):
    """One submitter as its own process (as a web worker is): its own interpreter and
    connection; latencies go back through ``out``."""
    from django.db import connection, transaction

    from kam.credit.models import CreditReservation
    from kam.credit.services import credit_reserve

    connection.close()  # never share the parent's socket
    connection.ensure_connection()
    on = date.today()
    mine = []
    barrier.wait()
    for i, account in enumerate(accounts):
        ref = f"{tag}:{kind}:{worker}:{i}"
        started = time.perf_counter()
        with transaction.atomic():
            if kind == "gate":
                credit_reserve(
                    actor=org.kam_anna,
                    account=account,
                    ref=ref,
                    amount=amount,
                    stage="submit",
                    on=on,
                )
            else:
                CreditReservation.objects.create(account=account, ref=ref, amount=amount)
        mine.append(time.perf_counter() - started)
    connection.close()
    out.put(mine)


def run_processes(
    kind: str, org, targets: list[list], amount: Decimal, *, tag: str
) -> tuple[list[float], float]:
    import multiprocessing

    from django.db import connections

    connections.close_all()  # the children open their own
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(targets) + 1)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_process_submit, args=(kind, org, w, accs, amount, tag, barrier, out))
        for w, accs in enumerate(targets)
    ]
    for p in procs:
        p.start()
    barrier.wait()
    started = time.perf_counter()
    latencies = []
    for _ in procs:
        latencies.extend(out.get(timeout=600))
    wall = time.perf_counter() - started
    for p in procs:
        p.join()
        if p.exitcode:
            sys.exit(f"a submitter process failed ({p.exitcode})")
    return latencies, wall


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--submitters", type=int, default=20)
    ap.add_argument("--orders", type=int, default=40, help="orders per submitter and case")
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--keep", action="store_true", help="keep the database afterwards")
    ap.add_argument(
        "--processes",
        action="store_true",
        help="one process per submitter (as web workers are) instead of threads",
    )
    args = ap.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("set DATABASE_URL to a PostgreSQL database of its own (it is dropped)")
    ensure_database(
        url,
        fresh=True,
        postgres_only="benchmarks/credit_gate.py times row locks between connections: set "
        "DATABASE_URL to a PostgreSQL database of its own (it is dropped)",
    )
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        org, accounts = build(args.clients)
        from kam.credit.selectors import credit_settings

        credit_settings()
        with connection.cursor() as cur:  # statistics, as a table in use has them
            cur.execute("VACUUM ANALYZE")
        connection.close()
        print(
            f"built {args.clients} clients with contracts, checks and open invoices "
            f"in {time.perf_counter() - started:.1f} s (not timed)",
            flush=True,
        )

        rnd = random.Random(args.seed)
        cases = {
            "spread": [
                [rnd.choice(accounts) for _ in range(args.orders)] for _ in range(args.submitters)
            ],
            "hot": [[accounts[0]] * args.orders for _ in range(args.submitters)],
        }
        amount = Decimal("10.00")
        how = "processes" if args.processes else "threads"
        print(
            f"{args.submitters} submitters ({how}) x {args.orders} orders each, "
            "one transaction per order\n"
        )
        header = f"{'case':<8} {'what':<9} {'p50':>10} {'p95':>10} {'p99':>10} {'orders/s':>9}"
        print(header)
        print("-" * len(header))
        results = {}
        runner = run_processes if args.processes else run
        for case, targets in cases.items():
            for kind in ("baseline", "gate"):
                warm = [t[:3] for t in targets]  # connections, caches
                runner(kind, org, warm, amount, tag=f"warm-{case}")
                lat, wall = runner(kind, org, targets, amount, tag=case)
                results[case, kind] = (lat, wall)
                print(
                    f"{case:<8} {kind:<9} {ms(pct(lat, 50)):>10} {ms(pct(lat, 95)):>10} "
                    f"{ms(pct(lat, 99)):>10} {len(lat) / wall:>9.0f}",
                    flush=True,
                )
        print()
        for case in cases:
            base, gate = results[case, "baseline"][0], results[case, "gate"][0]
            print(
                f"{case}: gate / baseline  p50 x{pct(gate, 50) / pct(base, 50):.1f}, "
                f"p95 x{pct(gate, 95) / pct(base, 95):.1f}, "
                f"mean {ms(statistics.mean(gate)).strip()} vs "
                f"{ms(statistics.mean(base)).strip()}"
            )
        p95 = pct(results["spread", "gate"][0], 95)
        verdict = "meets" if p95 <= GOAL_P95_S else "MISSES"
        print(
            f"\ngoal: gate p95 <= {GOAL_P95_S * 1000:.0f} ms with {args.submitters} "
            f"concurrent submitters (spread): {ms(p95).strip()}, {verdict} the goal"
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_database(url)


if __name__ == "__main__":
    main()
