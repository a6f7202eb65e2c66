"""Imported lines at the ledger's amount bound keep the radar answering (issue 7 §2).

Revenue of 9,999,999,999,999.99 used to import and then made ``/radar/`` and
``/api/radar/portfolio`` answer 500 for everyone who saw the client (bigint out of range on
PostgreSQL). The ledger now refuses an amount above ``MAX_AMOUNT``; this checks that whatever it
accepts the radar adds up: several clients, one of them with 15,000 lines at the bound
(1.5 * 10^15 cents of revenue, 10^15 of income, in its period), every sort of the portfolio, the page and its exports. It runs on
SQLite too; PostgreSQL is where integer overflow is an error."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kam.core.bounds import MAX_AMOUNT
from kam.radar.selectors import ROW_SORTS
from kam.sales.models import ClientMonth
from kam.sales.services import LedgerLine, sales_lines_write
from kam.testing import make_account, make_product

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

AS_OF = date(2026, 6, 30)


@pytest.fixture
def at_the_bound(org):
    product = make_product()
    giant = make_account(owner=org.kam_anna, legal_name="Giant SIA")
    others = [
        make_account(owner=owner, legal_name=f"Big {n} SIA")
        for n, owner in enumerate((org.kam_anna, org.kam_boris, org.kam_sigrid))
    ]
    first = date(2025, 7, 1)

    def lines(account, count, document):
        return [
            LedgerLine(
                date=first + timedelta(days=n % 360),
                account_id=account.pk,
                product_id=product.pk,
                quantity=MAX_AMOUNT if n % 2 else D(1),
                revenue=MAX_AMOUNT,
                cost=MAX_AMOUNT if n % 3 == 0 else D(0),
                currency="EUR",
                document_number=document,
                line_number=n + 1,
            )
            for n in range(count)
        ]

    sales_lines_write(actor=None, lines=lines(giant, 15_000, "GIANT"), source="test")
    for n, account in enumerate(others):
        sales_lines_write(actor=None, lines=lines(account, 5 + n, f"BIG-{n}"), source="test")
    return giant


def test_lines_at_the_bound_keep_the_radar_page_and_portfolio_api_answering(
    org, login, at_the_bound
):
    assert ClientMonth.objects.filter(account=at_the_bound).count() == 12
    for user in (org.director, org.kam_anna):
        client = login(user)
        for sort in ROW_SORTS:
            api = client.get("/api/radar/portfolio", {"as_of": AS_OF.isoformat(), "sort": sort})
            assert api.status_code == 200, (sort, api.content[:300])
            page = client.get(reverse("radar:portfolio"), {"month": "2026-06", "sort": sort})
            assert page.status_code == 200, sort
        rows = client.get("/api/radar/portfolio", {"as_of": AS_OF.isoformat()}).json()["rows"]
        assert rows[0]["account_id"] == at_the_bound.pk
        for level in ("department", "manager"):
            r = client.get("/api/radar/portfolio", {"level": level, "as_of": AS_OF.isoformat()})
            assert r.status_code in (200, 404), level  # 404: the director has no own unit
        for export in ("radar:export_csv", "radar:export_xlsx"):
            assert client.get(reverse(export), {"month": "2026-06"}).status_code == 200
