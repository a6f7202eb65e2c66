"""Reads of clients and contacts, always from what the user may see (SE-1)."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from kam.clients.models import Account, Contact
from kam.core.models import AuditEntry


@dataclass(frozen=True)
class AccountFilters:
    q: str = ""
    status: str = ""
    owner_id: int | None = None
    department_id: int | None = None
    territory_id: int | None = None
    segment_id: int | None = None
    industry: str = ""


def account_list(*, user, filters: AccountFilters | None = None) -> QuerySet[Account]:
    f = filters or AccountFilters()
    qs = Account.objects.visible_to(user).select_related(
        "owner", "department", "territory", "segment"
    )
    if f.q:
        qs = qs.filter(
            Q(legal_name__icontains=f.q)
            | Q(registration_number__icontains=f.q)
            | Q(vat_number__icontains=f.q)
        )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.department_id:
        qs = qs.filter(department_id=f.department_id)
    if f.territory_id:
        qs = qs.filter(territory_id=f.territory_id)
    if f.segment_id:
        qs = qs.filter(segment_id=f.segment_id)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    return qs.order_by("legal_name", "pk")


def account_get(*, user, pk) -> Account:
    """One client the user may see; 404 alike for missing and not yours."""
    try:
        return account_list(user=user).get(pk=pk)
    except (Account.DoesNotExist, ValueError, TypeError):
        raise Http404("No such client.") from None


def contact_list(*, user, account: Account | None = None) -> QuerySet[Contact]:
    qs = Contact.objects.visible_to(user).select_related("account")
    if account is not None:
        qs = qs.filter(account=account)
    return qs


def contact_get(*, user, pk) -> Contact:
    try:
        return contact_list(user=user).get(pk=pk)
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise Http404("No such contact.") from None


def account_audit_trail(*, account: Account, limit: int = 30) -> list[AuditEntry]:
    """Who changed what and when on a client and its contact people (SE-3), newest first.

    ``account`` comes from ``account_get``, so the caller's scope is already checked.
    """
    contact_ids = [str(pk) for pk in account.contacts.values_list("pk", flat=True)]
    return list(
        AuditEntry.objects.filter(
            Q(entity=Account._meta.label_lower, entity_id=str(account.pk))
            | Q(entity=Contact._meta.label_lower, entity_id__in=contact_ids)
        )
        .select_related("actor")
        .order_by("-at", "-pk")[:limit]
    )
