"""Two reassignments of one client at the same moment leave exactly one open ownership row
(the account row lock queues them; PostgreSQL)."""

import threading

import pytest
from django.db import connection

from kam.clients.models import Account, AccountOwnership
from kam.clients.services import account_reassign
from kam.testing import make_account

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks and real concurrency: PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_simultaneous_reassignments_keep_one_open_ownership_row(org):
    account = make_account(owner=org.kam_anna)
    errors: list[BaseException] = []

    def reassign(owner, barrier: threading.Barrier) -> None:
        try:
            barrier.wait()
            account_reassign(actor=org.head_north, account=account, owner=owner)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    for _round in range(5):
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=reassign, args=(owner, barrier))
            for owner in (org.kam_boris, org.regional_north)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        # One of the two may be refused ("already holds") when it runs second with the same
        # owner; never a crash or a second open row.
        assert all(type(e).__name__ == "ValidationError" for e in errors), errors
        errors.clear()
        final = Account.objects.get(pk=account.pk)
        open_rows = list(AccountOwnership.objects.filter(account=account, ended_on=None))
        assert len(open_rows) == 1
        assert open_rows[0].owner_id == final.owner_id
