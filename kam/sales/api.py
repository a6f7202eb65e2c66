"""HTTP API of the sales ledger (mounted at /api/sales in kam/api.py).

Lines come from the scoped selector (SE-1): another manager's lines are neither listed nor
reachable through ``client_id``; a client outside the caller's scope answers 404.
"""

from django.db.models import CharField, Value
from django.utils import timezone
from ninja import Query, Router
from ninja.pagination import paginate

from kam.clients.selectors import account_get
from kam.core.bounds import clamp_date
from kam.core.money import quantize
from kam.core.schemas import Pages
from kam.core.services import company_settings
from kam.sales import selectors
from kam.sales.schemas import (
    MonthlySeriesFilters,
    MonthlySeriesOut,
    SalesLineFilters,
    SalesLineOut,
)

router = Router()


@router.get("/lines", response=list[SalesLineOut], summary="Sales lines, newest first")
@paginate(Pages)
def sales_line_list(request, filters: Query[SalesLineFilters]):
    base = company_settings().base_currency
    return selectors.sales_line_list(
        user=request.auth,
        account_id=filters.client_id,
        date_from=filters.date_from,
        date_to=filters.date_to,
    ).annotate(base_currency=Value(base, output_field=CharField()))


@router.get(
    "/clients/{int:client_id}/monthly",
    response=MonthlySeriesOut,
    summary="A client's monthly revenue, cost and income",
)
def account_monthly(request, client_id: int, filters: Query[MonthlySeriesFilters]):
    account = account_get(user=request.auth, pk=client_id)
    series = selectors.account_monthly_series(
        account=account,
        months=filters.months,
        until=clamp_date(filters.until) or timezone.localdate(),
    )
    return {
        "client": {"id": account.pk, "name": account.legal_name},
        "currency": company_settings().base_currency,
        # quantize: a month without sales is Decimal(0), which should read "0.00" like the rest.
        "months": [
            {
                "month": p.month,
                "revenue": quantize(p.revenue),
                "cost": quantize(p.cost),
                "income": quantize(p.income),
                "uncosted": quantize(p.uncosted),
                "income_incomplete": p.income_incomplete,
            }
            for p in series
        ],
    }
