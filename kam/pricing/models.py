"""Price lists with columns, prices per product and column with validity dates, and the
company's discount rules per column and role (OR-3).

The catalogue of prices is not secret: every signed-in person may read it. Which column a
client buys from is the client's contract (``kam.contracts``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product
from kam.core.bounds import no_control_characters
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.models import Role


class PriceList(TimeStampedModel):
    name = models.CharField(
        _("name"), max_length=200, unique=True, validators=[no_control_characters]
    )
    currency = CurrencyField(default="EUR")
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PriceColumn(TimeStampedModel):
    """A column of a price list: the base column and any number of others (wholesale, key,
    distributor). A client's contract names the column the client buys from."""

    price_list = models.ForeignKey(
        PriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="columns"
    )
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100, validators=[no_control_characters])
    is_base = models.BooleanField(_("base column"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("price column")
        verbose_name_plural = _("price columns")
        ordering = ["price_list", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["price_list", "code"], name="price_column_code_unique"),
            models.UniqueConstraint(
                fields=["price_list"],
                condition=models.Q(is_base=True),
                name="price_column_one_base",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.price_list} / {self.name}"


class Price(TimeStampedModel):
    """A product's price in a column from ``valid_from`` to ``valid_to`` (open when empty),
    in the price list's currency."""

    column = models.ForeignKey(
        PriceColumn, verbose_name=_("column"), on_delete=models.CASCADE, related_name="prices"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="prices"
    )
    price = MoneyField(_("price"), decimal_places=4)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("price")
        verbose_name_plural = _("prices")
        ordering = ["column", "product", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["column", "product", "valid_from"], name="price_unique_from"
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="price_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["product", "column"], name="price_product_idx")]

    def __str__(self) -> str:
        return f"{self.column} {self.product_id} {self.price} from {self.valid_from}"


class DiscountRule(TimeStampedModel):
    """How much discount (percent off the column's price) a person of ``role`` may give on
    ``column`` without approval. Anything beyond goes to the head of department (OR-3). No rule
    for a role and column: no discount without approval."""

    column = models.ForeignKey(
        PriceColumn,
        verbose_name=_("column"),
        on_delete=models.CASCADE,
        related_name="discount_rules",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    max_percent = models.DecimalField(_("largest discount, %"), max_digits=5, decimal_places=2)

    class Meta:
        verbose_name = _("discount rule")
        verbose_name_plural = _("discount rules")
        ordering = ["column", "role"]
        constraints = [
            models.UniqueConstraint(fields=["column", "role"], name="discount_rule_unique"),
            models.CheckConstraint(
                condition=models.Q(max_percent__gte=0) & models.Q(max_percent__lte=100),
                name="discount_rule_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.column} {self.role} ≤ {self.max_percent}%"
