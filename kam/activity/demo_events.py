"""The demo company's events and trainings (issue 11 §10: AC-6, AC-8): over the last twelve
months and the coming weeks, the director's annual partner conference, each sales unit's
product launches (one held, one ahead), the trade fairs and congresses the KAMs take their
clients' people to, and trainings given to the staff of the KAMs' key clients. VIPs and KOLs
are invited more often; past events have their attendance (most came, some declined or did
not come), coming ones none yet; a few events carry a presentation prepared for or with a VIP
or KOL, a small PDF stored where the service would store it.

Rows are bulk-created as the services would accept them (the organiser may record for every
invited person's client, a training's people are its client's own staff, dates within the
demo's window and the end not before the start, came and did not come only once the event
has started, a presentation's file a PDF the upload check would pass), with one audit entry
per kind. The work is bounded per organiser (a fixed pool of clients per owner), so the step
stays well under a second at any scale."""

import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from kam.activity.models import Event, Invitation, Presentation
from kam.clients.models import Account, Contact
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.models import Role, User
from kam.radar.models import KeyStatusSnapshot, Level

# How far ahead the demo's calendar reaches.
AHEAD_DAYS = 42
# Clients per owner the invitations are drawn from (their key clients first): bounds the work.
POOL_CLIENTS = 40
KEY_CLIENTS = 6
# A VIP or KOL is this many times as likely to be invited as anyone else.
STAR_WEIGHT = 4
CONFERENCE_GUESTS = 40
LAUNCH_GUESTS = (12, 20)
INDUSTRY_GUESTS = (3, 8)
TRAINING_GUESTS = (2, 6)
TRAININGS_PER_KAM = (2, 3)
# Of the past invitations: came, declined, did not come. Coming ones: some declined already.
PAST_ODDS = (("came", 76), ("declined", 12), ("no_show", 12))
FUTURE_DECLINED = 0.1

CONFERENCE = ("Annual Partner Conference", "Radisson Blu Hotel Latvija, Riga", 2)
CONFERENCE_TEXT = "Our year with our partners: results, plans, the new ranges; dinner on day one."
LAUNCHES = [
    "the new infusion line",
    "the private-label wound care range",
    "the rapid diagnostic tests",
    "the cold-chain delivery service",
    "the online ordering portal",
    "the hospital disinfection range",
]
LAUNCH_PLACES = ["Our office, Riga", "Hotel Bergs, Riga", "Hotel Telegraaf, Tallinn", "Vilnius"]
# (name, place, days): the fairs and congresses of the demo's year, each taken by one KAM.
INDUSTRY = [
    ("Riga Medical Trade Fair", "Kipsala Exhibition Centre, Riga", 3),
    ("Baltic Pharmacy Congress", "Latvian National Library, Riga", 2),
    ("MEDICA trade fair", "Messe Düsseldorf", 4),
    ("Nordic Laboratory Medicine Congress", "Messukeskus, Helsinki", 3),
    ("Estonian Hospital Days", "Tallinn", 2),
    ("Lithuanian Pharmacists' Forum", "Litexpo, Vilnius", 2),
    ("Baltic Infection Control Conference", "University of Tartu", 2),
    ("Baltic Hospital Procurement Summit", "Riga", 1),
    ("Pharmacy Retail Expo", "Tallinn", 2),
    ("Clinical Chemistry Days", "Kaunas", 2),
]
INDUSTRY_TEXT = "Our stand and a client dinner; invitations for the KAM's guests."
TRAININGS = [
    "Training: the new infusion pumps for the ward nurses",
    "Training: cold chain and storage for the pharmacy staff",
    "Training: ordering through the web portal",
    "Training: daily checks of the laboratory analyser",
    "Training: expiry dates and returns",
    "Training: wound care products for the surgical team",
]
TRAINING_TEXT = "At the client's site, for its staff; certificates of attendance."
KEYNOTES = [
    "Keynote: hospital formularies in the Baltics",
    "Keynote: what changes in public procurement next year",
    "Keynote: infection control in practice",
]
DECKS = [
    "Case study: a year of weekly deliveries",
    "Clinical experience with the new line",
    "Results of the joint pilot",
    "Training deck with the department's specialist",
]


@dataclass(frozen=True)
class Person:
    pk: int
    account_id: int
    owner_id: int
    name: str
    star: bool  # a VIP or a KOL


@dataclass
class Plan:
    """One event to write, its guests and its presentations (title, prepared with)."""

    event: Event
    guests: list[Person]
    decks: list[tuple[str, list[Person]]] = field(default_factory=list)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _day_in(rng: random.Random, first: date, last: date) -> date:
    day = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
    while day.weekday() >= 5:  # events on working days; the window's last days may spill
        day += timedelta(days=1)
    return day


def _pick(rng: random.Random, pool: list[Person], k: int) -> list[Person]:
    """``k`` people of ``pool``, VIPs and KOLs ``STAR_WEIGHT`` times as likely (a weighted draw
    without replacement: each person keyed by u ** (1 / weight))."""
    keyed = [(rng.random() ** (1 / (STAR_WEIGHT if p.star else 1)), p) for p in pool]
    keyed.sort(key=lambda kp: (-kp[0], kp[1].pk))
    return [p for _k, p in keyed[:k]]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.replace("\\", "").replace("(", "[").replace(")", "]")


def _pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the lines in Helvetica: small, and what the upload check accepts."""
    text = "BT /F1 14 Tf 72 760 Td 18 TL " + " ".join(f"({_ascii(s)}) '" for s in lines) + " ET"
    stream = text.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _pools(owners: list[User], today: date) -> tuple[dict[int, list[Person]], dict[int, list]]:
    """Each owner's people to invite: those of their key clients and first ``POOL_CLIENTS``
    clients in work, and every VIP and KOL of their clients; and each owner's key clients
    (by income at the KAM's level on the radar's latest snapshot), biggest first."""
    latest = (
        KeyStatusSnapshot.objects.filter(level=Level.MANAGER, period_end__lte=today)
        .order_by("-period_end")
        .values_list("period_end", flat=True)
        .first()
    )
    keys: dict[int, list[int]] = {}
    chosen: set[int] = set()
    for owner in owners:
        work = Account.objects.filter(owner=owner, archived_at__isnull=True)
        keys[owner.pk] = list(
            KeyStatusSnapshot.objects.filter(
                level=Level.MANAGER,
                period_end=latest,
                account__in=work.values("pk"),
            )
            .order_by("-income", "account_id")
            .values_list("account_id", flat=True)[:KEY_CLIENTS]
        )
        chosen.update(keys[owner.pk])
        chosen.update(work.order_by("pk").values_list("pk", flat=True)[:POOL_CLIENTS])
    in_work = Q(account__owner__in=owners, account__archived_at__isnull=True)
    stars = Q(profile__is_vip=True) | Q(profile__is_kol=True)
    rows = (
        Contact.objects.filter(in_work & (Q(account_id__in=chosen) | stars))
        .order_by("pk")
        .values_list(
            "pk",
            "account_id",
            "account__owner_id",
            "first_name",
            "last_name",
            "profile__is_vip",
            "profile__is_kol",
        )
    )
    pools: dict[int, list[Person]] = defaultdict(list)
    for pk, account_id, owner_id, first, last, vip, kol in rows:
        name = f"{first} {last}".strip()
        pools[owner_id].append(Person(pk, account_id, owner_id, name, bool(vip or kol)))
    return pools, keys


def _event(kind, title, day, days, place, description, organiser, account_id=None) -> Event:
    return Event(
        kind=kind,
        title=title,
        starts_on=day,
        ends_on=day + timedelta(days=days - 1),
        place=place,
        description=description,
        organiser=organiser,
        account_id=account_id,
    )


def _deck(rng, title: str, guests: list[Person]) -> list[tuple[str, list[Person]]]:
    stars = [p for p in guests if p.star]
    if not stars:
        return []
    return [(title, sorted(rng.sample(stars, min(len(stars), rng.randint(1, 2))), key=_pk))]


def _pk(p: Person) -> int:
    return p.pk


def _plans(rng, people, pools, keys, today, first) -> list[Plan]:
    last = today + timedelta(days=AHEAD_DAYS)
    soon = today + timedelta(days=7)
    director = next((u for u in people if u.role == Role.DIRECTOR), None)
    kams = [u for u in people if u.role == Role.KAM and pools.get(u.pk)]
    plans: list[Plan] = []

    # The director's annual partner conference: the company's best relations, all clients.
    everyone = [p for u in people for p in pools.get(u.pk, [])]
    if director and everyone:
        day = _day_in(rng, max(first, today - timedelta(days=300)), today - timedelta(days=60))
        name, place, days = CONFERENCE
        e = _event("corporate", f"{name} {day.year}", day, days, place, CONFERENCE_TEXT, director)
        guests = _pick(rng, everyone, CONFERENCE_GUESTS)
        decks = [d for title in rng.sample(KEYNOTES, 2) for d in _deck(rng, title, guests)]
        plans.append(Plan(e, guests, decks))

    # Each sales unit's product launches: one held this year, one in the coming weeks.
    launches = rng.sample(LAUNCHES, len(LAUNCHES))
    for manager in (u for u in people if u.role in {Role.HEAD, Role.REGIONAL}):
        mine = [u for u in people if manager.pk in {u.pk, u.manager_id}]
        team = [p for u in mine for p in pools.get(u.pk, [])]
        if not team:
            continue
        unit = manager.department.name if manager.department_id else ""
        for held in (True, False):
            what = launches.pop() if launches else rng.choice(LAUNCHES)
            day = (
                _day_in(rng, first, today - timedelta(days=14))
                if held
                else _day_in(rng, soon, last)
            )
            e = _event(
                "corporate",
                f"Product launch: {what}" + (f" ({unit})" if unit else ""),
                day,
                1,
                rng.choice(LAUNCH_PLACES),
                f"Presentation of {what} to the clients of {unit or 'the unit'}; a reception.",
                manager,
            )
            guests = _pick(rng, team, rng.randint(*LAUNCH_GUESTS))
            plans.append(Plan(e, guests, _deck(rng, f"Launch deck: {what}", guests)))

    # The year's fairs and congresses, each taken by one KAM (one of them still ahead).
    if kams:
        fairs = rng.sample(INDUSTRY, len(INDUSTRY))
        ahead = rng.randrange(len(fairs))
        for i, (name, place, days) in enumerate(fairs):
            kam = kams[i % len(kams)]
            day = _day_in(rng, soon, last) if i == ahead else _day_in(rng, first, last)
            e = _event("industry", f"{name} {day.year}", day, days, place, INDUSTRY_TEXT, kam)
            guests = _pick(rng, pools[kam.pk], rng.randint(*INDUSTRY_GUESTS))
            decks = _deck(rng, rng.choice(DECKS), guests) if rng.random() < 0.4 else []
            plans.append(Plan(e, guests, decks))

    # Trainings for the staff of each KAM's key clients (the first KAM's last one ahead).
    for n, kam in enumerate(kams):
        staff: dict[int, list[Person]] = defaultdict(list)
        for p in pools[kam.pk]:
            staff[p.account_id].append(p)
        clients = [pk for pk in keys.get(kam.pk, []) if staff.get(pk)]
        if not clients:  # no key client on the radar: the clients with the most people
            clients = sorted(staff, key=lambda pk: (-len(staff[pk]), pk))[:KEY_CLIENTS]
        chosen = clients[: rng.randint(*TRAININGS_PER_KAM)]
        for i, account_id in enumerate(chosen):
            upcoming = (n == 0 and i == len(chosen) - 1) or rng.random() < 0.2
            day = _day_in(rng, soon, last) if upcoming else _day_in(rng, first, today)
            e = _event(
                "training",
                rng.choice(TRAININGS),
                day,
                1,
                "At the client's site",
                TRAINING_TEXT,
                kam,
                account_id,
            )
            pool = staff[account_id]
            guests = _pick(rng, pool, min(len(pool), rng.randint(*TRAINING_GUESTS)))
            decks = _deck(rng, "Training deck with the client's specialist", guests)
            plans.append(Plan(e, guests, decks if i == 0 else []))
    return plans


def _status(rng: random.Random, event: Event, today: date) -> str:
    if event.starts_on > today:  # who comes is known from the first day only
        return "declined" if rng.random() < FUTURE_DECLINED else "invited"
    return rng.choices([s for s, _w in PAST_ODDS], [w for _s, w in PAST_ODDS])[0]


@transaction.atomic
def populate_events_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's events, invitations and presentations; returns how many rows."""
    staff = sorted(people.values(), key=lambda u: u.pk)
    owners = [u for u in staff if u.role in {Role.KAM, Role.REGIONAL, Role.HEAD}]
    pools, keys = _pools(owners, today)
    first = max(start, today - timedelta(days=365))
    plans = _plans(rng, staff, pools, keys, today, first)
    if not plans:
        return 0
    # The event was set up and its invitations sent two to six weeks ahead (not after today).
    sent = [
        max(first, min(today, p.event.starts_on - timedelta(days=rng.randint(14, 42))))
        for p in plans
    ]
    events = Event.objects.bulk_create([p.event for p in plans], batch_size=1000)
    # auto_now_add stamped them now; the demo's events were set up on their own days.
    for e, on in zip(events, sent, strict=True):
        e.created_at = e.updated_at = _at(on, 10)
    Event.objects.bulk_update(events, ["created_at", "updated_at"], batch_size=1000)
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                event=p.event, contact_id=g.pk, invited_on=on, status=_status(rng, p.event, today)
            )
            for p, on in zip(plans, sent, strict=True)
            for g in p.guests
        ],
        batch_size=2000,
    )
    decks, with_whom = [], []
    for p, on in zip(plans, sent, strict=True):
        for title, whom in p.decks:
            deck = Presentation(event=p.event, title=title, prepared_by=p.event.organiser)
            body = _pdf([title, p.event.title, "Prepared with " + ", ".join(w.name for w in whom)])
            stem = get_valid_filename(f"event-{p.event.pk}-{title}")[:80] or "presentation"
            deck.file.save(f"{stem}.pdf", ContentFile(body), save=False)
            decks.append((deck, min(today, max(on, p.event.starts_on - timedelta(days=3)))))
            with_whom.append(whom)
    made = Presentation.objects.bulk_create([d for d, _on in decks], batch_size=1000)
    for deck, (_d, on) in zip(made, decks, strict=True):
        deck.created_at = deck.updated_at = _at(on, 15)
    Presentation.objects.bulk_update(made, ["created_at", "updated_at"], batch_size=1000)
    through = Presentation.prepared_with.through
    through.objects.bulk_create(
        [
            through(presentation_id=deck.pk, contact_id=w.pk)
            for deck, whom in zip(made, with_whom, strict=True)
            for w in whom
        ],
        batch_size=2000,
    )
    kinds = {k: sum(1 for e in events if e.kind == k) for k in Event.Kind.values}
    came = sum(1 for i in invitations if i.status == "came")
    for entity, summary, changes in (
        ("activity.event", f"demo events: {len(events)} ({kinds})", {"events": kinds}),
        (
            "activity.invitation",
            f"demo invitations: {len(invitations)}, {came} came",
            {"invitations": len(invitations), "came": came},
        ),
        (
            "activity.presentation",
            f"demo presentations: {len(made)}",
            {"presentations": len(made)},
        ),
    ):
        audit_record(
            actor=None,
            action=AuditEntry.Action.IMPORT,
            entity=entity,
            entity_id="demo",
            summary=summary,
            changes=changes,
        )
    return len(events) + len(invitations) + len(made)
