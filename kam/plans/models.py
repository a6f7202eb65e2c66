"""Plans per period for the company, a department or a person (SP-1).

A plan has the three measures of SP-1: sales volume (turnover, and income where the company
plans margin), the active client base and new clients. Plans cascade: the company's plan is
split among departments, a department's among its people (a head splits among the KAMs, a
regional manager among theirs); ``parent`` names the plan a plan was split from.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.models import Department
from kam.plans import rules


class PlanSettings(TimeStampedModel):
    """The company's plan rules: one row (kam.core.selectors.single_row)."""

    plans_income = models.BooleanField(
        _("the company plans income (margin)"), default=False, db_default=False
    )
    # The definition of an active client (SP-1): at least this many purchase documents in
    # the period, worth at least this much turnover together.
    active_min_documents = models.PositiveSmallIntegerField(
        _("an active client buys at least this many times in the period"), default=1
    )
    active_min_turnover = MoneyField(_("and for at least this turnover"))

    class Meta:
        verbose_name = _("plan settings")
        verbose_name_plural = _("plan settings")

    def __str__(self) -> str:
        return str(_("plan settings"))


class Plan(TimeStampedModel):
    class Kind(models.TextChoices):
        MONTH = rules.MONTH, _("month")
        QUARTER = rules.QUARTER, _("quarter")
        YEAR = rules.YEAR, _("year")

    class Level(models.TextChoices):
        COMPANY = "company", _("company")
        DEPARTMENT = "department", _("department")
        PERSON = "person", _("person")

    kind = models.CharField(_("period kind"), max_length=8, choices=Kind.choices)
    starts_on = models.DateField(_("period starts on"))
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    turnover = MoneyField(_("turnover"))
    income = MoneyField(_("income"), null=True, blank=True, default=None)
    active_clients = models.PositiveIntegerField(_("active clients"), default=0)
    new_clients = models.PositiveIntegerField(_("new clients"), default=0)
    currency = CurrencyField()
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["kind", "starts_on", "level", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "starts_on"],
                condition=models.Q(level="company"),
                name="plan_company_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "starts_on", "department"],
                condition=models.Q(level="department"),
                name="plan_department_unique",
            ),
            models.UniqueConstraint(
                fields=["kind", "starts_on", "person"],
                condition=models.Q(level="person"),
                name="plan_person_unique",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(level="company", department__isnull=True, person__isnull=True)
                    | models.Q(level="department", department__isnull=False, person__isnull=True)
                    | models.Q(level="person", person__isnull=False)
                ),
                name="plan_level_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(turnover__gte=0)
                & (models.Q(income__isnull=True) | models.Q(income__gte=0)),
                name="plan_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["person", "kind", "starts_on"], name="plan_person_idx")]

    def __str__(self) -> str:
        unit = self.person or self.department or _("company")
        return f"{unit} {self.kind} {self.starts_on:%Y-%m}"
