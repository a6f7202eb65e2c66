"""The weekly schedule and the activity log (issue 11: AC-1..AC-3).

An ``Activity`` is one visit, call, meeting or negotiation of a KAM (its ``owner``) with a
client's people: planned (on the schedule), done (logged, with the outcome and the next step)
or cancelled. There are no visit quotas (AC-3): instead each key client has a relationship
rhythm from its key status (``ActivitySettings``), and a client whose last done contact is
older than its rhythm has "gone quiet". A ``CalendarFeed`` is a person's secret iCal URL of
their schedule; only the hash of its secret is stored."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account, Contact
from kam.core.bounds import no_control_characters
from kam.core.models import TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet
from kam.radar.models import Level

PURPOSE_LENGTH = 500
NEXT_STEP_LENGTH = 500
TEXT_LENGTH = 5000


class ActivitySettings(TimeStampedModel):
    """One row: the relationship rhythm (AC-3), in days per key status; empty: no rhythm.
    Read with ``kam.activity.selectors.activity_settings``."""

    # Where the radar judges key status for the rhythm (company: the company's key accounts,
    # the ones the radar's assignment alerts are about).
    level = models.CharField(
        _("key status judged at"), max_length=16, choices=Level.choices, default=Level.COMPANY
    )
    # A critical dependency or a mono client (the radar's band).
    critical_days = models.PositiveSmallIntegerField(
        _("critical clients: a contact every, days"), null=True, blank=True, default=14
    )
    # Any other key client.
    key_days = models.PositiveSmallIntegerField(
        _("key clients: a contact every, days"), null=True, blank=True, default=30
    )

    class Meta:
        verbose_name = _("activity settings")
        verbose_name_plural = _("activity settings")

    def __str__(self) -> str:
        return "activity settings"


class Activity(TimeStampedModel):
    """A visit, call, meeting or negotiation with a client (AC-1, AC-2)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("Visit")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")
        NEGOTIATION = "negotiation", _("Negotiation")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Topic(models.TextChoices):
        """What a negotiation was about (AC-2)."""

        TERMS = "terms", _("Terms of sale")
        PAYMENT = "payment", _("Payment")
        PRICES = "prices", _("Prices")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="activities"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("KAM"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    purpose = models.CharField(
        _("purpose"), max_length=PURPOSE_LENGTH, validators=[no_control_characters]
    )
    people = models.ManyToManyField(
        Contact, verbose_name=_("people"), blank=True, related_name="activities"
    )
    outcome = models.TextField(_("outcome"), blank=True, validators=[no_control_characters])
    next_step = models.CharField(
        _("next step"), max_length=NEXT_STEP_LENGTH, blank=True, validators=[no_control_characters]
    )
    next_step_on = models.DateField(_("next step on"), null=True, blank=True)
    # Negotiations (AC-2): a list of Topic codes, and what was agreed.
    topics = models.JSONField(_("negotiation topics"), default=list, blank=True)
    agreed = models.TextField(_("agreed"), blank=True, validators=[no_control_characters])
    # The item this one is the planned next step of.
    follows = models.ForeignKey(
        "self",
        verbose_name=_("next step of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_items",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["owner", "starts_at"], name="activity_owner_start_idx"),
            # gone quiet: each client's last done contact
            models.Index(fields=["account", "status", "starts_at"], name="activity_account_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gte=models.F("starts_at")),
                name="activity_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["planned", "done", "cancelled"]),
                name="activity_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.account_id} {self.starts_at:%Y-%m-%d %H:%M}"

    def topic_labels(self) -> list[str]:
        labels = dict(self.Topic.choices)
        return [str(labels.get(t, t)) for t in self.topics]


class CalendarFeed(models.Model):
    """A person's personal iCal feed of their schedule: a secret URL (AC-1). Only the secret's
    SHA-256 is kept; at most one active feed per person (a new one revokes the old)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    token_hash = models.CharField(_("secret's hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="calendar_feed_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"feed of {self.user_id}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
