"""HTTP API of clients and their contact people (mounted at /api/clients in kam/api.py).

Every read goes through the scoped selectors (SE-1): a client or contact outside the caller's
scope answers 404 exactly like a missing one. Writes go through the audited services (SE-3).
"""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.clients import selectors, services
from kam.clients.schemas import (
    AccountDetailOut,
    AccountFiltersIn,
    AccountOut,
    ContactIn,
    ContactOut,
    ContactPatch,
)
from kam.clients.selectors import AccountFilters
from kam.core.schemas import Pages

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
