"""Orders are read-only here: every change goes through the services, so the version check,
the credit gate and the audit hold (SE-3, CR-3)."""

from django.contrib import admin

from kam.core.admin import ReadOnlyAdmin
from kam.orders.models import Order, OrderEvent, Shipment


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ["number", "account", "status", "total", "currency", "version", "created_at"]
    list_filter = ["status"]
    search_fields = ["number", "erp_number", "account__legal_name"]


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "shipped_on", "invoice_number", "delivered_on"]
    search_fields = ["number", "invoice_number", "order__number"]


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ["order", "at", "kind", "status", "actor"]
    list_filter = ["kind"]
    search_fields = ["order__number"]
