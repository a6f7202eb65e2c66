"""Shapes of order advice in the HTTP API (OR-2): the query in, the advice out."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class AdviceQuery(Schema):
    as_of: date | None = Field(None, description="The day to advise for; default today.")


class ExplanationOut(Schema):
    code: str = Field(description='"rhythm", "peers" or "too_few".')
    values: dict[str, Any]
    text: str = Field(description="The explanation in words, in the request's language.")


class SuggestionOut(Schema):
    product_id: int
    sku: str
    name: str
    unit: str
    kind: str = Field(
        description='"due": the client\'s own rhythm; "peers": clients like it; "too_few": '
        "bought too seldom to tell a rhythm (in unsettled, never suggested)."
    )
    explanation: ExplanationOut
    quantity: Decimal
    price: Decimal | None = Field(description="From the contract's column; null: no contract.")
    amount: Decimal | None
    fits_credit: bool | None = Field(
        description="false: over the available credit left by the suggestions before it; "
        "null: not priced, so not weighed."
    )


class NoteOut(Schema):
    code: str
    values: dict[str, Any]
    text: str


class PeerGroupOut(Schema):
    basis: str
    name: str
    peers: int


class AdviceOut(Schema):
    account_id: int
    as_of: date
    currency: str
    contract_id: int | None
    available: Decimal | None = Field(description="Available credit; null: no contract.")
    used: Decimal = Field(description="The amount of the suggestions within the credit.")
    group: PeerGroupOut | None
    due: list[SuggestionOut]
    peers: list[SuggestionOut]
    unsettled: list[SuggestionOut] = Field(
        description="Products bought too seldom to tell a rhythm: not suggested."
    )
    notes: list[NoteOut]
