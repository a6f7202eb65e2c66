"""HTTP API of returns, refusals, reasons, discrepancy acts and obligations (mounted at
/api/returns): the same selectors and services as the pages, scoped the same way (a client
out of sight is 404; an action the role may not do is 403 with the policy's sentence)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from kam.clients.selectors import account_get
from kam.core.bounds import clamp_date, clamp_page
from kam.orders import selectors_returns as selectors
from kam.orders import services_returns as services
from kam.orders.models import DiscrepancyAct, Reason
from kam.orders.schemas_returns import (
    ActFiltersIn,
    ActIn,
    ActOut,
    ActPageOut,
    AnalysisIn,
    AnalysisOut,
    ObligationsOut,
    ReasonFiltersIn,
    ReasonIn,
    ReasonOut,
    ResolveIn,
)
from kam.orders.selectors_obligations import obligations
from kam.orders.selectors_returns import act_language

router = Router()


@router.get("/analysis", response=AnalysisOut, summary="Returns and refusals by group and month")
def analysis(request, filters: Query[AnalysisIn]):
    result = selectors.returns_analysis(
        user=request.auth,
        start=clamp_date(filters.start),
        end=clamp_date(filters.end),
        group_by=filters.group_by,
    )
    return {
        "start": result.start,
        "end": result.end,
        "group_by": result.group_by,
        "currency": result.currency,
        "rows": result.rows,
        "months": result.months,
    }


def _reason_out(reason: Reason) -> dict:
    return {
        "id": reason.pk,
        "kind": reason.kind,
        "code": reason.code,
        "name": reason.name,
        "is_active": reason.is_active,
        "actions": list(reason.actions.all()),
    }


@router.get("/reasons", response=list[ReasonOut], summary="The managed reasons")
def reason_list(request, filters: Query[ReasonFiltersIn]):
    rows = selectors.reason_list(kind=filters.kind, active_only=bool(filters.active))
    return [_reason_out(r) for r in rows]


@router.post("/reasons", response={201: ReasonOut}, summary="Add a reason")
def reason_create(request, payload: ReasonIn):
    reason = services.reason_create(actor=request.auth, **payload.dict())
    return Status(201, _reason_out(selectors.reason_get(pk=reason.pk)))


def _act_out(act: DiscrepancyAct) -> dict:
    return {
        "id": act.pk,
        "number": act.number,
        "kind": act.kind,
        "client_id": act.shipment.order.account_id,
        "client_name": act.shipment.order.account.legal_name,
        "shipment_id": act.shipment_id,
        "shipment_number": act.shipment.number,
        "found_on": act.found_on,
        "reason_id": act.reason_id,
        "resolution": act.resolution,
        "resolved_on": act.resolved_on,
        "note": act.note,
        "lines": [
            {
                "line_number": line.line_number,
                "product": line.product,
                "sku": line.sku,
                "quantity_expected": line.expected,
                "quantity_found": line.found,
                "difference": line.difference,
            }
            for line in selectors.act_lines(act)
        ],
    }


@router.get("/acts", response=ActPageOut, summary="Discrepancy acts, newest first")
def act_list(request, filters: Query[ActFiltersIn]):
    qs = selectors.act_list(
        user=request.auth, status=filters.status or "", account_id=filters.client_id
    )
    count = qs.count()
    page = clamp_page(filters.page)
    offset = (page - 1) * filters.page_size
    rows = qs.prefetch_related("lines__order_line__product")[offset : offset + filters.page_size]
    return {
        "items": [_act_out(act) for act in rows],
        "count": count,
        "page": page,
        "page_size": filters.page_size,
    }


@router.get("/acts/{int:act_id}", response=ActOut, summary="One discrepancy act")
def act_detail(request, act_id: int):
    return _act_out(selectors.act_get(user=request.auth, pk=act_id))


@router.post("/acts", response={201: ActOut}, summary="Record a discrepancy act")
def act_create(request, payload: ActIn):
    shipment = selectors.shipment_get(user=request.auth, pk=payload.shipment_id)
    reason = None
    if payload.reason_id is not None:
        try:
            reason = selectors.reason_get(pk=payload.reason_id)
        except Http404:
            raise ValidationError({"reason_id": _("No such reason.")}) from None
    act = services.discrepancy_act_create(
        actor=request.auth,
        shipment=shipment,
        kind=payload.kind,
        found_on=payload.found_on,
        reason=reason,
        note=payload.note,
        lines=[line.dict() for line in payload.lines],
    )
    return Status(201, _act_out(selectors.act_get(user=request.auth, pk=act.pk)))


@router.post("/acts/{int:act_id}/resolve", response=ActOut, summary="Resolve an act")
def act_resolve(request, act_id: int, payload: ResolveIn):
    act = selectors.act_get(user=request.auth, pk=act_id)
    services.discrepancy_act_resolve(actor=request.auth, act=act, **payload.dict())
    return _act_out(selectors.act_get(user=request.auth, pk=act_id))


@router.get(
    "/acts/{int:act_id}/pdf",
    summary="The act as a PDF for signatures",
    description="`lang`: en, lv or ru; the company's language when left out.",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def act_pdf(request, act_id: int, lang: str | None = None):
    act = selectors.act_get(user=request.auth, pk=act_id)
    language = act_language(lang)
    response = HttpResponse(
        selectors.act_document(act=act, language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{act.number}-{language}.pdf"'
    return response


@router.get(
    "/obligations/{int:client_id}",
    response=ObligationsOut,
    summary="A client's obligations on time, 12 months",
)
def client_obligations(request, client_id: int, as_of: date | None = None):
    account = account_get(user=request.auth, pk=client_id)
    ob = obligations(user=request.auth, account=account, as_of=as_of)
    return {
        "client_id": account.pk,
        "start": ob.start,
        "as_of": ob.as_of,
        "deliveries": ob.deliveries,
        "payments": ob.payments,
        "score": ob.score,
    }
