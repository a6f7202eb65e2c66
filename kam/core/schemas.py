"""API pieces every app shares: exact decimals for money, and pagination."""

from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import PlainSerializer, WithJsonSchema

# Decimals (money, quantities) leave the API as exact strings ("1234.50"), never floats, so that
# no client rounds them; fixed-point formatting also keeps a zero from coming out as "0E-10".
ExactDecimal = Annotated[
    Decimal,
    PlainSerializer(lambda d: format(d, "f"), return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "format": "decimal", "example": "1234.50"}),
]
# An amount; its currency is always a sibling field of the same schema.
Money = ExactDecimal


PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class Pages(PaginationBase):
    """``?page=1&page_size=50``; a page_size over 200 is a 422, not silently cut."""

    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Rows matching the filters, on all pages.")
        page: int
        page_size: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": queryset.count(),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }
