"""Two ledger writes for the same client at the same moment lose nothing (PostgreSQL)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from kam.sales.models import ClientMonth, SalesLine
from kam.sales.services import LedgerLine, sales_lines_write
from kam.testing import make_account, make_product

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency: PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_concurrent_writes_for_one_client_keep_the_monthly_roll_up_whole(org):
    account = make_account(owner=org.kam_anna)
    product = make_product()
    rounds, writers = 5, 2
    errors: list[BaseException] = []

    def write(n: int, barrier: threading.Barrier, round_: int) -> None:
        try:
            lines = [
                LedgerLine(
                    date=date(2026, 3, 1 + i),
                    account_id=account.pk,
                    product_id=product.pk,
                    quantity=Decimal(1),
                    revenue=Decimal("100.00"),
                    cost=Decimal("60.00"),
                    currency="EUR",
                    document_number=f"R{round_}-W{n}",
                    line_number=i + 1,
                )
                for i in range(20)
            ]
            barrier.wait()
            sales_lines_write(actor=None, lines=lines, source=f"writer {n}")
        except BaseException as exc:  # the test reports it below
            errors.append(exc)
        finally:
            connection.close()

    for round_ in range(rounds):
        barrier = threading.Barrier(writers)
        threads = [
            threading.Thread(target=write, args=(n, barrier, round_)) for n in range(writers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    assert errors == []
    ledger = SalesLine.objects.filter(account=account).aggregate(r=Sum("revenue_base"))["r"]
    rolled = ClientMonth.objects.filter(account=account).aggregate(r=Sum("revenue"))["r"]
    assert ledger == Decimal("100.00") * 20 * writers * rounds
    assert rolled == ledger
