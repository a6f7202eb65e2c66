"""Promotion programmes approved by management (SP-4): extra discounts, bonus goods and bonuses
for the KAM, over products (or whole categories) for clients (or whole segments), with their
budget and what they cost. The effect is read from the ledger when asked
(``kam.promotions.selectors.promotion_effect``): nothing derived is stored here."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product, ProductCategory
from kam.clients.models import Account
from kam.core.bounds import no_control_characters
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.models import Territory


class Promotion(TimeStampedModel):
    class Kind(models.TextChoices):
        EXTRA_DISCOUNT = "extra_discount", _("Extra discount")
        BONUS_GOODS = "bonus_goods", _("Bonus goods")
        KAM_BONUS = "kam_bonus", _("Bonus for the KAM")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=Status.choices,
        default=Status.PROPOSED,
        db_index=True,
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    budget = MoneyField(_("budget"))
    currency = CurrencyField()
    # The extra discount's rate, % off the invoice price: with it the cost can be computed from
    # the ledger while none is recorded (see selectors.promotion_cost).
    discount_percent = models.DecimalField(
        _("extra discount, %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    # What the programme cost, as recorded (finance's figure); null: not recorded yet.
    cost = MoneyField(_("cost"), null=True, blank=True, default=None)
    cost_recorded_at = models.DateTimeField(_("cost recorded at"), null=True, blank=True)
    products = models.ManyToManyField(
        Product, verbose_name=_("products"), blank=True, related_name="promotions"
    )
    categories = models.ManyToManyField(
        ProductCategory,
        verbose_name=_("product categories"),
        blank=True,
        related_name="promotions",
    )
    accounts = models.ManyToManyField(
        Account, verbose_name=_("clients"), blank=True, related_name="promotions"
    )
    segments = models.ManyToManyField(
        Territory,
        verbose_name=_("segments"),
        blank=True,
        related_name="promotions",
        limit_choices_to={"kind": Territory.Kind.SEGMENT},
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The director who approved or refused it, and when.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="promotion_dates"
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="promotion_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(cost__isnull=True) | models.Q(cost__gte=0),
                name="promotion_cost_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("promotions:detail", args=[self.pk])
