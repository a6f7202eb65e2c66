"""HTTP API of the credit app (mounted at /api/credit by kam/api.py): a client's credit report,
its checks, its limit and terms, the rules, and the controller's watch list. The same
selectors and services as the pages and ``kam credit``; a client out of the caller's sight
answers 404, one they see but may not change 403."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kam.core.bounds import as_of_or_today
from kam.core.schemas import Pages
from kam.credit import selectors, services
from kam.credit.schemas import (
    CheckIn,
    CheckOut,
    CreditReportOut,
    CreditSettingsIn,
    CreditSettingsOut,
    TermsIn,
    TermsOut,
    WatchRowOut,
)

router = Router()


class AsOfIn(Schema):
    as_of: date | None = None


def report_out(r: selectors.CreditReport) -> dict:
    return {
        "client_id": r.account_id,
        "client": r.account_name,
        "registration_number": r.registration_number,
        "as_of": r.as_of,
        "currency": r.currency,
        "limit": r.limit,
        "limit_source": r.limit_source,
        "payment_days": r.payment_days,
        "exposure": r.exposure,
        "open_receivables": r.receivables,
        "open_orders": {"count": r.open_orders, "amount": r.open_orders_amount},
        "available": r.available,
        "overdue": r.overdue,
        "days_overdue": r.days_overdue,
        "overdue_share_pct": r.overdue_share_pct,
        "history": r.history,
        "last_check": r.last_check,
        "check_valid": r.check_valid,
        "blocked": r.blocked,
        "reasons": [{"code": c, "text": t} for c, t in zip(r.block_codes, r.reasons, strict=True)],
    }


@router.get("/clients/{int:client_id}", response=CreditReportOut, summary="A client's credit")
def credit_report(request, client_id: int, q: Query[AsOfIn]):
    account = selectors.credit_account_get(user=request.auth, pk=client_id)
    report = selectors.credit_report(
        user=request.auth, account=account, as_of=as_of_or_today(q.as_of)
    )
    return report_out(report)


@router.get(
    "/clients/{int:client_id}/checks", response=list[CheckOut], summary="A client's credit checks"
)
def credit_checks(request, client_id: int):
    account = selectors.credit_account_get(user=request.auth, pk=client_id)
    return list(selectors.credit_check_list(user=request.auth, account=account))


@router.post(
    "/clients/{int:client_id}/checks",
    response={201: CheckOut},
    summary="Record a credit check (credit controller)",
)
def credit_check_record(request, client_id: int, payload: CheckIn):
    account = selectors.credit_account_get(user=request.auth, pk=client_id)
    check = services.credit_check_record(
        actor=request.auth, account=account, **payload.model_dump()
    )
    return Status(201, check)


def _terms(account) -> dict:
    today = timezone.localdate()
    acc = getattr(account, "credit", None)
    return {
        "client_id": account.pk,
        "limit": selectors.credit_limit(account_id=account.pk, on=today),
        "payment_days": selectors.payment_terms(account_id=account.pk, on=today),
        "source": acc.source if acc else "contract",
    }


@router.put(
    "/clients/{int:client_id}/limit",
    response=TermsOut,
    summary="Set a client's credit limit and payment terms (credit controller)",
)
def credit_limit_set(request, client_id: int, payload: TermsIn):
    account = selectors.credit_account_get(user=request.auth, pk=client_id)
    services.credit_limit_set(actor=request.auth, account=account, **payload.model_dump())
    return _terms(selectors.credit_account_get(user=request.auth, pk=client_id))


@router.delete(
    "/clients/{int:client_id}/limit",
    response=TermsOut,
    summary="Take the limit and terms from the contract again (credit controller)",
)
def credit_limit_reset(request, client_id: int):
    account = selectors.credit_account_get(user=request.auth, pk=client_id)
    services.credit_limit_reset_to_contract(actor=request.auth, account=account)
    return _terms(selectors.credit_account_get(user=request.auth, pk=client_id))


@router.get("/settings", response=CreditSettingsOut, summary="The credit rules")
def credit_settings(request):
    return selectors.credit_settings()


@router.put("/settings", response=CreditSettingsOut, summary="Change the credit rules")
def credit_settings_update(request, payload: CreditSettingsIn):
    data = payload.model_dump(exclude_unset=True)
    if any(v is None for v in data.values()):
        field = next(k for k, v in data.items() if v is None)
        raise ValidationError({field: _("Enter a value.")})
    return services.credit_settings_update(actor=request.auth, **data)


@router.get(
    "/watchlist",
    response=list[WatchRowOut],
    summary="Clients near or over their limit, overdue, or with a check expiring",
)
@paginate(Pages)
def credit_watchlist(request, q: Query[AsOfIn]):
    as_of = as_of_or_today(q.as_of)
    return _WatchRows(selectors.credit_watchlist(user=request.auth, as_of=as_of), as_of)


class _WatchRows:
    """The watch list's queryset, turned into rows one page at a time."""

    def __init__(self, qs, as_of: date):
        self.qs, self.as_of = qs, as_of

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        rows = selectors.watch_rows(self.qs[key], as_of=self.as_of)
        return [
            {
                "client_id": r.account_id,
                "client": r.account_name,
                "registration_number": r.registration_number,
                "kam": r.owner_name,
                "limit": r.limit,
                "exposure": r.exposure,
                "available": r.available,
                "utilisation_pct": r.utilisation_pct,
                "overdue": r.overdue,
                "days_overdue": r.days_overdue,
                "check_until": r.check_until,
                "flags": r.flags,
            }
            for r in rows
        ]
