"""Reads of complaints, scoped by client (issue 11: AC-11): a complaint is seen by whoever
sees its client (SE-1); one out of sight answers 404, as a missing one does.

- ``complaint_list``: filtered by status, category and client, newest first.
- ``complaint_statistics``: over a list, the count per category, the median and the average
  days to resolve (of the resolved ones; a rejected complaint is closed, not resolved), and
  how many are open for more than 14 days.
"""

import statistics
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.activity.models import Complaint
from kam.clients.models import Account
from kam.org.models import Role, User
from kam.org.policy import Action, can, scope

OPEN_TOO_LONG_DAYS = 14


def complaints_visible(user) -> QuerySet[Complaint]:
    return Complaint.objects.visible_to(user).select_related("account", "owner", "order")


def complaint_get(*, user, pk) -> Complaint:
    """One complaint of a client the user may see; 404 alike for missing and not yours."""
    try:
        return complaints_visible(user).get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404("No such complaint.") from None


def complaint_list(
    *, user, status: str | None = None, category: str | None = None, account=None
) -> QuerySet[Complaint]:
    qs = complaints_visible(user)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category=category)
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("-received_on", "-pk")


def recording_accounts(*, user):
    """Clients in work on which the user may record complaints, by name."""
    q = scope(user, Action.COMPLAINT_RECORD)
    qs = Account.objects.visible_to(user).filter(archived_at__isnull=True)
    if q is not None:
        qs = qs.filter(q)
    return qs.order_by("legal_name", "pk")


def may_own(person: User, account) -> bool:
    """A KAM or sales support person who may work on the client's complaints."""
    return (
        person.is_active
        and person.role in {Role.KAM, Role.SUPPORT}
        and can(person, Action.COMPLAINT_RECORD, account)
    )


def possible_owners(*, account) -> list[User]:
    people = User.objects.filter(is_active=True, role__in=[Role.KAM, Role.SUPPORT]).order_by(
        "last_name", "first_name", "pk"
    )
    return [p for p in people if may_own(p, account)]


@dataclass(frozen=True)
class ComplaintStats:
    total: int
    by_category: tuple[tuple[str, str, int], ...]  # (code, label, count), every category
    by_status: dict[str, int]
    resolved: int
    median_days: Decimal | None  # of the resolved ones
    average_days: Decimal | None
    open_too_long: int  # open for more than OPEN_TOO_LONG_DAYS on as_of
    as_of: date


def _one_place(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def complaint_statistics(qs: QuerySet[Complaint], *, as_of: date) -> ComplaintStats:
    """The figures of a list of complaints (one query)."""
    rows = list(qs.order_by().values_list("category", "status", "received_on", "resolved_on"))
    counts = dict.fromkeys(Complaint.Category.values, 0)
    by_status = dict.fromkeys(Complaint.Status.values, 0)
    days = []
    open_too_long = 0
    for category, status, received, resolved in rows:
        counts[category] = counts.get(category, 0) + 1
        by_status[status] = by_status.get(status, 0) + 1
        if status == Complaint.Status.RESOLVED and resolved is not None:
            days.append((resolved - received).days)
        elif status == Complaint.Status.OPEN and (as_of - received).days > OPEN_TOO_LONG_DAYS:
            open_too_long += 1
    labels = dict(Complaint.Category.choices)
    return ComplaintStats(
        total=len(rows),
        by_category=tuple((c, str(labels[c]), counts[c]) for c in Complaint.Category.values),
        by_status=by_status,
        resolved=len(days),
        median_days=_one_place(statistics.median(days)) if days else None,
        average_days=_one_place(Decimal(sum(days)) / len(days)) if days else None,
        open_too_long=open_too_long,
        as_of=as_of,
    )


def complaint_chart(stats: ComplaintStats) -> dict:
    """The list page's bar chart (complaints per category), for ``json_script``."""
    return {
        "labels": [label for _code, label, _n in stats.by_category],
        "counts": [n for _code, _label, n in stats.by_category],
        "name": _("Complaints"),
    }


def client_panel(*, user, account, as_of: date) -> dict | None:
    """The client card's complaint panel: the open complaints (the oldest first) and the
    client's figures. None for a reader who may not see the client."""
    if not can(user, Action.CLIENT_VIEW, account):
        return None
    qs = complaint_list(user=user, account=account)
    return {
        "complaints_account": account,
        "complaints_open": list(
            qs.filter(status=Complaint.Status.OPEN).order_by("received_on", "pk")[:10]
        ),
        "complaints_stats": complaint_statistics(qs, as_of=as_of),
        "complaints_may_record": can(user, Action.COMPLAINT_RECORD, account),
    }
