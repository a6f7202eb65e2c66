"""Products and categories. The catalogue is not secret: every signed-in person may read it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import CurrencyField, MoneyField, TimeStampedModel


class ProductCategory(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Product(TimeStampedModel):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    standard_cost = MoneyField(_("standard cost"), decimal_places=4)
    currency = CurrencyField(default="EUR")
    launched_on = models.DateField(_("launched on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Postage, freight and the like (issue 8 §3): revenue, but no product statistics
    # (top products, first purchases).
    is_service = models.BooleanField(_("service line"), default=False, db_default=False)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(standard_cost__gte=0), name="product_cost_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
