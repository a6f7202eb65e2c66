"""Issue 9 §10 on PostgreSQL, with real connections from threads: 100 orders for one client
submitted at once never push exposure past the credit limit (the gate locks the client's credit
row; take the lock out and more pass than fit), and two edits of one order from the same
version: one wins, the other is told to reload."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from kam.credit.models import CreditReservation
from kam.orders import services
from kam.orders.models import Order

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks and concurrent connections need PostgreSQL (SQLite queues writers)",
    ),
    pytest.mark.django_db(transaction=True),
]


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        except BaseException as exc:  # reported by the caller
            return exc
        finally:
            connection.close()

    return run


def test_a_hundred_submissions_at_once_never_pass_the_limit(terms):
    anna = terms.org.kam_anna
    orders = [
        services.order_create(
            actor=anna,
            account=terms.client,
            lines=[{"product": terms.widget, "quantity": "10", "discount_percent": "0"}],
        )
        for _ in range(100)
    ]  # 100.00 each against a limit of 1000.00
    start = threading.Barrier(20)

    @_in_thread
    def submit(order):
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=10)
        return services.order_submit(actor=anna, order=order, version=order.version)

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(submit, orders))
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    statuses = list(Order.objects.filter(account=terms.client).values_list("status", flat=True))
    assert statuses.count(Order.Status.SUBMITTED) == 10
    assert statuses.count(Order.Status.BLOCKED) == 90
    held = CreditReservation.objects.filter(
        account=terms.client, released_at__isnull=True
    ).aggregate(s=Sum("amount"))["s"]
    assert held == Decimal("1000.00") <= terms.contract.credit_limit


def test_two_edits_from_one_version_one_wins_the_other_is_told(terms):
    anna, head = terms.org.kam_anna, terms.org.head_north
    order = services.order_create(
        actor=anna,
        account=terms.client,
        lines=[{"product": terms.widget, "quantity": "1", "discount_percent": "0"}],
    )
    line = order.lines.get()
    start = threading.Barrier(2)

    @_in_thread
    def edit(actor, quantity):
        start.wait(timeout=10)
        return services.order_line_update(
            actor=actor, order=order, version=order.version, line=line, quantity=quantity
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(edit, [anna, head], ["5", "7"]))
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 1 and isinstance(refused[0], services.StaleOrder)
    assert "reload" in refused[0].message_dict["version"][0]
    fresh = Order.objects.get(pk=order.pk)
    assert fresh.version == order.version + 1
    assert fresh.lines.get().quantity in (Decimal("5"), Decimal("7"))
