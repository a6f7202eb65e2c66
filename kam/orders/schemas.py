"""Input and output schemas of the orders API: they only parse; the services refuse with the
field named."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema

from kam.core.schemas import ExactDecimal, Money


class LineIn(Schema):
    product: int
    quantity: Decimal
    discount_percent: Decimal = Decimal("0")
    requested_on: date | None = None


class OrderCreateIn(Schema):
    account: int = Field(description="The client's id (404 when you do not see it).")
    requested_on: date | None = None
    note: str = ""
    lines: list[LineIn] = Field(default_factory=list, max_length=500)


class VersionIn(Schema):
    version: int = Field(description="The order's version you read; a stale one answers 409.")


class OrderPatchIn(VersionIn):
    note: str | None = None
    requested_on: date | None = None


class LineAddIn(VersionIn, LineIn):
    pass


class LinePatchIn(VersionIn):
    quantity: Decimal | None = None
    discount_percent: Decimal | None = None
    requested_on: date | None = None


class CommentIn(VersionIn):
    comment: str = ""


class DecisionIn(VersionIn):
    approval: int
    comment: str = ""


class EnterIn(VersionIn):
    erp_number: str


class PickIn(Schema):
    line: int = Field(description="The order line's id.")
    quantity: Decimal


class ShipIn(VersionIn):
    lines: list[PickIn] | None = Field(None, description="None: everything that is left.")
    shipped_on: date | None = None


class DayIn(VersionIn):
    on: date | None = None


class RefuseIn(VersionIn):
    reason: int
    lines: list[PickIn] | None = Field(None, description="None: everything not shipped.")
    comment: str = ""


class ReturnIn(VersionIn):
    reason: int
    lines: list[PickIn] = Field(max_length=500)
    returned_on: date | None = None
    note: str = ""


class LineOut(Schema):
    id: int
    line_number: int
    product_id: int
    sku: str
    quantity: ExactDecimal
    list_price: Money
    discount_percent: ExactDecimal
    price: Money
    amount: Money
    requested_on: date | None
    shipped_quantity: ExactDecimal
    refused_quantity: ExactDecimal
    returned_quantity: ExactDecimal


class ShipmentOut(Schema):
    id: int
    number: str
    shipped_on: date
    amount: Money
    invoice_number: str
    invoiced_on: date | None
    delivered_on: date | None


class ApprovalOut(Schema):
    id: int
    line_number: int
    requested_percent: ExactDecimal
    allowed_percent: ExactDecimal
    status: str


class OrderOut(Schema):
    id: int
    number: str
    account_id: int
    account_name: str
    status: str
    currency: str
    total: Money
    total_base: Money
    version: int
    waiting_reason: str
    blocked_stage: str
    erp_number: str
    requested_on: date | None
    note: str
    submitted_at: datetime | None
    lines: list[LineOut]
    shipments: list[ShipmentOut]
    approvals: list[ApprovalOut]


class OrderListOut(Schema):
    id: int
    number: str
    account_id: int
    account_name: str = Field(alias="account.legal_name")
    status: str
    currency: str
    total: Money
    total_base: Money
    version: int
    waiting_reason: str


class ReturnOut(Schema):
    id: int
    number: str
    shipment_id: int
    returned_on: date
