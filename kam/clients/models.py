"""Client accounts and their contact people. Every read starts from ``visible_to(user)`` (SE-1)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.core.models import TimeStampedModel
from kam.org.models import Department, Territory
from kam.org.selectors import visible_owner_filter


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

    legal_name = models.CharField(_("legal name"), max_length=255)
    registration_number = models.CharField(_("registration number"), max_length=50, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
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
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)

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


class ContactQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ContactQuerySet":
        q = visible_owner_filter(user, prefix="account__")
        return self if q is None else self.filter(q)


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
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    position = models.CharField(_("position"), max_length=150, blank=True)
    decision_role = models.CharField(
        _("role in decisions"),
        max_length=20,
        choices=DecisionRole.choices,
        default=DecisionRole.OTHER,
    )
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
