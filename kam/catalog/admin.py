from django.contrib import admin

from kam.catalog.models import Product, ProductCategory


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Read-only: costs are money, so products change through the import (audited)."""

    list_display = ["sku", "name", "category", "unit", "standard_cost", "currency", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["sku", "name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
