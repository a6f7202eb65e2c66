"""Input and output schemas of the pay API (names prefixed Pay: unique across the apps'
OpenAPI). They only parse; the services decide and refuse naming the field."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from kam.core.bounds import MAX_ID
from kam.core.schemas import ExactDecimal, Money


class PayPlanResultOut(Schema):
    measure: str = Field(description="turnover | income | active_clients | new_clients")
    plan: str | None
    fact: str
    percent: str | None = Field(description="fact / plan, %; null without a plan")
    cut: str = Field(description="the cut of the variable part this result gives, %")


class PayLineOut(Schema):
    kind: str = Field(description="sale | clawback | adjustment")
    client_id: int | None
    client: str
    document: str
    returned_sale: str = Field(description="clawbacks: the sale the return takes back from")
    corrects_statement: int | None = Field(description="adjustments: the locked statement")
    date: date
    category: str
    amount: Money = Field(description="the deal's turnover")
    basis_amount: Money
    rate: ExactDecimal
    band: str
    rate_from: str = Field(description="default | category | client group")
    full_commission: Money
    paid_share: ExactDecimal | None
    commission: Money


class PayStatementSummaryOut(Schema):
    id: int
    person: str
    person_name: str
    period: str
    starts_on: date
    ends_on: date
    as_of: date
    status: str = Field(description="draft | approved | locked")
    scheme: str
    currency: str
    fixed: Money
    commission: Money
    cut_percent: ExactDecimal
    cuts: Money
    adjustments: Money
    variable: Money
    total: Money = Field(description="fixed + variable")


class PayStatementOut(PayStatementSummaryOut):
    basis: str
    earned_on: str
    plan_results: list[PayPlanResultOut]
    computed_at: datetime
    approved_by: str
    approved_at: datetime | None
    locked_by: str
    locked_at: datetime | None
    lines: list[PayLineOut]


class PayStatementFilter(Schema):
    period: str | None = Field(None, max_length=8, description="2026-11, 2026-Q1 or 2026")
    status: str | None = Field(None, max_length=8)
    person_id: int | None = Field(None, ge=1, le=MAX_ID)


class PayPrepareIn(Schema):
    person_id: int = Field(ge=1, le=MAX_ID)
    period: str = Field(max_length=8, description="2026-11, 2026-Q1 or 2026")
    as_of: date | None = Field(None, description="the day the figures are of (default today)")


class PaySchemeOut(Schema):
    id: int
    name: str
    fixed_amount: Money
    basis: str
    earned_on: str
    bands: list[list[Any]] = Field(description="[[upper bound or null, rate %], ...]")
    category_rates: dict[str, list[list[Any]]]
    client_group_rates: dict[str, list[list[Any]]]
    cuts: dict[str, list[list[Any]]] = Field(description="{measure: [[threshold %, cut %], ...]}")
    currency: str


class PaySchemeIn(Schema):
    name: str = Field(max_length=120)
    fixed_amount: ExactDecimal = Field(default=0)
    basis: str = "turnover"
    earned_on: str = "invoiced"
    bands: list[list[Any]]
    category_rates: dict[str, Any] = {}
    client_group_rates: dict[str, Any] = {}
    cuts: dict[str, list[list[Any]]] = {}
