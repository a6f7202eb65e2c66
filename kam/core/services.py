"""Writes shared by every app: the audit record, company settings, currency rates,
notifications and the daily run."""

import logging
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core.bounds import check_text
from kam.core.models import AuditEntry, CompanySettings, CurrencyRate, DailyRun, Notification
from kam.core.selectors import company_settings

log = logging.getLogger(__name__)


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


def audit_records_bulk(
    *,
    actor,
    action: str,
    entity: str,
    records: Iterable[tuple[Any, str, dict[str, Any]]],
    batch_size: int = 1000,
) -> None:
    """Many audit entries in one ``bulk_create`` (an import's or a bulk write's rows, SE-3):
    ``records`` holds (entity id, summary, changes) for ``entity`` (a model's label_lower)."""
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor=actor if getattr(actor, "pk", None) else None,
                action=action,
                entity=entity,
                entity_id=str(entity_id),
                summary=summary[:300],
                changes={
                    k: [_jsonable(x) for x in v] if isinstance(v, list | tuple) else _jsonable(v)
                    for k, v in changes.items()
                },
            )
            for entity_id, summary, changes in records
        ),
        batch_size=batch_size,
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


@transaction.atomic
def _checked_param(name: str, value):
    if isinstance(value, dict):
        return {k: check_text(str(v), field=name) for k, v in value.items()}
    return check_text(str(value), field=name)


def notification_send(
    *,
    recipient,
    kind: str,
    key: str,
    subject: str,
    params: dict | None = None,
    link: str = "",
    on: date | None = None,
    once: bool = False,
) -> Notification | None:
    """Tell ``recipient`` about ``key`` (what it is about, e.g. ``keyflag:12``). At most one per
    recipient, kind and key a day (a rerun creates nothing); with ``once`` at most one ever.
    Returns the new notification, or None when it was already sent (or the person is gone).

    ``subject`` is the English text (mark it with ``gettext_noop``) and ``params`` its values,
    so each reader sees it in their own language (``Notification.text``)."""
    if recipient is None or not recipient.is_active:
        return None
    if kind not in Notification.Kind.values:
        raise ValidationError({"kind": _("Unknown notification kind %(kind)s.") % {"kind": kind}})
    on = on or timezone.localdate()
    sent = Notification.objects.filter(recipient=recipient, kind=kind, key=key)
    if not once:
        sent = sent.filter(created_on=on)
    if sent.exists():
        return None
    item = Notification(
        recipient=recipient,
        kind=kind,
        key=key,
        subject=check_text(subject, field="subject")[:300],
        params={name: _checked_param(name, value) for name, value in (params or {}).items()},
        link=check_text(link, field="link"),
        created_on=on,
    )
    item.full_clean(validate_unique=False)
    obj, created = Notification.objects.get_or_create(
        recipient=recipient,
        kind=kind,
        key=key,
        created_on=on,
        defaults={"subject": item.subject, "params": item.params, "link": item.link},
    )
    return obj if created else None


@transaction.atomic
def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the actor's own notifications read (``ids``, or all). Another person's ids are
    ignored, as if they did not exist. Returns how many changed."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def daily_run_perform(*, as_of: date, force: bool = False) -> tuple[DailyRun, bool]:
    """Run every step of ``kam daily`` for ``as_of`` (see kam/core/daily.py). Returns the run
    and whether it was already done that day (then nothing runs, unless ``force``: the steps
    are idempotent, so a forced rerun creates no duplicates either). Each step runs in its own
    transaction; a failing one is recorded in the summary (``error``) and leaves the run
    unfinished, so the next run retries it, while the other steps still do their work."""
    from kam.core.daily import daily_steps, run_step

    run, _created = DailyRun.objects.get_or_create(day=as_of)
    if run.finished_at is not None and not force:
        return run, True
    summary: dict[str, Any] = {}
    failed = False
    for step in daily_steps():
        try:
            with transaction.atomic():
                summary[step.name] = run_step(step, as_of=as_of, force=force)
        except Exception as exc:  # one step's failure must not stop the others
            log.debug("kam daily: step %s failed", step.name, exc_info=True)
            summary[step.name] = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
            failed = True
    run.summary = summary
    run.finished_at = None if failed else timezone.now()
    run.save(update_fields=["summary", "finished_at"])
    return run, False
