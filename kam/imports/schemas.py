"""API schemas of imports (issue 8 §5): an import's answer, runs, saved mappings."""

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Field, Schema

from kam.imports.models import ImportMapping, ImportRun


class ImportErrorOut(Schema):
    line: int | None = Field(description="The file's line (the header is line 1); null: the file.")
    column: str | None = Field(description="The column as the file names it; null: the row.")
    message: str
    # The API's error detail (ErrorDetail) too, so a 422 of bad rows reads like every 422.
    field: str = Field("", description='"line 4, Company": where, as one text.')
    in_: str = Field("file", alias="in")


class ImportResultOut(Schema):
    """``ImportResult.to_dict()``: the same answer as ``kam import --format json``, with the
    run that keeps it (``GET /api/imports/runs/{uuid}``)."""

    run: UUID
    kind: str
    source: str
    ok: bool
    checked_only: bool = False
    checksum: str = ""
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    clients_created: int = 0
    products_created: int = 0
    returns_linked: int = 0
    service_lines: int = 0
    skipped: int = 0
    without_cost: int = 0
    error_count: int = Field(0, description="Every error; `errors` lists at most 1000.")
    errors: list[ImportErrorOut] = []
    summary: str = ""


class PersonOut(Schema):
    id: int
    username: str
    name: str


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": str(user)}


class RunOut(Schema):
    uuid: UUID
    kind: str
    via: str
    file_name: str
    size: int
    checksum: str = Field(description="SHA-256 of the file, hex.")
    actor: PersonOut | None
    mapping: str | None = Field(description="The saved mapping's name, if one was used.")
    # Text, not the enum: its name ("Status") would collide with the clients' in the schema.
    status: str = Field(description=" | ".join(ImportRun.Status.values))
    check_only: bool
    percent: int
    progress_done: int
    progress_total: int
    error_count: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None

    @staticmethod
    def resolve_actor(obj: ImportRun) -> dict | None:
        return _person(obj.actor)

    @staticmethod
    def resolve_mapping(obj: ImportRun) -> str | None:
        return obj.mapping.name if obj.mapping else None


class RunDetailOut(RunOut):
    mapping_spec: dict[str, Any] = Field(description="The mapping as used ({}: KAM's columns).")
    options: dict[str, Any]
    result: dict[str, Any] = Field(
        description='ImportResult.to_dict() once finished, or {"message": ...} if it crashed.'
    )


class MappingIn(Schema):
    """A mapping as ``kam import --mapping FILE`` reads it (docs/import.md, Column mappings)."""

    kind: str
    columns: dict[str, str | None] = {}
    computed: dict[str, Any] = {}
    date_format: str = "auto"
    options: dict[str, Any] = {}


class MappingOut(Schema):
    name: str
    kind: str
    spec: dict[str, Any]
    created_by: PersonOut | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_created_by(obj: ImportMapping) -> dict | None:
        return _person(obj.created_by)
