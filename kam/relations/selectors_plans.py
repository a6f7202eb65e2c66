"""Reads of account plans, scoped by user (AC-12): the list, a plan's detail with its health and
reasons, the reviews due and pending changes for the manager's home page, a client's plans for
the client card. A plan whose client is out of sight answers 404, as a missing one does.

The health's contact part reads the client's last contact and rhythm from ``kam.activity``
(``contact_rhythms``: the layer below this one), as the reader's radar judges the client."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from kam.activity.selectors import ContactRhythm, contact_rhythms
from kam.clients.models import Account, Contact
from kam.core.bounds import as_of_or_today
from kam.core.periods import add_months, month_of
from kam.org.models import User
from kam.org.policy import Action, can, scope
from kam.relations import health
from kam.relations.models import (
    AccountPlan,
    DevelopmentLevel,
    PlanAction,
    PlanGoal,
    PlanPendingChange,
)
from kam.sales.models import ClientMonth

REVIEW_SOON_DAYS = 7  # the home page lists reviews due within a week
HOME_ROWS = 10


def plans_visible(*, user) -> QuerySet[AccountPlan]:
    return AccountPlan.objects.visible_to(user).select_related(
        "account", "owner", "person", "level_set_by"
    )


def plan_list(
    *,
    user,
    status: str = "",
    level: str = "",
    review_due: bool = False,
    account: Account | None = None,
    as_of: date | None = None,
) -> QuerySet[AccountPlan]:
    """The plans the user may see, with their goals, goals on track, actions, overdue actions,
    committed cost and pending changes counted (one query whatever the length)."""
    as_of = as_of_or_today(as_of)
    qs = plans_visible(user=user)
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if account is not None:
        qs = qs.filter(account=account)
    if review_due:
        qs = qs.filter(next_review_on__lte=as_of).exclude(status=AccountPlan.Status.CLOSED)
    on_track = Q(goals__status__in=[PlanGoal.Status.ON_TRACK, PlanGoal.Status.DONE])
    overdue = Q(actions__done_on__isnull=True, actions__due_on__lt=as_of)
    return qs.annotate(
        goals_total=Count("goals", distinct=True),
        goals_on_track=Count("goals", filter=on_track, distinct=True),
        actions_total=Count("actions", distinct=True),
        actions_overdue=Count("actions", filter=overdue, distinct=True),
        pending_count=Count(
            "pending", filter=Q(pending__status=PlanPendingChange.Status.PENDING), distinct=True
        ),
    ).order_by("next_review_on", "account__legal_name", "pk")


def plan_get(*, user, pk) -> AccountPlan:
    """One plan the user may see; 404 alike for missing and not yours."""
    try:
        return plans_visible(user=user).get(pk=pk)
    except (AccountPlan.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such account plan.") from None


def goal_get(*, user, pk) -> PlanGoal:
    try:
        return PlanGoal.objects.visible_to(user).select_related("plan__account").get(pk=pk)
    except (PlanGoal.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such goal.") from None


def action_get(*, user, pk) -> PlanAction:
    try:
        return (
            PlanAction.objects.visible_to(user)
            .select_related("plan__account", "owner", "goal")
            .get(pk=pk)
        )
    except (PlanAction.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such action.") from None


def pending_get(*, user, pk) -> PlanPendingChange:
    try:
        return (
            PlanPendingChange.objects.visible_to(user)
            .select_related("plan__account", "plan__owner", "by", "goal", "action")
            .get(pk=pk)
        )
    except (PlanPendingChange.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such change.") from None


def may_approve(*, user, plan: AccountPlan) -> bool:
    """The plan's manager: ``account_plan.approve`` on the client, and not the plan's KAM."""
    return user.pk != plan.owner_id and can(user, Action.ACCOUNT_PLAN_APPROVE, plan.account)


def income_halves_of(account_ids, *, as_of: date) -> dict[int, tuple[Decimal, Decimal]]:
    """Each client's income (revenue with a known cost, less the cost) in the last 6 complete
    months before ``as_of``'s month, and in the 6 before them, in one query; clients that sold
    nothing in those 12 months are left out."""
    this = month_of(as_of)
    first, middle = add_months(this, -12), add_months(this, -6)
    rows = ClientMonth.objects.filter(
        account_id__in=list(account_ids), month__gte=first, month__lt=this
    ).values_list("account_id", "month", "revenue", "revenue_uncosted", "cost")
    halves: dict[int, list[Decimal]] = {}
    for account_id, month, revenue, uncosted, cost in rows:
        last_before = halves.setdefault(account_id, [Decimal(0), Decimal(0)])
        last_before[0 if month >= middle else 1] += revenue - uncosted - cost
    return {k: (v[0], v[1]) for k, v in halves.items()}


def income_halves(*, account: Account, as_of: date) -> tuple[Decimal, Decimal] | None:
    """One client's ``income_halves_of``; None when it sold nothing in the 12 months."""
    return income_halves_of([account.pk], as_of=as_of).get(account.pk)


def _health(
    *,
    goals_on_track: int,
    goals_total: int,
    actions_overdue: int,
    actions_total: int,
    halves: tuple[Decimal, Decimal] | None,
    contact: ContactRhythm | None,
    currency: str,
) -> health.Health:
    return health.plan_health(
        goals_on_track=goals_on_track,
        goals_total=goals_total,
        actions_overdue=actions_overdue,
        actions_total=actions_total,
        days_since_contact=contact.days_since if contact else None,
        rhythm_days=contact.rhythm_days if contact else None,
        never_contacted=bool(contact and contact.never_contacted),
        contact_looked_up=contact is not None,
        income_last=halves[0] if halves else None,
        income_before=halves[1] if halves else None,
        currency=currency,
    )


def list_scores(*, user, plans: list[AccountPlan], as_of: date) -> dict[int, int | None]:
    """{plan id: health score} for plans of ``plan_list`` (its counts annotated), as
    ``plan_health`` scores each one, in a fixed number of reads: the clients' income and their
    contact rhythms."""
    accounts = {p.account_id for p in plans}
    halves = income_halves_of(accounts, as_of=as_of)
    contacts = contact_rhythms(user=user, account_ids=sorted(accounts), as_of=as_of)
    return {
        p.pk: _health(
            goals_on_track=p.goals_on_track,
            goals_total=p.goals_total,
            actions_overdue=p.actions_overdue,
            actions_total=p.actions_total,
            halves=halves.get(p.account_id),
            contact=contacts.get(p.account_id),
            currency=p.currency,
        ).score
        for p in plans
    }


def plan_health(
    *,
    plan: AccountPlan,
    goals: list[PlanGoal],
    actions: list[PlanAction],
    as_of: date,
    contact: ContactRhythm | None = None,
) -> health.Health:
    """``contact``: the client's last contact against its rhythm (None: not known)."""
    on_track = sum(g.status in (PlanGoal.Status.ON_TRACK, PlanGoal.Status.DONE) for g in goals)
    overdue = sum(a.done_on is None and a.due_on < as_of for a in actions)
    return _health(
        goals_on_track=on_track,
        goals_total=len(goals),
        actions_overdue=overdue,
        actions_total=len(actions),
        halves=income_halves(account=plan.account, as_of=as_of),
        contact=contact,
        currency=plan.currency,
    )


def client_contact(*, user, account_id: int, as_of: date) -> ContactRhythm:
    """The client's last contact against its rhythm, for the health's contact part."""
    return contact_rhythms(user=user, account_ids=[account_id], as_of=as_of)[account_id]


@dataclass
class PlanView:
    plan: AccountPlan
    goals: list[PlanGoal]
    actions: list[PlanAction]
    pending: list[PlanPendingChange]
    decided: list[PlanPendingChange]
    reviews: list
    levels: list
    health: health.Health
    committed: Decimal
    spent: Decimal
    as_of: date
    may_edit: bool = False
    may_approve: bool = False
    alone: list[str] = field(default_factory=list)
    chart: dict = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        return self.plan.budget - self.committed

    @property
    def over_budget(self) -> bool:
        return self.committed > self.plan.budget

    @property
    def review_due(self) -> bool:
        return bool(self.plan.next_review_on and self.plan.next_review_on <= self.as_of)


def alone_labels(level: str) -> list[str]:
    """What the level lets the KAM change alone, in words (the table in services_plans)."""
    return {
        DevelopmentLevel.D1: [_("nothing: every change waits for the manager's approval")],
        DevelopmentLevel.D2: [_("actions' progress and done dates")],
        DevelopmentLevel.D3: [_("actions"), _("goals' current values and status")],
        DevelopmentLevel.D4: [_("everything")],
    }[level]


def goals_chart(goals: list[PlanGoal]) -> dict:
    """Each goal's progress against its target, in per cent (a bar per goal)."""
    return {
        "labels": [g.text[:40] for g in goals],
        "progress": [g.progress if g.progress is not None else 0 for g in goals],
        "status": [g.status for g in goals],
        "name": _("Progress against the target, %"),
    }


def plan_detail(
    *,
    user,
    plan: AccountPlan,
    as_of: date | None = None,
) -> PlanView:
    """A plan with its goals, actions, pending and decided changes, reviews, level history, the
    budget's use and its health with the reasons (the caller fetched it with ``plan_get``)."""
    as_of = as_of_or_today(as_of)
    goals = list(plan.goals.all())
    actions = list(plan.actions.select_related("owner", "goal"))
    changes = list(plan.pending.select_related("by", "decided_by", "goal", "action"))
    committed = sum((a.cost for a in actions), Decimal(0))
    spent = sum((a.cost for a in actions if a.done_on is not None), Decimal(0))
    return PlanView(
        plan=plan,
        goals=goals,
        actions=actions,
        pending=with_rows(c for c in changes if c.status == PlanPendingChange.Status.PENDING),
        decided=with_rows(
            [c for c in changes if c.status != PlanPendingChange.Status.PENDING][:20]
        ),
        reviews=list(plan.reviews.select_related("by")),
        levels=list(plan.level_changes.select_related("by")),
        health=plan_health(
            plan=plan,
            goals=goals,
            actions=actions,
            as_of=as_of,
            contact=client_contact(user=user, account_id=plan.account_id, as_of=as_of),
        ),
        committed=committed,
        spent=spent,
        as_of=as_of,
        may_edit=can(user, Action.ACCOUNT_PLAN_EDIT, plan.account),
        may_approve=may_approve(user=user, plan=plan),
        alone=alone_labels(plan.level),
        chart=goals_chart(goals),
    )


FIELD_LABELS = {
    "title": _lazy("title"),
    "starts_on": _lazy("from"),
    "ends_on": _lazy("to"),
    "review_every_days": _lazy("review every, days"),
    "status": _lazy("status"),
    "person": _lazy("VIP/KOL project"),
    "budget": _lazy("budget"),
    "text": _lazy("text"),
    "measure": _lazy("measure"),
    "target_value": _lazy("target"),
    "current_value": _lazy("current value"),
    "due_on": _lazy("due"),
    "goal": _lazy("goal"),
    "owner": _lazy("owner"),
    "cost": _lazy("cost"),
    "progress": _lazy("progress, %"),
    "done_on": _lazy("done on"),
}


def _shown(name: str, value) -> str:
    if value is None or value == "":
        return "—"
    if name == "owner":
        user = User.objects.filter(pk=value).first()
        return str(user) if user else str(value)
    if name == "goal":
        goal = PlanGoal.objects.filter(pk=value).first()
        return goal.text if goal else str(value)
    if name == "person":
        person = Contact.objects.filter(pk=value).first()
        return str(person) if person else str(value)
    return str(value)


def change_rows(change: PlanPendingChange) -> list[tuple[str, str, str]]:
    """A pending change in words: (field, before, proposed) for each field it changes."""
    return [
        (
            str(FIELD_LABELS.get(name, name)),
            _shown(name, change.before.get(name)) if name in change.before else "",
            _shown(name, value),
        )
        for name, value in change.fields.items()
    ]


def with_rows(changes):
    changes = list(changes)
    for c in changes:
        c.rows = change_rows(c)
    return changes


def pending_for(*, user) -> QuerySet[PlanPendingChange]:
    """Pending changes the user may decide: on plans of clients in their approve scope, not
    their own plans."""
    q = scope(user, Action.ACCOUNT_PLAN_APPROVE, prefix="plan__account__")
    qs = PlanPendingChange.objects.filter(status=PlanPendingChange.Status.PENDING)
    if q is not None:
        qs = qs.filter(q)
    return (
        qs.exclude(plan__owner=user)
        .select_related("plan__account", "plan__owner", "by", "goal", "action")
        .order_by("created_at", "pk")
    )


def home_panel(*, user, as_of: date) -> dict | None:
    """The manager's home page: plans whose review is due (within a week) and the changes
    waiting for their decision. None for someone who approves no plans, or with nothing due."""
    if not can(user, Action.ACCOUNT_PLAN_APPROVE):
        return None
    as_of = as_of_or_today(as_of)
    q = scope(user, Action.ACCOUNT_PLAN_APPROVE, prefix="account__")
    plans = AccountPlan.objects.exclude(status=AccountPlan.Status.CLOSED).exclude(owner=user)
    if q is not None:
        plans = plans.filter(q)
    soon = as_of.toordinal() + REVIEW_SOON_DAYS
    due = list(
        plans.filter(next_review_on__lte=date.fromordinal(soon))
        .select_related("account", "owner")
        .order_by("next_review_on", "pk")[:HOME_ROWS]
    )
    pending = pending_for(user=user)
    count = pending.count()
    if not due and not count:
        return None
    return {
        "plans_reviews_due": due,
        "plans_pending": list(pending[:HOME_ROWS]),
        "plans_pending_count": count,
        "plans_as_of": as_of,
    }


def client_panel(*, user, account: Account, as_of: date | None = None) -> dict | None:
    """The client card's account plans: each with its level, status, next review and health
    score. None for a reader who may not see the client."""
    if not can(user, Action.CLIENT_VIEW, account):
        return None
    as_of = as_of_or_today(as_of)
    plans = list(plan_list(user=user, account=account, as_of=as_of))
    scores = list_scores(user=user, plans=plans, as_of=as_of) if plans else {}
    rows = [(plan, scores[plan.pk]) for plan in plans]
    return {
        "plans_account": account,
        "plans_rows": rows,
        "plans_may_create": can(user, Action.ACCOUNT_PLAN_EDIT, account),
        "plans_as_of": as_of,
    }
