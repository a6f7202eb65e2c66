"""Pay schemes, who is paid by which, and the pay statements (SP-3).

A scheme's band table, its overrides and its cut table are JSON, validated whole by
``kam.pay.rules`` (see docs/pay.md for why); a statement copies every rate and band it used
into its lines, so a later change of the scheme never changes a past statement.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import ProductCategory
from kam.clients.models import Account
from kam.core.bounds import no_control_characters
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.pay import rules


class PayScheme(TimeStampedModel):
    class Basis(models.TextChoices):
        TURNOVER = rules.TURNOVER, _("turnover")
        INCOME = rules.INCOME, _("income (margin)")

    class EarnedOn(models.TextChoices):
        INVOICED = rules.INVOICED, _("invoiced sales")
        PAID = rules.PAID, _("paid sales")

    name = models.CharField(
        _("name"), max_length=120, unique=True, validators=[no_control_characters]
    )
    fixed_amount = MoneyField(_("fixed part"))
    basis = models.CharField(
        _("commission on"), max_length=16, choices=Basis.choices, default=Basis.TURNOVER
    )
    earned_on = models.CharField(
        _("earned on"), max_length=16, choices=EarnedOn.choices, default=EarnedOn.INVOICED
    )
    # [[upper bound or null, rate %], ...], the last open (rules.bands_parse)
    bands = models.JSONField(_("bands"), default=list)
    # {"<category id>": bands} and {"<client group (segment) id>": bands}
    category_rates = models.JSONField(_("rates by product category"), default=dict, blank=True)
    client_group_rates = models.JSONField(_("rates by client group"), default=dict, blank=True)
    # {"turnover": [[threshold %, cut %], ...], "active_clients": [...], ...}
    cuts = models.JSONField(_("cuts for missed plans"), default=dict, blank=True)
    currency = CurrencyField()

    class Meta:
        verbose_name = _("pay scheme")
        verbose_name_plural = _("pay schemes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(fixed_amount__gte=0), name="pay_scheme_fixed_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("pay:scheme_edit", args=[self.pk])


class SchemeAssignment(TimeStampedModel):
    """``person`` is paid by ``scheme`` from the month ``starts_on`` through the month
    ``ends_on`` (open when empty). One person's assignments never overlap (the service
    refuses)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="pay_assignments",
    )
    scheme = models.ForeignKey(
        PayScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="assignments"
    )
    starts_on = models.DateField(_("from month"))  # a month's first day
    ends_on = models.DateField(_("through month"), null=True, blank=True)  # a month's last day
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pay scheme assignment")
        verbose_name_plural = _("pay scheme assignments")
        ordering = ["person", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="pay_assignment_dates_in_order",
            ),
        ]
        indexes = [models.Index(fields=["person", "starts_on"], name="pay_assignment_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.scheme} {self.starts_on:%Y-%m}"


class PayStatement(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        APPROVED = "approved", _("approved")
        LOCKED = "locked", _("locked")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="pay_statements",
    )
    period_kind = models.CharField(_("period kind"), max_length=8)
    period_code = models.CharField(_("period"), max_length=8)
    starts_on = models.DateField(_("period starts on"))
    ends_on = models.DateField(_("period ends on"))
    as_of = models.DateField(_("figures as of"))
    scheme = models.ForeignKey(
        PayScheme,
        verbose_name=_("scheme"),
        null=True,
        on_delete=models.PROTECT,
        related_name="statements",
    )
    scheme_name = models.CharField(_("scheme"), max_length=120, blank=True)
    basis = models.CharField(_("commission on"), max_length=16, blank=True)
    earned_on = models.CharField(_("earned on"), max_length=16, blank=True)
    currency = CurrencyField()
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    fixed = MoneyField(_("fixed part"))
    commission = MoneyField(_("commission"))
    cut_percent = models.DecimalField(_("cut, %"), max_digits=6, decimal_places=2, default=0)
    cuts = MoneyField(_("cuts"))
    adjustments = MoneyField(_("adjustments"))
    variable = MoneyField(_("variable part"))
    total = MoneyField(_("total"))
    # The plan results the cuts were read from: {measure: {plan, fact, percent, cut}}
    plan_results = models.JSONField(_("plan results"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("pay statement")
        verbose_name_plural = _("pay statements")
        ordering = ["-starts_on", "person__username", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_kind", "starts_on"], name="pay_statement_unique"
            ),
        ]
        indexes = [models.Index(fields=["starts_on", "status"], name="pay_statement_period_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.period_code}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("pay:statement", args=[self.pk])


class PayStatementLine(models.Model):
    class Kind(models.TextChoices):
        SALE = "sale", _("sale")
        CLAWBACK = "clawback", _("clawback")
        ADJUSTMENT = "adjustment", _("adjustment")

    statement = models.ForeignKey(
        PayStatement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    account = models.ForeignKey(
        Account,
        verbose_name=_("client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("product category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    document = models.CharField(_("document"), max_length=64, blank=True)
    # The sale a clawback takes back from; the statement an adjustment corrects.
    original_document = models.CharField(_("returned sale"), max_length=64, blank=True)
    adjusts = models.ForeignKey(
        PayStatement,
        verbose_name=_("corrects statement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="adjusted_by",
    )
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))  # the deal's turnover
    basis_amount = MoneyField(_("basis amount"))  # turnover or income the rate applies to
    rate = models.DecimalField(_("rate, %"), max_digits=8, decimal_places=4, default=0)
    band = models.CharField(_("band"), max_length=200, blank=True)
    rate_table = models.CharField(_("rate from"), max_length=16, blank=True)
    full_commission = MoneyField(_("commission of the whole deal"))
    paid_share = models.DecimalField(
        _("paid share"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    commission = MoneyField(_("commission"))

    class Meta:
        verbose_name = _("pay statement line")
        verbose_name_plural = _("pay statement lines")
        ordering = ["statement", "kind", "date", "document", "pk"]
        indexes = [
            models.Index(fields=["document"], name="pay_line_document_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.statement_id} {self.kind} {self.document} {self.commission}"
