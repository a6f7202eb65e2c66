"""Writes shared by every app: the audit record, company settings, currency rates."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import models, transaction

from kam.core.models import AuditEntry, CompanySettings, CurrencyRate
from kam.core.selectors import company_settings


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def audit_record(
    *,
    actor,
    action: str,
    instance: models.Model | None = None,
    entity: str | None = None,
    entity_id: Any = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Keep who changed what (SE-3). ``changes`` maps field -> [old, new] (or a plain value)."""
    if instance is not None:
        entity = entity or instance._meta.label_lower
        entity_id = instance.pk if entity_id is None else entity_id
    clean = {
        k: [_jsonable(x) for x in v] if isinstance(v, list | tuple) else _jsonable(v)
        for k, v in (changes or {}).items()
    }
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        entity=entity or "",
        entity_id=str(entity_id or ""),
        summary=summary[:300],
        changes=clean,
    )


def model_changes(instance: models.Model, data: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``data`` on ``instance`` and return the fields that really changed as [old, new]."""
    changed = {}
    for field, new in data.items():
        old = getattr(instance, field)
        if old != new:
            changed[field] = [old, new]
            setattr(instance, field, new)
    return changed


@transaction.atomic
def company_settings_update(*, actor, **data: Any) -> CompanySettings:
    obj = company_settings()
    changes = model_changes(obj, data)
    if changes:
        obj.full_clean()
        obj.save()
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=obj, changes=changes)
    return obj


@transaction.atomic
def currency_rate_set(*, actor, currency: str, valid_from: date, rate: Decimal) -> CurrencyRate:
    obj, created = CurrencyRate.objects.update_or_create(
        currency=currency.upper(), valid_from=valid_from, defaults={"rate": rate}
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        instance=obj,
        changes={"rate": rate},
    )
    return obj
