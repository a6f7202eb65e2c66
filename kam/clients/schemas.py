"""API schemas of clients and their contact people: what comes in, what goes out."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema
from pydantic import ConfigDict

from kam.clients.models import Account, Contact
from kam.core.bounds import MAX_ID


class Ref(Schema):
    """A related record by id and display name."""

    id: int
    name: str


class AccountFiltersIn(Schema):
    q: str = Field(
        "",
        max_length=100,
        description="Part of the legal name or city (diacritics and case ignored), or of the "
        "registration or VAT number.",
    )
    status: Account.Status | None = None
    owner_id: int | None = Field(None, ge=1, le=MAX_ID, description="The key account manager.")
    department_id: int | None = Field(None, ge=1, le=MAX_ID)
    territory_id: int | None = Field(None, ge=1, le=MAX_ID)
    segment_id: int | None = Field(None, ge=1, le=MAX_ID)
    industry: str = Field("", max_length=100)
    archived: Literal["", "only", "all"] = Field(
        "", description='"" clients not archived (default), "only" archived ones, "all" both.'
    )


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


# Managing clients (issue 7 §6). The schemas parse types only; the services decide what is
# acceptable, so the API refuses what the web forms refuse, with the same messages.


class AccountIn(Schema):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    legal_name: str
    registration_number: str = ""
    vat_number: str = ""
    industry: str = ""
    segment_id: int | None = None
    territory_id: int | None = None
    owner_id: int | None = Field(None, description="The key account manager.")
    department_id: int | None = Field(
        None, description="Default: the key account manager's department."
    )
    status: Account.Status = Account.Status.ACTIVE
    city: str = ""
    country: str = ""
    website: str = ""
    notes: str = ""


class AccountPatch(Schema):
    """Only the fields sent are changed. A new owner or department is a reassignment:
    ``POST /api/clients/{id}/reassign``."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    legal_name: str = Field(None)
    registration_number: str = Field(None)
    vat_number: str = Field(None)
    industry: str = Field(None)
    segment_id: int | None = Field(None)
    territory_id: int | None = Field(None)
    status: Account.Status = Field(None)
    city: str = Field(None)
    country: str = Field(None)
    website: str = Field(None)
    notes: str = Field(None)


class ReassignIn(Schema):
    model_config = ConfigDict(extra="forbid")

    owner_id: int = Field(..., description="The new key account manager.")
    department_id: int | None = Field(
        None, description="Default: the new key account manager's department."
    )
    on: date | None = Field(
        None, description="The handover day (default today): its sales count for the new KAM."
    )


class ManagedAccountOut(AccountDetailOut):
    archived_at: datetime | None


class OwnershipOut(Schema):
    owner: Ref
    department: Ref | None
    started_on: date = Field(..., description="The first day the KAM held the client.")
    ended_on: date | None = Field(
        ..., description="The day the next KAM took over (not included); null: still the owner."
    )

    @staticmethod
    def resolve_owner(obj) -> dict:
        return {"id": obj.owner.pk, "name": str(obj.owner)}

    @staticmethod
    def resolve_department(obj) -> dict | None:
        return _ref(obj.department)
