"""A client's contracts (CT-1..3): terms (payment deferral, the price-list column, the credit
limit, delivery terms), versions linked by renewal, and the file that was signed."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.core.bounds import no_control_characters
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet
from kam.pricing.models import PriceColumn


class Contract(TimeStampedModel):
    """One version of a client's contract. A renewal is a new row with ``previous`` pointing at
    the version it renews (which becomes ``renewed``); ``number`` stays, ``version`` counts up.

    ``status`` is what people decided (draft, active, renewed, terminated); ``expiring`` and
    ``expired`` are set by the daily run from ``ends_on`` (60 days ahead: expiring), so a list
    can filter on them. ``kam.contracts.selectors.contract_active`` answers "which contract
    holds for this client on this day" from the dates, whatever the daily run did."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        EXPIRING = "expiring", _("Expiring")
        EXPIRED = "expired", _("Expired")
        RENEWED = "renewed", _("Renewed")
        TERMINATED = "terminated", _("Terminated")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="contracts"
    )
    number = models.CharField(_("number"), max_length=64, validators=[no_control_characters])
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("renews"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="renewal",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    payment_days = models.PositiveSmallIntegerField(_("payment deferral, days"), default=30)
    price_column = models.ForeignKey(
        PriceColumn,
        verbose_name=_("price-list column"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    credit_limit = MoneyField(_("credit limit"))
    currency = CurrencyField(default="EUR")
    delivery_terms = models.CharField(
        _("delivery terms"), max_length=500, blank=True, validators=[no_control_characters]
    )
    attachment = models.FileField(_("signed file"), upload_to="contracts/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True, validators=[no_control_characters])
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("concluded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A termination (CT-1): the last day the contract holds (``ends_on`` is set to it) and why.
    # A day still ahead leaves the contract in force until then; ``kam daily`` then marks it
    # terminated.
    terminated_on = models.DateField(_("terminated as of"), null=True, blank=True)
    termination_reason = models.CharField(
        _("reason for termination"),
        max_length=500,
        blank=True,
        validators=[no_control_characters],
    )
    terminated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("terminated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["account", "-starts_on", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["number", "version"], name="contract_number_version"),
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="contract_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="contract_limit_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="contract_account_idx")]

    def __str__(self) -> str:
        return f"{self.number} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("contracts:detail", args=[self.pk])
