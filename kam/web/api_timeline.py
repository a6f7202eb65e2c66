"""HTTP API of the timelines (mounted at /api/timeline by kam/api.py): a client's and a
person's rows newest first, filtered by kind and dates, paged as the pages are. The same
sources, checks and paging as kam/web/views_timeline.py; a client or person out of the caller's
sight answers 404, the same as a missing one; a bad filter 422 naming the parameter."""

from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import field_validator

from kam.clients.selectors import account_get
from kam.relations.selectors import person_get
from kam.web.timeline import (
    CLIENT_KINDS,
    MAX_PAGE,
    PERSON_KINDS,
    Source,
    TimelinePage,
    client_sources,
    person_sources,
    timeline_filters_check,
    timeline_page,
)

router = Router()


class TimelineIn(Schema):
    """Parses the filters only; ``timeline_filters_check`` decides, as for the page."""

    kinds: list[str] = Field(
        default_factory=list,
        description="Only these kinds (repeat the parameter or separate by commas); none: all.",
    )
    first: date | None = Field(
        None,
        alias="from",
        description="First day included (YYYY-MM-DD); far-off dates read as the nearest allowed.",
    )
    last: date | None = Field(
        None,
        alias="until",
        description="Last day included (YYYY-MM-DD); not before `from`.",
    )
    page: int = Field(1, ge=1, description=f"Numbers over {MAX_PAGE} read as {MAX_PAGE}.")

    @field_validator("kinds", mode="after")
    @classmethod
    def _split(cls, value: list[str]) -> list[str]:
        return [k.strip() for item in value for k in item.split(",") if k.strip()]


class TimelineRowOut(Schema):
    at: datetime = Field(description="When, in UTC; a dated row sits at the day's local midnight.")
    day: date = Field(description="The row's day in the company's time zone.")
    kind: str
    title: str = Field(description="What happened, as the page shows it.")
    who: str = Field(description="The person who did or owns it (empty if nobody).")
    url: str = Field(description="The record's page in the web app (a path).")


class TimelinePageOut(Schema):
    page: int = Field(description="The page served (numbers over the cap read as the cap).")
    has_next: bool
    rows: list[TimelineRowOut]


def _answer(sources: list[Source], q: TimelineIn, allowed: dict) -> dict:
    try:
        timeline_filters_check(
            allowed=allowed,
            kinds=q.kinds,
            first=q.first,
            last=q.last,
            kinds_field="kinds",
            last_field="until",
        )
    except ValidationError as e:
        # A query parameter, so the answer says "query" (the Django ValidationError handler
        # would say "body").
        raise NinjaValidationError(
            [
                {"loc": ("query", field), "msg": " ".join(messages)}
                for field, messages in e.message_dict.items()
            ]
        ) from None
    page: TimelinePage = timeline_page(
        sources, kinds=q.kinds, first=q.first, last=q.last, number=q.page
    )
    return {
        "page": page.number,
        "has_next": page.has_next,
        "rows": [
            {
                "at": r.at.astimezone(UTC),
                "day": r.day,
                "kind": r.kind,
                "title": r.title,
                "who": r.who,
                "url": r.url,
            }
            for r in page.rows
        ],
    }


def _kinds(kinds: dict) -> str:
    return " | ".join(kinds)


@router.get(
    "/clients/{int:client_id}",
    response=TimelinePageOut,
    summary="A client's timeline, newest first",
    description=f"Kinds: {_kinds(CLIENT_KINDS)}.",
)
def client_timeline(request, client_id: int, q: Query[TimelineIn]):
    account = account_get(user=request.auth, pk=client_id)
    return _answer(client_sources(user=request.auth, account=account), q, CLIENT_KINDS)


@router.get(
    "/people/{int:person_id}",
    response=TimelinePageOut,
    summary="A person's timeline, newest first (no personal profile field)",
    description=f"Kinds: {_kinds(PERSON_KINDS)}.",
)
def person_timeline(request, person_id: int, q: Query[TimelineIn]):
    contact = person_get(user=request.auth, pk=person_id)
    return _answer(person_sources(user=request.auth, contact=contact), q, PERSON_KINDS)
