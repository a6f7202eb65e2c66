"""The sales ledger (the fact table key status, plans and pay read) and its monthly roll-up.

Designed for millions of rows: amounts are stored both in the document currency and in the
company's base currency (converted once, on write), and ``month`` is stored so that grouping by
month needs no date function. ``ClientMonth`` holds per-client monthly sums, kept current by the
services that write the ledger, so that reports read thousands of rows instead of millions.
Two more derived tables serve the key-account radar (KC-1..KC-13) without reading months of
rows per client: ``ClientRunningTotal`` (cumulative sums, so any period's sum is one
subtraction) and ``FirstPurchase`` (each client's first purchase of each product, KC-8).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.bounds import MAX_AMOUNT
from kam.core.models import CurrencyField, MoneyField
from kam.org.selectors import ClientScopedQuerySet

# The amounts of a line bounded by kam.core.bounds.MAX_AMOUNT (issue 7 §2).
AMOUNT_FIELDS = ("quantity", "revenue", "cost", "revenue_base", "cost_base")


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
    # False when the source had no cost for the line (issue 8 §3): cost is then 0 and the
    # line's income is unknown; the radar's income basis leaves it out and says so.
    cost_known = models.BooleanField(_("cost known"), default=True, db_default=True)
    # A return (cancellation document) names the document it cancels, where it was found.
    returns_document = models.CharField(
        _("returns document"), max_length=64, blank=True, default="", db_default=""
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales line")
        verbose_name_plural = _("sales ledger")
        constraints = [
            models.UniqueConstraint(
                fields=["document_number", "line_number"], name="sales_line_source_unique"
            ),
            # The services refuse more (kam.sales.services.LedgerBounds); the database holds
            # at least what the radar's integer arithmetic needs, whoever writes the rows.
            # One constraint, so SQLite rebuilds the table once to add it.
            models.CheckConstraint(
                condition=models.Q(
                    **{
                        f"{name}__{op}": sign * MAX_AMOUNT
                        for name in AMOUNT_FIELDS
                        for op, sign in (("gte", -1), ("lte", 1))
                    }
                ),
                name="sales_line_amounts_bounded",
            ),
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


class ClientMonth(models.Model):
    """Sums of the ledger per client and month, in the base currency. Derived, never edited."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="months")
    month = models.DateField()
    revenue = MoneyField(_("revenue"))
    cost = MoneyField(_("cost"))
    # The part of ``revenue`` whose lines have no known cost (issue 8 §3): their income is
    # unknown, so income is (revenue - revenue_uncosted) - cost, and the month says it is
    # incomplete. Turnover is ``revenue`` whole.
    revenue_uncosted = MoneyField(_("revenue without cost"))
    quantity = models.DecimalField(max_digits=18, decimal_places=3, default=0)
    lines = models.PositiveIntegerField(default=0)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("client month")
        verbose_name_plural = _("client months")
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="client_month_unique")
        ]
        indexes = [models.Index(fields=["month"], name="client_month_month_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m}"


class ClientRunningTotal(models.Model):
    """Each client's cumulative base-currency revenue, cost and revenue without a known cost,
    in cents, from its first month
    with sales through ``month``. Derived from ``ClientMonth``, never edited.

    Rows are dense from the client's first month with sales to the *horizon*, the latest month
    any client has sales in (a month without sales repeats the previous totals). So the sum over
    months ``a..b`` is ``total(b) - total(a - 1)``, where ``total(m)`` is the row at ``m``
    (``m`` clamped to the horizon; no row before the client's first month: zero). The radar
    reads three such months for every client, straight from the (month, account) index, instead
    of 24 months of rows; integer cents keep every sum and comparison exact on SQLite too.

    A back-dated write rewrites that client's rows; the first sale of a new month extends every
    client to the new horizon (one INSERT ... SELECT of a row per client, once a month)."""

    # db_index=False: the unique (account, month) index serves lookups by client.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    revenue_cents = models.BigIntegerField()
    cost_cents = models.BigIntegerField()
    # Cumulative ``ClientMonth.revenue_uncosted``: income is revenue - uncosted - cost.
    uncosted_cents = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("client running total")
        verbose_name_plural = _("client running totals")
        constraints = [
            models.UniqueConstraint(fields=["account", "month"], name="client_running_unique")
        ]
        indexes = [
            # One month's totals for every client in client order, from the index alone on
            # PostgreSQL (the columns are included), so the radar's reads merge-join.
            models.Index(
                fields=["month", "account"],
                include=["revenue_cents", "cost_cents", "uncosted_cents"],
                name="client_running_month_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month:%Y-%m} (running)"


class FirstPurchase(models.Model):
    """The first day each client bought each product (quantity > 0). Derived from the ledger,
    never edited; the radar ranks a new product's buyers by it (innovators, KC-8). Service
    lines (``Product.is_service``: postage, freight) have none: nobody innovates by paying
    for freight (issue 8 §3)."""

    # The unique (account, product) and the (product, first_date) indexes serve both keys.
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+", db_index=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", db_index=False)
    first_date = models.DateField()

    class Meta:
        verbose_name = _("first purchase")
        verbose_name_plural = _("first purchases")
        constraints = [
            models.UniqueConstraint(fields=["account", "product"], name="first_purchase_unique")
        ]
        indexes = [
            models.Index(fields=["product", "first_date"], name="first_purchase_product_idx")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.product_id} {self.first_date}"
