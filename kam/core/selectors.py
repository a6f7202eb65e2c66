"""Reads shared by every app."""

from kam.core.models import AuditEntry, CompanySettings, CurrencyRate
from kam.core.money import RateTable


def company_settings() -> CompanySettings:
    """The company's one settings row, created with defaults on first use.

    A read (selectors), though it may insert the defaults row once: services import it from
    here, never the other way round."""
    obj = CompanySettings.objects.order_by("pk").first()
    if obj is None:
        obj, _ = CompanySettings.objects.get_or_create(pk=1)
    return obj


def rate_table() -> RateTable:
    return RateTable(
        company_settings().base_currency,
        CurrencyRate.objects.values_list("currency", "valid_from", "rate"),
    )


def audit_for(instance) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            entity=instance._meta.label_lower, entity_id=str(instance.pk)
        ).select_related("actor")
    )
