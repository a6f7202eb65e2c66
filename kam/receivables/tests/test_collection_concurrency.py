"""The same reminder requested at the same moment from several connections leaves once
(PostgreSQL: real connections, the unique key and the row lock), against the real local SMTP
server; and the daily run's collection steps as ``kam daily`` runs them."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from kam.core.models import Notification
from kam.core.services import daily_run_perform
from kam.receivables.models import PaymentPromise, Reminder
from kam.receivables.services_collection import promise_record, reminder_send
from kam.receivables.tests.collection_data import contact, invoice, today
from kam.receivables.tests.test_collection_mail import smtp  # noqa: F401 - the fixture
from kam.testing import make_account

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency: PostgreSQL")
def test_parallel_requests_for_one_reminder_send_one_email(org, smtp):  # noqa: F811
    account = make_account(owner=org.kam_anna, legal_name="Race SIA")
    invoice(account, "100", days_overdue=10)
    contact(account, email="race@client.example")
    workers = 6
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def request() -> None:
        try:
            barrier.wait()
            results.append(reminder_send(actor=org.kam_anna, account=account, level=1))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sum(r.created for r in results) == 1
    assert len({r.reminder.pk for r in results}) == 1
    assert len(smtp.messages) == 1
    assert Reminder.objects.get().status == Reminder.Status.SENT


def test_kam_daily_checks_promises_and_escalates(org):
    account = make_account(owner=org.kam_anna, legal_name="Daily SIA")
    invoice(account, "100", days_overdue=90)
    promise = promise_record(
        actor=org.kam_anna,
        account=account,
        made_on=today() - timedelta(10),
        promised_on=today() - timedelta(1),
        amount="100",
    )
    run, _ran = daily_run_perform(as_of=today())
    assert run.summary["collection.promises"]["broken"] == 1
    # Broken in the first step, so the second escalates the same night.
    assert run.summary["collection.escalation"]["escalated"] == 1
    promise.refresh_from_db()
    assert promise.status == PaymentPromise.Status.BROKEN
    kinds = set(Notification.objects.values_list("kind", "recipient__username"))
    assert kinds == {
        (Notification.Kind.PROMISE_BROKEN, "kam_anna"),
        (Notification.Kind.DEBT_ESCALATED, "head_north"),
    }
