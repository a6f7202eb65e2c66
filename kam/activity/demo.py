"""The demo company's schedule and activity log (issue 11 §10): twelve months of visits,
calls, meetings and negotiations of each KAM with their clients, some planned for the coming
week, and a few key clients gone quiet.

Rows are bulk-created as the services would accept them (the client's own KAM and contact
people, a done item never after ``today``, a negotiation with its topics, ends after starts),
with one audit entry for the lot, so a demo of ~600 clients stays at a few thousand items and
builds in seconds. The rhythm follows the radar: critical clients about every ten days, key
clients every three weeks or so, the rest now and then; three key clients stop being visited
long enough to go quiet."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kam.activity.models import Activity
from kam.activity.selectors import CRITICAL, activity_settings, key_statuses, rhythm_days
from kam.clients.models import Account, Contact
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.models import Role, User

MAX_ITEMS = 5000
QUIET_CLIENTS = 3
# Mean days between contacts by status; a client outside the key list is seen now and then.
GAP_DAYS = {CRITICAL: 10, "key": 21, "other": 90, "potential": 45}
KINDS = (
    [Activity.Kind.VISIT] * 35
    + [Activity.Kind.CALL] * 40
    + [Activity.Kind.MEETING] * 15
    + [Activity.Kind.NEGOTIATION] * 10
)
PURPOSES = [
    "Quarterly business review",
    "Present the new product line",
    "Delivery problems last month",
    "Annual agreement: terms for next year",
    "Check stock and reorder plan",
    "Training for the purchasing team",
    "Introduce the new sales support contact",
    "Discuss the tender calendar",
    "Follow up on the price offer",
    "Payment discipline: overdue invoices",
    "Feedback on the last shipment",
    "Plan the joint promotion",
]
OUTCOMES = [
    "Agreed to trial the new line in two departments.",
    "They will reorder next week; volume as last quarter.",
    "Complaint understood; credit note promised for the damaged boxes.",
    "Interested, want a written offer with prices.",
    "Budget is frozen until the new year; keep in touch.",
    "Purchasing manager changes next month; met the successor.",
    "Asked for longer payment terms; we hold at 30 days.",
    "Positive: the last delivery arrived on time and complete.",
    "Competitor offers 5 % lower; we stressed service and delivery times.",
    "They plan a tender in spring; we are on the list.",
]
NEXT_STEPS = [
    "Send the written offer",
    "Call about the reorder",
    "Visit with the product specialist",
    "Send the credit note",
    "Meet the new purchasing manager",
    "Prepare the tender documents",
]
AGREED = [
    "List prices minus 3 % for the year; payment 30 days.",
    "Payment in 45 days from the second quarter.",
    "Price column 'key' from next month, quarterly volume review.",
    "No change in prices; free delivery above 500 EUR.",
]
TOPIC_SETS = [["prices"], ["payment"], ["terms"], ["terms", "prices"], ["payment", "prices"]]


def _when(rng: random.Random, day: date) -> datetime:
    """A working-hours start on ``day`` (local time), on the quarter hour."""
    return timezone.make_aware(
        datetime.combine(day, time(rng.randint(8, 16), rng.choice([0, 15, 30, 45])))
    )


def _workday(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _length(kind: str, rng: random.Random) -> timedelta:
    if kind == Activity.Kind.CALL:
        return timedelta(minutes=rng.choice([15, 20, 30]))
    return timedelta(minutes=rng.choice([45, 60, 90]))


def _done(rng, account, owner, day, contacts, now) -> tuple[Activity, list[int]]:
    kind = rng.choice(KINDS)
    start = _when(rng, day)
    if start > now:  # today's late hours have not come yet
        start = now - timedelta(hours=1)
    status = Activity.Status.CANCELLED if rng.random() < 0.05 else Activity.Status.DONE
    item = Activity(
        account_id=account.pk,
        owner=owner,
        kind=kind,
        status=status,
        starts_at=start,
        ends_at=min(start + _length(kind, rng), now),
        purpose=rng.choice(PURPOSES),
        created_by=owner,
    )
    if status == Activity.Status.DONE:
        item.outcome = rng.choice(OUTCOMES)
        if rng.random() < 0.5:
            item.next_step = rng.choice(NEXT_STEPS)
            item.next_step_on = day + timedelta(days=rng.randint(3, 21))
        if kind == Activity.Kind.NEGOTIATION:
            item.topics = rng.choice(TOPIC_SETS)
            item.agreed = rng.choice(AGREED)
    else:
        item.outcome = "The client asked to move it."
    people = rng.sample(contacts, k=min(len(contacts), rng.choice([0, 1, 1, 2])))
    return item, people


@transaction.atomic
def populate_activity_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's schedule and log; returns how many items."""
    activity_settings()
    director = next((u for u in people.values() if u.role == Role.DIRECTOR), None)
    owners = {u.pk: u for u in people.values() if u.role in {Role.KAM, Role.REGIONAL}}
    accounts = list(
        Account.objects.filter(owner_id__in=list(owners), archived_at__isnull=True).order_by("pk")
    )
    if not accounts or director is None:
        return 0
    judged, _settings = key_statuses(user=director, as_of=today)
    statuses = {pk: status for pk, (status, _row) in judged.items()}
    contacts: dict[int, list[int]] = defaultdict(list)
    for account_id, pk in Contact.objects.filter(
        account_id__in=[a.pk for a in accounts]
    ).values_list("account_id", "pk"):
        contacts[account_id].append(pk)
    settings = activity_settings()
    key_ids = [a.pk for a in accounts if a.pk in statuses]
    quiet = set(rng.sample(key_ids, k=min(QUIET_CLIENTS, len(key_ids))))
    first = max(start, today - timedelta(days=365))
    now = min(timezone.now(), timezone.make_aware(datetime.combine(today, time(18, 0))))
    rows: list[tuple[Activity, list[int]]] = []
    budget = MAX_ITEMS - 8 * len(owners)
    # Key clients first, so that the cap never leaves one of them silent by accident.
    for account in sorted(accounts, key=lambda a: (a.pk not in statuses, a.pk)):
        if account.status == Account.Status.POTENTIAL:
            gap = GAP_DAYS["potential"]
        else:
            gap = GAP_DAYS[statuses.get(account.pk, "other")]
        # A key client's KAM keeps within its rhythm (but for the quiet ones).
        rhythm = rhythm_days(settings, statuses[account.pk]) if account.pk in statuses else None
        longest = (rhythm - 2) if rhythm and rhythm > 3 else 10 * gap
        last = today
        if account.pk in quiet:
            # Silent for one and a half to three times its rhythm: gone quiet.
            last = today - timedelta(days=int((rhythm or gap) * rng.uniform(1.5, 3.0)) + 1)
        day = first + timedelta(days=rng.randint(0, gap))
        owner = owners[account.owner_id]
        last_done = None
        while day <= last and len(rows) < budget:
            work = _workday(day)
            if work <= last:
                row = _done(rng, account, owner, work, contacts[account.pk], now)
                rows.append(row)
                if row[0].status == Activity.Status.DONE:
                    last_done = work
            day += timedelta(days=min(longest, max(1, round(rng.gauss(gap, gap / 4)))))
        # Weekends and a cancelled last visit must not make a kept client look quiet.
        kept = rhythm and account.pk not in quiet and len(rows) < budget
        if kept and (last_done is None or (today - last_done).days >= rhythm):
            back = today - timedelta(days=rng.randint(0, min(4, rhythm - 1)))
            while back.weekday() >= 5:
                back -= timedelta(days=1)
            item, chosen = _done(rng, account, owner, back, contacts[account.pk], now)
            item.status, item.outcome = Activity.Status.DONE, rng.choice(OUTCOMES)
            if item.kind == Activity.Kind.NEGOTIATION:
                item.topics, item.agreed = rng.choice(TOPIC_SETS), rng.choice(AGREED)
            rows.append((item, chosen))
    # The coming week: each KAM's next visits and calls, key clients first.
    by_owner: dict[int, list[Account]] = defaultdict(list)
    for account in accounts:
        if account.pk not in quiet:
            by_owner[account.owner_id].append(account)
    for owner_id, mine in by_owner.items():
        mine.sort(key=lambda a: (a.pk not in statuses, statuses.get(a.pk) != CRITICAL, a.pk))
        for account in mine[: rng.randint(3, 6)]:
            day = _workday(today + timedelta(days=rng.randint(1, 7)))
            kind = rng.choice(KINDS)
            begin = _when(rng, day)
            item = Activity(
                account_id=account.pk,
                owner=owners[owner_id],
                kind=kind,
                status=Activity.Status.PLANNED,
                starts_at=begin,
                ends_at=begin + _length(kind, rng),
                purpose=rng.choice(PURPOSES),
                created_by=owners[owner_id],
            )
            c = contacts[account.pk]
            rows.append((item, rng.sample(c, k=min(len(c), 1))))
    made = Activity.objects.bulk_create([item for item, _p in rows], batch_size=1000)
    through = Activity.people.through
    through.objects.bulk_create(
        [
            through(activity_id=item.pk, contact_id=pk)
            for item, (_i, chosen) in zip(made, rows, strict=True)
            for pk in chosen
        ],
        batch_size=2000,
    )
    audit_record(
        actor=None,
        action=AuditEntry.Action.IMPORT,
        entity="activity.activity",
        entity_id="demo",
        summary=f"demo schedule and log: {len(made)} activities, {len(quiet)} key clients gone quiet",
        changes={"activities": len(made), "quiet": sorted(quiet)},
    )
    return len(made)
