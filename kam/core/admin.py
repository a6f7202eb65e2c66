from django.contrib import admin

from kam.core.models import AuditEntry, CompanySettings, CurrencyRate
from kam.core.services import audit_record, company_settings_update, currency_rate_set


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records whose writes must go through audited services (SE-3): look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CompanySettings)
class CompanySettingsAdmin(admin.ModelAdmin):
    """Edits go through the service, so each change is audited (SE-3)."""

    list_display = ["name", "base_currency", "fiscal_year_start_month"]

    def has_add_permission(self, request):
        return not CompanySettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            audit_record(actor=request.user, action=AuditEntry.Action.CREATE, instance=obj)
            return
        company_settings_update(
            actor=request.user, **{f: form.cleaned_data[f] for f in form.changed_data}
        )


@admin.register(CurrencyRate)
class CurrencyRateAdmin(admin.ModelAdmin):
    """Rates convert money to the base currency: every change is audited (SE-3)."""

    list_display = ["currency", "valid_from", "rate"]
    list_filter = ["currency"]

    def has_change_permission(self, request, obj=None):
        # A rate is corrected by adding it again for the same day (the service upserts).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = currency_rate_set(
            actor=request.user,
            currency=obj.currency,
            valid_from=obj.valid_from,
            rate=obj.rate,
        )
        obj.pk = saved.pk


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "action", "entity", "entity_id", "summary"]
    list_filter = ["action", "entity"]
    search_fields = ["entity_id", "summary"]
