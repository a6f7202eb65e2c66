"""HTTP API of promotions (mounted at /api/promotions by kam/api.py): the programmes the caller
sees, one with its effect, and the proposal and the director's decisions. The same selectors
and services as the pages; a programme touching none of the caller's clients answers 404."""

from dataclasses import asdict, fields
from datetime import date

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.core.bounds import as_of_or_today
from kam.core.schemas import Pages
from kam.promotions import selectors, services
from kam.promotions.schemas import (
    PromotionCostIn,
    PromotionDecisionIn,
    PromotionDetailOut,
    PromotionIn,
    PromotionOut,
)

router = Router()


class PromotionListQuery(Schema):
    status: str | None = None


class PromotionAsOf(Schema):
    as_of: date | None = None


def _detail(user, pk: int, as_of: date | None = None) -> dict:
    promotion = selectors.promotion_get(user=user, pk=pk)
    effect = selectors.promotion_effect(user=user, promotion=promotion, as_of=as_of_or_today(as_of))
    out = PromotionOut.from_orm(promotion).model_dump()
    seen = set(effect.client_ids)
    data = {f.name: getattr(effect, f.name) for f in fields(effect) if f.name != "promotion"}
    data["turnover"], data["income"] = asdict(effect.turnover), asdict(effect.income)
    data["series"] = [asdict(m) for m in effect.series]
    return {
        **out,
        "products": sorted(p.pk for p in promotion.products.all()),
        "categories": sorted(c.pk for c in promotion.categories.all()),
        "clients": sorted(a.pk for a in promotion.accounts.all() if a.pk in seen),
        "segments": sorted(s.pk for s in promotion.segments.all()),
        "effect": data,
    }


@router.get("/", response=list[PromotionOut], summary="The promotions touching your clients")
@paginate(Pages)
def promotion_list(request, q: Query[PromotionListQuery]):
    return selectors.promotion_list(user=request.auth, status=q.status or None)


@router.get(
    "/{int:promotion_id}",
    response=PromotionDetailOut,
    summary="A promotion with its effect (over your clients)",
)
def promotion_detail(request, promotion_id: int, q: Query[PromotionAsOf]):
    return _detail(request.auth, promotion_id, q.as_of)


@router.post("/", response={201: PromotionDetailOut}, summary="Propose a promotion")
def promotion_propose(request, payload: PromotionIn):
    promotion = services.promotion_propose(actor=request.auth, **payload.model_dump())
    return Status(201, _detail(request.auth, promotion.pk))


@router.post(
    "/{int:promotion_id}/approve",
    response=PromotionDetailOut,
    summary="Approve a proposed promotion (the director; never one's own)",
)
def promotion_approve(request, promotion_id: int, payload: PromotionDecisionIn):
    promotion = selectors.promotion_get(user=request.auth, pk=promotion_id)
    services.promotion_approve(actor=request.auth, promotion=promotion, note=payload.note)
    return _detail(request.auth, promotion_id)


@router.post(
    "/{int:promotion_id}/refuse",
    response=PromotionDetailOut,
    summary="Refuse a proposed promotion (the director)",
)
def promotion_refuse(request, promotion_id: int, payload: PromotionDecisionIn):
    promotion = selectors.promotion_get(user=request.auth, pk=promotion_id)
    services.promotion_refuse(actor=request.auth, promotion=promotion, note=payload.note)
    return _detail(request.auth, promotion_id)


@router.put(
    "/{int:promotion_id}/cost",
    response=PromotionDetailOut,
    summary="Record what an approved promotion cost (the director)",
)
def promotion_record_cost(request, promotion_id: int, payload: PromotionCostIn):
    promotion = selectors.promotion_get(user=request.auth, pk=promotion_id)
    services.promotion_record_cost(actor=request.auth, promotion=promotion, cost=payload.cost)
    return _detail(request.auth, promotion_id)
