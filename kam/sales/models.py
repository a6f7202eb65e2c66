"""The sales ledger (the fact table key status, plans and pay read) and its monthly roll-up.

Designed for millions of rows: amounts are stored both in the document currency and in the
company's base currency (converted once, on write), and ``month`` is stored so that grouping by
month needs no date function. ``ClientMonth`` holds per-client monthly sums, kept current by the
services that write the ledger, so that reports read thousands of rows instead of millions.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.models import CurrencyField, MoneyField
from kam.org.selectors import visible_owner_filter


class SalesLineQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SalesLineQuerySet":
        q = visible_owner_filter(user, prefix="account__")
        return self if q is None else self.filter(q)


class SalesLine(models.Model):
    """One sold (quantity > 0) or returned (quantity < 0) product line of a source document."""

    date = models.DateField(_("date"))
    month = models.DateField(_("month"), help_text=_("first day of the month of date"))
    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="sales_lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="sales_lines"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    revenue = MoneyField(_("revenue"))
    cost = MoneyField(_("cost"))
    currency = CurrencyField()
    revenue_base = MoneyField(_("revenue in base currency"))
    cost_base = MoneyField(_("cost in base currency"))
    document_number = models.CharField(_("source document"), max_length=64)
    line_number = models.PositiveIntegerField(_("line"))

    objects = SalesLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales ledger")
        constraints = [
            models.UniqueConstraint(
                fields=["document_number", "line_number"], name="sales_line_source_unique"
            )
        ]
        indexes = [
            models.Index(fields=["account", "date"], name="sales_account_date_idx"),
            models.Index(fields=["date"], name="sales_date_idx"),
            models.Index(fields=["product", "date"], name="sales_product_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.document_number}/{self.line_number}"

    @property
    def income(self):
        return self.revenue - self.cost


class ClientMonthQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ClientMonthQuerySet":
        q = visible_owner_filter(user, prefix="account__")
        return self if q is None else self.filter(q)


class ClientMonth(models.Model):
    """Sums of the ledger per client and month, in the base currency. Derived, never edited."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    revenue = MoneyField(_("revenue"))
    cost = MoneyField(_("cost"))
    quantity = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    lines = models.PositiveIntegerField(default=0)

    objects = ClientMonthQuerySet.as_manager()

    class Meta:
        verbose_name = _("client month")
        verbose_name_plural = _("client months")
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="client_month_unique")
        ]
        indexes = [models.Index(fields=["month"], name="client_month_month_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"
