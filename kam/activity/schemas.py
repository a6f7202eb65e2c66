"""Input and output schemas of the activity API (names prefixed ``Activity``: unique across
the apps' schemas). They only parse; the services decide and refuse naming the field."""

from datetime import date, datetime
from typing import Annotated

from ninja import Field, Schema

from kam.core.bounds import MAX_ID

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


class ActivityPersonOut(Schema):
    id: int
    name: str


class ActivityOut(Schema):
    id: int
    client_id: int
    client: str
    owner_id: int
    owner: str
    kind: str = Field(description="visit | call | meeting | negotiation")
    status: str = Field(description="planned | done | cancelled")
    starts_at: datetime
    ends_at: datetime
    purpose: str
    people: list[ActivityPersonOut]
    outcome: str
    next_step: str
    next_step_on: date | None
    topics: list[str] = Field(description="For a negotiation: terms | payment | prices")
    agreed: str
    follows_id: int | None


class ActivityDayOut(Schema):
    day: date
    items: list[ActivityOut]


class ActivityWeekOut(Schema):
    person_id: int
    person: str
    week_start: date = Field(description="The Monday.")
    week_end: date = Field(description="The Sunday.")
    days: list[ActivityDayOut]


class ActivityWeekIn(Schema):
    week: date | None = Field(None, description="Any day of the week (default: today).")
    person: int | None = Field(None, ge=1, le=MAX_ID, description="Whose week (default: yours).")


class ActivityPlanIn(Schema):
    client_id: Id
    kind: str = Field(description="visit | call | meeting | negotiation")
    starts_at: datetime
    ends_at: datetime | None = None
    purpose: str
    people: list[Id] = Field(default_factory=list, description="The client's contact ids.")
    owner_id: int | None = Field(
        None, ge=1, le=MAX_ID, description="On whose schedule (default: yours)."
    )


class ActivityLogIn(Schema):
    client_id: Id
    kind: str
    starts_at: datetime
    ends_at: datetime | None = None
    purpose: str
    outcome: str
    people: list[Id] = Field(default_factory=list)
    next_step: str = ""
    next_step_on: date | None = None
    topics: list[str] = Field(default_factory=list)
    agreed: str = ""
    plan_next_step: bool = False


class ActivityCompleteIn(Schema):
    outcome: str
    next_step: str = ""
    next_step_on: date | None = None
    topics: list[str] = Field(default_factory=list)
    agreed: str = ""
    starts_at: datetime | None = Field(
        None, description="When it really started, if not as planned."
    )
    ends_at: datetime | None = None
    people: list[Id] | None = None
    plan_next_step: bool = False


class ActivityCancelIn(Schema):
    reason: str = ""


class ActivityQuietOut(Schema):
    client_id: int
    client: str
    registration_number: str
    owner_id: int | None
    kam: str
    key_status: str = Field(description="critical | key")
    rhythm_days: int
    last_contact: date | None = Field(description="None: no done contact recorded.")
    days_since: int | None
