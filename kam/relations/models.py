"""People behind a client: profiles, stages, the influence map, notes (issue 11: AC-4, AC-5, AC-7, AC-9).

A client's contact person (``kam.clients.models.Contact``) gains a ``Profile``: VIP and KOL
marks, what is known in two parts (professional and public; personal: birthday, family,
interests, seen only with ``relation.personal.view`` and never exported), the relationship
stage with its history (``StageChange``), loyalty scales and competitors' activity with them.
``Relation`` rows between people draw the influence map; ``Note`` rows are the client's
information base. Every model reaches its client by ``ACCOUNT_PATH`` so reads are scoped by
``visible_to(user)`` (SE-1).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account, Contact
from kam.core.bounds import no_control_characters
from kam.core.models import TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet

SCALE = (1, 5)  # loyalty and strength: 1 (weakest) .. 5 (strongest)


class Stage(models.TextChoices):
    """The relationship's stages, in order: a move to an earlier one is a step back."""

    CONTACT = "contact", _("Contact")
    ACQUAINTANCE = "acquaintance", _("Acquaintance")
    LOYALTY = "loyalty", _("Loyalty")
    NEAR_FRIENDLY = "near_friendly", _("Near-friendly")


STAGE_ORDER = {value: i for i, value in enumerate(Stage.values)}


def _scale_check(field: str, name: str) -> models.CheckConstraint:
    low, high = SCALE
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": low, f"{field}__lte": high}),
        name=name,
    )


class Profile(TimeStampedModel):
    """What is known about one contact person (AC-4). One per contact, made on first write."""

    ACCOUNT_PATH = "contact__account__"
    PERSONAL_FIELDS = ("birthday", "family", "interests")
    PROFESSIONAL_FIELDS = ("specialty", "affiliations", "publications", "speaking")

    contact = models.OneToOneField(
        Contact, verbose_name=_("contact person"), on_delete=models.CASCADE, related_name="profile"
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    is_kol = models.BooleanField(_("KOL"), default=False)
    # professional, public
    specialty = models.CharField(
        _("specialty"), max_length=200, blank=True, validators=[no_control_characters]
    )
    affiliations = models.TextField(
        _("affiliations"), blank=True, validators=[no_control_characters]
    )
    publications = models.TextField(
        _("publications"), blank=True, validators=[no_control_characters]
    )
    speaking = models.TextField(_("speaking"), blank=True, validators=[no_control_characters])
    # personal: relation.personal.view only, never exported
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    family = models.TextField(_("family"), blank=True, validators=[no_control_characters])
    interests = models.TextField(_("interests"), blank=True, validators=[no_control_characters])
    stage = models.CharField(
        _("relationship stage"), max_length=16, choices=Stage.choices, default=Stage.CONTACT
    )
    loyalty_company = models.PositiveSmallIntegerField(
        _("loyalty to our company"), null=True, blank=True
    )
    loyalty_products = models.PositiveSmallIntegerField(
        _("loyalty to our products"), null=True, blank=True
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            _scale_check("loyalty_company", "profile_loyalty_company_scale"),
            _scale_check("loyalty_products", "profile_loyalty_products_scale"),
        ]

    def __str__(self) -> str:
        return str(self.contact)

    @property
    def loyalty(self) -> int | None:
        """Loyalty to the company, or to the products when the company's is not known."""
        return self.loyalty_company if self.loyalty_company is not None else self.loyalty_products


class StageChange(models.Model):
    """One move of a relationship's stage: who, when, why (a step back always says why)."""

    ACCOUNT_PATH = "profile__contact__account__"

    profile = models.ForeignKey(
        Profile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("on"))
    reason = models.TextField(_("reason"), blank=True, validators=[no_control_characters])
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["-on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=F("to_stage")), name="stage_change_moves"
            )
        ]

    def __str__(self) -> str:
        return f"{self.profile}: {self.from_stage} -> {self.to_stage}"


class CompetitorActivity(models.Model):
    """What a competitor was seen doing with a person (AC-7)."""

    ACCOUNT_PATH = "profile__contact__account__"

    profile = models.ForeignKey(
        Profile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="competitor_activities",
    )
    competitor = models.CharField(
        _("competitor"), max_length=200, validators=[no_control_characters]
    )
    what = models.TextField(_("what they did"), validators=[no_control_characters])
    seen_on = models.DateField(_("seen on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("competitor activity")
        verbose_name_plural = _("competitor activities")
        ordering = ["-seen_on", "-pk"]
        indexes = [models.Index(fields=["profile", "seen_on"], name="competitor_profile_seen_idx")]

    def __str__(self) -> str:
        return f"{self.competitor}: {self.profile}"


class Relation(TimeStampedModel):
    """A tie between two people, from one to the other (AC-5); people may be at two clients."""

    ACCOUNT_PATH = "from_person__account__"

    class Kind(models.TextChoices):
        REPORTS_TO = "reports_to", _("reports to")
        INFLUENCES = "influences", _("influences")
        ALLIES_WITH = "allies_with", _("allies with")
        RIVALS_WITH = "rivals_with", _("rivals with")

    from_person = models.ForeignKey(
        Contact, verbose_name=_("from"), on_delete=models.CASCADE, related_name="relations_out"
    )
    to_person = models.ForeignKey(
        Contact, verbose_name=_("to"), on_delete=models.CASCADE, related_name="relations_in"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    strength = models.PositiveSmallIntegerField(_("strength"), default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_person=F("to_person")), name="relation_not_self"
            ),
            models.UniqueConstraint(
                fields=["from_person", "to_person", "kind"], name="relation_unique"
            ),
            models.CheckConstraint(
                condition=Q(strength__gte=SCALE[0], strength__lte=SCALE[1]),
                name="relation_strength_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_person} {self.kind} {self.to_person}"


class Tag(models.Model):
    """A word notes are filed under: lower case, no commas or spaces."""

    name = models.CharField(_("tag"), max_length=40, unique=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Note(TimeStampedModel):
    """A dated entry in a client's information base (AC-9)."""

    class Kind(models.TextChoices):
        NEED = "need", _("Need")
        PROSPECT = "prospect", _("Prospect")
        FEEDBACK = "feedback", _("Feedback")
        OBSERVATION = "observation", _("Own observation")
        BUSINESS_CHANGE = "business_change", _("Change in its business")

    account = models.ForeignKey(
        Account,
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="information_notes",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("on"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("text"), validators=[no_control_characters])
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="notes")

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-on", "-pk"]
        indexes = [models.Index(fields=["account", "on"], name="note_account_on_idx")]

    def __str__(self) -> str:
        return f"{self.account}: {self.text[:40]}"


# --- account plans (AC-12) --------------------------------------------------------------------


class DevelopmentLevel(models.TextChoices):
    """The KAM's development level on one plan (situational leadership): it decides what the
    KAM may change without the manager's approval (``kam.relations.services_plans.ALONE``)."""

    D1 = "D1", _("D1 · enthusiastic beginner")
    D2 = "D2", _("D2 · disillusioned learner")
    D3 = "D3", _("D3 · capable but cautious")
    D4 = "D4", _("D4 · self-reliant achiever")


class AccountPlan(TimeStampedModel):
    """A key client's account plan (or a VIP/KOL "project" at it): goals, actions, a budget,
    the KAM's development level on it and a review cadence with the manager (AC-12)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.CASCADE, related_name="account_plans"
    )
    person = models.ForeignKey(
        Contact,
        verbose_name=_("VIP/KOL project"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="account_plans",
    )
    title = models.CharField(_("title"), max_length=200, validators=[no_control_characters])
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("KAM"),
        on_delete=models.PROTECT,
        related_name="account_plans",
    )
    level = models.CharField(
        _("development level"),
        max_length=2,
        choices=DevelopmentLevel.choices,
        default=DevelopmentLevel.D1,
    )
    level_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("level set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    level_set_on = models.DateField(_("level set on"), null=True, blank=True)
    review_every_days = models.PositiveSmallIntegerField(_("review every, days"), default=30)
    next_review_on = models.DateField(_("next review"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="account_plan_period"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="account_plan_budget"),
            models.CheckConstraint(
                condition=Q(review_every_days__gte=1, review_every_days__lte=366),
                name="account_plan_review_cadence",
            ),
        ]
        indexes = [models.Index(fields=["account", "status"], name="account_plan_account_idx")]

    def __str__(self) -> str:
        return self.title


class PlanLevelChange(models.Model):
    """The development level's history on a plan: from, to, who set it, when, why."""

    ACCOUNT_PATH = "plan__account__"

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="level_changes"
    )
    from_level = models.CharField(_("from"), max_length=2, choices=DevelopmentLevel.choices)
    to_level = models.CharField(_("to"), max_length=2, choices=DevelopmentLevel.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("on"))
    reason = models.TextField(_("why"), blank=True, validators=[no_control_characters])
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("development level change")
        verbose_name_plural = _("development level changes")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.from_level} -> {self.to_level}"


class PlanGoal(TimeStampedModel):
    """A goal of an account plan with its measure, target and where it stands."""

    ACCOUNT_PATH = "plan__account__"

    class Status(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        DONE = "done", _("Done")
        MISSED = "missed", _("Missed")

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals"
    )
    text = models.CharField(_("goal"), max_length=500, validators=[no_control_characters])
    measure = models.CharField(
        _("measure"), max_length=100, blank=True, validators=[no_control_characters]
    )
    target_value = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    current_value = models.DecimalField(
        _("current value"), max_digits=14, decimal_places=2, default=0
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ON_TRACK
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def progress(self) -> int | None:
        """The current value as a whole percentage of the target (None without a target)."""
        if not self.target_value:
            return None
        return round(self.current_value * 100 / self.target_value)


class PlanAction(TimeStampedModel):
    """An action of an account plan: what, who, by when, done when, what it costs."""

    ACCOUNT_PATH = "plan__account__"

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="actions"
    )
    goal = models.ForeignKey(
        PlanGoal,
        verbose_name=_("goal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="actions",
    )
    text = models.CharField(_("action"), max_length=500, validators=[no_control_characters])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="account_plan_actions",
    )
    due_on = models.DateField(_("due"))
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=0)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan action")
        verbose_name_plural = _("plan actions")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(cost__gte=0), name="plan_action_cost"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="plan_action_progress"),
        ]

    def __str__(self) -> str:
        return self.text


class PlanReview(models.Model):
    """A review of the plan with the manager."""

    ACCOUNT_PATH = "plan__account__"

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="reviews"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on = models.DateField(_("on"))
    notes = models.TextField(_("notes"), blank=True, validators=[no_control_characters])
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan review")
        verbose_name_plural = _("plan reviews")
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.plan}: {self.on}"


class PlanPendingChange(models.Model):
    """A change the KAM's level holds for the manager's approval: applied when approved,
    forgotten when refused. ``fields`` holds the proposed values, ``before`` what they were."""

    ACCOUNT_PATH = "plan__account__"

    class Kind(models.TextChoices):
        PLAN_UPDATE = "plan_update", _("Change the plan")
        BUDGET_SET = "budget_set", _("Set the budget")
        GOAL_ADD = "goal_add", _("Add a goal")
        GOAL_UPDATE = "goal_update", _("Change a goal")
        ACTION_ADD = "action_add", _("Add an action")
        ACTION_UPDATE = "action_update", _("Change an action")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    plan = models.ForeignKey(
        AccountPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="pending"
    )
    kind = models.CharField(_("change"), max_length=16, choices=Kind.choices)
    goal = models.ForeignKey(
        PlanGoal, verbose_name=_("goal"), null=True, blank=True, on_delete=models.CASCADE
    )
    action = models.ForeignKey(
        PlanAction, verbose_name=_("action"), null=True, blank=True, on_delete=models.CASCADE
    )
    fields = models.JSONField(_("proposed"), default=dict)
    before = models.JSONField(_("before"), default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("why"), blank=True, validators=[no_control_characters])

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending change")
        verbose_name_plural = _("pending changes")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["plan", "status"], name="plan_pending_status_idx")]

    def __str__(self) -> str:
        return f"{self.plan}: {self.kind} ({self.status})"
