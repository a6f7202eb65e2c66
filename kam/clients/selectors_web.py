"""Choices of the client list's filters, from the clients the user may see (SE-1).

The list's sales figures are sales selectors (``kam.sales.selectors.with_period_cents``)."""

from django.db.models import QuerySet

from kam.clients.models import Account
from kam.org.models import Department, Territory


def filter_departments(*, accounts: QuerySet[Account]) -> QuerySet[Department]:
    """Departments that hold at least one of ``accounts`` (the user's visible ones)."""
    return Department.objects.filter(pk__in=accounts.order_by().values("department_id"))


def filter_territories(*, accounts: QuerySet[Account], kind: str) -> QuerySet[Territory]:
    field = "segment_id" if kind == Territory.Kind.SEGMENT else "territory_id"
    return Territory.objects.filter(kind=kind, pk__in=accounts.order_by().values(field))


def filter_industries(*, accounts: QuerySet[Account]) -> list[str]:
    return list(
        accounts.exclude(industry="")
        .order_by("industry")
        .values_list("industry", flat=True)
        .distinct()
    )
