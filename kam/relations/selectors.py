"""Reads of the relationship workspace, scoped by user (issue 11: AC-4, AC-5, AC-7, AC-9).

Every read starts from the clients the user may see (``visible_to``): a client or a person out
of sight answers 404, as a missing one does. The personal part of a profile (birthday, family,
interests) is read only for a user holding ``relation.personal.view`` on the person's client;
for anybody else it is not there at all (``personal`` is None, and the API leaves the key out).
Lists make a fixed number of queries whatever their length.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kam.clients.models import Account, Contact
from kam.core.paging import CappedPage, capped_page
from kam.org.models import Territory
from kam.org.policy import Action, can, scope
from kam.relations import graph
from kam.relations.models import (
    CompetitorActivity,
    Note,
    Profile,
    Relation,
    Stage,
    StageChange,
    Tag,
)

# Competitors' activity this recent (days before as_of) makes a person lean their way.
COMPETITOR_RECENT_DAYS = 180
# A territory's map draws at most this many people (those with ties and the VIPs/KOLs first).
MAX_MAP_PEOPLE = 400
NOTES_PER_PAGE = 25
# The "if X leaves" list shows the widest cuts first, this many of them.
MAX_CUTS = 50


# --- people -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    id: int
    name: str
    position: str
    decision_role: str
    decision_role_label: str
    account_id: int
    account_name: str
    is_vip: bool
    is_kol: bool
    stage: str
    stage_label: str
    loyalty_company: int | None
    loyalty_products: int | None
    specialty: str

    @property
    def loyalty(self) -> int | None:
        return self.loyalty_company if self.loyalty_company is not None else self.loyalty_products


def _profile_of(contact: Contact) -> Profile | None:
    try:
        return contact.profile
    except Profile.DoesNotExist:
        return None


def person_row(contact: Contact) -> PersonRow:
    p = _profile_of(contact)
    stage = p.stage if p else Stage.CONTACT
    return PersonRow(
        id=contact.pk,
        name=str(contact),
        position=contact.position,
        decision_role=contact.decision_role,
        decision_role_label=contact.get_decision_role_display(),
        account_id=contact.account_id,
        account_name=contact.account.legal_name,
        is_vip=bool(p and p.is_vip),
        is_kol=bool(p and p.is_kol),
        stage=stage,
        stage_label=Stage(stage).label,
        loyalty_company=p.loyalty_company if p else None,
        loyalty_products=p.loyalty_products if p else None,
        specialty=p.specialty if p else "",
    )


def visible_people(*, user) -> QuerySet[Contact]:
    """The contact people at the clients the user may see, with their profiles."""
    return (
        Contact.objects.visible_to(user)
        .select_related("account", "profile")
        .order_by("last_name", "first_name", "pk")
    )


def person_list(*, user, account: Account) -> list[PersonRow]:
    """The people of one client (the caller fetched it scoped: 404 for one out of sight). One
    query."""
    return [person_row(c) for c in visible_people(user=user).filter(account=account)]


def person_get(*, user, pk) -> Contact:
    """One contact person the user may see; 404 alike for missing and not yours."""
    try:
        return visible_people(user=user).get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such person.") from None


def may_see_personal(*, user, contact: Contact) -> bool:
    return can(user, Action.PERSONAL_VIEW, contact.account)


@dataclass
class ProfileView:
    person: PersonRow
    contact: Contact
    affiliations: str
    publications: str
    speaking: str
    history: list[StageChange]
    competitors: list[CompetitorActivity]
    relations: list[tuple[Relation, str, Contact]]  # (relation, "out" | "in", the other person)
    # None: the user may not see the personal part (it is left out, not emptied)
    personal: dict | None = None


def profile_detail(*, user, contact: Contact) -> ProfileView:
    """A person's profile: the professional part, the stage and its history, competitors'
    activity, their relations with people the user may see, and the personal part only for
    those holding ``relation.personal.view`` on the client."""
    p = _profile_of(contact)
    history, competitors = [], []
    if p is not None:
        history = list(p.stage_changes.select_related("by"))
        competitors = list(p.competitor_activities.select_related("recorded_by"))
    seen = Contact.objects.visible_to(user).values("pk")
    rels = (
        Relation.objects.filter(Q(from_person=contact) | Q(to_person=contact))
        .filter(from_person__in=seen, to_person__in=seen)
        .select_related("from_person__account", "to_person__account")
    )
    relations = [
        (r, "out", r.to_person) if r.from_person_id == contact.pk else (r, "in", r.from_person)
        for r in rels
    ]
    personal = None
    if may_see_personal(user=user, contact=contact):
        personal = {
            "birthday": p.birthday if p else None,
            "family": p.family if p else "",
            "interests": p.interests if p else "",
        }
    return ProfileView(
        person=person_row(contact),
        contact=contact,
        affiliations=p.affiliations if p else "",
        publications=p.publications if p else "",
        speaking=p.speaking if p else "",
        history=history,
        competitors=competitors,
        relations=relations,
        personal=personal,
    )


def relation_get(*, user, pk) -> Relation:
    """A relation whose two people the user may see; 404 otherwise."""
    seen = Contact.objects.visible_to(user).values("pk")
    try:
        return (
            Relation.objects.filter(from_person__in=seen, to_person__in=seen)
            .select_related("from_person__account", "to_person__account")
            .get(pk=pk)
        )
    except (Relation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such relation.") from None


# --- the influence map ------------------------------------------------------------------------


@dataclass(frozen=True)
class RankRow:
    rank: int
    person: PersonRow
    score: float
    leaning: str


@dataclass(frozen=True)
class CutRow:
    leaver: PersonRow
    target: PersonRow
    cut_off: list[PersonRow]

    @property
    def names(self) -> str:
        return ", ".join(p.name for p in self.cut_off)


@dataclass
class InfluenceMap:
    people: list[PersonRow]
    relations: list[Relation]
    ranking: list[RankRow]
    balance: graph.Balance
    cuts: list[CutRow]
    total_people: int  # before the cap (a territory's map)
    cuts_total: int = 0  # before MAX_CUTS
    data: dict = field(default_factory=dict)  # for the browser (json_script) and the API


def _influence_map(
    *, user, contacts: QuerySet[Contact], as_of: date, cap: int | None
) -> InfluenceMap:
    contacts = contacts.select_related("account", "profile")
    total = contacts.count() if cap else None
    if cap:
        # People with ties and the VIPs/KOLs first, so a big territory shows who matters.
        tied = Exists(
            Relation.objects.filter(Q(from_person=OuterRef("pk")) | Q(to_person=OuterRef("pk")))
        )
        marked = Q(profile__is_vip=True) | Q(profile__is_kol=True)
        contacts = (
            contacts.annotate(tied=tied).order_by("-tied", "pk").filter(Q(tied=True) | marked)
        )
        people_qs = list(contacts[:cap])
    else:
        people_qs = list(contacts.order_by("last_name", "first_name", "pk"))
    rows = {c.pk: person_row(c) for c in people_qs}
    ids = list(rows)
    relations = list(
        Relation.objects.filter(from_person_id__in=ids, to_person_id__in=ids).order_by("pk")
    )
    since = as_of - timedelta(days=COMPETITOR_RECENT_DAYS)
    competitor_recent = set(
        CompetitorActivity.objects.filter(
            profile__contact_id__in=ids, seen_on__gte=since, seen_on__lte=as_of
        ).values_list("profile__contact_id", flat=True)
    )
    reports_to = {r.from_person_id for r in relations if r.kind == Relation.Kind.REPORTS_TO}
    heads = {r.to_person_id for r in relations if r.kind == Relation.Kind.REPORTS_TO} - reports_to
    people = [
        graph.Person(
            id=pid,
            decides=row.decision_role == Contact.DecisionRole.DECISION_MAKER or pid in heads,
            stage=row.stage,
            loyalty=row.loyalty,
            competitor_recent=pid in competitor_recent,
        )
        for pid, row in rows.items()
    ]
    links = [graph.Link(r.from_person_id, r.to_person_id, r.kind, r.strength) for r in relations]
    scores = graph.influence_scores(people, links)
    balance = graph.balance_of_power(people, links, scores=scores)
    ranked = sorted(scores.items(), key=lambda item: (-item[1], item[0]))
    ranking = [
        RankRow(rank=i, person=rows[pid], score=score, leaning=balance.leaning[pid])
        for i, (pid, score) in enumerate(ranked, start=1)
    ]
    all_cuts = graph.cut_paths(people, links)
    cuts = [
        CutRow(leaver=rows[c.leaver], target=rows[c.target], cut_off=[rows[i] for i in c.cut_off])
        for c in all_cuts[:MAX_CUTS]
    ]
    deciders = {p.id for p in people if p.decides}
    data = {
        "nodes": [
            {
                "id": pid,
                "name": row.name,
                "client": row.account_name,
                "client_id": row.account_id,
                "role": row.decision_role,
                "vip": row.is_vip,
                "kol": row.is_kol,
                "stage": row.stage,
                "decides": pid in deciders,
                "leaning": balance.leaning[pid],
                "score": round(scores[pid], 6),
            }
            for pid, row in rows.items()
        ],
        "edges": [
            {
                "id": r.pk,
                "source": r.from_person_id,
                "target": r.to_person_id,
                "kind": r.kind,
                "strength": r.strength,
            }
            for r in relations
        ],
    }
    return InfluenceMap(
        people=list(rows.values()),
        relations=relations,
        ranking=ranking,
        balance=balance,
        cuts=cuts,
        total_people=total if total is not None else len(rows),
        cuts_total=len(all_cuts),
        data=data,
    )


def client_map(*, user, account: Account, as_of: date | None = None) -> InfluenceMap:
    """The influence map of one client's people (the caller fetched the client scoped)."""
    as_of = as_of or timezone.localdate()
    contacts = Contact.objects.visible_to(user).filter(account=account)
    return _influence_map(user=user, contacts=contacts, as_of=as_of, cap=None)


def territory_get(*, pk) -> Territory:
    try:
        return Territory.objects.get(pk=pk, kind=Territory.Kind.TERRITORY)
    except (Territory.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such territory.") from None


def territory_list(*, user) -> list[Territory]:
    """Territories where the user sees at least one client, with how many."""
    seen = Account.objects.visible_to(user).filter(territory=OuterRef("pk"))
    return list(
        Territory.objects.filter(kind=Territory.Kind.TERRITORY)
        .filter(Exists(seen))
        .annotate(
            clients=Count(
                "territory_accounts",
                filter=Q(territory_accounts__in=Account.objects.visible_to(user)),
                distinct=True,
            )
        )
        .order_by("name")
    )


def territory_map(*, user, territory: Territory, as_of: date | None = None) -> InfluenceMap:
    """The influence map of a territory over the people the user may see: those at the user's
    clients in the territory (relations to anybody else are left out)."""
    as_of = as_of or timezone.localdate()
    contacts = Contact.objects.visible_to(user).filter(account__territory=territory)
    return _influence_map(user=user, contacts=contacts, as_of=as_of, cap=MAX_MAP_PEOPLE)


# --- the information base ---------------------------------------------------------------------


def note_list(
    *, user, account: Account | None = None, q: str = "", kind: str = "", tag: str = ""
) -> QuerySet[Note]:
    """Notes of the clients the user may see, newest first; ``q`` over the text and the tags."""
    qs = Note.objects.visible_to(user).select_related("account", "written_by")
    if account is not None:
        qs = qs.filter(account=account)
    if kind:
        qs = qs.filter(kind=kind)
    if tag:
        qs = qs.filter(
            Exists(
                Note.tags.through.objects.filter(note=OuterRef("pk"), tag__name=tag.strip().lower())
            )
        )
    q = (q or "").strip()
    if q:
        tagged = Note.tags.through.objects.filter(
            note=OuterRef("pk"), tag__name__icontains=q.lower()
        )
        qs = qs.filter(Q(text__icontains=q) | Exists(tagged))
    return qs.order_by("-on", "-pk")


def note_page(
    *, user, page=1, account: Account | None = None, q: str = "", kind: str = "", tag: str = ""
) -> CappedPage:
    """One page of ``note_list`` (capped page numbers), tags fetched for that page only: three
    queries whatever the page."""
    qs = note_list(user=user, account=account, q=q, kind=kind, tag=tag)
    result = capped_page(qs, number=page, per_page=NOTES_PER_PAGE)
    by_id = {
        n.pk: n
        for n in Note.objects.filter(pk__in=result.ids)
        .select_related("account", "written_by")
        .prefetch_related("tags")
    }
    result.object_list = [by_id[i] for i in result.ids if i in by_id]
    return result


def note_get(*, user, pk) -> Note:
    try:
        return note_list(user=user).get(pk=pk)
    except (Note.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such note.") from None


def tag_list(*, user, account: Account | None = None) -> list[str]:
    """The tags on the notes the user may see (for the filter)."""
    notes = note_list(user=user, account=account).values("pk")
    return list(
        Tag.objects.filter(notes__in=notes)
        .values_list("name", flat=True)
        .distinct()
        .order_by("name")
    )


# --- the client card --------------------------------------------------------------------------


def client_panel(*, user, account: Account, as_of: date | None = None) -> dict | None:
    """The context of ``relations/_client_panel.html`` on the client card: the client's
    people in brief (VIPs, KOLs, stages), the latest notes, and what the user may do."""
    people = person_list(user=user, account=account)
    stages = {s: 0 for s in Stage.values}
    for p in people:
        stages[p.stage] += 1
    return {
        "relations_account": account,
        "relations_people": people[:8],
        "relations_people_count": len(people),
        "relations_vip": sum(p.is_vip for p in people),
        "relations_kol": sum(p.is_kol for p in people),
        "relations_stages": [(Stage(s).label, n) for s, n in stages.items()],
        "relations_notes": list(note_list(user=user, account=account)[:3]),
        "relations_may_edit": can(user, Action.RELATION_EDIT, account),
    }


def relation_candidates(*, user, contact: Contact, limit: int = 500) -> list[Contact]:
    """Whom ``contact`` may be tied to on the profile's form: people at clients the user may
    edit, at the same client or in the same territory."""
    q = scope(user, Action.RELATION_EDIT, prefix="account__")
    qs = Contact.objects.select_related("account").exclude(pk=contact.pk)
    if q is not None:
        qs = qs.filter(q)
    near = Q(account=contact.account_id)
    if contact.account.territory_id:
        near |= Q(account__territory=contact.account.territory_id)
    return list(qs.filter(near).order_by("account__legal_name", "last_name", "pk")[:limit])
