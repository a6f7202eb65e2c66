"""API pieces every app shares: exact decimals for money, pagination, and the error format."""

from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import PlainSerializer, WithJsonSchema

from kam.core.bounds import MAX_PAGE, MAX_PAGE_SIZE, clamp_page

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


class Pages(PaginationBase):
    """``?page=1&page_size=50``; a page_size over 200 is a 422, not silently cut.

    A page past the last is empty; a page number over ``MAX_PAGE`` reads as ``MAX_PAGE`` (the
    answer's ``page`` says so), so no number becomes an OFFSET the database cannot take."""

    class Input(Schema):
        page: int = Field(1, ge=1, description=f"Numbers over {MAX_PAGE:,} read as {MAX_PAGE:,}.")
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Rows matching the filters, on all pages.")
        page: int
        page_size: int

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        page = clamp_page(pagination.page)
        offset = (page - 1) * pagination.page_size
        return {
            "items": list(queryset[offset : offset + pagination.page_size]),
            "count": queryset.count(),
            "page": page,
            "page_size": pagination.page_size,
        }


# --- errors ------------------------------------------------------------------------------------


class ErrorDetail(Schema):
    field: str = Field(description='The field or parameter, dotted for nested ones ("" if none).')
    # "in" is a Python keyword: the attribute is ``in_``, the JSON name ``in``.
    in_: str = Field(alias="in", description="Where it was: query, path, body (or empty).")
    message: str


class ErrorOut(Schema):
    """Every error the API answers: a stable machine-readable ``code`` and a human ``message``;
    a validation error adds ``errors``, one per bad field."""

    code: str = Field(examples=["not_found"])
    message: str
    errors: list[ErrorDetail] | None = None
