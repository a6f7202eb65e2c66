"""Reads shared by every app."""

from kam.core.models import AuditEntry, CurrencyRate
from kam.core.money import RateTable
from kam.core.services import company_settings


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
