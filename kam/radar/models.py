"""Radar criteria, the manual evidence behind key status, and per-period status snapshots."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kam.clients.models import Account
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet

PERCENT = {"max_digits": 6, "decimal_places": 3}
_pct_range = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Basis(models.TextChoices):
    """What a client's weight is measured by (KC-1)."""

    INCOME = "income", _("Income (revenue minus cost)")
    TURNOVER = "turnover", _("Turnover (revenue)")


class Level(models.TextChoices):
    """Where key status is judged (KC-10)."""

    COMPANY = "company", _("Company")
    DEPARTMENT = "department", _("Department")
    MANAGER = "manager", _("Key account manager")


class PeriodKind(models.TextChoices):
    ROLLING_12 = "rolling12", _("Rolling 12 months")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year to date")
    FISCAL_QUARTER = "fiscal_quarter", _("Fiscal quarter to date")


class Definition(models.TextChoices):
    """Why a client is key (KC-2..KC-8); several may apply at once (KC-9)."""

    AMOUNT = "amount", _("Amount")
    SHARE = "share", _("Share")
    DEPENDENCY = "dependency", _("Dependency")
    POTENTIAL = "potential", pgettext_lazy("key-client definition", "Potential")
    REFERENCE = "reference", _("Reference")
    PARTNER = "partner", _("Partner")
    COMPETENT = "competent", _("Competent")
    INNOVATOR = "innovator", _("Innovator")


MANUAL_DEFINITIONS = (
    Definition.REFERENCE,
    Definition.PARTNER,
    Definition.COMPETENT,
    Definition.INNOVATOR,
)


class Band(models.TextChoices):
    """Dependency on one client (KC-3)."""

    NONE = "", _("—")
    CRITICAL = "critical", _("Critical dependency")
    MONO = "mono", _("Mono client")


class RadarSettings(TimeStampedModel):
    """One row: the company's key-client criteria. Read with ``radar_settings()``; change with
    ``radar_settings_update`` (director or administrator, audited)."""

    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices, default="income")
    key_amount = models.DecimalField(
        _("key by amount per year"),
        max_digits=18,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In the base currency; empty: not used. Prorated for shorter periods."),
    )
    key_share_pct = models.DecimalField(
        _("key by share, %"),
        null=True,
        blank=True,
        default=Decimal("10"),
        validators=_pct_range,
        help_text=_("Empty: not used."),
        **PERCENT,
    )
    critical_pct = models.DecimalField(
        _("critical dependency from, %"), default=Decimal("20"), validators=_pct_range, **PERCENT
    )
    mono_pct = models.DecimalField(
        _("mono client from, %"), default=Decimal("70"), validators=_pct_range, **PERCENT
    )
    period = models.CharField(
        _("period"), max_length=16, choices=PeriodKind.choices, default="rolling12"
    )
    potential_headroom = MoneyField(
        _("key by potential from headroom"),
        default=Decimal("50000"),
        help_text=_("Annual wallet minus our annualised sales, in the base currency."),
    )
    innovator_share_pct = models.DecimalField(
        _("innovators: first buyers, %"),
        default=Decimal("2.5"),
        validators=_pct_range,
        **PERCENT,
    )
    innovator_window_months = models.PositiveSmallIntegerField(
        _("innovators: products launched within, months"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    abc_a_pct = models.DecimalField(
        _("ABC: class A up to, %"), default=Decimal("80"), validators=_pct_range, **PERCENT
    )
    abc_b_pct = models.DecimalField(
        _("ABC: class B up to, %"), default=Decimal("95"), validators=_pct_range, **PERCENT
    )
    npv_rate_pct = models.DecimalField(
        _("NPV discount rate, % a year"), default=Decimal("10"), validators=_pct_range, **PERCENT
    )
    npv_horizon_years = models.PositiveSmallIntegerField(
        _("NPV horizon, years"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    npv_growth_cap_pct = models.DecimalField(
        _("NPV trend growth capped at, % a year"),
        default=Decimal("20"),
        validators=_pct_range,
        **PERCENT,
    )
    max_key_per_kam = models.PositiveSmallIntegerField(
        _("company key accounts per KAM at most"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("KC-11: the classic rule is one to three."),
    )
    # Optimistic concurrency: a form or API client sends the version it read, and a save on
    # an older one is refused rather than silently undoing someone else's change.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        verbose_name = _("radar settings")
        verbose_name_plural = _("radar settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(mono_pct__gte=models.F("critical_pct")),
                name="radar_mono_over_critical",
            ),
            models.CheckConstraint(
                condition=models.Q(abc_b_pct__gte=models.F("abc_a_pct")),
                name="radar_abc_order",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Radar settings"))

    def clean(self):
        # Field-bound messages for what the database constraints would only report by name;
        # the page and the API both reach this through full_clean().
        errors: dict[str, str] = {}
        if self.key_amount is not None and self.key_amount <= 0:
            errors["key_amount"] = _("Must be above zero; leave it empty if it is not used.")
        if self.key_share_pct is not None and self.key_share_pct == 0:
            # 0 % would make every client key; below zero the field's validator answers.
            errors["key_share_pct"] = _("Must be above zero; leave it empty if it is not used.")
        for name in ("critical_pct", "abc_a_pct", "innovator_share_pct"):
            if getattr(self, name) == 0:
                errors[name] = _("Must be above zero.")
        critical, mono = self.critical_pct, self.mono_pct
        if critical is not None and mono is not None and mono < critical:
            errors.setdefault(
                "mono_pct",
                _("A mono client must start at or above critical dependency (%(pct)s %%).")
                % {"pct": f"{Decimal(critical).normalize():f}"},
            )
        a, b = self.abc_a_pct, self.abc_b_pct
        if a is not None and b is not None and b < a:
            errors.setdefault(
                "abc_b_pct",
                _("Class B must end at or above where class A ends (%(pct)s %%).")
                % {"pct": f"{Decimal(a).normalize():f}"},
            )
        if self.potential_headroom is not None and self.potential_headroom < 0:
            errors["potential_headroom"] = _("Must not be negative.")
        if errors:
            raise ValidationError(errors)


class Recorded(TimeStampedModel):
    """Who recorded a piece of evidence (KC-9: each definition shows who recorded it)."""

    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class WalletEstimate(Recorded):
    """The client's estimated annual budget for our categories (KC-4). The latest one counts."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="wallets"
    )
    annual_budget = MoneyField(_("annual budget for our categories"))
    currency = CurrencyField()
    annual_budget_base = MoneyField(_("annual budget in base currency"))
    categories = models.CharField(_("categories"), max_length=255, blank=True)
    recorded_at = models.DateField(_("estimated on"))
    review_on = models.DateField(_("review on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("wallet estimate")
        verbose_name_plural = _("wallet estimates")
        ordering = ["account", "-recorded_at", "-pk"]
        indexes = [models.Index(fields=["account", "recorded_at"], name="radar_wallet_acc_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annual_budget__gte=0), name="radar_wallet_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.annual_budget} {self.currency} ({self.recorded_at})"


class CompetitorShare(models.Model):
    """Who supplies the rest of the wallet, and how much of it (KC-4)."""

    wallet = models.ForeignKey(WalletEstimate, on_delete=models.CASCADE, related_name="competitors")
    name = models.CharField(_("competitor"), max_length=200)
    share_pct = models.DecimalField(_("share of wallet, %"), validators=_pct_range, **PERCENT)

    class Meta:
        verbose_name = _("competitor share")
        verbose_name_plural = _("competitor shares")
        ordering = ["-share_pct", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.share_pct}%"


class ReferenceCase(Recorded):
    """What exactly we did for a reference client, when, and the result (KC-5)."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="reference_cases"
    )
    what = models.TextField(_("what we did"))
    done_on = models.DateField(_("when"))
    result = models.TextField(_("result"), blank=True)

    class Meta:
        verbose_name = _("reference case")
        verbose_name_plural = _("reference cases")
        ordering = ["-done_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.done_on}"


class PartnerDisclosure(Recorded):
    """Something a partner client shared with us (KC-6)."""

    class Kind(models.TextChoices):
        STRATEGIC_PLANS = "strategic_plans", _("Strategic plans")
        BUDGET = "budget", _("Budget")
        DOUBLE_PURCHASES = "double_purchases", _("Conditions to double purchases")
        NO_TENDER = "no_tender", _("Orders without tender")
        EXCLUSIVITY = "exclusivity", _("Exclusivity terms")

    account = models.ForeignKey(
        Account,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="partner_disclosures",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("what they shared"))
    disclosed_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("partner disclosure")
        verbose_name_plural = _("partner disclosures")
        ordering = ["-disclosed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.disclosed_on}"


class CompetenceConsultation(Recorded):
    """What a competent, demanding client was consulted on (KC-7)."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="consultations"
    )
    topic = models.CharField(_("consulted on"), max_length=255)
    consulted_on = models.DateField(_("date"))

    class Meta:
        verbose_name = _("competence consultation")
        verbose_name_plural = _("competence consultations")
        ordering = ["-consulted_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.account_id} {self.topic}"


class KeyFlag(Recorded):
    """A manual key definition (reference, partner, competent, innovator) with an owner and a
    review date. At most one active flag per client and definition."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="key_flags"
    )
    definition = models.CharField(
        _("definition"),
        max_length=16,
        choices=[(d.value, d.label) for d in MANUAL_DEFINITIONS],
    )
    note = models.TextField(_("note"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    flagged_on = models.DateField(_("flagged on"))
    review_on = models.DateField(_("review on"))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("key flag")
        verbose_name_plural = _("key flags")
        ordering = ["account", "definition"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "definition"],
                condition=models.Q(active=True),
                name="radar_one_active_flag",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.definition}"


class SnapshotRun(models.Model):
    """One taken snapshot: lets history tell "not key then" from "not measured then"."""

    period_end = models.DateField(_("period end"), unique=True)
    taken_at = models.DateTimeField(_("taken at"), auto_now=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)

    class Meta:
        verbose_name = _("radar snapshot")
        verbose_name_plural = _("radar snapshots")
        ordering = ["-period_end"]

    def __str__(self) -> str:
        return str(self.period_end)


class KeyStatusSnapshot(models.Model):
    """A client's key status at one level on one period end. Only clients that were key or
    banded are stored; absence in a taken run means "not key then"."""

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="key_snapshots"
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    unit_id = models.IntegerField(_("unit"), null=True, blank=True)
    period_end = models.DateField(_("period end"))
    basis = models.CharField(_("basis"), max_length=16, choices=Basis.choices)
    income = MoneyField(_("income"))
    turnover = MoneyField(_("turnover"))
    share = models.DecimalField(_("share, %"), max_digits=9, decimal_places=4, default=0)
    definitions = models.JSONField(_("definitions"), default=list)
    band = models.CharField(_("band"), max_length=16, choices=Band.choices, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("key status snapshot")
        verbose_name_plural = _("key status snapshots")
        ordering = ["account", "level", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "level", "period_end"], name="radar_snapshot_unique"
            )
        ]
        indexes = [models.Index(fields=["period_end", "level"], name="radar_snapshot_period_idx")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.level} {self.period_end}"
