"""Reads shared by every app."""

from typing import TypeVar

from django.db.models import Model, QuerySet

from kam.core.models import AuditEntry, CompanySettings, CurrencyRate, Notification
from kam.core.money import RateTable

M = TypeVar("M", bound=Model)


def single_row(model: type[M]) -> M:
    """A settings model's one row (company, radar, credit, collection settings), created
    with its defaults on first use and read back, so its decimals are the database's, the
    same as on every later read.

    A read (selectors), though it may insert the defaults row once: services import the
    settings from the selectors, never the other way round."""
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        obj, _created = model._default_manager.get_or_create(pk=1)
        obj.refresh_from_db()
    return obj


def company_settings() -> CompanySettings:
    """The company's one settings row, created with defaults on first use."""
    return single_row(CompanySettings)


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


def notifications_for(*, user, unread: bool = False) -> QuerySet[Notification]:
    """The user's own notifications, newest first (nobody reads another's)."""
    qs = Notification.objects.filter(recipient=user)
    return qs.filter(read_at__isnull=True) if unread else qs


def notifications_unread_count(*, user) -> int:
    """For the menu on every page: one COUNT over the unread index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
