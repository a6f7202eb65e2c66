"""``sales_lines_write`` gives the same ledger on both of its paths (issue 8 §6): one upsert
per line on SQLite, COPY into a staging table and one upsert on PostgreSQL. A key given twice
keeps its last line; several writes in one transaction (the importer's chunks) each upsert
their own lines only."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import transaction

from kam.sales.models import ClientMonth, SalesLine
from kam.sales.services import LedgerLine, sales_lines_write
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db


def ln(account, product, doc, number, revenue, cost="1", **kw) -> LedgerLine:
    return LedgerLine(
        date=kw.pop("on", date(2026, 3, 2)),
        account_id=account.pk,
        product_id=product.pk,
        quantity=D(kw.pop("quantity", "1")),
        revenue=D(revenue),
        cost=D(cost),
        currency="EUR",
        document_number=doc,
        line_number=number,
        **kw,
    )


def stored() -> list[tuple]:
    return sorted(
        SalesLine.objects.values_list(
            "document_number",
            "line_number",
            "account_id",
            "revenue",
            "cost",
            "cost_known",
            "returns_document",
        )
    )


def test_a_key_given_twice_keeps_its_last_line():
    a, b, p = make_account(owner=None), make_account(owner=None), make_product()
    written = sales_lines_write(
        actor=None,
        lines=[
            ln(a, p, "D-1", 1, "10"),
            ln(a, p, "D-1", 2, "20"),
            ln(b, p, "D-1", 1, "30", cost="0", cost_known=False),  # the same key, later
        ],
    )
    assert written == 3
    assert stored() == [
        ("D-1", 1, b.pk, D("30.00"), D("0.00"), False, ""),
        ("D-1", 2, a.pk, D("20.00"), D("1.00"), True, ""),
    ]
    months = dict(ClientMonth.objects.values_list("account", "revenue"))
    assert months == {a.pk: D("20.00"), b.pk: D("30.00")}


def test_chunks_in_one_transaction_upsert_their_own_lines():
    a, p = make_account(owner=None), make_product()
    with transaction.atomic():
        sales_lines_write(actor=None, lines=[ln(a, p, "C-1", 1, "5")], refresh=False)
        sales_lines_write(
            actor=None,
            lines=[
                ln(a, p, "C-2", 1, "-7", quantity="-1", returns_document="C-1"),
                ln(a, p, "C-1", 1, "6"),  # the first chunk's line, replaced
            ],
        )
    assert stored() == [
        ("C-1", 1, a.pk, D("6.00"), D("1.00"), True, ""),
        ("C-2", 1, a.pk, D("-7.00"), D("1.00"), True, "C-1"),
    ]
    assert ClientMonth.objects.get(account=a).revenue == D("-1.00")


def test_amounts_are_rounded_and_converted_alike():
    a, p = make_account(owner=None), make_product()
    sales_lines_write(actor=None, lines=[ln(a, p, "R-1", 1, "10.005", cost="3.3349")])
    line = SalesLine.objects.get()
    assert (line.revenue, line.cost, line.revenue_base, line.cost_base) == (
        D("10.01"),
        D("3.33"),
        D("10.01"),
        D("3.33"),
    )
