"""Choices of the client list's filters, from the clients the user may see (SE-1).

The list's sales figures are sales selectors (``kam.sales.selectors.with_period_cents``)."""

from django.db.models import QuerySet

from kam.clients.models import Account
from kam.core.cache_versions import cached
from kam.org.models import Department, Territory


def _distinct(accounts: QuerySet[Account], field: str) -> list:
    """The distinct non-empty values of ``field`` over ``accounts``: a scan of every client the
    user sees, so cached under the query's SQL (which names the scope) until the next write."""
    qs = accounts.exclude(**{field: ""} if field == "industry" else {f"{field}__isnull": True})
    qs = qs.order_by(field).values_list(field, flat=True).distinct()
    return cached(("distinct", str(qs.query)), lambda: list(qs))


def filter_departments(*, accounts: QuerySet[Account]) -> QuerySet[Department]:
    """Departments that hold at least one of ``accounts`` (the user's visible ones)."""
    return Department.objects.filter(pk__in=_distinct(accounts, "department_id"))


def filter_territories(*, accounts: QuerySet[Account], kind: str) -> QuerySet[Territory]:
    field = "segment_id" if kind == Territory.Kind.SEGMENT else "territory_id"
    return Territory.objects.filter(kind=kind, pk__in=_distinct(accounts, field))


def filter_industries(*, accounts: QuerySet[Account]) -> list[str]:
    return _distinct(accounts, "industry")
