"""Pay's test data: a scheme of 12 % up to 50 000 and 5 % above on invoiced turnover, plans
written as rows (kam.plans.services has no plan writes yet), ledger documents, invoices and
payments through the services."""

from datetime import date
from decimal import Decimal

import pytest

from kam.org.models import User
from kam.pay import services
from kam.plans.models import Plan
from kam.plans.rules import period_parse
from kam.plans.services import plan_set
from kam.receivables.services import settlement_post
from kam.sales.services import LedgerLine, sales_lines_write

BANDS = [[50000, 12], [None, 5]]
AS_OF = date(2026, 12, 3)  # after every period the tests close


@pytest.fixture
def scheme(org):
    return services.scheme_create(
        actor=org.director,
        name="Key accounts",
        fixed_amount=Decimal("1500"),
        basis="turnover",
        earned_on="invoiced",
        bands=BANDS,
        cuts={"turnover": [[90, 30]], "active_clients": [[95, 10]]},
    )


@pytest.fixture
def paid_scheme(org):
    return services.scheme_create(
        actor=org.director,
        name="Paid sales",
        fixed_amount=Decimal("1000"),
        basis="turnover",
        earned_on="paid",
        bands=BANDS,
    )


def assign(org, person, scheme, starts="2026-01", ends=None):
    return services.scheme_assign(
        actor=org.director,
        person=person,
        scheme=scheme,
        starts=period_parse(starts),
        ends=period_parse(ends) if ends else None,
    )


def sale(account, product, on, revenue, document, *, cost="0", returns="", line=1):
    revenue = Decimal(revenue)
    sales_lines_write(
        actor=None,
        lines=[
            LedgerLine(
                date=on,
                account_id=account.pk,
                product_id=product.pk,
                quantity=Decimal(-1 if revenue < 0 else 1),
                revenue=revenue,
                cost=Decimal(cost),
                currency="EUR",
                document_number=document,
                line_number=line,
                returns_document=returns,
            )
        ],
        source="test",
    )


def invoice(account, number, on, amount, *, reference=""):
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind="invoice",
        document_number=number,
        document_date=on,
        due_date=on,
        amount=Decimal(amount),
        currency="EUR",
        reference=reference,
    )


def payment(account, number, on, amount, *, to=""):
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind="payment",
        document_number=number,
        document_date=on,
        amount=Decimal(amount),
        currency="EUR",
        allocate_to=to,
    )


def credit_note(account, number, on, amount, *, reference):
    return settlement_post(
        actor=None,
        account_id=account.pk,
        kind="credit_note",
        document_number=number,
        document_date=on,
        amount=Decimal(amount),
        currency="EUR",
        reference=reference,
    )


def plan(person, code, *, turnover, active=0, new=0):
    """A person's plan, set through the plans service as a director would (audited)."""
    director = User.objects.get(username="director")
    return plan_set(
        actor=director,
        period=period_parse(code),
        level=Plan.Level.PERSON,
        person=person,
        turnover=Decimal(turnover),
        active_clients=active,
        new_clients=new,
    )


def prepare(org, person, code, as_of=AS_OF, actor=None):
    return services.statement_prepare(
        actor=actor or org.director, person=person, period=period_parse(code), as_of=as_of
    )


def lines(statement):
    return [
        (line.kind, line.document, line.commission)
        for line in statement.lines.order_by("kind", "date", "document", "pk")
    ]
