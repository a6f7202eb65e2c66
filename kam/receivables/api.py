"""HTTP API of settlements and receivables (mounted at /api/receivables): the same selectors
and services as the pages and the CLI, scoped the same way (SE-1): a client out of sight
answers 404 like a missing one."""

from datetime import date

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from kam.clients.selectors import account_get
from kam.core.bounds import MAX_ID, as_of_or_today
from kam.core.selectors import company_settings
from kam.core.tables import CONTENT_TYPES
from kam.receivables import documents, selectors, services
from kam.receivables.schemas import (
    AgeingReportOut,
    AllocationIn,
    AllocationOut,
    ClientBalanceOut,
    LevelName,
    SettlementIn,
    SettlementOut,
    StatementOut,
)

router = Router()


class AgeingQuery(Schema):
    level: LevelName = "company"
    unit: int | None = None
    as_of: date | None = None


class AsOfQuery(Schema):
    as_of: date | None = None


class PeriodQuery(Schema):
    date_from: date
    date_to: date
    language: str | None = None


def _client(request, client_id: int):
    if not 0 < client_id <= MAX_ID:
        raise Http404(_("Not found."))
    return account_get(user=request.auth, pk=client_id)


@router.get("/ageing", response=AgeingReportOut, summary="Receivables ageing as of a day")
def ageing(request, q: Query[AgeingQuery]):
    unit = q.unit
    if unit is not None and (q.level == "company" or not 0 < unit <= MAX_ID):
        raise Http404(_("No such unit."))
    report = selectors.ageing_report(
        user=request.auth, level=q.level, unit_id=unit, as_of=as_of_or_today(q.as_of)
    )
    return documents.report_dict(report)


@router.get(
    "/clients/{int:client_id}",
    response=ClientBalanceOut,
    summary="A client's balance, ageing and open items as of a day",
)
def client_balance(request, client_id: int, q: Query[AsOfQuery]):
    account = _client(request, client_id)
    as_of = as_of_or_today(q.as_of)
    a = selectors.client_ageing(user=request.auth, account=account, as_of=as_of)
    items = selectors.open_items(user=request.auth, account=account, as_of=as_of)
    return {
        "client_id": account.pk,
        "client": account.legal_name,
        "as_of": as_of,
        "currency": company_settings().base_currency,
        "ageing": documents.ageing_dict(a),
        "items": [
            {
                "id": o.item.pk,
                "kind": o.item.kind,
                "document_number": o.item.document_number,
                "document_date": o.item.document_date,
                "due_date": o.item.due_date,
                "amount": o.item.amount,
                "open_amount": o.open_amount,
                "days_past_due": o.days_past_due,
                "reference": o.item.reference,
                "source": o.item.source,
            }
            for o in items
        ],
    }


def _statement(request, client_id: int, q: PeriodQuery):
    account = _client(request, client_id)
    if q.date_to < q.date_from:
        raise ValidationError({"date_to": _("The end of the period is before its start.")})
    return selectors.statement(
        user=request.auth, account=account, date_from=q.date_from, date_to=q.date_to
    )


@router.get(
    "/clients/{int:client_id}/statement",
    response=StatementOut,
    summary="A client's reconciliation statement for a period",
)
def statement(request, client_id: int, q: Query[PeriodQuery]):
    return documents.statement_dict(_statement(request, client_id, q))


def _file(body: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _binary(content_type: str) -> dict:
    return {
        "responses": {
            200: {
                "description": "The document",
                "content": {content_type: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    }


def _language(value: str | None) -> str | None:
    from django.conf import settings

    if value and value not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Choose one of en, lv, ru.")})
    return value


@router.get(
    "/clients/{int:client_id}/statement.pdf",
    response={200: None},
    summary="The statement as a PDF for the client to sign",
    openapi_extra=_binary("application/pdf"),
)
def statement_pdf(request, client_id: int, q: Query[PeriodQuery]):
    s = _statement(request, client_id, q)
    body = documents.statement_pdf(s, language=_language(q.language))
    return _file(body, "application/pdf", f"statement-{s.account_id}-{s.date_to}.pdf")


@router.get(
    "/clients/{int:client_id}/statement.xlsx",
    response={200: None},
    summary="The statement as XLSX",
    openapi_extra=_binary(CONTENT_TYPES["xlsx"]),
)
def statement_xlsx(request, client_id: int, q: Query[PeriodQuery]):
    s = _statement(request, client_id, q)
    body = documents.statement_xlsx(s, language=_language(q.language))
    return _file(body, CONTENT_TYPES["xlsx"], f"statement-{s.account_id}-{s.date_to}.xlsx")


@router.post(
    "/clients/{int:client_id}/settlements",
    response={201: SettlementOut},
    summary="Record a payment, credit note, return or invoice by hand",
)
def settlement_record(request, client_id: int, payload: SettlementIn):
    account = _client(request, client_id)
    item = services.settlement_record(actor=request.auth, account=account, **payload.model_dump())
    return Status(201, item)


@router.post(
    "/allocations",
    response={201: AllocationOut},
    summary="Allocate a payment or credit to an invoice",
)
def allocation_create(request, payload: AllocationIn):
    for pk in (payload.credit_id, payload.invoice_id):
        if not 0 < pk <= MAX_ID:
            raise Http404(_("Not found."))
    credit = selectors.settlement_item_get(user=request.auth, pk=payload.credit_id)
    invoice = selectors.settlement_item_get(user=request.auth, pk=payload.invoice_id)
    allocation = services.payment_allocate(
        actor=request.auth, credit=credit, invoice=invoice, amount=payload.amount, on=payload.on
    )
    return Status(201, allocation)


@router.delete(
    "/allocations/{int:allocation_id}", response={204: None}, summary="Undo an allocation"
)
def allocation_delete(request, allocation_id: int):
    if not 0 < allocation_id <= MAX_ID:
        raise Http404(_("Not found."))
    allocation = selectors.allocation_get(user=request.auth, pk=allocation_id)
    services.allocation_undo(actor=request.auth, allocation=allocation)
    return Status(204, None)
