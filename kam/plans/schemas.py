"""Input and output schemas of the plans API (class names prefixed Plan...: unique across the
apps' schemas). Inputs only parse; the services decide."""

from datetime import date
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

PlanLevelName = Literal["company", "department", "manager"]
PlanMeasureName = Literal["turnover", "income", "active_clients", "new_clients"]


class PlanMeasureOut(Schema):
    plan: Decimal | int | None
    fact: Decimal | int
    percent: Decimal | None
    forecast: Decimal | int | None


class PlanSplitGapOut(Schema):
    parent: Decimal | int | None
    children: Decimal | int
    difference: Decimal | int | None = Field(description="children - parent: over when positive")
    status: str | None


class PlanFactRowOut(Schema):
    kind: str = Field(description="company, department or manager")
    id: int | None
    name: str
    plan_id: int | None
    measures: dict[str, PlanMeasureOut]
    split: dict[str, PlanSplitGapOut] | None = Field(
        description="This unit's plan against the plans split from it."
    )
    parent_split: dict[str, PlanSplitGapOut] | None = Field(
        description="The parent's plan against its children (this one among them)."
    )


class PlanFactOut(Schema):
    level: str
    unit_id: int | None
    unit_name: str
    period: str
    starts_on: date
    ends_on: date
    as_of: date
    currency: str
    rows: list[PlanFactRowOut]


class PlanClientOut(Schema):
    client_id: int | None = Field(description="None: clients credited here you no longer see")
    client: str
    turnover: Decimal
    income: Decimal
    documents: int
    active: bool
    new: bool
    clients: int


class PlanIn(Schema):
    period: str = Field(description="2026-11, 2026-Q1 or 2026", max_length=10)
    level: Literal["company", "department", "person"]
    department_id: int | None = None
    person_id: int | None = None
    turnover: Decimal
    income: Decimal | None = None
    active_clients: int
    new_clients: int
    confirm_over: bool = Field(
        False, description="Save a split past the parent's plan (the head of department only)"
    )


class PlanOut(Schema):
    id: int
    period: str
    level: str
    department_id: int | None
    person_id: int | None
    parent_id: int | None
    turnover: Decimal
    income: Decimal | None
    active_clients: int
    new_clients: int
    currency: str
    over: dict[str, Decimal | int] = Field(
        description="The measures on which the split was saved past the parent, and by how much"
    )
