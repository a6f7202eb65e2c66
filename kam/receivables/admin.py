"""Settlements in the admin: read-only, so that no payment or allocation bypasses the audit
(docs/architecture.md: money records are written through the services)."""

from django.contrib import admin

from kam.receivables.models import Allocation, SettlementItem


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SettlementItem)
class SettlementItemAdmin(ReadOnly):
    list_display = ("document_number", "kind", "account", "document_date", "due_date", "amount",
                    "open_amount", "source")  # fmt: skip
    list_filter = ("kind", "source")
    search_fields = ("document_number", "account__legal_name", "account__registration_number")
    list_select_related = ("account",)


@admin.register(Allocation)
class AllocationAdmin(ReadOnly):
    list_display = ("credit", "debit", "amount", "allocated_on")
    list_select_related = ("credit", "debit")
