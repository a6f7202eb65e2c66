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


# --- tasks and complaints (AC-10, AC-11) -------------------------------------------------------

TITLE_LENGTH = 200
COMMENT_LENGTH = 2000
# A task still to be worked on: overdue when its due date has passed.
TASK_OPEN = ("open", "in_progress")


class Task(TimeStampedModel):
    """A task a manager gives to one of their people, with a due date (AC-10). Overdue: not
    done or cancelled past its due date. Seen by the two people and those who see either's
    work (``kam.org.selectors.visible_people``)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("given by"),
        on_delete=models.PROTECT,
        related_name="tasks_given",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    title = models.CharField(
        _("title"), max_length=TITLE_LENGTH, validators=[no_control_characters]
    )
    description = models.TextField(_("description"), blank=True, validators=[no_control_characters])
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    # When it was done or cancelled.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(fields=["assignee", "status", "due_on"], name="task_assignee_idx"),
            models.Index(fields=["assigned_by", "status", "due_on"], name="task_given_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "in_progress", "done", "cancelled"]),
                name="task_status_known",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, as_of) -> bool:
        return self.status in TASK_OPEN and self.due_on < as_of


class TaskComment(models.Model):
    """A comment on a task by its assignee or the person who gave it."""

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT
    )
    text = models.TextField(_("comment"), validators=[no_control_characters])
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("task comment")
        verbose_name_plural = _("task comments")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"comment {self.pk} on task {self.task_id}"


class TaskEvent(models.Model):
    """A task's history: created, changed, moved to another status (who, when, what)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        CHANGED = "changed", _("Changed")
        STATUS = "status", _("Status")

    task = models.ForeignKey(
        Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="history"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    status_from = models.CharField(_("from"), max_length=16, blank=True)
    status_to = models.CharField(_("to"), max_length=16, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("task event")
        verbose_name_plural = _("task events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} task {self.task_id}"


class Complaint(TimeStampedModel):
    """A client's complaint or a conflict with the client (AC-11), optionally about one of its
    orders; worked on by its owner (the client's KAM or sales support) to a resolution."""

    class Category(models.TextChoices):
        QUALITY = "quality", _("Quality")
        DELIVERY = "delivery", _("Delivery")
        PRICE = "price", _("Price")
        SERVICE = "service", _("Service")
        CONFLICT = "conflict", _("Conflict")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="complaints"
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    description = models.TextField(_("description"), validators=[no_control_characters])
    received_on = models.DateField(_("received on"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints_owned",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    resolution = models.TextField(_("resolution"), blank=True, validators=[no_control_characters])
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_on", "-pk"]
        indexes = [
            models.Index(fields=["account", "status"], name="complaint_account_idx"),
            models.Index(fields=["status", "received_on"], name="complaint_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "resolved", "rejected"]),
                name="complaint_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    category__in=["quality", "delivery", "price", "service", "conflict", "other"]
                ),
                name="complaint_category_known",
            ),
            # Open: no resolution date; closed: one, not before it was received.
            models.CheckConstraint(
                condition=(
                    models.Q(status="open", resolved_on__isnull=True)
                    | models.Q(
                        ~models.Q(status="open"),
                        resolved_on__isnull=False,
                        resolved_on__gte=models.F("received_on"),
                    )
                ),
                name="complaint_resolved_on_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"complaint {self.pk} of client {self.account_id}"

    @property
    def days_to_resolve(self) -> int | None:
        """Days from receipt to the resolution (or rejection); None while open."""
        if self.resolved_on is None:
            return None
        return (self.resolved_on - self.received_on).days


# --- events and trainings (AC-6, AC-8) -----------------------------------------------------------

EVENT_TITLE_LENGTH = 200
EVENT_PLACE_LENGTH = 200


class Event(TimeStampedModel):
    """A corporate or industry event, or a training given to a client's staff (AC-6, AC-8):
    who was invited and who came (``Invitation``), the presentations prepared for it."""

    class Kind(models.TextChoices):
        CORPORATE = "corporate", _("Corporate event")
        INDUSTRY = "industry", _("Industry event")
        TRAINING = "training", _("Training")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    place = models.CharField(
        _("place"), max_length=200, blank=True, validators=[no_control_characters]
    )
    description = models.TextField(_("description"), blank=True, validators=[no_control_characters])
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="events_organised",
    )
    account = models.ForeignKey(
        Account,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-starts_on", "-pk"]
        indexes = [models.Index(fields=["starts_on"], name="event_starts_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["corporate", "industry", "training"]),
                name="event_kind_known",
            ),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="event_ends_after"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="training") | models.Q(account__isnull=False),
                name="event_training_has_client",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Invitation(models.Model):
    """A client's contact person invited to an event, and whether they came."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CAME = "came", _("Came")
        DECLINED = "declined", _("Declined")
        NO_SHOW = "no_show", _("Did not come")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="invitations"
    )
    contact = models.ForeignKey(
        Contact,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="event_invitations",
    )
    invited_on = models.DateField(_("invited on"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVITED
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["contact__last_name", "contact__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "contact"], name="invitation_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=["invited", "came", "declined", "no_show"]),
                name="invitation_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} to event {self.event_id}"


class Presentation(TimeStampedModel):
    """A presentation prepared for an event, for or with VIPs and KOLs (``prepared_with``); its
    file is stored under MEDIA_ROOT and served only to those who see the event."""

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="presentations"
    )
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    file = models.FileField(_("file"), upload_to="events/%Y/")
    prepared_with = models.ManyToManyField(
        Contact, verbose_name=_("prepared with"), blank=True, related_name="presentations"
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("presentation")
        verbose_name_plural = _("presentations")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title
