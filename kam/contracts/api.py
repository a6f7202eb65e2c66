"""HTTP API of contracts (mounted at /api/contracts): the same scoped selectors and audited
services as the pages (SE-1, SE-3). A contract or client outside the caller's scope answers
404 like a missing one; one they see but may not act on 403; a bad field 422 naming it."""

from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.clients.selectors import account_get
from kam.contracts import selectors, services
from kam.contracts.schemas import (
    ContractDetailOut,
    ContractFiltersIn,
    ContractIn,
    ContractOut,
    ContractPatch,
    RenewIn,
    TerminateIn,
)
from kam.core.schemas import Pages

router = Router()


def _detail(user, pk: int):
    contract = selectors.contract_get(user=user, pk=pk)
    contract.versions = [c.pk for c in selectors.contract_versions(contract=contract)]
    return contract


def _terms(data: dict) -> dict:
    """The schema's names as the service's: ``price_column_id`` is the column (or its id)."""
    out = {k: v for k, v in data.items() if v is not None}
    if "price_column_id" in out:
        out["price_column"] = out.pop("price_column_id")
    return out


@router.get("/", response=list[ContractOut], summary="List contracts")
@paginate(Pages)
def contract_list(request, filters: Query[ContractFiltersIn]):
    return selectors.contract_list(
        user=request.auth,
        status=filters.status or "",
        account_id=filters.client_id,
        q=filters.q.strip(),
    )


@router.get("/{int:contract_id}", response=ContractDetailOut, summary="One contract")
def contract_detail(request, contract_id: int):
    return _detail(request.auth, contract_id)


@router.post(
    "/",
    response={201: ContractDetailOut},
    summary="Prepare a contract (a draft)",
    description="contract.edit on the client: its KAM and their managers.",
)
def contract_create(request, payload: ContractIn):
    data = payload.model_dump()
    account = account_get(user=request.auth, pk=data.pop("client_id"))
    contract = services.contract_create(actor=request.auth, account=account, **_terms(data))
    return Status(201, _detail(request.auth, contract.pk))


@router.patch(
    "/{int:contract_id}",
    response=ContractDetailOut,
    summary="Change a draft",
    description="contract.edit on the client; a contract no longer a draft is refused (422 on "
    "`status`): renew it instead.",
)
def contract_update(request, contract_id: int, payload: ContractPatch):
    contract = selectors.contract_get(user=request.auth, pk=contract_id)
    data = payload.model_dump(exclude_unset=True)
    if "price_column_id" in data:
        data["price_column"] = data.pop("price_column_id")
    services.contract_update(actor=request.auth, contract=contract, **data)
    return _detail(request.auth, contract_id)


@router.post(
    "/{int:contract_id}/renew",
    response={201: ContractDetailOut},
    summary="Renew a contract as a new draft version",
    description="The same number, the next version; terms not sent are copied. It must start "
    "after the version renewed started; a version is renewed once.",
)
def contract_renew(request, contract_id: int, payload: RenewIn):
    contract = selectors.contract_get(user=request.auth, pk=contract_id)
    data = payload.model_dump()
    renewal = services.contract_renew(
        actor=request.auth,
        contract=contract,
        starts_on=data.pop("starts_on"),
        ends_on=data.pop("ends_on"),
        **_terms(data),
    )
    return Status(201, _detail(request.auth, renewal.pk))


@router.post(
    "/{int:contract_id}/conclude",
    response=ContractDetailOut,
    summary="Conclude a draft",
    description="contract.conclude: the head of the department or the director. The version "
    "it renews becomes renewed.",
)
def contract_conclude(request, contract_id: int):
    contract = selectors.contract_get(user=request.auth, pk=contract_id)
    services.contract_conclude(actor=request.auth, contract=contract)
    return _detail(request.auth, contract_id)


@router.post(
    "/{int:contract_id}/terminate",
    response=ContractDetailOut,
    summary="Terminate a contract in force",
    description="contract.conclude. `on` is its last day, from its first day to its end.",
)
def contract_terminate(request, contract_id: int, payload: TerminateIn):
    contract = selectors.contract_get(user=request.auth, pk=contract_id)
    services.contract_terminate(
        actor=request.auth, contract=contract, on=payload.on, reason=payload.reason
    )
    return _detail(request.auth, contract_id)
