"""Input and output schemas of the receivables API. Inputs only parse; the services decide."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

LevelName = Literal["company", "department", "manager"]
KindName = Literal["invoice", "payment", "credit_note", "return"]


class AgeingOut(Schema):
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    over_90: Decimal
    total: Decimal = Field(description="Open invoices: the sum of the five buckets.")
    overdue: Decimal
    credits: Decimal = Field(description="Unallocated payments and credits (zero or negative).")
    balance: Decimal = Field(description="total + credits: what the client owes net.")
    oldest_due: date | None


class AgeingRowOut(AgeingOut):
    kind: str = Field(description="department, manager or client")
    id: int | None
    name: str


class AgeingReportOut(Schema):
    level: str
    unit_id: int | None
    unit_name: str
    as_of: date
    currency: str
    total: AgeingOut
    rows: list[AgeingRowOut]


class ItemOut(Schema):
    id: int
    kind: str
    document_number: str
    document_date: date
    due_date: date | None
    amount: Decimal
    open_amount: Decimal = Field(description="Open as of the day asked.")
    days_past_due: int
    reference: str
    source: str


class ClientBalanceOut(Schema):
    client_id: int
    client: str
    as_of: date
    currency: str
    ageing: AgeingOut
    items: list[ItemOut]


class MovementOut(Schema):
    date: date
    kind: str
    document_number: str
    reference: str
    amount: Decimal
    balance: Decimal


class StatementOut(Schema):
    client_id: int
    client: str
    registration_number: str
    date_from: date
    date_to: date
    currency: str
    opening: Decimal
    movements: list[MovementOut]
    closing: Decimal


class SettlementIn(Schema):
    kind: KindName
    document_number: str = Field(max_length=64)
    document_date: date
    amount: Decimal = Field(description="Positive, in the base currency; signed by its kind.")
    due_date: date | None = Field(None, description="Invoices only, required for them.")
    currency: str = Field("", max_length=3, description="The document's currency (default: base).")
    document_amount: Decimal | None = None
    reference: str = Field("", max_length=64)
    note: str = Field("", max_length=300)
    allocate_to: str = Field("", max_length=64, description="An invoice number to settle first.")


class SettlementOut(Schema):
    id: int
    client_id: int = Field(alias="account_id")
    kind: str
    document_number: str
    document_date: date
    due_date: date | None
    amount: Decimal
    open_amount: Decimal
    currency: str
    source: str


class AllocationIn(Schema):
    credit_id: int = Field(description="A payment, credit note or return.")
    invoice_id: int
    amount: Decimal
    on: date | None = Field(None, description="Default: today (never before either document).")


class AllocationOut(Schema):
    id: int
    credit_id: int
    invoice_id: int = Field(alias="debit_id")
    amount: Decimal
    allocated_on: date
