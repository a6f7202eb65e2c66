"""API schemas of the product catalogue."""

from datetime import date

from ninja import Field, Schema

from kam.core.bounds import MAX_ID
from kam.core.schemas import Money


class CategoryOut(Schema):
    id: int
    name: str


class ProductFilters(Schema):
    q: str = Field("", max_length=100, description="Part of the SKU or name.")
    category_id: int | None = Field(None, ge=1, le=MAX_ID)


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    category: CategoryOut | None
    unit: str
    standard_cost: Money
    currency: str
    launched_on: date | None
    is_active: bool
