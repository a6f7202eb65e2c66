"""The demo company's tasks and complaints (issue 11 §10: AC-10, AC-11): tasks from the heads
of department and the regional manager to their KAMs over the last six months (most done with
comments, a few cancelled, some overdue, some still ahead), and twelve months of client
complaints in every category, most resolved with their times, a few rejected, some open.

Rows are bulk-created as the services would accept them (the assignee one of the giver's
people, a client in both people's sight and the KAM's own, a due date not before the day the
task was given, a resolution on or after the day received and not after ``today``), each task
with its history, and one audit entry per kind, so the demo builds in a second."""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from kam.activity.models import Complaint, Task, TaskComment, TaskEvent
from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.orders.models import Order
from kam.org.models import Role, User

TASKS_PER_KAM = (5, 8)
COMPLAINTS_PER_KAM = (6, 12)
# Share of due-date-passed tasks left open: overdue on both home pages.
OVERDUE_SHARE = 0.2
TITLES = [
    "Prepare the annual agreement proposal",
    "Collect the overdue invoices",
    "Meet the new head of purchasing",
    "Send the price offer for the tender",
    "Update the client's decision makers",
    "Plan the product training for the staff",
    "Review the volumes against the plan",
    "Visit the client with the product specialist",
    "Find out why orders dropped last month",
    "Agree the delivery schedule for the season",
]
DESCRIPTIONS = [
    "Before the quarterly review, please.",
    "They asked for it at the last meeting.",
    "Check with sales support what was shipped.",
    "",
]
KAM_COMMENTS = [
    "Done: sent to the client, they confirmed receipt.",
    "Met them on Tuesday; summary in the activity log.",
    "Took longer: the purchasing manager was on holiday.",
    "Done. They want a follow-up in a month.",
]
MANAGER_COMMENTS = ["Thanks, good work.", "Please keep me posted.", "Let us discuss on Monday."]
CATEGORY_WEIGHTS = {
    Complaint.Category.DELIVERY: 30,
    Complaint.Category.QUALITY: 25,
    Complaint.Category.PRICE: 15,
    Complaint.Category.SERVICE: 15,
    Complaint.Category.CONFLICT: 8,
    Complaint.Category.OTHER: 7,
}
COMPLAINT_TEXTS = {
    "delivery": ["Delivery came two days late.", "Three boxes missing from the shipment."],
    "quality": ["Broken seals on two boxes.", "Expiry date shorter than agreed."],
    "price": ["Invoiced at the list price, not the contract price.", "Price rise not announced."],
    "service": ["No answer from sales support for a week.", "The driver refused to unload."],
    "conflict": ["Disagreement over the discount for the tender.", "Dispute over a return."],
    "other": ["Wrong address on the invoices.", "Asked for documents in Estonian."],
}
RESOLUTIONS = [
    "Credit note issued for the affected goods.",
    "Goods replaced with the next delivery.",
    "Invoice corrected and re-sent.",
    "Apologised; the route and the delivery window are changed.",
    "Met the client and agreed the terms again.",
]
REJECTIONS = ["Not justified: the goods were signed for complete and undamaged."]
# Days to resolve: mostly within two weeks, a long tail to two months.
RESOLVE_DAYS = [1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 10, 12, 14, 18, 25, 35, 60]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _team(people: dict[str, User]) -> list[tuple[User, User]]:
    """(manager, KAM) for each KAM whose manager is a head of department or a regional."""
    managers = {u.pk: u for u in people.values() if u.role in {Role.HEAD, Role.REGIONAL}}
    return [
        (managers[u.manager_id], u)
        for u in sorted(people.values(), key=lambda p: p.pk)
        if u.role == Role.KAM and u.manager_id in managers
    ]


def _tasks(rng, team, accounts, today, start):
    """Tasks, their comments and history, unsaved."""
    tasks, comments, events = [], [], []
    first = max(start, today - timedelta(days=182))
    span = (today - first).days
    for manager, kam in team:
        mine = accounts.get(kam.pk, [])
        n = rng.randint(*TASKS_PER_KAM)
        for i in range(n):
            given = first + timedelta(days=rng.randint(0, span))
            due = given + timedelta(days=rng.randint(5, 30))
            if i == 0:  # one overdue task per KAM at least, the newest
                given = today - timedelta(days=rng.randint(10, 20))
                due = today - timedelta(days=rng.randint(1, 5))
            task = Task(
                assigned_by=manager,
                assignee=kam,
                account_id=rng.choice(mine) if mine and rng.random() < 0.7 else None,
                title=rng.choice(TITLES),
                description=rng.choice(DESCRIPTIONS),
                due_on=due,
                status=Task.Status.OPEN,
                created_at=_at(given, 9),
                updated_at=_at(given, 9),
            )
            history = [(manager, _at(given, 9), TaskEvent.Kind.CREATED, "", Task.Status.OPEN)]
            notes = []
            if due < today and i > 0 and rng.random() > OVERDUE_SHARE:
                cancelled = rng.random() < 0.1
                closed_day = min(today, due + timedelta(days=rng.randint(-4, 3)))
                closed_day = max(closed_day, given)
                if cancelled:
                    task.status = Task.Status.CANCELLED
                    history.append((manager, _at(closed_day, 15), "status", "open", task.status))
                else:
                    task.status = Task.Status.DONE
                    mid = given + (closed_day - given) / 2
                    history.append((kam, _at(mid, 11), "status", "open", "in_progress"))
                    history.append((kam, _at(closed_day, 16), "status", "in_progress", "done"))
                    notes.append((kam, _at(closed_day, 16), rng.choice(KAM_COMMENTS)))
                    if rng.random() < 0.5:
                        notes.append((manager, _at(closed_day, 18), rng.choice(MANAGER_COMMENTS)))
                task.closed_at = history[-1][1]
                task.updated_at = task.closed_at
            elif rng.random() < 0.4 and given < today:
                task.status = Task.Status.IN_PROGRESS
                history.append((kam, _at(given + timedelta(days=1), 10), "status", "open",
                                task.status))  # fmt: skip
                notes.append((kam, _at(given + timedelta(days=1), 10), "Started on it."))
            tasks.append(task)
            events.append(history)
            comments.append(notes)
    return tasks, comments, events


def _complaints(rng, kams, accounts, orders, supports, today, start):
    rows = []
    first = max(start, today - timedelta(days=365))
    span = (today - first).days
    categories = list(CATEGORY_WEIGHTS)
    weights = list(CATEGORY_WEIGHTS.values())
    for kam in kams:
        mine = accounts.get(kam.pk, [])
        if not mine:
            continue
        support = supports.get(kam.department_id)
        for _n in range(rng.randint(*COMPLAINTS_PER_KAM)):
            account_id = rng.choice(mine)
            category = rng.choices(categories, weights)[0]
            received = first + timedelta(days=rng.randint(0, span))
            c = Complaint(
                account_id=account_id,
                category=category,
                description=rng.choice(COMPLAINT_TEXTS[category]),
                received_on=received,
                owner=support if support and category == "delivery" else kam,
                status=Complaint.Status.OPEN,
                recorded_by=kam,
            )
            if (
                category in {"delivery", "quality"}
                and orders.get(account_id)
                and rng.random() < 0.6
            ):
                c.order_id = rng.choice(orders[account_id])
            days = rng.choice(RESOLVE_DAYS)
            if received + timedelta(days=days) <= today and rng.random() < 0.92:
                c.resolved_on = received + timedelta(days=days)
                if rng.random() < 0.07:
                    c.status, c.resolution = Complaint.Status.REJECTED, rng.choice(REJECTIONS)
                else:
                    c.status, c.resolution = Complaint.Status.RESOLVED, rng.choice(RESOLUTIONS)
            rows.append(c)
    return rows


@transaction.atomic
def populate_tasks_demo(
    *, rng: random.Random, people: dict[str, User], today: date, start: date
) -> int:
    """Write the demo's tasks and complaints; returns how many (tasks plus complaints)."""
    team = _team(people)
    kams = [kam for _m, kam in team]
    accounts: dict[int, list[int]] = defaultdict(list)
    for pk, owner_id in (
        Account.objects.filter(owner__in=kams, archived_at__isnull=True)
        .order_by("pk")
        .values_list("pk", "owner_id")
    ):
        accounts[owner_id].append(pk)
    orders: dict[int, list[int]] = defaultdict(list)
    for pk, account_id in Order.objects.filter(
        account__owner__in=kams, submitted_at__isnull=False
    ).values_list("pk", "account_id"):
        orders[account_id].append(pk)
    supports = {
        u.department_id: u
        for u in sorted(people.values(), key=lambda p: p.pk)
        if u.role == Role.SUPPORT and u.department_id
    }
    tasks, comments, events = _tasks(rng, team, accounts, today, start)
    stamps = [(t.created_at, t.updated_at) for t in tasks]
    made = Task.objects.bulk_create(tasks, batch_size=1000)
    # auto_now_add stamped them now; the demo's tasks were given on their own days.
    for task, (created, updated) in zip(made, stamps, strict=True):
        task.created_at, task.updated_at = created, updated
    Task.objects.bulk_update(made, ["created_at", "updated_at"], batch_size=1000)
    TaskEvent.objects.bulk_create(
        [
            TaskEvent(task=task, actor=actor, at=at, kind=kind, status_from=s_from, status_to=s_to)
            for task, history in zip(made, events, strict=True)
            for actor, at, kind, s_from, s_to in history
        ],
        batch_size=2000,
    )
    TaskComment.objects.bulk_create(
        [
            TaskComment(task=task, author=author, at=at, text=text)
            for task, notes in zip(made, comments, strict=True)
            for author, at, text in notes
        ],
        batch_size=2000,
    )
    complaints = Complaint.objects.bulk_create(
        _complaints(rng, kams, accounts, orders, supports, today, start), batch_size=1000
    )
    overdue = sum(1 for t in made if t.is_overdue(today))
    audit_record(
        actor=None,
        action=AuditEntry.Action.IMPORT,
        entity="activity.task",
        entity_id="demo",
        summary=f"demo tasks: {len(made)} tasks, {overdue} overdue",
        changes={"tasks": len(made), "overdue": overdue},
    )
    audit_record(
        actor=None,
        action=AuditEntry.Action.IMPORT,
        entity="activity.complaint",
        entity_id="demo",
        summary=f"demo complaints: {len(complaints)} over twelve months",
        changes={"complaints": len(complaints)},
    )
    return len(made) + len(complaints)
