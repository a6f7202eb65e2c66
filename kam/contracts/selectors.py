"""Reads of contracts, scoped by what the user may see (SE-1)."""

from datetime import date

from django.db.models import Q

from kam.contracts.models import Contract

# Statuses under which a contract holds between its dates.
IN_FORCE = (Contract.Status.ACTIVE, Contract.Status.EXPIRING)


def contract_active(*, account_id: int, on: date) -> Contract | None:
    """The contract that holds for the client on ``on``: concluded (active or expiring), started,
    not ended; the latest version when two overlap. None: the client has no contract that day
    (an order then cannot be taken; imported ERP invoices still can)."""
    return (
        Contract.objects.filter(account_id=account_id, status__in=IN_FORCE, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("price_column", "price_column__price_list")
        .order_by("-starts_on", "-version")
        .first()
    )
