"""API schemas of price lists, prices and discount rules: what comes in, what goes out."""

from datetime import date

from ninja import Field, Schema
from pydantic import ConfigDict

from kam.core.bounds import MAX_ID
from kam.core.schemas import ExactDecimal, Money
from kam.org.models import Role


class ColumnOut(Schema):
    id: int
    code: str
    name: str
    is_base: bool
    position: int


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    is_active: bool
    columns: list[ColumnOut]

    @staticmethod
    def resolve_columns(obj) -> list:
        return list(obj.columns.all())


class PriceOut(Schema):
    id: int
    product_id: int
    sku: str
    column_id: int
    column_code: str
    price: Money = Field(description="In the price list's currency, up to four decimals.")
    valid_from: date
    valid_to: date | None

    @staticmethod
    def resolve_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_column_code(obj) -> str:
        return obj.column.code


class PricesOnIn(Schema):
    on: date | None = Field(None, description="The day (default: today).")
    q: str = Field("", max_length=100, description="Part of the SKU or product name.")


class PriceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    column_id: int = Field(..., ge=1, le=MAX_ID)
    product_id: int = Field(..., ge=1, le=MAX_ID)
    price: ExactDecimal = Field(..., description="Not negative, up to four decimals.")
    valid_from: date
    valid_to: date | None = Field(None, description="The last day; null: open-ended.")


class DiscountRuleIn(Schema):
    model_config = ConfigDict(extra="forbid")

    column_id: int = Field(..., ge=1, le=MAX_ID)
    role: Role
    max_percent: ExactDecimal = Field(..., description="0 to 100.")


class DiscountRuleOut(Schema):
    id: int
    column_id: int
    column_code: str
    role: str
    max_percent: ExactDecimal

    @staticmethod
    def resolve_column_code(obj) -> str:
        return obj.column.code
