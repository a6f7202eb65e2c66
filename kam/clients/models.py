"""Client accounts and their contact people. Every read starts from ``visible_to(user)`` (SE-1)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.core.bounds import no_control_characters
from kam.core.models import TimeStampedModel
from kam.org.models import Department, Territory
from kam.org.selectors import ClientScopedQuerySet, visible_owner_filter


class AccountQuerySet(models.QuerySet):
    def visible_to(self, user) -> "AccountQuerySet":
        q = visible_owner_filter(user)
        return self if q is None else self.filter(q)


class Account(TimeStampedModel):
    class Status(models.TextChoices):
        POTENTIAL = "potential", _("Potential")
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        LOST = "lost", _("Lost")

    legal_name = models.CharField(
        _("legal name"), max_length=255, validators=[no_control_characters]
    )
    registration_number = models.CharField(
        _("registration number"), max_length=50, blank=True, validators=[no_control_characters]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=50, blank=True, validators=[no_control_characters]
    )
    industry = models.CharField(
        _("industry"), max_length=100, blank=True, validators=[no_control_characters]
    )
    segment = models.ForeignKey(
        Territory,
        verbose_name=_("segment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="segment_accounts",
        limit_choices_to={"kind": Territory.Kind.SEGMENT},
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territory_accounts",
        limit_choices_to={"kind": Territory.Kind.TERRITORY},
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    city = models.CharField(
        _("city"), max_length=100, blank=True, validators=[no_control_characters]
    )
    country = models.CharField(
        _("country"), max_length=2, blank=True, validators=[no_control_characters]
    )
    website = models.URLField(_("website"), blank=True, validators=[no_control_characters])
    notes = models.TextField(_("notes"), blank=True, validators=[no_control_characters])
    # Archived clients leave the default list but keep their sales, history and ownership;
    # a filter finds them, and a restore brings them back (issue 7 §6). Not a Status: "lost"
    # and "inactive" are business states of a client still worked on, archiving is not.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True, db_index=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~models.Q(registration_number=""),
                name="account_registration_unique",
            )
        ]
        indexes = [models.Index(fields=["owner", "status"], name="account_owner_status_idx")]

    def __str__(self) -> str:
        return self.legal_name

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])


class Contact(TimeStampedModel):
    """A person at a client and their part in its decisions (AC-4 grows from here)."""

    class DecisionRole(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        INFLUENCER = "influencer", _("Influencer")
        USER = "user", _("User")
        GATEKEEPER = "gatekeeper", _("Gatekeeper")
        OTHER = "other", _("Other")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(
        _("first name"), max_length=100, validators=[no_control_characters]
    )
    last_name = models.CharField(_("last name"), max_length=100, validators=[no_control_characters])
    position = models.CharField(
        _("position"), max_length=150, blank=True, validators=[no_control_characters]
    )
    decision_role = models.CharField(
        _("role in decisions"),
        max_length=20,
        choices=DecisionRole.choices,
        default=DecisionRole.OTHER,
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(
        _("phone"), max_length=50, blank=True, validators=[no_control_characters]
    )
    notes = models.TextField(_("notes"), blank=True, validators=[no_control_characters])

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class AccountOwnership(models.Model):
    """Who owned a client from when to when: from ``started_on`` up to, not including,
    ``ended_on`` (the day the next owner took over; null while open: the current owner).
    Half-open, so consecutive rows meet without a gap or an overlap and a handover and a
    second one on the same day leave an empty row. The plans issue credits a sale to the KAM
    who owned the client on the sale's day (``selectors.account_owner_on``).

    Written only by ``services.ownership_record_change`` (called by create, reassign, update
    and the import), never edited by hand."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="ownerships"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("key account manager"),
        on_delete=models.PROTECT,
        related_name="account_ownerships",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_ownerships",
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("handed over on"), null=True, blank=True)

    class Meta:
        verbose_name = _("client ownership")
        verbose_name_plural = _("client ownerships")
        ordering = ["account", "-started_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(ended_on__isnull=True),
                name="account_ownership_one_open",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="account_ownership_dates",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "started_on"], name="account_ownership_start_idx"),
            models.Index(fields=["owner", "started_on"], name="ownership_owner_start_idx"),
        ]

    def __str__(self) -> str:
        until = self.ended_on.isoformat() if self.ended_on else "…"
        return f"{self.account} — {self.owner} ({self.started_on.isoformat()}..{until})"
