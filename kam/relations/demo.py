"""The relationship workspace of the demo company (issue 11 §10): profiles for the people of up
to ``MAX_CLIENTS`` clients (some VIPs and KOLs), stages with their history (a few steps back,
each with its reason), loyalty, competitors' activity, a believable influence map for the two
territories with the most clients, and notes with tags.

Rows are bulk-inserted with one summarising audit entry per kind, as the other demo modules
do, and keep the services' rules: no self or duplicate relation, a step back always has a
reason, dates between the history's start and today, scales 1..5. Same rng, same data.
"""

import random
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import pairwise

from django.db import transaction

from kam.clients.models import Account, Contact
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.models import Role, User
from kam.relations.models import (
    STAGE_ORDER,
    CompetitorActivity,
    Note,
    Profile,
    Relation,
    Stage,
    StageChange,
    Tag,
)

MAX_CLIENTS = 300
MAP_CLIENTS = 25  # clients per territory on the influence map
BATCH = 2000
COMPETITORS = ["Baltic Supply AS", "NordDistri SIA", "Medeks UAB", "Eurotrade OÜ"]
SPECIALTIES = [
    "Cardiology",
    "Oncology",
    "Clinical pharmacy",
    "Laboratory medicine",
    "Surgery",
    "Hospital procurement",
    "Infection control",
]
AFFILIATIONS = [
    "Latvian Association of Cardiologists",
    "Baltic Society of Clinical Pharmacy",
    "University hospital board",
    "National procurement council",
]
INTERESTS = ["sailing", "chess", "jazz", "orienteering", "gardening", "skiing", "opera"]
FAMILY = ["Married, two children", "Married", "One daughter at university", "Single"]
COMPETITOR_MOVES = [
    "Invited to a congress abroad, travel paid",
    "Offered a 5 % bonus on the annual volume",
    "Free samples of a competing line",
    "Sponsored a department seminar",
    "Proposed a consignment stock",
]
BACK_REASONS = [
    "Moved to a rival's advisory board",
    "A delivery failure in the peak season",
    "New procurement rules: keeps a distance",
]
NOTES = {
    Note.Kind.NEED: [
        ("Wants weekly deliveries instead of two a month", "logistics"),
        ("Needs a training for the new nurses on the infusion line", "training"),
        ("Asks for EDI orders and invoices", "edi"),
    ],
    Note.Kind.PROSPECT: [
        ("A new surgical wing opens next year: twice the volume", "growth"),
        ("Tender for laboratory reagents expected in the autumn", "tender"),
    ],
    Note.Kind.FEEDBACK: [
        ("Happy with the delivery windows; prices seen as high", "prices"),
        ("Complained about short expiry dates in the last shipment", "quality"),
    ],
    Note.Kind.OBSERVATION: [
        ("The chief physician decides, procurement only executes", "decision"),
        ("A competitor's rep visits every week", "competition"),
    ],
    Note.Kind.BUSINESS_CHANGE: [
        ("Merging with the regional hospital next year", "merger"),
        ("New owner: a private equity fund", "ownership"),
    ],
}


def _day(rng, start: date, today: date) -> date:
    return start + timedelta(days=rng.randrange(max(1, (today - start).days + 1)))


def _stage_path(rng, start: date, today: date, owner) -> tuple[str, list[StageChange]]:
    """A relationship's history: forward one stage at a time, now and then one step back (with
    its reason), ending at the current stage."""
    target = rng.choices(Stage.values, weights=[35, 35, 20, 10])[0]
    stages = Stage.values
    path = stages[: STAGE_ORDER[target] + 1]
    if STAGE_ORDER[target] >= 1 and rng.random() < 0.12:  # a step back and forward again
        at = rng.randrange(1, len(path))
        path = [*path[: at + 1], path[at - 1], *path[at:]]
    days = sorted(_day(rng, start, today) for _ in range(len(path) - 1))
    changes = []
    for (old, new), on in zip(pairwise(path), days, strict=True):
        back = STAGE_ORDER[new] < STAGE_ORDER[old]
        changes.append(
            StageChange(
                from_stage=old,
                to_stage=new,
                by=owner,
                on=on,
                reason=rng.choice(BACK_REASONS) if back else "",
            )
        )
    return path[-1], changes


def populate_relations_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's people side (see the module's docstring); the number of rows written."""
    director = next((u for u in people.values() if u.role == Role.DIRECTOR), None)
    by_pk = {u.pk: u for u in people.values()}
    accounts = list(
        Account.objects.filter(contacts__isnull=False).distinct().order_by("pk")[: MAX_CLIENTS * 4]
    )
    if not accounts:
        return 0
    accounts = sorted(rng.sample(accounts, min(MAX_CLIENTS, len(accounts))), key=lambda a: a.pk)
    contacts = defaultdict(list)
    for c in (
        Contact.objects.filter(account__in=accounts)
        .select_related("account")
        .order_by("account_id", "pk")
    ):
        contacts[c.account_id].append(c)
    written = Counter()
    with transaction.atomic():
        profiles, histories = [], []
        for account in accounts:
            owner = by_pk.get(account.owner_id, director)
            for c in contacts[account.pk]:
                decides = c.decision_role == Contact.DecisionRole.DECISION_MAKER
                stage, changes = _stage_path(rng, start, today, owner)
                warm = STAGE_ORDER[stage] >= STAGE_ORDER[Stage.LOYALTY]
                loyalty = rng.randint(3, 5) if warm else rng.randint(1, 4)
                profile = Profile(
                    contact=c,
                    is_vip=decides and rng.random() < 0.6,
                    is_kol=rng.random() < 0.12,
                    specialty=rng.choice(SPECIALTIES),
                    affiliations=rng.choice(AFFILIATIONS) if rng.random() < 0.5 else "",
                    publications="",
                    speaking="",
                    birthday=date(rng.randint(1958, 1992), rng.randint(1, 12), rng.randint(1, 28)),
                    family=rng.choice(FAMILY) if rng.random() < 0.4 else "",
                    interests=rng.choice(INTERESTS) if rng.random() < 0.6 else "",
                    stage=stage,
                    loyalty_company=loyalty if rng.random() < 0.8 else None,
                    loyalty_products=min(5, max(1, loyalty + rng.choice((-1, 0, 1)))),
                )
                if profile.is_kol:
                    profile.publications = "Author of two papers on hospital formularies"
                    profile.speaking = "Speaks at the annual Baltic clinical pharmacy congress"
                profiles.append(profile)
                histories.append(changes)
        Profile.objects.bulk_create(profiles, batch_size=BATCH)
        changes = []
        for profile, history in zip(profiles, histories, strict=True):
            for change in history:
                change.profile = profile
                changes.append(change)
        StageChange.objects.bulk_create(changes, batch_size=BATCH)
        written["profiles"], written["stage changes"] = len(profiles), len(changes)

        # AC-7: competitors at work with some people, more with the less loyal.
        activities = []
        for profile in profiles:
            odds = 0.35 if (profile.loyalty_company or 3) <= 2 else 0.1
            if rng.random() < odds:
                for _ in range(rng.randint(1, 3)):
                    activities.append(
                        CompetitorActivity(
                            profile=profile,
                            competitor=rng.choice(COMPETITORS),
                            what=rng.choice(COMPETITOR_MOVES),
                            seen_on=_day(rng, max(start, today - timedelta(days=365)), today),
                            recorded_by=by_pk.get(profile.contact.account.owner_id, director),
                        )
                    )
        CompetitorActivity.objects.bulk_create(activities, batch_size=BATCH)
        written["competitor activities"] = len(activities)

        relations = _influence_map(rng, accounts, contacts, profiles, by_pk, director)
        Relation.objects.bulk_create(relations, batch_size=BATCH)
        written["relations"] = len(relations)

        written["notes"] = _notes(rng, accounts, by_pk, director, start, today)
        for kind, n in written.items():
            audit_record(
                actor=None,
                action=AuditEntry.Action.IMPORT,
                entity="relations.profile" if kind != "notes" else "relations.note",
                entity_id="demo",
                summary=f"demo relations: {n} {kind}",
            )
    return sum(written.values())


def _influence_map(rng, accounts, contacts, profiles, by_pk, director) -> list[Relation]:
    """Inside each client of the two biggest territories: everyone reports to the decision
    maker (some through a deputy), a few influence each other, allies and rivals; across
    clients of a territory: KOLs influence other clients' decision makers."""
    by_territory = defaultdict(list)
    for a in accounts:
        if a.territory_id and len(contacts[a.pk]) > 1:
            by_territory[a.territory_id].append(a)
    biggest = sorted(by_territory, key=lambda t: (-len(by_territory[t]), t))[:2]
    kol = {p.contact_id for p in profiles if p.is_kol}
    seen: set[tuple[int, int, str]] = set()
    out: list[Relation] = []

    def tie(a: Contact, b: Contact, kind: str, owner) -> None:
        key = (a.pk, b.pk, kind)
        if a.pk == b.pk or key in seen:
            return
        seen.add(key)
        out.append(
            Relation(
                from_person=a, to_person=b, kind=kind, strength=rng.randint(1, 5), created_by=owner
            )
        )

    for territory in biggest:
        clients = by_territory[territory][:MAP_CLIENTS]
        heads = []
        for account in clients:
            owner = by_pk.get(account.owner_id, director)
            team = contacts[account.pk]
            head, rest = team[0], team[1:]
            heads.append((account, head))
            deputy = rest[0] if len(rest) > 2 else None
            for person in rest:
                boss = deputy if deputy and person is not deputy and rng.random() < 0.6 else head
                tie(person, boss, Relation.Kind.REPORTS_TO, owner)
            for _ in range(len(rest) // 2):
                a, b = rng.sample(team, 2)
                tie(a, b, rng.choice([Relation.Kind.INFLUENCES, Relation.Kind.ALLIES_WITH]), owner)
            if len(rest) >= 2 and rng.random() < 0.3:
                a, b = rng.sample(rest, 2)
                tie(a, b, Relation.Kind.RIVALS_WITH, owner)
        for account, head in heads:
            owner = by_pk.get(account.owner_id, director)
            others = [h for acc, h in heads if acc.pk != account.pk]
            speakers = [c for c in contacts[account.pk] if c.pk in kol]
            for speaker in speakers:
                for other in rng.sample(others, min(2, len(others))):
                    tie(speaker, other, Relation.Kind.INFLUENCES, owner)
            if others and rng.random() < 0.3:
                tie(head, rng.choice(others), Relation.Kind.ALLIES_WITH, owner)
    return out


def _notes(rng, accounts, by_pk, director, start, today) -> int:
    tags = {name: Tag(name=name) for items in NOTES.values() for _text, name in items}
    Tag.objects.bulk_create(list(tags.values()), ignore_conflicts=True)
    tags = {t.name: t for t in Tag.objects.filter(name__in=list(tags))}
    notes, labels = [], []
    kinds = list(NOTES)
    for account in accounts:
        for _ in range(rng.randint(0, 4)):
            kind = rng.choice(kinds)
            text, tag = rng.choice(NOTES[kind])
            notes.append(
                Note(
                    account=account,
                    written_by=by_pk.get(account.owner_id, director),
                    on=_day(rng, start, today),
                    kind=kind,
                    text=text,
                )
            )
            labels.append([tag, *(["key-client"] if rng.random() < 0.2 else [])])
    if any("key-client" in x for x in labels):
        tags["key-client"] = Tag.objects.get_or_create(name="key-client")[0]
    Note.objects.bulk_create(notes, batch_size=BATCH)
    through = Note.tags.through
    through.objects.bulk_create(
        [
            through(note_id=n.pk, tag_id=tags[t].pk)
            for n, names in zip(notes, labels, strict=True)
            for t in names
        ],
        batch_size=BATCH,
    )
    return len(notes)
