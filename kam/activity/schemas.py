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


# --- tasks (AC-10) -----------------------------------------------------------------------------


class TaskCommentOut(Schema):
    id: int
    author_id: int
    author: str
    text: str
    at: datetime


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_on: date
    status: str = Field(description="open | in_progress | done | cancelled")
    overdue: bool = Field(description="Open or in progress past its due date.")
    assignee_id: int
    assignee: str
    assigned_by_id: int
    assigned_by: str
    client_id: int | None
    client: str | None
    created_at: datetime
    closed_at: datetime | None


class TaskDetailOut(TaskOut):
    comments: list[TaskCommentOut]


class TaskListIn(Schema):
    tab: str = Field("mine", pattern="^(mine|given|overdue)$", description="mine | given | overdue")
    status: str | None = Field(None, description="open | in_progress | done | cancelled")


class TaskIn(Schema):
    assignee_id: Id
    title: str
    description: str = ""
    due_on: date
    client_id: Id | None = None


class TaskStatusIn(Schema):
    status: str = Field(
        description="open | in_progress | done (the assignee); cancelled (the giver)"
    )


class TaskCommentIn(Schema):
    text: str


# --- complaints (AC-11) ------------------------------------------------------------------------


class ComplaintOut(Schema):
    id: int
    client_id: int
    client: str
    order_id: int | None
    order_number: str | None
    category: str = Field(description="quality | delivery | price | service | conflict | other")
    description: str
    received_on: date
    owner_id: int | None
    owner: str | None
    status: str = Field(description="open | resolved | rejected")
    resolution: str
    resolved_on: date | None
    days_to_resolve: int | None


class ComplaintListIn(Schema):
    status: str | None = None
    category: str | None = None
    client_id: int | None = Field(None, ge=1, le=MAX_ID)


class ComplaintIn(Schema):
    client_id: Id
    category: str = Field(description="quality | delivery | price | service | conflict | other")
    description: str
    received_on: date | None = Field(None, description="Default: today.")
    order_number: str = Field("", description="One of the client's order numbers.")
    owner_id: int | None = Field(None, ge=1, le=MAX_ID)


class ComplaintResolveIn(Schema):
    resolution: str = ""
    resolved_on: date | None = Field(None, description="Default: today.")
    rejected: bool = False


# --- events and trainings (AC-6, AC-8) ----------------------------------------------------------


class EventInvitationOut(Schema):
    id: int
    contact_id: int
    contact: str
    client_id: int
    client: str
    invited_on: date
    status: str = Field(description="invited | came | declined | no_show")


class EventPresentationOut(Schema):
    id: int
    title: str
    download_url: str
    prepared_with: list[int]


class EventOut(Schema):
    id: int
    kind: str = Field(description="corporate | industry | training")
    title: str
    starts_on: date
    ends_on: date
    place: str
    description: str
    organiser_id: int
    organiser: str
    client_id: int | None
    client: str | None


class EventDetailOut(EventOut):
    invitations: list[EventInvitationOut] = Field(
        description="Only the people of clients the caller sees."
    )
    presentations: list[EventPresentationOut]


class EventListIn(Schema):
    kind: str | None = Field(None, description="corporate | industry | training")


class EventIn(Schema):
    kind: str = Field(description="corporate | industry | training")
    title: str
    starts_on: date
    ends_on: date | None = Field(None, description="Default: the day it starts.")
    place: str = ""
    description: str = ""
    client_id: Id | None = Field(None, description="Required for a training.")


class EventInviteIn(Schema):
    contact_ids: list[Id] = Field(max_length=500)
    invited_on: date | None = Field(None, description="Default: today.")


class EventAttendanceIn(Schema):
    status: str = Field(description="came | declined | no_show")
