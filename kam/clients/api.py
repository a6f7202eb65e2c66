"""HTTP API of clients and their contact people (mounted at /api/clients in kam/api.py).

Every read goes through the scoped selectors (SE-1): a client or contact outside the caller's
scope answers 404 exactly like a missing one. Writes go through the audited services (SE-3).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.clients import selectors, services
from kam.clients.schemas import (
    AccountDetailOut,
    AccountFiltersIn,
    AccountIn,
    AccountOut,
    AccountPatch,
    ContactIn,
    ContactOut,
    ContactPatch,
    ManagedAccountOut,
    OwnershipOut,
    ReassignIn,
)
from kam.clients.selectors import AccountFilters
from kam.core.schemas import Pages
from kam.org.models import Department, Territory, User

router = Router()


@router.get("/", response=list[AccountOut], summary="List clients")
@paginate(Pages)
def account_list(request, filters: Query[AccountFiltersIn]):
    data = filters.model_dump(mode="json", exclude_none=True)
    return selectors.account_list(user=request.auth, filters=AccountFilters(**data))


@router.get("/{int:client_id}", response=AccountDetailOut, summary="One client")
def account_detail(request, client_id: int):
    return selectors.account_get(user=request.auth, pk=client_id)


@router.get(
    "/{int:client_id}/contacts", response=list[ContactOut], summary="Contact people of a client"
)
def account_contacts(request, client_id: int):
    account = selectors.account_get(user=request.auth, pk=client_id)
    return selectors.contact_list(user=request.auth, account=account)


@router.post(
    "/{int:client_id}/contacts",
    response={201: ContactOut},
    summary="Add a contact person to a client",
)
def contact_create(request, client_id: int, payload: ContactIn):
    account = selectors.account_get(user=request.auth, pk=client_id)
    contact = services.contact_create(
        actor=request.auth, account=account, **payload.model_dump(mode="json")
    )
    return Status(201, contact)


@router.get("/contacts/{int:contact_id}", response=ContactOut, summary="One contact person")
def contact_detail(request, contact_id: int):
    return selectors.contact_get(user=request.auth, pk=contact_id)


@router.patch("/contacts/{int:contact_id}", response=ContactOut, summary="Change a contact person")
def contact_update(request, contact_id: int, payload: ContactPatch):
    contact = selectors.contact_get(user=request.auth, pk=contact_id)
    return services.contact_update(
        actor=request.auth, contact=contact, **payload.model_dump(mode="json", exclude_unset=True)
    )


# Managing clients (issue 7 §6): create, change, reassign, archive, restore, ownership.
# 404 for a client out of the caller's sight, 403 for one they see but may not change this
# way, 422 with the field names for invalid data (kam/api.py's handlers).

_REFS = {
    "segment_id": ("segment", Territory, {"kind": Territory.Kind.SEGMENT}),
    "territory_id": ("territory", Territory, {"kind": Territory.Kind.TERRITORY}),
    "owner_id": ("owner", User, {}),
    "department_id": ("department", Department, {}),
}


def _with_records(data: dict) -> dict:
    """The ids sent, as the records the services take; an unknown id is a 422 on its field."""
    out = {}
    for key, value in data.items():
        if key not in _REFS:
            out[key] = value
            continue
        field, model, kind = _REFS[key]
        if value is None:
            out[field] = None
            continue
        record = model._default_manager.filter(pk=value, **kind).first()
        if record is None:
            raise ValidationError({key: _("No such record: %(id)s.") % {"id": value}})
        out[field] = record
    return out


@router.post(
    "/",
    response={201: ManagedAccountOut},
    summary="Create a client",
    description="Creates a client (who may: docs/permissions.md). A KAM may give a new "
    "client only to themselves, a head only to a KAM of their department.",
)
def managed_account_create(request, payload: AccountIn):
    data = _with_records(payload.model_dump())
    account = services.account_create(actor=request.auth, **data)
    return Status(201, selectors.account_get(user=request.auth, pk=account.pk))


@router.patch("/{int:client_id}", response=ManagedAccountOut, summary="Change a client's fields")
def managed_account_update(request, client_id: int, payload: AccountPatch):
    account = selectors.account_get(user=request.auth, pk=client_id)
    data = _with_records(payload.model_dump(exclude_unset=True))
    services.account_update(actor=request.auth, account=account, **data)
    return selectors.account_get(user=request.auth, pk=client_id)


@router.post(
    "/{int:client_id}/reassign",
    response=ManagedAccountOut,
    summary="Give a client to another KAM",
    description="The head of the client's department or the director. The ownership history "
    "closes the current owner's period on the handover day and opens the new KAM's.",
)
def managed_account_reassign(request, client_id: int, payload: ReassignIn):
    account = selectors.account_get(user=request.auth, pk=client_id)
    data = _with_records(payload.model_dump())
    services.account_reassign(actor=request.auth, account=account, **data)
    return selectors.account_get(user=request.auth, pk=client_id)


@router.post("/{int:client_id}/archive", response=ManagedAccountOut, summary="Archive a client")
def managed_account_archive(request, client_id: int):
    account = selectors.account_get(user=request.auth, pk=client_id)
    services.account_archive(actor=request.auth, account=account)
    return selectors.account_get(user=request.auth, pk=client_id)


@router.post(
    "/{int:client_id}/restore", response=ManagedAccountOut, summary="Restore an archived client"
)
def managed_account_restore(request, client_id: int):
    account = selectors.account_get(user=request.auth, pk=client_id)
    services.account_restore(actor=request.auth, account=account)
    return selectors.account_get(user=request.auth, pk=client_id)


@router.get(
    "/{int:client_id}/ownership",
    response=list[OwnershipOut],
    summary="Who owned a client from when",
)
def managed_account_ownership(request, client_id: int):
    account = selectors.account_get(user=request.auth, pk=client_id)
    return selectors.account_ownership_history(account=account)
