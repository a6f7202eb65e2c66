"""Prices are read-only here: writes go through the services (the price pages and the API) so
they are audited and the one-base-column and no-overlap rules hold (SE-3, OR-3)."""

from django.contrib import admin

from kam.core.admin import ReadOnlyAdmin
from kam.pricing.models import DiscountRule, Price, PriceColumn, PriceList


@admin.register(PriceList)
class PriceListAdmin(ReadOnlyAdmin):
    list_display = ["name", "currency", "is_active"]


@admin.register(PriceColumn)
class PriceColumnAdmin(ReadOnlyAdmin):
    list_display = ["price_list", "code", "name", "is_base", "position"]
    list_filter = ["price_list"]


@admin.register(Price)
class PriceAdmin(ReadOnlyAdmin):
    list_display = ["product", "column", "price", "valid_from", "valid_to"]
    list_filter = ["column"]
    search_fields = ["product__sku", "product__name"]


@admin.register(DiscountRule)
class DiscountRuleAdmin(ReadOnlyAdmin):
    list_display = ["column", "role", "max_percent"]
