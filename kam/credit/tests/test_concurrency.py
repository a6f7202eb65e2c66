"""§10: 100 orders for one client submitted at once never push exposure past the credit limit
(CR-3). Each thread is a real PostgreSQL connection; the gate's row lock on the client's
``CreditAccount`` queues them. Without the lock this test fails (orders read the same
available credit and all pass)."""

import os
import threading
import time
from datetime import date
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.db.models import Sum

from kam.credit.models import CreditReservation
from kam.credit.selectors import credit_position, credit_settings
from kam.credit.services import CreditBlocked, credit_reserve
from kam.credit.tests.conftest import AS_OF, invoice
from kam.testing import make_account, make_contract, make_credit_check, make_price_column

ORDERS = 100
# PostgreSQL's default max_connections is 100 and the test database and other sessions hold a
# few: at most this many of the 100 threads hold a connection at the same moment.
AT_ONCE = int(os.environ.get("KAM_TEST_CONNECTIONS_AT_ONCE", "40"))


def _connect() -> None:
    for _attempt in range(100):
        try:
            connection.ensure_connection()
            return
        except OperationalError:  # "too many clients": another test session holds them
            time.sleep(0.05)
    connection.ensure_connection()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="real concurrent writers need PostgreSQL (SQLite serialises writers anyway; "
    "test_gate.py shows sequential orders stopping at the limit)",
)
@pytest.mark.django_db(transaction=True)
def test_100_simultaneous_orders_never_pass_the_limit(org):
    column = make_price_column(code="key")
    account = make_account(owner=org.kam_anna)
    make_contract(account=account, column=column, credit_limit="10000")
    make_credit_check(account=account, checked_on=date(2025, 1, 1), next_review_on=date(2030, 1, 1))
    invoice(account, "INV-OPEN", date(2025, 6, 1), "1000", due=date(2025, 7, 31))
    credit_settings()  # the rules' row exists before the rush (its creation is not the test)
    amount = Decimal("150")
    limit, receivables = Decimal("10000"), Decimal("1000")
    expected = int((limit - receivables) // amount)  # 60

    slots = threading.BoundedSemaphore(AT_ONCE)
    start = threading.Event()
    passed: list[str] = []
    blocked: list[list[str]] = []
    errors: list[BaseException] = []

    def submit(n: int) -> None:
        start.wait()
        with slots:
            try:
                _connect()
                credit_reserve(
                    actor=org.kam_anna,
                    account=account,
                    ref=f"order:{n}",
                    amount=amount,
                    stage="submit",
                    on=AS_OF,
                )
                passed.append(f"order:{n}")
            except CreditBlocked as exc:
                blocked.append([b.code for b in exc.blocks])
            except BaseException as exc:  # reported below
                errors.append(exc)
            finally:
                connection.close()

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(ORDERS)]
    for t in threads:
        t.start()
    start.set()
    for t in threads:
        t.join()

    assert not errors, errors
    reserved = CreditReservation.objects.filter(
        account=account, released_at__isnull=True
    ).aggregate(s=Sum("amount"))["s"]
    position = credit_position(account_id=account.pk, as_of=AS_OF)
    assert position.exposure == receivables + reserved
    assert position.exposure <= position.limit, f"exposure {position.exposure} past the limit"
    assert len(passed) == expected
    assert len(blocked) == ORDERS - expected
    assert all(codes == ["over_limit"] for codes in blocked)
