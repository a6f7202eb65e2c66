"""API schemas of contracts: what comes in, what goes out."""

from datetime import date, datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from kam.contracts.models import Contract
from kam.core.bounds import MAX_ID
from kam.core.schemas import ExactDecimal, Money


class ContractFiltersIn(Schema):
    status: Contract.Status | None = None
    client_id: int | None = Field(None, ge=1, le=MAX_ID)
    q: str = Field("", max_length=100, description="Part of the number or the client's name.")


class ContractOut(Schema):
    id: int
    client_id: int
    client_name: str
    number: str
    version: int
    previous_id: int | None = Field(description="The version this one renews.")
    status: Contract.Status
    starts_on: date
    ends_on: date | None
    payment_days: int
    price_column_id: int
    price_column_code: str
    price_list_id: int
    credit_limit: Money
    currency: str
    delivery_terms: str
    has_file: bool
    concluded_at: datetime | None
    terminated_on: date | None
    termination_reason: str

    @staticmethod
    def resolve_client_id(obj) -> int:
        return obj.account_id

    @staticmethod
    def resolve_client_name(obj) -> str:
        return obj.account.legal_name

    @staticmethod
    def resolve_price_column_code(obj) -> str:
        return obj.price_column.code

    @staticmethod
    def resolve_price_list_id(obj) -> int:
        return obj.price_column.price_list_id

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.attachment)


class ContractDetailOut(ContractOut):
    notes: str
    versions: list[int] = Field(
        description="The ids of every version of the contract, oldest first."
    )


class _Terms(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    payment_days: int | None = Field(None, ge=0, le=32767)
    price_column_id: int | None = Field(None, ge=1, le=MAX_ID)
    credit_limit: ExactDecimal | None = None
    currency: str | None = Field(None, max_length=3)
    delivery_terms: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=5000)


class ContractIn(_Terms):
    client_id: int = Field(..., ge=1, le=MAX_ID)
    number: str = Field(..., max_length=64)
    starts_on: date
    ends_on: date | None = None
    payment_days: int = Field(30, ge=0, le=32767)
    price_column_id: int = Field(..., ge=1, le=MAX_ID)
    credit_limit: ExactDecimal


class RenewIn(_Terms):
    """The renewal's dates; any term not sent is copied from the version renewed."""

    starts_on: date
    ends_on: date | None = None


class TerminateIn(Schema):
    model_config = ConfigDict(extra="forbid")

    on: date = Field(..., description="The last day the contract holds.")
    reason: str = Field(..., max_length=500)


class ContractPatch(_Terms):
    """Only the fields sent change (a draft only); ``ends_on: null`` makes it open-ended."""

    number: str | None = Field(None, max_length=64)
    starts_on: date | None = None
    ends_on: date | None = None
