"""A client of Anna's, one of Sigrid's, and a price list with two columns."""

import pytest

from kam.testing import make_account, make_price_column


@pytest.fixture
def column(db):
    return make_price_column(code="key", is_base=True)


@pytest.fixture
def column2(column):
    return make_price_column(code="wholesale", price_list=column.price_list)


@pytest.fixture
def anna_client(org):
    return make_account(owner=org.kam_anna, legal_name="Anna Client SIA")


@pytest.fixture
def sigrid_client(org):
    return make_account(owner=org.kam_sigrid, legal_name="Sigrid Client SIA")
