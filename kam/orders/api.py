"""HTTP API of the orders app (mounted at /api/orders): the same services as the pages, so the
credit gate, approvals and the version check hold here too (CR-3: no bypass by the API).

``POST /api/orders/`` honours an ``Idempotency-Key`` header (issue 9 §10): the first answer is
kept and given again to a retry with the same key and body; the same key with another body is
refused (422, naming the header). A write with a stale ``version`` answers 409."""

import hashlib
import json
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from kam.catalog.models import Product
from kam.core.bounds import check_text
from kam.core.schemas import Pages
from kam.orders import selectors, services
from kam.orders.models import IdempotencyKey, Order
from kam.orders.schemas import (
    CommentIn,
    DayIn,
    DecisionIn,
    EnterIn,
    LineAddIn,
    LinePatchIn,
    OrderCreateIn,
    OrderListOut,
    OrderOut,
    OrderPatchIn,
    RefuseIn,
    ReturnIn,
    ReturnOut,
    ShipIn,
    VersionIn,
)

router = Router()


def conflict_as_409(view):
    """A stale version is a conflict (409), not invalid data."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except services.StaleOrder as exc:
            raise HttpError(409, " ".join(exc.messages)) from None

    return wrapper


def order_out(order: Order) -> dict:
    order = selectors.order_get_unscoped(pk=order.pk)
    return {
        "id": order.pk,
        "number": order.number,
        "account_id": order.account_id,
        "account_name": order.account.legal_name,
        "status": order.status,
        "currency": order.currency,
        "total": order.total,
        "total_base": order.total_base,
        "version": order.version,
        "waiting_reason": order.waiting_reason,
        "blocked_stage": order.blocked_stage,
        "erp_number": order.erp_number,
        "requested_on": order.requested_on,
        "note": order.note,
        "submitted_at": order.submitted_at,
        "lines": [
            {
                "id": ln.pk,
                "line_number": ln.line_number,
                "product_id": ln.product_id,
                "sku": ln.product.sku,
                "quantity": ln.quantity,
                "list_price": ln.list_price,
                "discount_percent": ln.discount_percent,
                "price": ln.price,
                "amount": ln.amount,
                "requested_on": ln.requested_on,
                "shipped_quantity": ln.shipped_quantity,
                "refused_quantity": ln.refused_quantity,
                "returned_quantity": ln.returned_quantity,
            }
            for ln in selectors.order_lines(order)
        ],
        "shipments": [
            {
                "id": s.pk,
                "number": s.number,
                "shipped_on": s.shipped_on,
                "amount": s.amount,
                "invoice_number": s.invoice_number,
                "invoiced_on": s.invoiced_on,
                "delivered_on": s.delivered_on,
            }
            for s in order.shipments.order_by("shipped_on", "pk")
        ],
        "approvals": [
            {
                "id": a.pk,
                "line_number": a.line.line_number,
                "requested_percent": a.requested_percent,
                "allowed_percent": a.allowed_percent,
                "status": a.status,
            }
            for a in order.approvals.select_related("line").order_by("pk")
        ],
    }


def _product(pk: int, field: str) -> Product:
    product = Product.objects.filter(pk=pk).first()
    if product is None:
        raise ValidationError({field: _("No product with id %(id)s.") % {"id": pk}})
    return product


class OrderFiltersIn(Schema):
    status: str = ""
    account: int | None = None
    q: str = ""


@router.get("/", response=list[OrderListOut], summary="Orders of the clients you see")
@paginate(Pages)
def order_list(request, filters: Query[OrderFiltersIn]):
    qs = selectors.order_list(
        user=request.auth,
        filters=selectors.OrderFilters(
            status=filters.status, account=filters.account, q=filters.q[:100]
        ),
    )
    return qs


@router.get("/{int:order_id}", response=OrderOut, summary="One order")
def order_detail(request, order_id: int):
    return order_out(selectors.order_get(user=request.auth, pk=order_id))


def _body_hash(payload: OrderCreateIn) -> str:
    body = json.dumps(payload.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


@router.post(
    "/",
    response={200: OrderOut, 201: OrderOut},
    summary="Draft an order (with lines); send Idempotency-Key to retry safely",
)
def order_create(
    request,
    payload: OrderCreateIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=200),
):
    user = request.auth
    account = selectors.account_for_order(user=user, pk=payload.account)
    digest = _body_hash(payload)
    if idempotency_key is not None:
        check_text(idempotency_key, field="Idempotency-Key")
        if not idempotency_key.strip():
            raise ValidationError({"Idempotency-Key": _("The key is empty.")})
        answer = _replay(user, idempotency_key, digest)
        if answer is not None:
            return answer

    def create() -> dict:
        order = services.order_create(
            actor=user,
            account=account,
            requested_on=payload.requested_on,
            note=payload.note,
            lines=[
                {
                    "product": _product(ln.product, f"lines.{i}.product"),
                    "quantity": ln.quantity,
                    "discount_percent": ln.discount_percent,
                    "requested_on": ln.requested_on,
                }
                for i, ln in enumerate(payload.lines)
            ],
        )
        return OrderOut.model_validate(order_out(order)).model_dump(mode="json")

    if idempotency_key is None:
        return Status(201, create())
    try:
        with transaction.atomic():
            body = create()
            IdempotencyKey.objects.create(
                user=user,
                key=idempotency_key,
                request_hash=digest,
                status_code=201,
                response=body,
            )
    except IntegrityError:
        # Another request with the same key won the race: its answer is the answer.
        answer = _replay(user, idempotency_key, digest)
        if answer is None:
            raise
        return answer
    return Status(201, body)


def _replay(user, key: str, digest: str):
    kept = IdempotencyKey.objects.filter(user=user, key=key).first()
    if kept is None:
        return None
    if kept.request_hash != digest:
        raise ValidationError(
            {
                "Idempotency-Key": _(
                    "This key was used for another request body; use a new key for a new order."
                )
            }
        )
    return Status(kept.status_code, kept.response)


def _order(request, order_id: int) -> Order:
    return selectors.order_get(user=request.auth, pk=order_id)


@router.patch("/{int:order_id}", response=OrderOut, summary="Change the note or requested date")
@conflict_as_409
def order_update(request, order_id: int, payload: OrderPatchIn):
    order = services.order_update(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        note=payload.note,
        requested_on=payload.requested_on,
    )
    return order_out(order)


@router.post("/{int:order_id}/lines", response=OrderOut, summary="Add a line to a draft")
@conflict_as_409
def line_add(request, order_id: int, payload: LineAddIn):
    order = _order(request, order_id)
    services.order_line_add(
        actor=request.auth,
        order=order,
        version=payload.version,
        product=_product(payload.product, "product"),
        quantity=payload.quantity,
        discount_percent=payload.discount_percent,
        requested_on=payload.requested_on,
    )
    return order_out(order)


@router.patch("/{int:order_id}/lines/{int:line_id}", response=OrderOut, summary="Change a line")
@conflict_as_409
def line_update(request, order_id: int, line_id: int, payload: LinePatchIn):
    order = _order(request, order_id)
    services.order_line_update(
        actor=request.auth,
        order=order,
        version=payload.version,
        line=line_id,
        quantity=payload.quantity,
        discount_percent=payload.discount_percent,
        requested_on=payload.requested_on,
    )
    return order_out(order)


@router.delete(
    "/{int:order_id}/lines/{int:line_id}", response=OrderOut, summary="Remove a draft's line"
)
@conflict_as_409
def line_remove(request, order_id: int, line_id: int, version: int):
    order = _order(request, order_id)
    services.order_line_remove(actor=request.auth, order=order, version=version, line=line_id)
    return order_out(order)


@router.post("/{int:order_id}/submit", response=OrderOut, summary="Submit: approvals, the gate")
@conflict_as_409
def order_submit(request, order_id: int, payload: VersionIn):
    order = services.order_submit(
        actor=request.auth, order=_order(request, order_id), version=payload.version
    )
    return order_out(order)


@router.post("/{int:order_id}/cancel", response=OrderOut, summary="Cancel before processing")
@conflict_as_409
def order_cancel(request, order_id: int, payload: CommentIn):
    order = services.order_cancel(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        comment=payload.comment,
    )
    return order_out(order)


@router.post("/{int:order_id}/copy", response={201: OrderOut}, summary="Copy into a new draft")
def order_copy(request, order_id: int):
    copy = services.order_copy(actor=request.auth, order=_order(request, order_id))
    return Status(201, order_out(copy))


@router.post("/{int:order_id}/approve", response=OrderOut, summary="Approve a discount")
@conflict_as_409
def discount_approve(request, order_id: int, payload: DecisionIn):
    order = services.discount_approve(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        approval=payload.approval,
        comment=payload.comment,
    )
    return order_out(order)


@router.post("/{int:order_id}/reject", response=OrderOut, summary="Reject a discount")
@conflict_as_409
def discount_reject(request, order_id: int, payload: DecisionIn):
    order = services.discount_reject(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        approval=payload.approval,
        comment=payload.comment,
    )
    return order_out(order)


@router.post("/{int:order_id}/override", response=OrderOut, summary="Release a credit block")
@conflict_as_409
def order_override(request, order_id: int, payload: CommentIn):
    order = services.order_override(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        comment=payload.comment,
    )
    return order_out(order)


@router.post("/{int:order_id}/enter", response=OrderOut, summary="Entered in the ERP")
@conflict_as_409
def order_enter(request, order_id: int, payload: EnterIn):
    order = services.order_enter(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        erp_number=payload.erp_number,
    )
    return order_out(order)


@router.post("/{int:order_id}/confirm", response=OrderOut, summary="Confirm")
@conflict_as_409
def order_confirm(request, order_id: int, payload: VersionIn):
    order = services.order_confirm(
        actor=request.auth, order=_order(request, order_id), version=payload.version
    )
    return order_out(order)


def _picks(lines):
    return None if lines is None else [p.model_dump() for p in lines]


@router.post("/{int:order_id}/ship", response=OrderOut, summary="Ship (the gate again)")
@conflict_as_409
def order_ship(request, order_id: int, payload: ShipIn):
    order = _order(request, order_id)
    services.order_ship(
        actor=request.auth,
        order=order,
        version=payload.version,
        lines=_picks(payload.lines),
        shipped_on=payload.shipped_on,
    )
    return order_out(order)


@router.post("/{int:order_id}/refuse", response=OrderOut, summary="Refuse (whole or lines)")
@conflict_as_409
def order_refuse(request, order_id: int, payload: RefuseIn):
    order = services.order_refuse(
        actor=request.auth,
        order=_order(request, order_id),
        version=payload.version,
        reason=payload.reason,
        lines=_picks(payload.lines),
        comment=payload.comment,
    )
    return order_out(order)


@router.post(
    "/shipments/{int:shipment_id}/invoice", response=OrderOut, summary="Invoice (the gate again)"
)
@conflict_as_409
def shipment_invoice(request, shipment_id: int, payload: DayIn):
    shipment = selectors.shipment_get(user=request.auth, pk=shipment_id)
    services.shipment_invoice(
        actor=request.auth, shipment=shipment, version=payload.version, invoiced_on=payload.on
    )
    return order_out(shipment.order)


@router.post("/shipments/{int:shipment_id}/deliver", response=OrderOut, summary="Delivered")
@conflict_as_409
def order_deliver(request, shipment_id: int, payload: DayIn):
    shipment = selectors.shipment_get(user=request.auth, pk=shipment_id)
    services.order_deliver(
        actor=request.auth, shipment=shipment, version=payload.version, delivered_on=payload.on
    )
    return order_out(shipment.order)


@router.post("/shipments/{int:shipment_id}/return", response={201: ReturnOut}, summary="Goods back")
@conflict_as_409
def order_return(request, shipment_id: int, payload: ReturnIn):
    shipment = selectors.shipment_get(user=request.auth, pk=shipment_id)
    item = services.order_return(
        actor=request.auth,
        shipment=shipment,
        version=payload.version,
        reason=payload.reason,
        lines=_picks(payload.lines),
        returned_on=payload.returned_on,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": item.pk,
            "number": item.number,
            "shipment_id": shipment.pk,
            "returned_on": item.returned_on,
        },
    )
