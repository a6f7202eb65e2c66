"""HTTP API of plans (mounted at /api/plans): the same selectors and services as the pages
and the CLI, scoped the same way (SE-1): a unit out of sight answers 404 like a missing one."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from kam.core.bounds import MAX_ID, as_of_or_today
from kam.core.selectors import company_settings
from kam.org.selectors import visible_people
from kam.plans import reports, rules, selectors, services
from kam.plans.schemas import (
    PlanClientOut,
    PlanFactOut,
    PlanIn,
    PlanLevelName,
    PlanMeasureName,
    PlanOut,
)

router = Router()


class PlanFactQuery(Schema):
    level: PlanLevelName = "company"
    unit: int | None = None
    period: str
    as_of: date | None = None


class PlanClientsQuery(PlanFactQuery):
    measure: PlanMeasureName = "turnover"


def _period(code: str):
    try:
        return rules.period_parse(code, company_settings().fiscal_year_start_month)
    except rules.PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from None


def _unit_id(level: str, unit: int | None) -> int | None:
    if unit is not None and (level == "company" or not 0 < unit <= MAX_ID):
        raise Http404(_("No such unit."))
    return unit


@router.get("/fact", response=PlanFactOut, summary="Plan against fact for every visible unit")
def plan_fact(request, q: Query[PlanFactQuery]):
    report = selectors.plan_fact(
        user=request.auth,
        level=q.level,
        unit_id=_unit_id(q.level, q.unit),
        period=_period(q.period),
        as_of=as_of_or_today(q.as_of),
    )
    return reports.report_dict(report)


@router.get("/fact/clients", response=list[PlanClientOut], summary="The clients behind one figure")
def plan_fact_clients(request, q: Query[PlanClientsQuery]):
    unit = selectors.plan_unit_get(
        user=request.auth, level=q.level, unit_id=_unit_id(q.level, q.unit)
    )
    rows = selectors.plan_fact_clients(
        user=request.auth,
        unit=unit,
        period=_period(q.period),
        measure=q.measure,
        as_of=as_of_or_today(q.as_of),
    )
    return [
        {
            "client_id": r.account_id,
            "client": r.name,
            "turnover": r.turnover,
            "income": r.income,
            "documents": r.documents,
            "active": r.active,
            "new": r.new,
            "clients": r.clients,
        }
        for r in rows
    ]


def _plan_out(plan) -> dict:
    period = rules.Period(plan.kind, plan.starts_on, company_settings().fiscal_year_start_month)
    return {
        "id": plan.pk,
        "period": period.code,
        "level": plan.level,
        "department_id": plan.department_id,
        "person_id": plan.person_id,
        "parent_id": plan.parent_id,
        "turnover": plan.turnover,
        "income": plan.income,
        "active_clients": plan.active_clients,
        "new_clients": plan.new_clients,
        "currency": plan.currency,
        "over": getattr(plan, "over", {}),
    }


def _set(request, payload: PlanIn):
    user = request.auth
    department = person = None
    if payload.level == "department":
        if payload.department_id is None:
            raise ValidationError({"department_id": _("Choose the department.")})
        if not 0 < payload.department_id <= MAX_ID:
            raise Http404(_("Not found."))
        department = selectors.plan_departments(user).filter(pk=payload.department_id).first()
        if department is None:
            raise Http404(_("Not found."))
    elif payload.level == "person":
        if payload.person_id is None:
            raise ValidationError({"person_id": _("Choose the person.")})
        if not 0 < payload.person_id <= MAX_ID:
            raise Http404(_("Not found."))
        person = visible_people(user).filter(pk=payload.person_id).first()
        if person is None:
            raise Http404(_("Not found."))
    plan = services.plan_set(
        actor=user,
        period=payload.period,
        level=payload.level,
        department=department,
        person=person,
        turnover=payload.turnover,
        income=payload.income,
        active_clients=payload.active_clients,
        new_clients=payload.new_clients,
        confirm_over=payload.confirm_over,
    )
    return _plan_out(plan)


@router.post("/plans", response=PlanOut, summary="Set (create or update) one unit's plan")
def plan_post(request, payload: PlanIn):
    return _set(request, payload)


@router.put("/plans", response=PlanOut, summary="Set (create or update) one unit's plan")
def plan_put(request, payload: PlanIn):
    return _set(request, payload)
