"""Price lists, columns, prices and discount rules (OR-3): who may, what is refused (and
nothing changes), the one base column and prices that never overlap."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.core.models import AuditEntry
from kam.org.models import Role
from kam.pricing import selectors, services
from kam.pricing.models import DiscountRule, Price, PriceColumn, PriceList


def _snapshot():
    return (
        list(PriceList.objects.values_list("pk", "name", "currency", "is_active")),
        list(PriceColumn.objects.values_list("pk", "code", "name", "is_base")),
        list(Price.objects.values_list("pk", "price", "valid_from", "valid_to")),
        list(DiscountRule.objects.values_list("pk", "role", "max_percent")),
        AuditEntry.objects.count(),
    )


def test_a_director_manages_prices_and_a_kam_may_not(org, price_list, base, product):
    price = services.price_set(
        actor=org.director, column=base, product=product, price="12.5", valid_from=date(2025, 1, 1)
    )
    assert selectors.column_price(
        column_id=base.pk, product_id=product.pk, on=date(2025, 6, 1)
    ) == Decimal("12.5")
    before = _snapshot()
    for action in (
        lambda: services.price_list_create(actor=org.kam_anna, name="Mine"),
        lambda: services.price_column_create(
            actor=org.kam_anna, price_list=price_list, code="x", name="X"
        ),
        lambda: services.price_set(
            actor=org.kam_anna, column=base, product=product, price="1", valid_from=date(2025, 2, 1)
        ),
        lambda: services.price_delete(actor=org.head_north, price=price),
        lambda: services.discount_rule_set(
            actor=org.kam_anna, column=base, role=Role.KAM, max_percent="50"
        ),
    ):
        with pytest.raises(PermissionDenied, match="director or an administrator"):
            action()
    assert _snapshot() == before


def test_price_changes_are_audited(org, base, product):
    services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    entry = AuditEntry.objects.filter(entity="pricing.price").latest("pk")
    assert entry.actor == org.director
    assert entry.changes["price"] == "10"
    assert entry.changes["product"] == "P-1"


def test_the_first_column_is_the_base_and_the_base_moves(org, price_list, base, key):
    base.refresh_from_db()
    assert base.is_base and not key.is_base
    services.price_column_update(actor=org.director, column=key, is_base=True)
    base.refresh_from_db()
    key.refresh_from_db()
    assert key.is_base and not base.is_base
    assert PriceColumn.objects.filter(price_list=price_list, is_base=True).count() == 1


def test_the_base_cannot_be_unset(org, base, key):
    with pytest.raises(ValidationError) as err:
        services.price_column_update(actor=org.director, column=base, is_base=False)
    assert "is_base" in err.value.message_dict
    base.refresh_from_db()
    assert base.is_base


def test_a_column_code_is_unique_in_its_list(org, price_list, base):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.price_column_create(
            actor=org.director, price_list=price_list, code="BASE", name="Again"
        )
    assert "already has a column" in err.value.message_dict["code"][0]
    assert _snapshot() == before


def test_a_price_list_name_and_currency_are_checked(org, price_list):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.price_list_create(actor=org.director, name="main", currency="euro")
    assert set(err.value.message_dict) == {"name", "currency"}
    with pytest.raises(ValidationError) as err:
        services.price_list_update(actor=org.director, price_list=price_list, name="a\x00b")
    assert "Control characters" in err.value.message_dict["name"][0]
    assert _snapshot() == before


def test_a_new_price_closes_the_open_one_the_day_before(org, base, product):
    old = services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    services.price_set(
        actor=org.director, column=base, product=product, price="11", valid_from=date(2025, 7, 1)
    )
    old.refresh_from_db()
    assert old.valid_to == date(2025, 6, 30)

    def on(day):
        return selectors.column_price(column_id=base.pk, product_id=product.pk, on=day)

    assert on(date(2025, 6, 30)) == Decimal("10")
    assert on(date(2025, 7, 1)) == Decimal("11")
    assert on(date(2024, 12, 31)) is None


def test_the_same_first_day_replaces_the_price(org, base, product):
    services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    services.price_set(
        actor=org.director, column=base, product=product, price="9.5", valid_from=date(2025, 1, 1)
    )
    assert list(Price.objects.values_list("price", flat=True)) == [Decimal("9.5")]


def test_overlapping_prices_are_refused_on_the_first_day(org, base, product):
    services.price_set(
        actor=org.director,
        column=base,
        product=product,
        price="10",
        valid_from=date(2025, 1, 1),
        valid_to=date(2025, 3, 31),
    )
    services.price_set(
        actor=org.director, column=base, product=product, price="12", valid_from=date(2025, 6, 1)
    )
    before = _snapshot()
    # Inside the closed period, and open-ended before a later price.
    for start in (date(2025, 2, 1), date(2025, 5, 1)):
        with pytest.raises(ValidationError) as err:
            services.price_set(
                actor=org.director, column=base, product=product, price="11", valid_from=start
            )
        assert "already has a price" in err.value.message_dict["valid_from"][0]
    assert _snapshot() == before
    # A gap filled exactly is fine.
    services.price_set(
        actor=org.director,
        column=base,
        product=product,
        price="11",
        valid_from=date(2025, 4, 1),
        valid_to=date(2025, 5, 31),
    )
    assert Price.objects.count() == 3


@pytest.mark.parametrize(
    ("price", "valid_from", "valid_to", "field"),
    [
        ("-1", date(2025, 1, 1), None, "price"),
        ("1.00001", date(2025, 1, 1), None, "price"),
        ("1E+30", date(2025, 1, 1), None, "price"),
        ("abc", date(2025, 1, 1), None, "price"),
        ("1", date(1900, 1, 1), None, "valid_from"),
        ("1", date(2025, 2, 1), date(2025, 1, 1), "valid_to"),
        ("1", None, None, "valid_from"),
    ],
)
def test_bad_prices_are_refused_naming_the_field(
    org, base, product, price, valid_from, valid_to, field
):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.price_set(
            actor=org.director,
            column=base,
            product=product,
            price=price,
            valid_from=valid_from,
            valid_to=valid_to,
        )
    assert field in err.value.message_dict
    assert _snapshot() == before


def test_price_delete_removes_it_audited(org, base, product):
    price = services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    services.price_delete(actor=org.director, price=price)
    assert not Price.objects.exists()
    assert AuditEntry.objects.filter(entity="pricing.price", action="delete").count() == 1


def test_discount_rules_set_and_replace(org, base):
    services.discount_rule_set(actor=org.director, column=base, role=Role.KAM, max_percent="5")
    services.discount_rule_set(actor=org.director, column=base, role=Role.KAM, max_percent="7.5")
    assert selectors.discount_limit(column_id=base.pk, role=Role.KAM) == Decimal("7.5")
    assert selectors.discount_limit(column_id=base.pk, role=Role.HEAD) == Decimal("0")
    assert DiscountRule.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "percent", "field"),
    [("kam", "100.01", "max_percent"), ("kam", "-1", "max_percent"), ("boss", "5", "role")],
)
def test_bad_discount_rules_are_refused(org, base, role, percent, field):
    before = _snapshot()
    with pytest.raises(ValidationError) as err:
        services.discount_rule_set(actor=org.director, column=base, role=role, max_percent=percent)
    assert field in err.value.message_dict
    assert _snapshot() == before


def test_the_matrix_shows_each_column_as_of_a_day(
    org, base, key, product, product2, django_assert_max_num_queries
):
    services.price_set(
        actor=org.director, column=base, product=product, price="10", valid_from=date(2025, 1, 1)
    )
    services.price_set(
        actor=org.director, column=base, product=product, price="11", valid_from=date(2025, 7, 1)
    )
    services.price_set(
        actor=org.director, column=key, product=product, price="9", valid_from=date(2025, 1, 1)
    )
    services.price_set(
        actor=org.director, column=key, product=product2, price="3", valid_from=date(2025, 8, 1)
    )
    price_list = selectors.price_list_get(pk=base.price_list_id)
    with django_assert_max_num_queries(2):
        matrix = selectors.price_matrix(price_list=price_list, on=date(2025, 7, 15))
    assert [c.code for c in matrix.columns] == ["base", "key"]
    assert [(r.product.sku, [p and p.price for p in r.prices]) for r in matrix.rows] == [
        ("P-1", [Decimal("11"), Decimal("9")])
    ]
    later = selectors.price_matrix(price_list=price_list, on=date(2025, 8, 1))
    assert [(r.product.sku, [p and p.price for p in r.prices]) for r in later.rows] == [
        ("P-1", [Decimal("11"), Decimal("9")]),
        ("P-2", [None, Decimal("3")]),
    ]
    header, rows = selectors.matrix_table(later)
    assert header[-2:] == ["Base (EUR)", "Key (EUR)"]
    assert rows[1] == ["P-2", "Valve", "pcs", None, Decimal("3")]
