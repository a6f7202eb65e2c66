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
from kam.relations import selectors, services
from kam.relations.schemas import (
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
                "by": (h.by.get_full_name() or h.by.username) if h.by else "",
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
        "written_by": (n.written_by.get_full_name() or n.written_by.username)
        if n.written_by
        else "",
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
            "by": (by.get_full_name() or by.username) if by else "",
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
