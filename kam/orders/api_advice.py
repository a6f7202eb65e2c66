"""HTTP API of order advice (OR-2), mounted at /api/advice: the same selector as the page,
scoped the same way (a client out of sight answers 404, as a missing one)."""

from dataclasses import asdict

from django.utils import timezone
from ninja import Query, Router

from kam.core.bounds import clamp_date
from kam.orders.advice import Reason
from kam.orders.schemas_advice import AdviceOut, AdviceQuery
from kam.orders.selectors_advice import Suggestion, note_text, order_advice, reason_text

router = Router()


def _values(reason: Reason) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in reason.values.items()}


def _suggestion(s: Suggestion) -> dict:
    return {
        "product_id": s.product.pk,
        "sku": s.product.sku,
        "name": s.product.name,
        "unit": s.product.unit,
        "kind": s.kind,
        "explanation": {
            "code": s.reason.code,
            "values": _values(s.reason),
            "text": reason_text(s.reason),
        },
        "quantity": s.quantity,
        "price": s.price,
        "amount": s.amount,
        "fits_credit": s.fits_credit,
    }


@router.get("/{account_id}", response=AdviceOut, summary="What the client may order next")
def advice_get(request, account_id: int, q: Query[AdviceQuery]):
    as_of = clamp_date(q.as_of) or timezone.localdate()
    result = order_advice(user=request.user, account=account_id, as_of=as_of)
    return {
        "account_id": result.account.pk,
        "as_of": result.as_of,
        "currency": result.currency,
        "contract_id": result.contract.pk if result.contract else None,
        "available": result.available,
        "used": result.used,
        "group": asdict(result.group) if result.group else None,
        "due": [_suggestion(s) for s in result.due],
        "peers": [_suggestion(s) for s in result.peers],
        "unsettled": [_suggestion(s) for s in result.unsettled],
        "notes": [
            {"code": n.code, "values": _values(n), "text": note_text(n)} for n in result.notes
        ],
    }
