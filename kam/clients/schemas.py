"""API schemas of clients and their contact people: what comes in, what goes out."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from kam.clients.models import Account, Contact


class Ref(Schema):
    """A related record by id and display name."""

    id: int
    name: str


class AccountFiltersIn(Schema):
    q: str = Field(
        "", max_length=100, description="Part of the legal name, registration or VAT number."
    )
    status: Account.Status | None = None
    owner_id: int | None = Field(None, ge=1, description="The key account manager.")
    department_id: int | None = Field(None, ge=1)
    territory_id: int | None = Field(None, ge=1)
    segment_id: int | None = Field(None, ge=1)
    industry: str = Field("", max_length=100)


class AccountOut(Schema):
    id: int
    legal_name: str
    registration_number: str
    vat_number: str
    industry: str
    status: Account.Status
    city: str
    country: str
    website: str
    owner: Ref | None
    department: Ref | None
    territory: Ref | None
    segment: Ref | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Account) -> dict | None:
        if obj.owner is None:
            return None
        return {"id": obj.owner.pk, "name": str(obj.owner)}

    @staticmethod
    def resolve_department(obj: Account) -> dict | None:
        return _ref(obj.department)

    @staticmethod
    def resolve_territory(obj: Account) -> dict | None:
        return _ref(obj.territory)

    @staticmethod
    def resolve_segment(obj: Account) -> dict | None:
        return _ref(obj.segment)


class AccountDetailOut(AccountOut):
    notes: str


def _ref(obj) -> dict | None:
    return None if obj is None else {"id": obj.pk, "name": obj.name}


class ContactOut(Schema):
    id: int
    client_id: int
    first_name: str
    last_name: str
    position: str
    decision_role: Contact.DecisionRole
    email: str
    phone: str
    notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_client_id(obj: Contact) -> int:
        return obj.account_id


class ContactIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True)

    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    position: str = Field("", max_length=150)
    decision_role: Contact.DecisionRole = Contact.DecisionRole.OTHER
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    notes: str = Field("", max_length=5000)


class ContactPatch(Schema):
    """Only the fields sent are changed. The None defaults only mark "not sent": an explicit JSON
    null fails validation, since every contact field is NOT NULL (send "" to clear one)."""

    model_config = ConfigDict(str_strip_whitespace=True)

    first_name: str = Field(None, min_length=1, max_length=100)
    last_name: str = Field(None, min_length=1, max_length=100)
    position: str = Field(None, max_length=150)
    decision_role: Contact.DecisionRole = Field(None)
    email: str = Field(None, max_length=254)
    phone: str = Field(None, max_length=50)
    notes: str = Field(None, max_length=5000)
