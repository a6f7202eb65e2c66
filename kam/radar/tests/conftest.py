"""Builders for radar tests: a client with a given income in the radar's period."""

from datetime import date
from decimal import Decimal

import pytest

from kam.testing import make_account, make_product, make_sale

AS_OF = date(2025, 6, 30)
IN_PERIOD = date(2025, 5, 10)


@pytest.fixture
def product(db):
    return make_product()


@pytest.fixture
def client_with(product):
    """``client_with(owner, income, revenue=None, **account)``: one client, one sale in the
    period with that income (revenue defaults to income + 1000, so turnover differs)."""

    def build(owner, income, revenue=None, on=IN_PERIOD, **data):
        account = make_account(owner=owner, **data)
        income = Decimal(income)
        revenue = Decimal(revenue) if revenue is not None else income + 1000
        if income or revenue:
            make_sale(
                account=account, product=product, on=on, revenue=revenue, cost=revenue - income
            )
        return account

    return build
