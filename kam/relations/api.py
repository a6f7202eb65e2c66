"""HTTP API of the relationship workspace (mounted at /api/relations by kam/api.py): a
client's people, a profile (the personal block only for relation.personal.view: otherwise the
key is absent), stage moves, competitors' activity, relations, the influence map per client
and per territory, and the information base. The same selectors and services as the pages; a
client or person out of the caller's sight answers 404, one they see but may not change 403."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.clients.selectors import account_get
from kam.core.bounds import MAX_ID
from kam.core.schemas import Pages
from kam.org.models import User
from kam.relations import selectors, selectors_plans, services, services_plans
from kam.relations.schemas import (
    AccountPlanActionIn,
    AccountPlanActionPatch,
    AccountPlanBudgetIn,
    AccountPlanChangeOut,
    AccountPlanDecisionIn,
    AccountPlanDoneIn,
    AccountPlanFilter,
    AccountPlanGoalIn,
    AccountPlanGoalPatch,
    AccountPlanIn,
    AccountPlanLevelIn,
    AccountPlanLevelOut,
    AccountPlanOut,
    AccountPlanPatch,
    AccountPlanPendingOut,
    AccountPlanReviewIn,
    AccountPlanReviewOut,
    AccountPlanRowOut,
    ProfileCompetitorIn,
    ProfileCompetitorOut,
    ProfileIn,
    ProfileOut,
    ProfileRowOut,
    ProfileStageChangeOut,
    ProfileStageIn,
    RelationIn,
    RelationMapOut,
    RelationNoteFilter,
    RelationNoteIn,
    RelationNoteOut,
    RelationNotePatch,
    RelationOut,
)

router = Router()


def _row(p: selectors.PersonRow) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "position": p.position,
        "decision_role": p.decision_role,
        "client_id": p.account_id,
        "client": p.account_name,
        "is_vip": p.is_vip,
        "is_kol": p.is_kol,
        "stage": p.stage,
        "loyalty_company": p.loyalty_company,
        "loyalty_products": p.loyalty_products,
        "specialty": p.specialty,
    }


def _relation(r) -> dict:
    return {
        "id": r.pk,
        "from_person_id": r.from_person_id,
        "to_person_id": r.to_person_id,
        "kind": r.kind,
        "strength": r.strength,
    }


def _profile(user, contact) -> dict:
    view = selectors.profile_detail(user=user, contact=contact)
    out = {
        **_row(view.person),
        "affiliations": view.affiliations,
        "publications": view.publications,
        "speaking": view.speaking,
        "history": [
            {
                "from_stage": h.from_stage,
                "to_stage": h.to_stage,
                "on": h.on,
                "by": str(h.by) if h.by else "",
                "reason": h.reason,
            }
            for h in view.history
        ],
        "competitors": [
            {"id": c.pk, "competitor": c.competitor, "what": c.what, "seen_on": c.seen_on}
            for c in view.competitors
        ],
        "relations": [_relation(r) for r, _side, _other in view.relations],
    }
    if view.personal is not None:  # absent, not empty, for anybody else
        out["personal"] = view.personal
    return out


def _note(n) -> dict:
    return {
        "id": n.pk,
        "client_id": n.account_id,
        "client": n.account.legal_name,
        "on": n.on,
        "kind": n.kind,
        "text": n.text,
        "tags": [t.name for t in n.tags.all()],
        "written_by": str(n.written_by) if n.written_by else "",
    }


def _map(m: selectors.InfluenceMap) -> dict:
    b = m.balance
    return {
        **m.data,
        "ranking": [r.person.id for r in m.ranking],
        "balance": {"us": b.us, "competitors": b.competitors, "neutral": b.neutral, "tilt": b.tilt},
        "cuts": [
            {"leaver": c.leaver.id, "target": c.target.id, "cut_off": [p.id for p in c.cut_off]}
            for c in m.cuts
        ],
        "total_people": m.total_people,
        "cuts_total": m.cuts_total,
    }


@router.get(
    "/clients/{int:client_id}/people",
    response=list[ProfileRowOut],
    summary="A client's people with marks and stages (no personal part)",
)
def people_list(request, client_id: int):
    account = account_get(user=request.auth, pk=client_id)
    return [_row(p) for p in selectors.person_list(user=request.auth, account=account)]


@router.get(
    "/people/{int:person_id}",
    response=ProfileOut,
    exclude_unset=True,
    summary="A person's profile (the personal block only for the KAM and their managers)",
)
def profile_detail(request, person_id: int):
    contact = selectors.person_get(user=request.auth, pk=person_id)
    return _profile(request.auth, contact)


@router.patch(
    "/people/{int:person_id}",
    response=ProfileOut,
    exclude_unset=True,
    summary="Change a profile (what is sent changes)",
)
def profile_update(request, person_id: int, payload: ProfileIn):
    contact = selectors.person_get(user=request.auth, pk=person_id)
    data = payload.model_dump(exclude_unset=True)
    services.profile_update(actor=request.auth, contact=contact, **data)
    return _profile(request.auth, selectors.person_get(user=request.auth, pk=person_id))


@router.post(
    "/people/{int:person_id}/stage",
    response={201: ProfileStageChangeOut},
    summary="Move the relationship's stage (a step back needs a reason)",
)
def stage_move(request, person_id: int, payload: ProfileStageIn):
    contact = selectors.person_get(user=request.auth, pk=person_id)
    change = services.stage_move(actor=request.auth, contact=contact, **payload.model_dump())
    by = change.by
    return Status(
        201,
        {
            "from_stage": change.from_stage,
            "to_stage": change.to_stage,
            "on": change.on,
            "by": str(by) if by else "",
            "reason": change.reason,
        },
    )


@router.post(
    "/people/{int:person_id}/competitors",
    response={201: ProfileCompetitorOut},
    summary="Record a competitor's activity with the person",
)
def competitor_record(request, person_id: int, payload: ProfileCompetitorIn):
    contact = selectors.person_get(user=request.auth, pk=person_id)
    item = services.competitor_activity_record(
        actor=request.auth, contact=contact, **payload.model_dump()
    )
    return Status(201, item)


def _person_or_field(user, pk: int, field: str):
    if not 0 < pk <= MAX_ID:
        raise ValidationError({field: _("No such person.")})
    return selectors.person_get(user=user, pk=pk)


@router.post(
    "/relations",
    response={201: RelationOut},
    summary="Record a relation between two people (no self, no duplicate)",
)
def relation_add(request, payload: RelationIn):
    source = _person_or_field(request.auth, payload.from_person_id, "from_person_id")
    target = _person_or_field(request.auth, payload.to_person_id, "to_person_id")
    relation = services.relation_add(
        actor=request.auth,
        from_person=source,
        to_person=target,
        kind=payload.kind,
        strength=payload.strength,
    )
    return Status(201, _relation(relation))


@router.delete("/relations/{int:relation_id}", response={204: None}, summary="Remove a relation")
def relation_remove(request, relation_id: int):
    relation = selectors.relation_get(user=request.auth, pk=relation_id)
    services.relation_remove(actor=request.auth, relation=relation)
    return Status(204, None)


@router.get(
    "/clients/{int:client_id}/graph",
    response=RelationMapOut,
    summary="A client's influence map: people, relations, ranking, balance, cut vertices",
)
def client_graph(request, client_id: int):
    account = account_get(user=request.auth, pk=client_id)
    return _map(selectors.client_map(user=request.auth, account=account))


@router.get(
    "/territories/{int:territory_id}/graph",
    response=RelationMapOut,
    summary="A territory's influence map over the people the caller may see",
)
def territory_graph(request, territory_id: int):
    territory = selectors.territory_get(pk=territory_id)
    return _map(selectors.territory_map(user=request.auth, territory=territory))


class _NoteRows:
    """The notes' queryset, turned into rows (tags fetched) one page at a time."""

    def __init__(self, qs):
        self.qs = qs

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [_note(n) for n in self.qs.prefetch_related("tags")[key]]


@router.get(
    "/notes",
    response=list[RelationNoteOut],
    summary="Notes of the clients the caller may see: search text and tags, filter",
)
@paginate(Pages)
def note_list(request, filters: Query[RelationNoteFilter]):
    account = None
    if filters.client_id is not None:
        account = account_get(user=request.auth, pk=filters.client_id)
    qs = selectors.note_list(
        user=request.auth, account=account, q=filters.q, kind=filters.kind, tag=filters.tag
    )
    return _NoteRows(qs)


@router.post(
    "/clients/{int:client_id}/notes",
    response={201: RelationNoteOut},
    summary="Add a note to a client's information base",
)
def note_add(request, client_id: int, payload: RelationNoteIn):
    account = account_get(user=request.auth, pk=client_id)
    note = services.note_add(actor=request.auth, account=account, **payload.model_dump())
    return Status(201, _note(selectors.note_get(user=request.auth, pk=note.pk)))


@router.patch("/notes/{int:note_id}", response=RelationNoteOut, summary="Change a note")
def note_update(request, note_id: int, payload: RelationNotePatch):
    note = selectors.note_get(user=request.auth, pk=note_id)
    services.note_update(actor=request.auth, note=note, **payload.model_dump(exclude_unset=True))
    return _note(selectors.note_get(user=request.auth, pk=note_id))


# --- account plans (AC-12) --------------------------------------------------------------------


def _name(user) -> str:
    return str(user) if user else ""


def _plan_row(p) -> dict:
    return {
        "id": p.pk,
        "client_id": p.account_id,
        "client": p.account.legal_name,
        "person_id": p.person_id,
        "title": p.title,
        "starts_on": p.starts_on,
        "ends_on": p.ends_on,
        "owner_id": p.owner_id,
        "owner": _name(p.owner),
        "level": p.level,
        "status": p.status,
        "budget": p.budget,
        "currency": p.currency,
        "review_every_days": p.review_every_days,
        "next_review_on": p.next_review_on,
        "goals_total": getattr(p, "goals_total", 0),
        "goals_on_track": getattr(p, "goals_on_track", 0),
        "actions_total": getattr(p, "actions_total", 0),
        "actions_overdue": getattr(p, "actions_overdue", 0),
        "pending": getattr(p, "pending_count", 0),
    }


def _pending(c) -> dict:
    return {
        "id": c.pk,
        "plan_id": c.plan_id,
        "kind": c.kind,
        "goal_id": c.goal_id,
        "action_id": c.action_id,
        "fields": c.fields,
        "before": c.before,
        "by": _name(c.by),
        "created_at": c.created_at,
        "status": c.status,
        "decided_by": _name(c.decided_by),
        "decided_at": c.decided_at,
        "decision_note": c.decision_note,
    }


def _plan_out(user, pk: int) -> dict:
    plan = selectors_plans.plan_get(user=user, pk=pk)
    view = selectors_plans.plan_detail(user=user, plan=plan)
    goals, actions = view.goals, view.actions
    row = next(iter(selectors_plans.plan_list(user=user, account=plan.account).filter(pk=pk)))
    return {
        **_plan_row(row),
        "level_set_by": _name(plan.level_set_by),
        "level_set_on": plan.level_set_on,
        "may_alone": sorted(services_plans.ALONE[plan.level]),
        "committed": view.committed,
        "spent": view.spent,
        "goals": [
            {
                "id": g.pk,
                "text": g.text,
                "measure": g.measure,
                "target_value": g.target_value,
                "current_value": g.current_value,
                "progress": g.progress,
                "due_on": g.due_on,
                "status": g.status,
            }
            for g in goals
        ],
        "actions": [
            {
                "id": a.pk,
                "goal_id": a.goal_id,
                "text": a.text,
                "owner_id": a.owner_id,
                "owner": _name(a.owner),
                "due_on": a.due_on,
                "progress": a.progress,
                "done_on": a.done_on,
                "cost": a.cost,
                "overdue": a.done_on is None and a.due_on < view.as_of,
            }
            for a in actions
        ],
        "pending_changes": [_pending(c) for c in view.pending],
        "reviews": [
            {"id": r.pk, "on": r.on, "by": _name(r.by), "notes": r.notes} for r in view.reviews
        ],
        "levels": [
            {
                "from_level": x.from_level,
                "to_level": x.to_level,
                "on": x.on,
                "by": _name(x.by),
                "reason": x.reason,
            }
            for x in view.levels
        ],
        "health": {
            "score": view.health.score,
            "parts": [
                {
                    "name": p.name,
                    "weight": p.weight,
                    "score": None if p.score is None else float(p.score),
                    "reason": p.reason,
                }
                for p in view.health.parts
            ],
        },
    }


def _change(result: services_plans.PlanChange, *, created: bool = False):
    """200 (201 for an addition) when applied; 202 when it waits for the manager."""
    body = {
        "status": result.status,
        "applied": result.applied,
        "pending": _pending(result.pending) if result.pending else None,
        "id": getattr(result.obj, "pk", None),
        "warnings": result.warnings,
    }
    if result.status == "pending":
        return Status(202, body)
    return Status(201 if created else 200, body)


def _renamed(data: dict) -> dict:
    names = {"owner_id": "owner", "goal_id": "goal", "person_id": "person"}
    return {names.get(k, k): v for k, v in data.items()}


def _user_or_field(pk: int | None, field: str):
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first() if 0 < pk <= MAX_ID else None
    if user is None:
        raise ValidationError({field: _("No such person.")})
    return user


CHANGE = {200: AccountPlanChangeOut, 201: AccountPlanChangeOut, 202: AccountPlanChangeOut}


@router.get(
    "/account-plans",
    response=list[AccountPlanRowOut],
    summary="Account plans the caller may see: filter by status, level, review due, client",
)
@paginate(Pages)
def plan_list(request, filters: Query[AccountPlanFilter]):
    account = None
    if filters.client_id is not None:
        account = account_get(user=request.auth, pk=filters.client_id)
    qs = selectors_plans.plan_list(
        user=request.auth,
        status=filters.status,
        level=filters.level,
        review_due=filters.review_due,
        account=account,
    )
    return _Rows(qs, _plan_row)


class _Rows:
    """A queryset turned into rows one page at a time."""

    def __init__(self, qs, row):
        self.qs, self.row = qs, row

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [self.row(p) for p in self.qs[key]]


@router.post(
    "/account-plans",
    response={201: AccountPlanOut},
    summary="A new account plan for a client (at D1; a KAM's budget waits for approval)",
)
def plan_create(request, payload: AccountPlanIn):
    account = account_get(user=request.auth, pk=payload.client_id)
    result = services_plans.account_plan_create(
        actor=request.auth,
        account=account,
        title=payload.title,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        owner=_user_or_field(payload.owner_id, "owner_id"),
        person=payload.person_id,
        review_every_days=payload.review_every_days,
        budget=payload.budget,
        status=payload.status,
    )
    return Status(201, _plan_out(request.auth, result.obj.pk))


@router.get(
    "/account-plans/pending",
    response=list[AccountPlanPendingOut],
    summary="The changes waiting for the caller's decision (a manager's)",
)
@paginate(Pages)
def pending_list(request):
    return _Rows(selectors_plans.pending_for(user=request.auth), _pending)


@router.get(
    "/account-plans/{int:plan_id}",
    response=AccountPlanOut,
    summary="A plan with goals, actions, pending changes, reviews, levels and health",
)
def plan_detail(request, plan_id: int):
    return _plan_out(request.auth, plan_id)


@router.patch(
    "/account-plans/{int:plan_id}",
    response=CHANGE,
    summary="Change the plan's title, period, cadence, status or project (D4 alone)",
)
def plan_update(request, plan_id: int, payload: AccountPlanPatch):
    plan = selectors_plans.plan_get(user=request.auth, pk=plan_id)
    data = _renamed(payload.model_dump(exclude_unset=True))
    return _change(services_plans.account_plan_update(actor=request.auth, plan=plan, **data))


@router.put(
    "/account-plans/{int:plan_id}/budget",
    response=CHANGE,
    summary="Set the budget (D4 or the manager alone; else it waits: 202)",
)
def plan_budget(request, plan_id: int, payload: AccountPlanBudgetIn):
    plan = selectors_plans.plan_get(user=request.auth, pk=plan_id)
    return _change(services_plans.budget_set(actor=request.auth, plan=plan, budget=payload.budget))


@router.post(
    "/account-plans/{int:plan_id}/goals",
    response=CHANGE,
    summary="Add a goal: 201 when added, 202 when it waits for the manager",
)
def goal_add(request, plan_id: int, payload: AccountPlanGoalIn):
    plan = selectors_plans.plan_get(user=request.auth, pk=plan_id)
    result = services_plans.goal_add(actor=request.auth, plan=plan, **payload.model_dump())
    return _change(result, created=True)


@router.patch(
    "/account-plans/goals/{int:goal_id}",
    response=CHANGE,
    summary="Change a goal: what the level allows applies, the rest waits (202 if all waits)",
)
def goal_update(request, goal_id: int, payload: AccountPlanGoalPatch):
    goal = selectors_plans.goal_get(user=request.auth, pk=goal_id)
    data = payload.model_dump(exclude_unset=True)
    return _change(services_plans.goal_update(actor=request.auth, goal=goal, **data))


@router.post(
    "/account-plans/{int:plan_id}/actions",
    response=CHANGE,
    summary="Add an action: 201 when added, 202 when it waits for the manager",
)
def action_add(request, plan_id: int, payload: AccountPlanActionIn):
    plan = selectors_plans.plan_get(user=request.auth, pk=plan_id)
    data = _renamed(payload.model_dump())
    data["owner"] = _user_or_field(data["owner"], "owner_id")
    return _change(services_plans.action_add(actor=request.auth, plan=plan, **data), created=True)


@router.patch(
    "/account-plans/actions/{int:action_id}",
    response=CHANGE,
    summary="Change an action: what the level allows applies, the rest waits",
)
def action_update(request, action_id: int, payload: AccountPlanActionPatch):
    item = selectors_plans.action_get(user=request.auth, pk=action_id)
    data = _renamed(payload.model_dump(exclude_unset=True))
    if "owner" in data:
        data["owner"] = _user_or_field(data["owner"], "owner_id")
    return _change(services_plans.action_update(actor=request.auth, action=item, **data))


@router.post(
    "/account-plans/actions/{int:action_id}/done",
    response=CHANGE,
    summary="Mark an action done (D2 and up alone)",
)
def action_done(request, action_id: int, payload: AccountPlanDoneIn):
    item = selectors_plans.action_get(user=request.auth, pk=action_id)
    return _change(
        services_plans.action_done(actor=request.auth, action=item, done_on=payload.done_on)
    )


@router.post(
    "/account-plans/{int:plan_id}/level",
    response={201: AccountPlanLevelOut},
    summary="The manager sets the KAM's development level (403 on one's own plan)",
)
def level_set(request, plan_id: int, payload: AccountPlanLevelIn):
    plan = selectors_plans.plan_get(user=request.auth, pk=plan_id)
    change = services_plans.account_plan_level_set(
        actor=request.auth, plan=plan, level=payload.level, reason=payload.reason
    )
    return Status(
        201,
        {
            "from_level": change.from_level,
            "to_level": change.to_level,
            "on": change.on,
            "by": _name(change.by),
            "reason": change.reason,
        },
    )


@router.post(
    "/account-plans/{int:plan_id}/reviews",
    response={201: AccountPlanReviewOut},
    summary="The manager records a review; the next falls a cadence later",
)
def review_record(request, plan_id: int, payload: AccountPlanReviewIn):
    plan = selectors_plans.plan_get(user=request.auth, pk=plan_id)
    review = services_plans.review_record(
        actor=request.auth, plan=plan, on=payload.on, notes=payload.notes
    )
    return Status(
        201, {"id": review.pk, "on": review.on, "by": _name(review.by), "notes": review.notes}
    )


@router.post(
    "/account-plans/pending/{int:change_id}/approve",
    response=AccountPlanChangeOut,
    summary="Approve a pending change: it is applied now",
)
def pending_approve(request, change_id: int, payload: AccountPlanDecisionIn):
    change = selectors_plans.pending_get(user=request.auth, pk=change_id)
    result = services_plans.pending_approve(actor=request.auth, change=change, note=payload.note)
    return {
        "status": result.status,
        "applied": result.applied,
        "pending": None,
        "id": getattr(result.obj, "pk", None),
        "warnings": result.warnings,
    }


@router.post(
    "/account-plans/pending/{int:change_id}/refuse",
    response=AccountPlanPendingOut,
    summary="Refuse a pending change: nothing of it is applied",
)
def pending_refuse(request, change_id: int, payload: AccountPlanDecisionIn):
    change = selectors_plans.pending_get(user=request.auth, pk=change_id)
    change = services_plans.pending_refuse(actor=request.auth, change=change, note=payload.note)
    return _pending(selectors_plans.pending_get(user=request.auth, pk=change.pk))
