"""Writes of account plans (issue 11 item 7: AC-12).

The manager sets the KAM's development level on a plan (D1..D4) and the level decides what the
KAM may change alone (``ALONE``). A change the level does not allow is kept as a
``PlanPendingChange`` that the manager approves (it is applied then, by the manager) or refuses
(nothing changes). The manager's own changes apply at once. An update that touches fields of two
groups is split: what the level allows applies, the rest waits.

Every write asks the policy (``account_plan.edit`` on the client; ``account_plan.approve`` for
the level, reviews and decisions, never on one's own plan), validates (dates within
``kam.core.bounds``, amounts within ``MAX_AMOUNT``, no control characters), refuses naming the
field with nothing changed, and is audited. Spending past the budget is allowed, with a warning.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.clients.models import Account, Contact
from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.money import quantize
from kam.core.selectors import company_settings
from kam.core.services import audit_record
from kam.org.models import User
from kam.org.policy import Action, can, require
from kam.relations.models import (
    AccountPlan,
    DevelopmentLevel,
    PlanAction,
    PlanGoal,
    PlanLevelChange,
    PlanPendingChange,
    PlanReview,
)
from kam.relations.services import _text

__all__ = [
    "ALONE",
    "PlanChange",
    "account_plan_create",
    "account_plan_level_set",
    "account_plan_update",
    "action_add",
    "action_done",
    "action_update",
    "budget_set",
    "goal_add",
    "goal_update",
    "is_manager",
    "may_alone",
    "pending_approve",
    "pending_refuse",
    "review_record",
]

TITLE = 200
TEXT = 500
MEASURE = 100
NOTES = 5000
REVIEW_DAYS = (1, 366)

# What a change touches: the groups the level table speaks of.
PLAN = "plan"  # title, period, review cadence, status, the VIP/KOL project
BUDGET = "budget"
GOALS = "goals"  # add a goal; its text, measure, target and due date
GOAL_PROGRESS = "goal_progress"  # a goal's current value and status
ACTIONS = "actions"  # add an action; its text, goal, owner, due date and cost
ACTION_PROGRESS = "action_progress"  # an action's progress and done date
GROUPS = (PLAN, BUDGET, GOALS, GOAL_PROGRESS, ACTIONS, ACTION_PROGRESS)

# What the KAM may change without the manager's approval, by their level on the plan.
#
# | level | changes alone                                   | waits for approval         |
# |-------|-------------------------------------------------|----------------------------|
# | D1    | nothing                                          | everything                 |
# | D2    | actions' progress and done dates                 | all else                   |
# | D3    | actions (all of them), goals' current values     | goals' targets, the budget |
# |       | and status                                       | and the plan itself        |
# | D4    | everything                                       | nothing                    |
ALONE: dict[str, frozenset[str]] = {
    DevelopmentLevel.D1: frozenset(),
    DevelopmentLevel.D2: frozenset({ACTION_PROGRESS}),
    DevelopmentLevel.D3: frozenset({ACTION_PROGRESS, ACTIONS, GOAL_PROGRESS}),
    DevelopmentLevel.D4: frozenset(GROUPS),
}

GOAL_GROUPS = {
    "text": GOALS,
    "measure": GOALS,
    "target_value": GOALS,
    "due_on": GOALS,
    "current_value": GOAL_PROGRESS,
    "status": GOAL_PROGRESS,
}
ACTION_GROUPS = {
    "text": ACTIONS,
    "goal": ACTIONS,
    "owner": ACTIONS,
    "due_on": ACTIONS,
    "cost": ACTIONS,
    "progress": ACTION_PROGRESS,
    "done_on": ACTION_PROGRESS,
}
PLAN_FIELDS = ("title", "starts_on", "ends_on", "review_every_days", "status", "person")

DECIMALS = {"target_value", "current_value", "cost", "budget"}
DATES = {"due_on", "done_on", "starts_on", "ends_on"}


@dataclass
class PlanChange:
    """What became of a change: the fields applied at once, the pending change holding the
    rest (None: nothing waits), the object changed or added, and warnings (over budget)."""

    obj: object | None = None
    applied: list[str] = field(default_factory=list)
    pending: PlanPendingChange | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        """applied | pending | partly | unchanged"""
        if self.pending is not None:
            return "partly" if self.applied else "pending"
        return "applied" if self.applied else "unchanged"


def _today() -> date:
    return timezone.localdate()


def _pk(actor):
    return actor.pk if getattr(actor, "pk", None) else None


def is_manager(actor, plan: AccountPlan) -> bool:
    """Is ``actor`` a manager of this plan's KAM: ``account_plan.approve`` on the client, and
    not the plan's own KAM. None (the system: demo, commands) counts as a manager."""
    if actor is None:
        return True
    return actor.pk != plan.owner_id and can(actor, Action.ACCOUNT_PLAN_APPROVE, plan.account)


def may_alone(actor, plan: AccountPlan, group: str) -> bool:
    """May ``actor`` change ``group`` of ``plan`` without approval?"""
    return is_manager(actor, plan) or group in ALONE[plan.level]


def _require_edit(actor, plan_or_account) -> None:
    account = plan_or_account if isinstance(plan_or_account, Account) else plan_or_account.account
    if actor is not None:
        require(actor, Action.ACCOUNT_PLAN_EDIT, account)


def _require_manager(actor, plan: AccountPlan) -> None:
    if actor is None:
        return
    require(actor, Action.ACCOUNT_PLAN_APPROVE, plan.account)
    if actor.pk == plan.owner_id:
        raise PermissionDenied(
            _("Your own plan's level, reviews and changes are for your manager to decide.")
        )


def _open(plan: AccountPlan) -> None:
    if plan.status == AccountPlan.Status.CLOSED:
        raise ValidationError({"plan": _("The plan is closed: reopen it first.")})


# --- cleaning: the same for a change applied now and one approved later -----------------------


def _amount(value, *, field: str, minimum: Decimal | None = Decimal(0)) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: _("Enter a value.")})
    return bounds.check_amount(value, field=field, minimum=minimum)


def _date(value, *, field: str, latest: date | None = None) -> date:
    if value is None or value == "":
        raise ValidationError({field: _("Enter a date.")})
    if not isinstance(value, date):
        try:
            value = date.fromisoformat(str(value))
        except ValueError:
            raise ValidationError({field: _("Enter a valid date.")}) from None
    return bounds.check_date(value, field=field, latest=latest)


def _choice(value, choices, *, field: str) -> str:
    if value not in choices:
        raise ValidationError({field: _("Choose one of the offered values.")})
    return value


def _unknown(data: dict, known) -> None:
    extra = set(data) - set(known)
    if extra:
        raise ValidationError({name: _("Unknown field.") for name in sorted(extra)})


def _clean_goal(plan: AccountPlan, data: dict) -> dict:
    _unknown(data, GOAL_GROUPS)
    out = {}
    if "text" in data:
        out["text"] = _text(data["text"], field="text", limit=TEXT, required=True)
    if "measure" in data:
        out["measure"] = _text(data["measure"], field="measure", limit=MEASURE)
    if "target_value" in data:
        out["target_value"] = _amount(data["target_value"], field="target_value")
    if "current_value" in data:
        out["current_value"] = _amount(data["current_value"], field="current_value", minimum=None)
    if "due_on" in data:
        out["due_on"] = _date(data["due_on"], field="due_on")
    if "status" in data:
        out["status"] = _choice(data["status"], PlanGoal.Status.values, field="status")
    return out


def _goal_of(plan: AccountPlan, value) -> PlanGoal | None:
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, PlanGoal) else value
    goal = PlanGoal.objects.filter(plan=plan, pk=pk).first() if str(pk).isdigit() else None
    if goal is None:
        raise ValidationError({"goal": _("Choose a goal of this plan.")})
    return goal


def _owner_of(plan: AccountPlan, value) -> User:
    if value is None or value == "":
        raise ValidationError({"owner": _("Choose who does it.")})
    user = value if isinstance(value, User) else None
    if user is None and str(value).isdigit():
        user = User.objects.filter(pk=int(value)).first()
    if user is None or not user.is_active or not can(user, Action.CLIENT_VIEW, plan.account):
        raise ValidationError({"owner": _("Choose somebody who sees the client.")})
    return user


def _clean_action(plan: AccountPlan, data: dict) -> dict:
    _unknown(data, ACTION_GROUPS)
    out = {}
    if "text" in data:
        out["text"] = _text(data["text"], field="text", limit=TEXT, required=True)
    if "goal" in data:
        out["goal"] = _goal_of(plan, data["goal"])
    if "owner" in data:
        out["owner"] = _owner_of(plan, data["owner"])
    if "due_on" in data:
        out["due_on"] = _date(data["due_on"], field="due_on")
    if "cost" in data:
        out["cost"] = _amount(data["cost"], field="cost")
    if "progress" in data:
        value = data["progress"]
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
            raise ValidationError({"progress": _("Give a whole number from 0 to 100.")})
        out["progress"] = value
    if "done_on" in data:
        out["done_on"] = (
            None
            if data["done_on"] in (None, "")
            else _date(data["done_on"], field="done_on", latest=_today())
        )
    return out


def _person_of(account: Account, value) -> Contact | None:
    if value is None or value == "":
        return None
    pk = value.pk if isinstance(value, Contact) else value
    person = Contact.objects.filter(account=account, pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        raise ValidationError({"person": _("Choose one of the client's people.")})
    return person


def _clean_plan(account: Account, data: dict, *, current: AccountPlan | None = None) -> dict:
    _unknown(data, PLAN_FIELDS)
    out = {}
    if "title" in data:
        out["title"] = _text(data["title"], field="title", limit=TITLE, required=True)
    if "starts_on" in data:
        out["starts_on"] = _date(data["starts_on"], field="starts_on")
    if "ends_on" in data:
        out["ends_on"] = _date(data["ends_on"], field="ends_on")
    starts = out.get("starts_on", current.starts_on if current else None)
    ends = out.get("ends_on", current.ends_on if current else None)
    if starts and ends and ends < starts:
        raise ValidationError({"ends_on": _("The plan cannot end before it starts.")})
    if "review_every_days" in data:
        days = data["review_every_days"]
        low, high = REVIEW_DAYS
        if isinstance(days, bool) or not isinstance(days, int) or not low <= days <= high:
            raise ValidationError(
                {
                    "review_every_days": _("Give a number of days from %(low)d to %(high)d.")
                    % {"low": low, "high": high}
                }
            )
        out["review_every_days"] = days
    if "status" in data:
        out["status"] = _choice(data["status"], AccountPlan.Status.values, field="status")
    if "person" in data:
        out["person"] = _person_of(account, data["person"])
    return out


# --- the JSON a pending change keeps ----------------------------------------------------------


def _to_json(values: dict) -> dict:
    out = {}
    for name, value in values.items():
        if hasattr(value, "pk"):
            out[name] = value.pk
        elif isinstance(value, Decimal):
            out[name] = str(quantize(value))
        elif isinstance(value, date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def _from_json(values: dict) -> dict:
    out = {}
    for name, value in values.items():
        if value is not None and name in DECIMALS:
            out[name] = Decimal(value)
        elif value is not None and name in DATES:
            out[name] = date.fromisoformat(value)
        else:
            out[name] = value
    return out


def _before(obj, names) -> dict:
    return _to_json({n: getattr(obj, n) for n in names})


# --- writing ----------------------------------------------------------------------------------


def committed(plan: AccountPlan) -> Decimal:
    """What the plan's actions cost, done or not."""
    return PlanAction.objects.filter(plan=plan).aggregate(s=Sum("cost"))["s"] or Decimal(0)


def _budget_warnings(plan: AccountPlan) -> list[str]:
    cost = committed(plan)
    if cost <= plan.budget:
        return []
    return [
        _("The actions cost %(cost)s %(currency)s: %(over)s past the budget of %(budget)s.")
        % {
            "cost": quantize(cost),
            "currency": plan.currency,
            "over": quantize(cost - plan.budget),
            "budget": quantize(plan.budget),
        }
    ]


def _changes(obj, clean: dict) -> dict:
    changed = {}
    for name, new in clean.items():
        old = getattr(obj, name)
        if old != new:
            changed[name] = [
                old.pk if hasattr(old, "pk") else old,
                new.pk if hasattr(new, "pk") else new,
            ]
            setattr(obj, name, new)
    return changed


def _audit(actor, action, instance, summary, changes=None, approved: PlanPendingChange = None):
    if approved is not None:
        changes = {**(changes or {}), "approved_change": approved.pk}
    audit_record(actor=actor, action=action, instance=instance, summary=summary, changes=changes)


def _propose(
    actor, plan: AccountPlan, kind: str, values: dict, *, goal=None, action=None, before=None
) -> PlanPendingChange:
    change = PlanPendingChange.objects.create(
        plan=plan,
        kind=kind,
        goal=goal,
        action=action,
        fields=_to_json(values),
        before=before or {},
        by=actor if _pk(actor) else None,
    )
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        change,
        f"pending {kind} on account plan {plan.pk} ({plan.account})",
        {"fields": sorted(values)},
    )
    return change


def _write_plan(actor, plan: AccountPlan, clean: dict, approved=None) -> list[str]:
    changes = _changes(plan, clean)
    if changes:
        plan.full_clean()
        plan.save()
        _audit(actor, AuditEntry.Action.UPDATE, plan, f"account plan {plan}", changes, approved)
    return sorted(changes)


def _write_goal(actor, goal: PlanGoal, clean: dict, approved=None) -> list[str]:
    changes = _changes(goal, clean)
    if changes:
        goal.full_clean()
        goal.save()
        _audit(actor, AuditEntry.Action.UPDATE, goal, f"goal of {goal.plan}", changes, approved)
    return sorted(changes)


def _write_action(actor, item: PlanAction, clean: dict, approved=None) -> list[str]:
    changes = _changes(item, clean)
    if changes:
        item.full_clean()
        item.save()
        _audit(actor, AuditEntry.Action.UPDATE, item, f"action of {item.plan}", changes, approved)
    return sorted(changes)


def _create_goal(actor, plan: AccountPlan, clean: dict, approved=None) -> PlanGoal:
    goal = PlanGoal(plan=plan, **clean)
    goal.full_clean()
    goal.save()
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        goal,
        f"goal of {plan}",
        {"target_value": goal.target_value, "due_on": goal.due_on},
        approved,
    )
    return goal


def _create_action(actor, plan: AccountPlan, clean: dict, approved=None) -> PlanAction:
    item = PlanAction(plan=plan, **clean)
    item.full_clean()
    item.save()
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        item,
        f"action of {plan}",
        {"cost": item.cost, "due_on": item.due_on, "owner": item.owner_id},
        approved,
    )
    return item


def _split(actor, plan, clean: dict, groups: dict) -> tuple[dict, dict]:
    now, later = {}, {}
    for name, value in clean.items():
        (now if may_alone(actor, plan, groups[name]) else later)[name] = value
    return now, later


def _same(obj, clean: dict) -> dict:
    """Only what would really change (a proposal of today's values waits for nobody)."""
    return {k: v for k, v in clean.items() if getattr(obj, k) != v}


@transaction.atomic
def account_plan_create(
    *,
    actor,
    account: Account,
    title: str,
    starts_on: date,
    ends_on: date,
    owner: User | None = None,
    person: Contact | int | None = None,
    review_every_days: int = 30,
    budget: Decimal | str | int = 0,
    status: str = AccountPlan.Status.DRAFT,
) -> PlanChange:
    """A new plan for ``account`` (a key client; ``person``: a VIP/KOL project at it), at D1
    until the manager sets the level. Its KAM is ``owner`` (default: the client's KAM), who must
    be allowed to edit the client's plans. A budget given by somebody who is not the KAM's
    manager waits for the manager's approval."""
    _require_edit(actor, account)
    clean = _clean_plan(
        account,
        {
            "title": title,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "review_every_days": review_every_days,
            "status": status,
            "person": person,
        },
    )
    budget = _amount(budget, field="budget")
    owner = owner or account.owner or (actor if _pk(actor) else None)
    if owner is None or not can(owner, Action.ACCOUNT_PLAN_EDIT, account):
        raise ValidationError({"owner": _("Choose a KAM who may work on this client's plans.")})
    plan = AccountPlan(
        account=account,
        owner=owner,
        currency=company_settings().base_currency,
        next_review_on=max(clean["starts_on"], _today())
        + timedelta(days=clean["review_every_days"]),
        created_by=actor if _pk(actor) else None,
        **clean,
    )
    plan.full_clean()
    plan.save()
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        plan,
        f"account plan {plan} for {account}",
        {"owner": owner.pk, "starts_on": plan.starts_on, "ends_on": plan.ends_on},
    )
    result = PlanChange(obj=plan, applied=sorted(clean))
    if budget:
        if may_alone(actor, plan, BUDGET):
            result.applied += _write_plan(actor, plan, {"budget": budget})
        else:
            result.pending = _propose(
                actor, plan, PlanPendingChange.Kind.BUDGET_SET, {"budget": budget}, before={}
            )
    return result


@transaction.atomic
def account_plan_update(*, actor, plan: AccountPlan, **data) -> PlanChange:
    """Change the plan's title, period, review cadence, status or VIP/KOL project (D4 alone;
    otherwise it waits for the manager)."""
    _require_edit(actor, plan)
    clean = _same(plan, _clean_plan(plan.account, data, current=plan))
    if not clean:
        return PlanChange(obj=plan)
    if may_alone(actor, plan, PLAN):
        return PlanChange(obj=plan, applied=_write_plan(actor, plan, clean))
    pending = _propose(
        actor,
        plan,
        PlanPendingChange.Kind.PLAN_UPDATE,
        clean,
        before=_before(plan, clean),
    )
    return PlanChange(obj=plan, pending=pending)


@transaction.atomic
def budget_set(*, actor, plan: AccountPlan, budget) -> PlanChange:
    """Set the plan's budget (in the base currency); D4 or the manager alone."""
    _require_edit(actor, plan)
    _open(plan)
    clean = _same(plan, {"budget": _amount(budget, field="budget")})
    if not clean:
        return PlanChange(obj=plan)
    if may_alone(actor, plan, BUDGET):
        applied = _write_plan(actor, plan, clean)
        return PlanChange(obj=plan, applied=applied, warnings=_budget_warnings(plan))
    pending = _propose(
        actor, plan, PlanPendingChange.Kind.BUDGET_SET, clean, before=_before(plan, clean)
    )
    return PlanChange(obj=plan, pending=pending)


@transaction.atomic
def goal_add(
    *,
    actor,
    plan: AccountPlan,
    text: str,
    target_value,
    due_on: date,
    measure: str = "",
    current_value=0,
    status: str = PlanGoal.Status.ON_TRACK,
) -> PlanChange:
    """A new goal (D4 or the manager alone; otherwise it waits)."""
    _require_edit(actor, plan)
    _open(plan)
    clean = _clean_goal(
        plan,
        {
            "text": text,
            "measure": measure,
            "target_value": target_value,
            "current_value": current_value,
            "due_on": due_on,
            "status": status,
        },
    )
    if may_alone(actor, plan, GOALS):
        return PlanChange(obj=_create_goal(actor, plan, clean), applied=sorted(clean))
    return PlanChange(pending=_propose(actor, plan, PlanPendingChange.Kind.GOAL_ADD, clean))


@transaction.atomic
def goal_update(*, actor, goal: PlanGoal, **data) -> PlanChange:
    """Change a goal: its current value and status (D3 alone), its text, measure, target and
    due date (D4 alone). What the level does not allow waits for the manager."""
    plan = goal.plan
    _require_edit(actor, plan)
    _open(plan)
    clean = _same(goal, _clean_goal(plan, data))
    now, later = _split(actor, plan, clean, GOAL_GROUPS)
    result = PlanChange(obj=goal, applied=_write_goal(actor, goal, now) if now else [])
    if later:
        result.pending = _propose(
            actor,
            plan,
            PlanPendingChange.Kind.GOAL_UPDATE,
            later,
            goal=goal,
            before=_before(goal, later),
        )
    return result


@transaction.atomic
def action_add(
    *,
    actor,
    plan: AccountPlan,
    text: str,
    owner: User | int | None,
    due_on: date,
    goal: PlanGoal | int | None = None,
    cost=0,
) -> PlanChange:
    """A new action (D3 alone; otherwise it waits). Its ``owner`` must see the client. Costs
    past the budget are allowed with a warning."""
    _require_edit(actor, plan)
    _open(plan)
    clean = _clean_action(
        plan, {"text": text, "owner": owner, "due_on": due_on, "goal": goal, "cost": cost}
    )
    if may_alone(actor, plan, ACTIONS):
        item = _create_action(actor, plan, clean)
        return PlanChange(obj=item, applied=sorted(clean), warnings=_budget_warnings(plan))
    return PlanChange(pending=_propose(actor, plan, PlanPendingChange.Kind.ACTION_ADD, clean))


@transaction.atomic
def action_update(*, actor, action: PlanAction, **data) -> PlanChange:
    """Change an action: its progress and done date (D2 alone), the rest (D3 alone). What the
    level does not allow waits for the manager."""
    plan = action.plan
    _require_edit(actor, plan)
    _open(plan)
    clean = _same(action, _clean_action(plan, data))
    now, later = _split(actor, plan, clean, ACTION_GROUPS)
    result = PlanChange(obj=action, applied=_write_action(actor, action, now) if now else [])
    if "cost" in now:
        result.warnings = _budget_warnings(plan)
    if later:
        result.pending = _propose(
            actor,
            plan,
            PlanPendingChange.Kind.ACTION_UPDATE,
            later,
            action=action,
            before=_before(action, later),
        )
    return result


def action_done(*, actor, action: PlanAction, done_on: date | None = None) -> PlanChange:
    """Mark an action done (on ``done_on``, default today; never in the future): progress 100."""
    return action_update(actor=actor, action=action, done_on=done_on or _today(), progress=100)


@transaction.atomic
def account_plan_level_set(
    *, actor, plan: AccountPlan, level: str, reason: str = "", on: date | None = None
) -> PlanLevelChange:
    """The manager sets the KAM's development level on the plan (never on their own plan)."""
    _require_manager(actor, plan)
    level = _choice(level, DevelopmentLevel.values, field="level")
    if level == plan.level and plan.level_set_on is not None:
        raise ValidationError({"level": _("The plan is at this level already.")})
    on = _today() if on is None else _date(on, field="on", latest=_today())
    reason = _text(reason, field="reason", limit=NOTES)
    change = PlanLevelChange.objects.create(
        plan=plan,
        from_level=plan.level,
        to_level=level,
        by=actor if _pk(actor) else None,
        on=on,
        reason=reason,
    )
    old = plan.level
    plan.level, plan.level_set_by, plan.level_set_on = level, change.by, on
    plan.save(update_fields=["level", "level_set_by", "level_set_on", "updated_at"])
    _audit(actor, AuditEntry.Action.UPDATE, plan, f"level on {plan}", {"level": [old, level]})
    return change


@transaction.atomic
def review_record(
    *, actor, plan: AccountPlan, on: date | None = None, notes: str = ""
) -> PlanReview:
    """The manager reviewed the plan with the KAM; the next review falls a cadence later."""
    _require_manager(actor, plan)
    on = _today() if on is None else _date(on, field="on", latest=_today())
    notes = _text(notes, field="notes", limit=NOTES)
    review = PlanReview.objects.create(
        plan=plan, by=actor if _pk(actor) else None, on=on, notes=notes
    )
    old = plan.next_review_on
    plan.next_review_on = on + timedelta(days=plan.review_every_days)
    plan.save(update_fields=["next_review_on", "updated_at"])
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        review,
        f"review of {plan}",
        {"on": on, "next_review_on": [old, plan.next_review_on]},
    )
    return review


def _locked_pending(change: PlanPendingChange) -> PlanPendingChange:
    change = PlanPendingChange.objects.select_for_update().select_related("plan").get(pk=change.pk)
    if change.status != PlanPendingChange.Status.PENDING:
        raise ValidationError({"status": _("This change is decided already.")})
    return change


@transaction.atomic
def pending_approve(*, actor, change: PlanPendingChange, note: str = "") -> PlanChange:
    """Approve a pending change: it is applied now, as proposed (validated again), by the
    approver. A change that no longer holds is refused naming its field, nothing changed."""
    _require_manager(actor, change.plan)
    note = _text(note, field="note", limit=NOTES)
    change = _locked_pending(change)
    plan = change.plan
    values = _from_json(change.fields)
    kind = change.kind
    result = PlanChange()
    if kind == PlanPendingChange.Kind.PLAN_UPDATE:
        clean = _clean_plan(plan.account, values, current=plan)
        result = PlanChange(obj=plan, applied=_write_plan(actor, plan, clean, change))
    elif kind == PlanPendingChange.Kind.BUDGET_SET:
        _open(plan)
        clean = {"budget": _amount(values.get("budget"), field="budget")}
        result = PlanChange(obj=plan, applied=_write_plan(actor, plan, clean, change))
        result.warnings = _budget_warnings(plan)
    elif kind == PlanPendingChange.Kind.GOAL_ADD:
        _open(plan)
        clean = _clean_goal(plan, values)
        result = PlanChange(obj=_create_goal(actor, plan, clean, change), applied=sorted(clean))
    elif kind == PlanPendingChange.Kind.GOAL_UPDATE:
        _open(plan)
        clean = _clean_goal(plan, values)
        result = PlanChange(obj=change.goal, applied=_write_goal(actor, change.goal, clean, change))
    elif kind == PlanPendingChange.Kind.ACTION_ADD:
        _open(plan)
        clean = _clean_action(plan, values)
        item = _create_action(actor, plan, clean, change)
        result = PlanChange(obj=item, applied=sorted(clean), warnings=_budget_warnings(plan))
    elif kind == PlanPendingChange.Kind.ACTION_UPDATE:
        _open(plan)
        clean = _clean_action(plan, values)
        applied = _write_action(actor, change.action, clean, change)
        result = PlanChange(obj=change.action, applied=applied, warnings=_budget_warnings(plan))
    change.status = PlanPendingChange.Status.APPROVED
    change.decided_by = actor if _pk(actor) else None
    change.decided_at = timezone.now()
    change.decision_note = note
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _audit(actor, AuditEntry.Action.UPDATE, change, f"approved {kind} on {plan}")
    return result


@transaction.atomic
def pending_refuse(*, actor, change: PlanPendingChange, note: str = "") -> PlanPendingChange:
    """Refuse a pending change: nothing of it is applied."""
    _require_manager(actor, change.plan)
    note = _text(note, field="note", limit=NOTES)
    change = _locked_pending(change)
    change.status = PlanPendingChange.Status.REFUSED
    change.decided_by = actor if _pk(actor) else None
    change.decided_at = timezone.now()
    change.decision_note = note
    change.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    _audit(actor, AuditEntry.Action.UPDATE, change, f"refused {change.kind} on {change.plan}")
    return change
