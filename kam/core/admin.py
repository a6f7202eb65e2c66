from django.contrib import admin

from kam.core.models import AuditEntry, CompanySettings, CurrencyRate


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    list_display = ["name", "base_currency", "fiscal_year_start_month"]


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    list_display = ["currency", "valid_from", "rate"]
    list_filter = ["currency"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "actor", "action", "entity", "entity_id", "summary"]
    list_filter = ["action", "entity"]
    search_fields = ["entity_id", "summary"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
