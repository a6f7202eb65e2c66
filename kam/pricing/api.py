"""HTTP API of the price lists (mounted at /api/prices): the same selectors and services as
the pages. Reading is open to every signed-in person (the catalogue is not secret); changing
needs ``price.manage`` (403 otherwise); a bad field is a 422 naming it."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.catalog.models import Product
from kam.core.bounds import clamp_date
from kam.core.schemas import Pages
from kam.org.policy import Action, require
from kam.pricing import selectors, services
from kam.pricing.models import PriceColumn
from kam.pricing.schemas import (
    DiscountRuleIn,
    DiscountRuleOut,
    PriceIn,
    PriceListOut,
    PriceOut,
    PricesOnIn,
)

router = Router()


def _record(model, pk: int, field: str):
    record = model._default_manager.filter(pk=pk).first()
    if record is None:
        raise ValidationError({field: _("No such record: %(id)s.") % {"id": pk}})
    return record


@router.get("/", response=list[PriceListOut], summary="Price lists with their columns")
def price_lists(request):
    return list(selectors.price_list_list())


@router.get(
    "/{int:price_list_id}/prices",
    response=list[PriceOut],
    summary="The prices of a list as of a day",
    description="One row per product and column valid on `on` (default today).",
)
@paginate(Pages)
def prices_on(request, price_list_id: int, filters: Query[PricesOnIn]):
    price_list = selectors.price_list_get(pk=price_list_id)
    on = clamp_date(filters.on) or timezone.localdate()
    return selectors.prices_on(price_list=price_list, on=on, q=filters.q.strip())


@router.get(
    "/{int:price_list_id}/discount-rules",
    response=list[DiscountRuleOut],
    summary="The discount rules of a list's columns",
)
def discount_rules(request, price_list_id: int):
    return list(selectors.discount_rules(price_list=selectors.price_list_get(pk=price_list_id)))


@router.post(
    "/prices",
    response={201: PriceOut},
    summary="Set a product's price in a column",
    description="Needs price.manage (director, administrator). A price from a day closes the "
    "product's open-ended price in the column the day before; an overlap with any other "
    "price is refused on `valid_from`.",
)
def price_set(request, payload: PriceIn):
    require(request.auth, Action.PRICE_MANAGE)
    price = services.price_set(
        actor=request.auth,
        column=_record(PriceColumn, payload.column_id, "column_id"),
        product=_record(Product, payload.product_id, "product_id"),
        price=payload.price,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
    )
    return Status(201, selectors.price_get(pk=price.pk))


@router.post(
    "/discount-rules",
    response=DiscountRuleOut,
    summary="Set the largest discount a role may give on a column",
    description="Needs price.manage (director, administrator). Replaces the rule for that "
    "column and role.",
)
def discount_rule_set(request, payload: DiscountRuleIn):
    require(request.auth, Action.PRICE_MANAGE)
    rule = services.discount_rule_set(
        actor=request.auth,
        column=_record(PriceColumn, payload.column_id, "column_id"),
        role=payload.role,
        max_percent=payload.max_percent,
    )
    return selectors.discount_rules(price_list=rule.column.price_list).get(pk=rule.pk)
