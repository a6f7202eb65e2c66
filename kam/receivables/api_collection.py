"""HTTP API of debt collection (AR-2), mounted at /api/collection: the collection list, a
client's collection state, recording a promise to pay and sending a reminder. The same
selectors and services as the pages, scoped the same way (404 out of sight, 403 with a
sentence for a role that does not work on debt)."""

from django.utils import timezone
from ninja import Query, Router, Status

from kam.core.bounds import clamp_date, clamp_page
from kam.core.selectors import company_settings
from kam.org.policy import Action, require
from kam.receivables import selectors_collection as selectors
from kam.receivables import services_collection as services
from kam.receivables.schemas_collection import (
    ClientCollectionOut,
    CollectionListOut,
    CollectionQuery,
    PromiseIn,
    PromiseOut,
    ReminderIn,
    ReminderSentOut,
)

router = Router()


def _reminder(reminder, created: bool) -> dict:
    return {
        **{f: getattr(reminder, f) for f in ReminderSentOut.model_fields if f != "created"},
        "created": created,
    }


@router.get("", response=CollectionListOut, summary="Collection list")
def collection(request, q: Query[CollectionQuery]):
    """The clients with overdue debt you work on, the largest amount x days overdue first."""
    require(request.user, Action.COLLECTION_WORK)
    as_of = clamp_date(q.as_of) or timezone.localdate()
    rows = selectors.collection_list(user=request.user, as_of=as_of)
    page = clamp_page(q.page)
    offset = (page - 1) * q.page_size
    return {
        "as_of": as_of,
        "currency": company_settings().base_currency,
        "total_overdue": sum((r.overdue for r in rows), selectors.ZERO),
        "items": rows[offset : offset + q.page_size],
        "count": len(rows),
        "page": page,
        "page_size": q.page_size,
    }


@router.get("/clients/{account_id}", response=ClientCollectionOut, summary="A client's debt")
def client(request, account_id: int):
    """Overdue invoices, promises and reminders of one client."""
    account = selectors.collection_account_get(user=request.user, pk=account_id)
    require(request.user, Action.COLLECTION_WORK, account)
    data = selectors.client_collection(account=account, as_of=timezone.localdate())
    return {
        "account_id": account.pk,
        "account_name": account.legal_name,
        "as_of": data.as_of,
        "currency": company_settings().base_currency,
        "overdue": data.overdue,
        "days_overdue": data.days_overdue,
        "escalated": data.escalated,
        "next_level": data.next_level,
        "contact_email": data.contact.email if data.contact else "",
        "invoices": data.invoices,
        "promises": data.promises,
        "reminders": data.reminders,
    }


@router.post(
    "/clients/{account_id}/promises", response={201: PromiseOut}, summary="Record a promise"
)
def promise_create(request, account_id: int, payload: PromiseIn):
    promise = services.promise_record(
        actor=request.user, account=account_id, **payload.model_dump()
    )
    return Status(201, promise)


@router.post(
    "/clients/{account_id}/reminders",
    response={200: ReminderSentOut, 201: ReminderSentOut},
    summary="Send a payment reminder",
)
def reminder_create(request, account_id: int, payload: ReminderIn):
    """201 with a new reminder (its e-mail leaves after the commit); 200 with the first one
    when the same reminder (client, level, day) was made already: nothing new is sent."""
    result = services.reminder_send(
        actor=request.user, account=account_id, level=payload.level, language=payload.language
    )
    return Status(201 if result.created else 200, _reminder(result.reminder, result.created))
