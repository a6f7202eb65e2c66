"""The terms an order needs: a client of Anna's (North) and one of Sigrid's (South), a price
column with prices, an active contract, a valid credit check, Anna's 5 % discount rule."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from kam.orders.models import Reason
from kam.pricing.models import DiscountRule
from kam.testing import (
    make_account,
    make_contract,
    make_credit_check,
    make_price,
    make_price_column,
    make_product,
)


@dataclass
class Terms:
    org: object
    client: object  # Anna's, department North
    other: object  # Sigrid's, department South
    column: object
    widget: object  # 10.00 in the column, standard cost 6
    gadget: object  # 25.00, standard cost 15
    stray: object  # not in the column
    contract: object
    refusal: Reason
    return_reason: Reason


@pytest.fixture
def terms(org):
    column = make_price_column(code="key")
    widget = make_product(sku="W-1", cost=Decimal("6"))
    gadget = make_product(sku="G-1", cost=Decimal("15"))
    stray = make_product(sku="X-1")
    make_price(column=column, product=widget, price="10.00")
    make_price(column=column, product=gadget, price="25.00")
    DiscountRule.objects.create(column=column, role="kam", max_percent=Decimal("5"))
    client = make_account(owner=org.kam_anna, legal_name="Alfa SIA")
    other = make_account(owner=org.kam_sigrid, legal_name="Sud SIA")
    contract = make_contract(account=client, column=column, credit_limit="1000")
    make_contract(account=other, column=column, credit_limit="1000")
    make_credit_check(account=client)
    make_credit_check(account=other)
    return Terms(
        org,
        client,
        other,
        column,
        widget,
        gadget,
        stray,
        contract,
        Reason.objects.create(kind="refusal", code="stock", name="Out of stock"),
        Reason.objects.create(kind="return", code="damaged", name="Damaged"),
    )
