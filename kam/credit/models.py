"""Credit control (CR-1..3): checks per the company's procedure, each client's limit and payment
terms, the reservations of open orders that are not yet invoiced, and the overrides of the
gate. Exposure = open receivables (kam.receivables) + open reservations; available credit =
limit - exposure. The gate (``kam.credit.services.credit_reserve``) locks the client's
``CreditAccount`` row, so concurrent orders queue and never pass the limit together.

Credit sits below orders (docs/architecture.md): an order is known here only by its reference
(``order:12``), never imported."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.core.bounds import no_control_characters
from kam.core.models import MoneyField, TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet


class CreditSettings(TimeStampedModel):
    """One row: the company's credit rules. Read with ``kam.credit.selectors.credit_settings``."""

    # Overdue debt blocks new orders when both are passed: more than this amount ...
    overdue_amount_threshold = MoneyField(_("overdue amount that blocks"), default=100)
    # ... overdue by more than this many days.
    overdue_days_threshold = models.PositiveSmallIntegerField(
        _("days overdue that block"), default=30
    )
    # A client whose last check's next review date has passed is blocked; a client never
    # checked too, unless this is off.
    check_required = models.BooleanField(_("a valid credit check is required"), default=True)
    # "Near the limit" on the credit controller's page: exposure above this share of the limit.
    near_limit_percent = models.PositiveSmallIntegerField(_("near the limit from, %"), default=80)
    # How long a check stays valid: the next review date a new check is offered (the controller
    # may choose another).
    check_valid_months = models.PositiveSmallIntegerField(
        _("a check stays valid for, months"), default=12
    )

    class Meta:
        verbose_name = _("credit settings")
        verbose_name_plural = _("credit settings")

    def __str__(self) -> str:
        return "credit settings"


class CreditAccount(TimeStampedModel):
    """A client's credit limit and payment terms in the base currency (CR-2). Taken from the
    active contract when it is concluded; a credit controller may change them (audited). Its
    row is the lock the gate takes."""

    class Source(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        CONTROLLER = "controller", _("Credit controller")

    account = models.OneToOneField(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="credit"
    )
    limit = MoneyField(_("credit limit"))
    payment_days = models.PositiveSmallIntegerField(_("payment terms, days"), default=30)
    source = models.CharField(
        _("set from"), max_length=16, choices=Source.choices, default=Source.CONTRACT
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit account")
        verbose_name_plural = _("credit accounts")
        constraints = [
            models.CheckConstraint(condition=models.Q(limit__gte=0), name="credit_limit_positive")
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.limit}"


class CreditCheck(TimeStampedModel):
    """A reliability and creditworthiness check per the company's procedure (CR-1)."""

    class Method(models.TextChoices):
        REGISTRY = "registry", _("Company registry and insolvency check")
        AGENCY = "agency", _("Credit rating agency")
        FINANCIALS = "financials", _("Financial statements analysis")
        BANK = "bank", _("Bank reference")
        INTERNAL = "internal", _("Internal scoring")

    class Result(models.TextChoices):
        APPROVED = "approved", _("Approved")
        CONDITIONAL = "conditional", _("Approved with conditions")
        REJECTED = "rejected", _("Rejected")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="credit_checks"
    )
    checked_on = models.DateField(_("checked on"))
    method = models.CharField(_("method"), max_length=16, choices=Method.choices)
    score = models.CharField(
        _("score or rating"), max_length=50, blank=True, validators=[no_control_characters]
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices)
    next_review_on = models.DateField(_("next review on"))
    notes = models.TextField(_("notes"), blank=True, validators=[no_control_characters])
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit check")
        verbose_name_plural = _("credit checks")
        ordering = ["account", "-checked_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(next_review_on__gte=models.F("checked_on")),
                name="credit_check_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.checked_on} {self.result}"

    def valid_on(self, day: date) -> bool:
        return self.result != self.Result.REJECTED and day <= self.next_review_on


class CreditReservation(TimeStampedModel):
    """An open order not yet invoiced holds ``amount`` (base currency) of the client's credit.
    ``ref`` names the order (``order:12``); invoicing lowers the amount (the invoice now counts
    as a receivable), cancelling or refusing releases it."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    ref = models.CharField(_("reference"), max_length=64, unique=True)
    amount = MoneyField(_("amount"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit reservation")
        verbose_name_plural = _("credit reservations")
        indexes = [
            models.Index(
                fields=["account"],
                condition=models.Q(released_at__isnull=True),
                name="credit_reservation_open_idx",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="credit_reservation_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref}: {self.amount}"


class CreditOverride(models.Model):
    """A credit controller or head released an order the gate blocked (CR-3), at one stage,
    with a comment. Audited and shown on the order."""

    class Stage(models.TextChoices):
        SUBMIT = "submit", _("Submission")
        SHIP = "ship", _("Shipment")
        INVOICE = "invoice", _("Invoice")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="+"
    )
    ref = models.CharField(_("reference"), max_length=64, db_index=True)
    stage = models.CharField(_("stage"), max_length=8, choices=Stage.choices)
    amount = MoneyField(_("amount released"))
    reasons = models.JSONField(_("reasons"), default=list)
    comment = models.CharField(_("comment"), max_length=500, validators=[no_control_characters])
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("credit override")
        verbose_name_plural = _("credit overrides")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.ref} {self.stage} by {self.by_id}"
