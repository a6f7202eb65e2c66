"""API schemas of the sales ledger and the per-client monthly series."""

from datetime import date

from ninja import Field, Schema
from pydantic import model_validator

from kam.core.bounds import MAX_ID
from kam.core.schemas import ExactDecimal, Money
from kam.sales.models import SalesLine


class SalesLineFilters(Schema):
    client_id: int | None = Field(None, ge=1, le=MAX_ID)
    date_from: date | None = Field(None, description="First day included (YYYY-MM-DD).")
    date_to: date | None = Field(None, description="Last day included (YYYY-MM-DD).")

    @model_validator(mode="after")
    def dates_in_order(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class ClientRef(Schema):
    id: int
    name: str


class ProductRef(Schema):
    id: int
    sku: str
    name: str


class SalesLineOut(Schema):
    """One ledger line. ``revenue``/``cost`` are in ``currency`` (the document's);
    ``revenue_base``/``cost_base`` in ``base_currency`` (the company's)."""

    id: int
    date: date
    client: ClientRef
    product: ProductRef
    quantity: ExactDecimal
    revenue: Money
    cost: Money
    cost_known: bool = Field(
        description="false: the source had no cost (cost is 0); the line's income is unknown."
    )
    income: Money | None = Field(description="revenue - cost; null when the cost is unknown.")
    currency: str
    revenue_base: Money
    cost_base: Money
    base_currency: str
    document_number: str
    line_number: int

    @staticmethod
    def resolve_income(obj: SalesLine):
        return obj.income if obj.cost_known else None

    @staticmethod
    def resolve_client(obj: SalesLine) -> dict:
        return {"id": obj.account_id, "name": obj.account.legal_name}

    @staticmethod
    def resolve_product(obj: SalesLine) -> dict:
        return {"id": obj.product_id, "sku": obj.product.sku, "name": obj.product.name}


class MonthlySeriesFilters(Schema):
    until: date | None = Field(
        None, description="A day in the last month of the series; default: today."
    )
    months: int = Field(24, ge=1, le=120)


class MonthOut(Schema):
    month: date = Field(description="The first day of the month.")
    revenue: Money
    cost: Money
    income: Money = Field(
        description="Revenue minus cost of the lines with a known cost (issue 8 §3)."
    )
    uncosted: Money = Field(
        description="Revenue of lines without a known cost: in revenue, not in income."
    )
    income_incomplete: bool = Field(description="true: some revenue has no known cost.")


class MonthlySeriesOut(Schema):
    """Every month present, zero where nothing was sold; amounts in ``currency`` (base)."""

    client: ClientRef
    currency: str
    months: list[MonthOut]
