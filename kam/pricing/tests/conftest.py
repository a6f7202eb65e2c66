"""A price list with a base and a key column, and two products."""

import pytest

from kam.pricing import services
from kam.testing import make_product


@pytest.fixture
def price_list(org):
    return services.price_list_create(actor=org.director, name="Main", currency="EUR")


@pytest.fixture
def base(org, price_list):
    return services.price_column_create(
        actor=org.director, price_list=price_list, code="base", name="Base"
    )


@pytest.fixture
def key(org, price_list, base):
    return services.price_column_create(
        actor=org.director, price_list=price_list, code="key", name="Key"
    )


@pytest.fixture
def product(db):
    return make_product(sku="P-1", name="Pump")


@pytest.fixture
def product2(db):
    return make_product(sku="P-2", name="Valve")
