"""API schemas of returns, refusals, reasons, discrepancy acts and obligations: what comes in
(parsed only; the services decide what is acceptable) and what goes out."""

from datetime import date
from typing import Literal

from ninja import Field, Schema

from kam.core.bounds import MAX_ID, MAX_PAGE
from kam.core.schemas import MAX_PAGE_SIZE, PAGE_SIZE, ExactDecimal, Money

GroupBy = Literal["reason", "product", "client", "kam"]


class AnalysisIn(Schema):
    start: date | None = Field(None, description="First month (any day in it); 12 months back.")
    end: date | None = Field(None, description="Last month (any day in it); this month.")
    group_by: GroupBy = "reason"


class AnalysisRowOut(Schema):
    key: int | None = Field(description="The reason's, product's, client's or KAM's id.")
    label: str
    refused_quantity: ExactDecimal
    refused_amount: Money
    returned_quantity: ExactDecimal
    returned_amount: Money
    lines: int


class AnalysisMonthOut(Schema):
    month: date
    refused_quantity: ExactDecimal
    refused_amount: Money
    returned_quantity: ExactDecimal
    returned_amount: Money


class AnalysisOut(Schema):
    start: date
    end: date
    group_by: GroupBy
    currency: str
    rows: list[AnalysisRowOut]
    months: list[AnalysisMonthOut]


class ReasonIn(Schema):
    kind: str = Field(..., max_length=32, description="refusal, return or discrepancy")
    code: str = Field(..., max_length=100)
    name: str = Field(..., max_length=1000)


class PreventiveActionOut(Schema):
    id: int
    text: str
    owner_id: int | None
    due_on: date | None
    done_on: date | None


class ReasonOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    is_active: bool
    actions: list[PreventiveActionOut]


class ReasonFiltersIn(Schema):
    kind: Literal["refusal", "return", "discrepancy"] | None = None
    active: bool | None = Field(None, description="true: only the reasons in use.")


class ActLineIn(Schema):
    order_line_id: int = Field(..., ge=1, le=MAX_ID)
    quantity_expected: str = Field(
        ..., max_length=40, description="Per the shipment's document (a decimal as a string)."
    )
    quantity_found: str = Field(
        ..., max_length=40, description="Found; for damage, the damaged units."
    )


class ActIn(Schema):
    shipment_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field(..., max_length=32, description="shortage, surplus or damage")
    found_on: date | None = Field(None, description="Today when left out.")
    reason_id: int | None = Field(None, ge=1, le=MAX_ID, description="A discrepancy reason.")
    note: str = Field("", max_length=5000)
    lines: list[ActLineIn] = Field(..., max_length=1000)


class ResolveIn(Schema):
    resolution: str = Field(..., max_length=32, description="credit_note, redelivery, write_off")
    resolved_on: date | None = Field(None, description="Today when left out.")
    note: str = Field("", max_length=5000)


class ActFiltersIn(Schema):
    status: Literal["open", "resolved"] | None = None
    client_id: int | None = Field(None, ge=1, le=MAX_ID)
    page: int = Field(1, ge=1, description=f"Numbers over {MAX_PAGE:,} read as {MAX_PAGE:,}.")
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class ActLineOut(Schema):
    line_number: int
    product: str
    sku: str
    quantity_expected: ExactDecimal
    quantity_found: ExactDecimal
    difference: ExactDecimal


class ActOut(Schema):
    id: int
    number: str
    kind: str
    client_id: int
    client_name: str
    shipment_id: int
    shipment_number: str
    found_on: date
    reason_id: int | None
    resolution: str
    resolved_on: date | None
    note: str
    lines: list[ActLineOut]


class ActPageOut(Schema):
    items: list[ActOut]
    count: int = Field(description="Acts matching the filters, on all pages.")
    page: int
    page_size: int


class SideOut(Schema):
    judged: int
    on_time: int
    late: int
    share_on_time: ExactDecimal | None = Field(description="Per cent; null: nothing to judge.")
    average_days_late: ExactDecimal | None = Field(description="Over the late ones.")
    score: ExactDecimal | None


class PaymentSideOut(SideOut):
    unpaid: int = Field(description="Invoices still open past their due date.")


class ObligationsOut(Schema):
    client_id: int
    start: date
    as_of: date
    deliveries: SideOut
    payments: PaymentSideOut
    score: ExactDecimal | None
