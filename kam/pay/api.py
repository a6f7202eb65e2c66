"""HTTP API of pay (mounted at /api/pay): statements (list, detail, prepare, approve, lock)
and schemes. The same selectors and services as the pages and ``kam pay``: a statement out of
the caller's sight answers 404, an action the caller may not take 403, bad input 422."""

from django.core.exceptions import ValidationError
from ninja import Query, Router, Status
from ninja.pagination import paginate

from kam.core.schemas import Pages
from kam.core.selectors import company_settings
from kam.pay import documents, selectors, services
from kam.pay.schemas import (
    PayPrepareIn,
    PaySchemeIn,
    PaySchemeOut,
    PayStatementFilter,
    PayStatementOut,
    PayStatementSummaryOut,
)
from kam.plans.rules import PeriodError, period_parse

router = Router()


def _summary(s) -> dict:
    d = documents.statement_dict(s, lines=[])
    return {k: d[k] for k in PayStatementSummaryOut.model_fields}


class _Summaries:
    """The statements' queryset, turned into rows one page at a time."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __getitem__(self, item):
        return [_summary(s) for s in self.qs[item]]


@router.get("/statements", response=list[PayStatementSummaryOut], summary="Pay statements")
@paginate(Pages)
def pay_statements(request, q: Query[PayStatementFilter]):
    return _Summaries(
        selectors.statement_list(
            user=request.auth, period_code=q.period, status=q.status, person_id=q.person_id
        )
    )


@router.get("/statements/{int:statement_id}", response=PayStatementOut, summary="A statement")
def pay_statement(request, statement_id: int):
    return documents.statement_dict(selectors.statement_get(user=request.auth, pk=statement_id))


@router.post(
    "/statements",
    response={201: PayStatementOut},
    summary="Prepare (compute or recompute) a person's statement for a period",
)
def pay_statement_prepare(request, payload: PayPrepareIn):
    try:
        period = period_parse(payload.period, company_settings().fiscal_year_start_month)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from None
    s = services.statement_prepare(
        actor=request.auth, person=payload.person_id, period=period, as_of=payload.as_of
    )
    return Status(201, documents.statement_dict(s))


@router.post(
    "/statements/{int:statement_id}/approve",
    response=PayStatementOut,
    summary="Approve a draft (a head, never their own)",
)
def pay_statement_approve(request, statement_id: int):
    s = selectors.statement_get(user=request.auth, pk=statement_id)
    return documents.statement_dict(services.statement_approve(actor=request.auth, statement=s))


@router.post(
    "/statements/{int:statement_id}/lock",
    response=PayStatementOut,
    summary="Lock an approved statement (it never changes again)",
)
def pay_statement_lock(request, statement_id: int):
    s = selectors.statement_get(user=request.auth, pk=statement_id)
    return documents.statement_dict(services.statement_lock(actor=request.auth, statement=s))


@router.get("/schemes", response=list[PaySchemeOut], summary="Pay schemes")
def pay_schemes(request):
    return list(selectors.scheme_list(user=request.auth))


@router.post("/schemes", response={201: PaySchemeOut}, summary="Create a pay scheme")
def pay_scheme_create(request, payload: PaySchemeIn):
    return Status(201, services.scheme_create(actor=request.auth, **payload.model_dump()))
