"""Property (issue 10 §7): a locked statement never changes, whatever happens afterwards to
the ledger and the settlements of its period."""

from datetime import date
from decimal import Decimal
from itertools import count

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kam.pay import services
from kam.pay.models import PayStatement, PayStatementLine
from kam.pay.tests.conftest import assign, credit_note, invoice, payment, prepare, sale
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db
_n = count(1)

events = st.lists(
    st.tuples(
        st.sampled_from(["sale", "return", "invoice_paid", "credit_note"]),
        st.integers(min_value=1, max_value=30),  # the day in September
        st.integers(min_value=1, max_value=90_000),  # the amount
    ),
    min_size=1,
    max_size=4,
)


@pytest.fixture
def locked(org, scheme):
    assign(org, org.kam_anna, scheme)
    client = make_account(owner=org.kam_anna)
    product = make_product()
    sale(client, product, date(2026, 9, 10), "60000", "D-0")
    invoice(client, "D-0", date(2026, 9, 10), "60000")
    s = prepare(org, org.kam_anna, "2026-09")
    services.statement_approve(actor=org.head_north, statement=s)
    services.statement_lock(actor=org.director, statement=s)
    return s, client, product


def _snapshot(statement):
    s = PayStatement.objects.get(pk=statement.pk)
    fields = (
        s.status,
        s.fixed,
        s.commission,
        s.cuts,
        s.adjustments,
        s.variable,
        s.total,
        s.computed_at,
    )
    lines = list(PayStatementLine.objects.filter(statement=s).order_by("pk").values())
    return fields, lines


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events)
def test_a_locked_statement_never_changes(org, locked, happenings):
    statement, client, product = locked
    before = _snapshot(statement)
    for kind, day, amount in happenings:
        n = next(_n)
        on = date(2026, 9, day)
        if kind == "sale":
            sale(client, product, on, str(amount), f"S-{n}")
        elif kind == "return":
            sale(client, product, on, f"-{min(amount, 60000)}", f"R-{n}", returns="D-0")
        elif kind == "invoice_paid":
            sale(client, product, on, str(amount), f"P-{n}")
            invoice(client, f"P-{n}", on, str(amount))
            payment(client, f"PAY-{n}", on, str(amount), to=f"P-{n}")
        else:
            credit_note(client, f"CN-{n}", on, str(min(amount, 100)), reference="D-0")
        with pytest.raises(ValidationError):
            prepare(org, org.kam_anna, "2026-09")
        assert _snapshot(statement) == before
    # The next statement carries what changed, never the locked one.
    october = prepare(org, org.kam_anna, "2026-10")
    assert october.total == october.fixed + october.variable
    assert _snapshot(statement) == before
    assert Decimal(0) <= statement.cuts
