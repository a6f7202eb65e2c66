"""Input and output schemas of the credit API: they only parse; the services decide (bounds,
dates in order, roles) and refuse naming the field."""

from datetime import date
from decimal import Decimal

from ninja import Field, Schema

from kam.core.schemas import Money


class BlockReasonOut(Schema):
    code: str = Field(
        description="over_limit | overdue | check_missing | check_rejected | check_expired"
    )
    text: str


class CheckOut(Schema):
    id: int
    checked_on: date
    method: str
    score: str
    result: str
    next_review_on: date
    notes: str
    checked_by: str

    @staticmethod
    def resolve_checked_by(obj) -> str:
        user = obj.checked_by
        return str(user) if user else ""


class PaymentMonthOut(Schema):
    month: date = Field(description="The month's first day.")
    invoiced: Money
    paid: Money
    paid_late: Money = Field(description="Of paid: allocated after the invoice's due date.")


class OpenOrdersOut(Schema):
    count: int
    amount: Money


class CreditReportOut(Schema):
    client_id: int
    client: str
    registration_number: str
    as_of: date
    currency: str
    limit: Money
    limit_source: str = Field(description="controller | contract | none")
    payment_days: int
    exposure: Money = Field(description="Open receivables + open orders not yet invoiced.")
    open_receivables: Money
    open_orders: OpenOrdersOut
    available: Money = Field(description="limit - exposure (negative: over the limit).")
    overdue: Money
    days_overdue: int
    overdue_share_pct: Decimal = Field(description="Share of the open invoices overdue, %.")
    history: list[PaymentMonthOut] = Field(description="12 months up to as_of's month.")
    last_check: CheckOut | None
    check_valid: bool
    blocked: bool = Field(description="true: the gate refuses any new order now.")
    reasons: list[BlockReasonOut]


class CheckIn(Schema):
    method: str = Field(description="registry | agency | financials | bank | internal")
    result: str = Field(description="approved | conditional | rejected")
    checked_on: date
    next_review_on: date = Field(description="After checked_on.")
    score: str = ""
    notes: str = ""


class TermsIn(Schema):
    limit: Decimal = Field(description="0 .. 999 999 999.99, base currency.")
    payment_days: int = Field(description="0 .. 365.")


class TermsOut(Schema):
    client_id: int
    limit: Money
    payment_days: int
    source: str = Field(description="controller | contract")


class CreditSettingsOut(Schema):
    overdue_amount_threshold: Money
    overdue_days_threshold: int
    check_required: bool
    near_limit_percent: int
    check_valid_months: int


class CreditSettingsIn(Schema):
    overdue_amount_threshold: Decimal | None = None
    overdue_days_threshold: int | None = None
    check_required: bool | None = None
    near_limit_percent: int | None = None
    check_valid_months: int | None = None


class WatchRowOut(Schema):
    client_id: int
    client: str
    registration_number: str
    kam: str
    limit: Money
    exposure: Money
    available: Money
    utilisation_pct: Decimal | None
    overdue: Money
    days_overdue: int
    check_until: date | None
    flags: list[str] = Field(
        description="over_limit, near_limit, overdue, check_missing, check_rejected, "
        "check_expired, check_expiring"
    )
