"""Input and output schemas of the collection API (AR-2). Inputs only parse; the services
decide what is allowed, the same as for the pages."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from kam.core.bounds import MAX_PAGE
from kam.core.schemas import MAX_PAGE_SIZE, PAGE_SIZE, Money

# --- output ----------------------------------------------------------------------------------


class PromiseOut(Schema):
    id: int
    account_id: int
    made_on: date
    promised_on: date
    amount: Money
    status: str = Field(description="open, kept or broken.")
    settled_on: date | None = Field(description="The day it was kept or found broken.")
    note: str


class ReminderOut(Schema):
    id: int
    account_id: int
    level: int
    language: str
    to_email: str
    subject: str
    overdue_amount: Money
    status: str = Field(description="queued, sent or failed.")
    sent_at: datetime | None
    error: str
    created_at: datetime


class ReminderSentOut(ReminderOut):
    created: bool = Field(
        description="false: the same reminder (client, level, day) existed already; it is "
        "returned and nothing new is sent."
    )


class CollectionRowOut(Schema):
    account_id: int
    account_name: str
    registration_number: str
    owner_id: int | None
    owner_name: str
    department_name: str
    overdue: Money
    invoices: int = Field(description="Overdue invoices.")
    oldest_due: date
    days_overdue: int = Field(description="Days past due of the oldest overdue invoice.")
    priority: Money = Field(description="overdue x days_overdue: the list's order.")
    promise: PromiseOut | None = Field(description="The open promise to pay, if any.")
    promise_broken: bool = Field(description="The client's latest promise was broken.")
    last_reminder: ReminderOut | None
    escalated: bool = Field(
        description="The oldest overdue invoice was escalated to the head of department."
    )


class CollectionListOut(Schema):
    as_of: date
    currency: str
    total_overdue: Money = Field(description="Over every row, all pages.")
    items: list[CollectionRowOut]
    count: int = Field(description="Clients with overdue debt, on all pages.")
    page: int
    page_size: int


class InvoiceOut(Schema):
    id: int
    document_number: str
    document_date: date
    due_date: date
    open_amount: Money
    days_overdue: int


class ClientCollectionOut(Schema):
    account_id: int
    account_name: str
    as_of: date
    currency: str
    overdue: Money
    days_overdue: int
    escalated: bool
    next_level: int = Field(description="The level a reminder without one would have.")
    contact_email: str = Field(description="Where a reminder goes (empty: nobody to write to).")
    invoices: list[InvoiceOut]
    promises: list[PromiseOut]
    reminders: list[ReminderOut]


# --- input -----------------------------------------------------------------------------------


class CollectionQuery(Schema):
    as_of: date | None = Field(None, description="Default: today.")
    page: int = Field(1, ge=1, description=f"Numbers over {MAX_PAGE:,} read as {MAX_PAGE:,}.")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PromiseIn(Schema):
    promised_on: date
    amount: Decimal
    made_on: date | None = Field(None, description="Default: today; not in the future.")
    note: str = ""


class ReminderIn(Schema):
    level: int | None = Field(None, description="1 friendly, 2 firm, 3 final; null: the next.")
    language: str | None = Field(None, description="en, lv or ru; null: the site's language.")
