"""Who may do what, in one place (issue 7 §4; SE-1, SE-2).

Two questions, answered for every app by the same rules:

- ``can(user, action, obj=None)`` / ``require(...)``: may this user do ``action`` (to ``obj``)?
- ``scope(user, action, prefix=...)``: on which rows? (a ``Q`` over the client reached by
  ``prefix``, or None for "all of them").
- ``holders(action)``: which people hold the action by their own role (a ``Q`` over users; the
  CLI picks its default operator with it).

An action is allowed when the user's **role** is in the action's roles *and*, for an action on
a client (or on something that hangs off one), the client lies in the user's **scope** for the
action. A deputy (SE-2) holds, between the order's dates, every right of the person they stand
in for, so each question is asked for the user and for everyone they act for.

``require`` answers like a read does: an object outside the user's sight raises ``Http404``
(the same as a missing one: nothing leaks); an object the user may see but not act on raises
``PermissionDenied`` with a sentence that says who may. Services call ``require``; views, the
API and the CLI call ``can`` only to decide what to show (a button, a menu).

The role x action matrix is written out in ``docs/permissions.md`` and tested cell by cell.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from kam.org.models import Role, User
from kam.org.selectors import acting_for, person_scope, visible_owner_filter


class Action(StrEnum):
    # clients (issue 7 §6)
    CLIENT_VIEW = "client.view"
    CLIENT_CREATE = "client.create"
    CLIENT_EDIT = "client.edit"
    CLIENT_REASSIGN = "client.reassign"
    CLIENT_ARCHIVE = "client.archive"
    # the radar (KC-*)
    KEY_EVIDENCE_RECORD = "radar.evidence.record"
    RADAR_SETTINGS_EDIT = "radar.settings.edit"
    RADAR_SNAPSHOT_TAKE = "radar.snapshot.take"
    # the ERP's history
    IMPORT_RUN = "import.run"
    # orders to cash (issue 9: CT, OR, CR, AR)
    PRICE_MANAGE = "price.manage"
    CONTRACT_EDIT = "contract.edit"
    CONTRACT_CONCLUDE = "contract.conclude"
    ORDER_DRAFT = "order.draft"
    ORDER_PROCESS = "order.process"
    DISCOUNT_APPROVE = "discount.approve"
    REASON_MANAGE = "reason.manage"
    DISCREPANCY_RECORD = "discrepancy.record"
    CREDIT_CHECK_RECORD = "credit.check.record"
    CREDIT_LIMIT_SET = "credit.limit.set"
    CREDIT_OVERRIDE = "credit.override"
    CREDIT_SETTINGS_EDIT = "credit.settings.edit"
    SETTLEMENT_RECORD = "settlement.record"
    COLLECTION_WORK = "collection.work"
    # plans and pay (issue 10: SP-1..SP-4); people, not clients: services check that the
    # unit or the person lies among the actor's visible people (kam.org.selectors)
    PLAN_SET = "plan.set"
    PLAN_SETTINGS_EDIT = "plan.settings.edit"
    PAY_SCHEME_MANAGE = "pay.scheme.manage"
    PAY_STATEMENT_PREPARE = "pay.statement.prepare"
    PAY_STATEMENT_APPROVE = "pay.statement.approve"
    PAY_STATEMENT_LOCK = "pay.statement.lock"
    PROMOTION_PROPOSE = "promotion.propose"
    PROMOTION_APPROVE = "promotion.approve"
    # the relationship workspace (issue 11: AC-*)
    ACTIVITY_RECORD = "activity.record"
    ACTIVITY_SETTINGS_EDIT = "activity.settings.edit"
    RELATION_EDIT = "relation.edit"
    PERSONAL_VIEW = "relation.personal.view"
    TASK_ASSIGN = "task.assign"
    COMPLAINT_RECORD = "complaint.record"
    ACCOUNT_PLAN_EDIT = "account_plan.edit"
    ACCOUNT_PLAN_APPROVE = "account_plan.approve"


ALL_ROLES = frozenset(Role.values)
MANAGEMENT = frozenset({Role.DIRECTOR, Role.ADMIN})
SALES_LINE = frozenset({Role.DIRECTOR, Role.HEAD, Role.REGIONAL, Role.KAM})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    on_object: bool  # does the object have to be in the person's scope?
    denied: str  # the sentence ``require`` gives a user who may see but not do


RULES: dict[Action, Rule] = {
    Action.CLIENT_VIEW: Rule(ALL_ROLES, True, _("You may not see this client.")),
    Action.CLIENT_CREATE: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD, Role.REGIONAL, Role.KAM, Role.SUPPORT}),
        False,
        _("A credit controller may not create clients."),
    ),
    Action.CLIENT_EDIT: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD, Role.REGIONAL, Role.KAM, Role.SUPPORT}),
        True,
        _("Only the client's sales team may change the client."),
    ),
    Action.CLIENT_REASSIGN: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD}),
        True,
        _("Only the head of the department or the director may give a client to another KAM."),
    ),
    Action.CLIENT_ARCHIVE: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD}),
        True,
        _("Only the head of the department or the director may archive a client."),
    ),
    Action.KEY_EVIDENCE_RECORD: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD, Role.REGIONAL, Role.KAM}),
        True,
        _("Only the client's KAM and their managers may record why a client is key."),
    ),
    Action.RADAR_SETTINGS_EDIT: Rule(
        MANAGEMENT, False, _("Only a director or an administrator may change the radar.")
    ),
    Action.RADAR_SNAPSHOT_TAKE: Rule(
        MANAGEMENT, False, _("Only a director or an administrator may take radar snapshots.")
    ),
    Action.IMPORT_RUN: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.SUPPORT}),
        False,
        _("Only a director, an administrator or sales support may import."),
    ),
    Action.PRICE_MANAGE: Rule(
        MANAGEMENT, False, _("Only a director or an administrator may change price lists.")
    ),
    Action.CONTRACT_EDIT: Rule(
        SALES_LINE | {Role.ADMIN},
        True,
        _("Only the client's KAM and their managers may prepare the client's contracts."),
    ),
    Action.CONTRACT_CONCLUDE: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD}),
        True,
        _("Only the head of the department or the director may conclude or end a contract."),
    ),
    Action.ORDER_DRAFT: Rule(
        SALES_LINE,
        True,
        _("Only the client's KAM and their managers may draft and submit the client's orders."),
    ),
    Action.ORDER_PROCESS: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.SUPPORT}),
        True,
        _("Only sales support may enter, confirm, ship and refuse orders."),
    ),
    Action.DISCOUNT_APPROVE: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD}),
        True,
        _("Only the head of the department or the director may approve a discount."),
    ),
    Action.REASON_MANAGE: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD}),
        False,
        _("Only a head of department or the director may change reasons and preventive actions."),
    ),
    Action.DISCREPANCY_RECORD: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD, Role.KAM, Role.SUPPORT}),
        True,
        _("Only the client's KAM, sales support and their managers may record a discrepancy."),
    ),
    Action.CREDIT_CHECK_RECORD: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.CREDIT}),
        True,
        _("Only a credit controller may record a credit check."),
    ),
    Action.CREDIT_LIMIT_SET: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.CREDIT}),
        True,
        _("Only a credit controller may change a credit limit or payment terms."),
    ),
    Action.CREDIT_OVERRIDE: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD, Role.CREDIT}),
        True,
        _("Only a credit controller or the head of the department may release a blocked order."),
    ),
    Action.CREDIT_SETTINGS_EDIT: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.CREDIT}),
        False,
        _("Only a credit controller or the director may change the credit rules."),
    ),
    Action.SETTLEMENT_RECORD: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.SUPPORT, Role.CREDIT}),
        True,
        _("Only sales support or a credit controller may record payments and credit notes."),
    ),
    Action.COLLECTION_WORK: Rule(
        SALES_LINE | {Role.CREDIT},
        True,
        _("Only the client's KAM, their managers and credit control may work on the debt."),
    ),
    Action.PLAN_SET: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD, Role.REGIONAL}),
        False,
        _("Only the director, a head of department or a regional manager may set plans."),
    ),
    Action.PLAN_SETTINGS_EDIT: Rule(
        MANAGEMENT, False, _("Only a director or an administrator may change the plan rules.")
    ),
    Action.PAY_SCHEME_MANAGE: Rule(
        MANAGEMENT, False, _("Only a director or an administrator may change pay schemes.")
    ),
    Action.PAY_STATEMENT_PREPARE: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD}),
        False,
        _("Only the head of the department or the director may prepare pay statements."),
    ),
    Action.PAY_STATEMENT_APPROVE: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD}),
        False,
        _("Only the head of the department or the director may approve a pay statement."),
    ),
    Action.PAY_STATEMENT_LOCK: Rule(
        MANAGEMENT, False, _("Only a director or an administrator may lock pay statements.")
    ),
    Action.PROMOTION_PROPOSE: Rule(
        frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD}),
        False,
        _("Only the head of a department or the director may propose a promotion."),
    ),
    Action.PROMOTION_APPROVE: Rule(
        frozenset({Role.DIRECTOR}), False, _("Only the director may approve a promotion.")
    ),
    Action.ACTIVITY_RECORD: Rule(
        SALES_LINE,
        True,
        _("Only the client's KAM and their managers may plan and log visits and calls."),
    ),
    Action.ACTIVITY_SETTINGS_EDIT: Rule(
        MANAGEMENT,
        False,
        _("Only a director or an administrator may change the relationship rhythm."),
    ),
    Action.RELATION_EDIT: Rule(
        SALES_LINE,
        True,
        _("Only the client's KAM and their managers may change what is known about its people."),
    ),
    # The personal part of a profile (AC-4: birthday, family, interests) is narrower than the
    # client: the owning KAM and their managers (the owner's line), never support or credit.
    Action.PERSONAL_VIEW: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD, Role.REGIONAL, Role.KAM}),
        True,
        _("Only the client's KAM and their manager may see the personal part of a profile."),
    ),
    # Tasks go from a manager to the people they manage (AC-10): the service checks that the
    # assignee lies among the actor's visible people.
    Action.TASK_ASSIGN: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD, Role.REGIONAL}),
        False,
        _("Only the director, a head of department or a regional manager may give tasks."),
    ),
    Action.COMPLAINT_RECORD: Rule(
        SALES_LINE | {Role.SUPPORT},
        True,
        _("Only the client's KAM, sales support and their managers may record a complaint."),
    ),
    Action.ACCOUNT_PLAN_EDIT: Rule(
        SALES_LINE,
        True,
        _("Only the client's KAM and their managers may change the client's account plan."),
    ),
    # The manager sets the KAM's development level (D1..D4) on a plan and approves what the
    # level does not let the KAM change alone (AC-12).
    Action.ACCOUNT_PLAN_APPROVE: Rule(
        frozenset({Role.DIRECTOR, Role.HEAD, Role.REGIONAL}),
        True,
        _("Only the KAM's manager may set the development level or approve an account plan."),
    ),
}


def _role_allows(person: User, rule: Rule) -> bool:
    if not person.is_active:
        return False
    return person.is_superuser or person.role in rule.roles


def _people(user: User | None) -> list[User]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return acting_for(user)


def _in_scope(person: User, obj: Model, prefix: str) -> bool:
    q = person_scope(person, prefix=prefix)
    if q is None:
        return True
    return type(obj)._default_manager.filter(pk=obj.pk).filter(q).exists()


def can(user: User | None, action: Action, obj: Model | None = None, *, prefix: str = "") -> bool:
    """May ``user`` do ``action`` (to ``obj``, a client or a record reached by ``prefix``)?"""
    rule = RULES[action]
    for person in _people(user):
        if not _role_allows(person, rule):
            continue
        if obj is None or not rule.on_object or _in_scope(person, obj, prefix):
            return True
    return False


def require(
    user: User | None, action: Action, obj: Model | None = None, *, prefix: str = ""
) -> None:
    """Raise unless ``can``: Http404 when ``obj`` is out of the user's sight, else 403."""
    if can(user, action, obj, prefix=prefix):
        return
    if obj is not None and not can(user, Action.CLIENT_VIEW, obj, prefix=prefix):
        raise Http404(_("Not found."))
    raise PermissionDenied(RULES[action].denied)


def holders(action: Action) -> Q:
    """People (a Q over ``User``) whose own role allows ``action``: the CLI picks its operator
    with it. Deputyships are not counted here; ``can`` counts them."""
    return Q(is_active=True) & (Q(role__in=sorted(RULES[action].roles)) | Q(is_superuser=True))


def scope(user: User | None, action: Action = Action.CLIENT_VIEW, *, prefix: str = "") -> Q | None:
    """The rows (clients reached by ``prefix``) on which ``user`` may do ``action``.

    None means every row; ``Q(pk__in=[])`` none."""
    rule = RULES[action]
    people = [p for p in _people(user) if _role_allows(p, rule)]
    if not people:
        return Q(pk__in=[])
    if action == Action.CLIENT_VIEW:
        return visible_owner_filter(user, prefix=prefix)
    combined = Q(pk__in=[])
    for person in people:
        q = person_scope(person, prefix=prefix)
        if q is None:
            return None
        combined |= q
    return combined
