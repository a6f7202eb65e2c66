"""Company settings, currency rates and the audit log (SE-3)."""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MONEY_DIGITS = 18
MONEY_PLACES = 2


def MoneyField(verbose_name, **kwargs):
    """A money amount: exact decimal, two places. The currency is a sibling field."""
    kwargs.setdefault("max_digits", MONEY_DIGITS)
    kwargs.setdefault("decimal_places", MONEY_PLACES)
    kwargs.setdefault("default", Decimal("0"))
    return models.DecimalField(verbose_name, **kwargs)


def CurrencyField(verbose_name=None, **kwargs):
    kwargs.setdefault("max_length", 3)
    return models.CharField(verbose_name or _("currency"), **kwargs)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CompanySettings(TimeStampedModel):
    """One row: who the company is and how it counts money. Read with ``company_settings()``."""

    name = models.CharField(_("company name"), max_length=200, default="My company")
    base_currency = CurrencyField(_("base currency"), default="EUR")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts in month"), default=1
    )
    history_starts_on = models.DateField(
        _("history starts on"),
        default=date(2000, 1, 1),
        help_text=_("No record (a sales line, a case, a plan) may be dated before this day."),
    )

    class Meta:
        verbose_name = _("company settings")
        verbose_name_plural = _("company settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fiscal_year_start_month__gte=1)
                & models.Q(fiscal_year_start_month__lte=12),
                name="company_fiscal_month_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CurrencyRate(TimeStampedModel):
    """How many base-currency units one unit of ``currency`` is worth from ``valid_from`` on."""

    currency = CurrencyField()
    valid_from = models.DateField(_("valid from"))
    rate = models.DecimalField(_("rate to base currency"), max_digits=18, decimal_places=8)

    class Meta:
        verbose_name = _("currency rate")
        verbose_name_plural = _("currency rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="currency_rate_unique"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="currency_rate_positive"),
        ]
        ordering = ["currency", "-valid_from"]

    def __str__(self) -> str:
        return f"{self.currency} {self.valid_from}: {self.rate}"


class AuditEntry(models.Model):
    """Who changed what and when (SE-3). Written by services, never by signals."""

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")
        IMPORT = "import", _("imported")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    entity = models.CharField(_("entity"), max_length=64)
    entity_id = models.CharField(_("entity id"), max_length=64)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["entity", "entity_id"], name="audit_entity_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.entity}#{self.entity_id}"

    def change_rows(self) -> list[tuple[str, object, object]]:
        """(field, old, new) for display; a plain recorded value shows as new with no old."""
        rows = []
        for field, value in self.changes.items():
            if isinstance(value, list) and len(value) == 2:
                rows.append((field, value[0], value[1]))
            else:
                rows.append((field, None, value))
        return rows


class Notification(models.Model):
    """Something a person should look at (a review that is due, later expiries and reminders),
    shown on their notifications page. ``key`` names the thing it is about (``keyflag:12``), so
    the same notice is not sent twice on one day (``notification_send``)."""

    class Kind(models.TextChoices):
        REVIEW_DUE = "review_due", _("Review due")
        CONTRACT_EXPIRING = "contract_expiring", _("Contract expiring")
        ORDER_CHANGED = "order_changed", _("Order changed")
        APPROVAL_REQUESTED = "approval_requested", _("Approval requested")
        CREDIT_BLOCKED = "credit_blocked", _("Order blocked by credit control")
        PROMISE_BROKEN = "promise_broken", _("Promise to pay broken")
        DEBT_ESCALATED = "debt_escalated", _("Overdue debt escalated")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    # The English text with %(name)s places (a msgid) and their values: the reader's language
    # is chosen when the notice is shown, not when ``kam daily`` sent it (see ``text``).
    subject = models.CharField(_("subject"), max_length=300)
    params = models.JSONField(_("values"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("about"), max_length=100)
    created_on = models.DateField(_("created on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key", "created_on"], name="notification_once_a_day"
            )
        ]
        indexes = [
            # The unread count in every page's menu.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.key} {self.created_on}"

    def text(self) -> str:
        """The subject in the active language. A value ``{"text": "Partner"}`` is English text
        translated too, ``{"date": "2026-12-01"}`` a day in the reader's date format; other
        values stand as they are (a client's name)."""
        values = {}
        for name, value in self.params.items():
            if isinstance(value, dict) and "text" in value:
                value = gettext(value["text"])
            elif isinstance(value, dict) and "date" in value:
                value = formats.date_format(date.fromisoformat(value["date"]), "SHORT_DATE_FORMAT")
            values[name] = value
        try:
            return gettext(self.subject) % values if values else gettext(self.subject)
        except (KeyError, TypeError, ValueError):  # a catalogue that lost a place: the English
            return self.subject


class DailyRun(models.Model):
    """One run of ``kam daily`` for one day: a second run that day reports it and does nothing
    (unless forced). ``finished_at`` stays empty while a step has failed."""

    day = models.DateField(_("day"), unique=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        verbose_name = _("daily run")
        verbose_name_plural = _("daily runs")
        ordering = ["-day"]

    def __str__(self) -> str:
        return str(self.day)
