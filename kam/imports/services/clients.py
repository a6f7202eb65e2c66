"""Import clients, keyed by registration number: created with account_create, updated with
account_update, each audited (SE-3).

Columns (* required): registration_number*, legal_name*, vat_number, industry, segment (name;
created if new), territory (name; created if new), owner (username of the KAM), department
(name), status (potential, active, inactive, lost), city, country (two letters). An empty cell
leaves the stored value as it is.

With a ``mapping`` (issue 8 §1) the file's own column names are read as these fields;
``check_only`` checks and counts everything and writes nothing.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from kam.clients.models import Account
from kam.clients.services import account_create, account_update, ownership_record_change
from kam.imports.mapping import Mapping
from kam.imports.readers import Source
from kam.imports.services.common import (
    IN_LIST,
    ImportResult,
    Progress,
    Row,
    Tracker,
    Writing,
    audit_import,
    check_rows,
    chunks,
    differences,
    finish,
    max_length,
    open_file,
    require_import,
)
from kam.imports.validators import (
    ErrorList,
    parse_choice,
    parse_country,
    parse_id,
    parse_text,
)
from kam.org.models import Department, Territory, User
from kam.org.services import territory_get_or_create

CLIENT_COLUMNS = ("registration_number", "legal_name")
CLIENT_OPTIONAL = (
    "vat_number",
    "industry",
    "segment",
    "territory",
    "owner",
    "department",
    "status",
    "city",
    "country",
)


@dataclass
class _ClientRow:
    line: int
    registration_number: str
    legal_name: str
    # Model fields the row sets; segment and territory are still names here, created on write.
    data: dict[str, Any]


def import_clients(
    *,
    source: Source,
    actor: User | None,
    name: str | None = None,
    progress: Progress | None = None,
    max_errors: int | None = None,
    mapping: Mapping | None = None,
    check_only: bool = False,
) -> ImportResult:
    """Create clients by registration number, or update those that exist (SE-3: each audited)."""
    require_import(actor)
    errors = ErrorList(max_errors)
    table, result, estimate = open_file("clients", source, name, errors, mapping)
    result.checked_only = check_only
    if table is None:
        return finish(result, errors)
    tracker = Tracker(progress, estimate)
    users = {u.username: u for u in User.objects.select_related("department")}
    departments: dict[str, list[Department]] = {}
    for dept in Department.objects.all():
        departments.setdefault(dept.name, []).append(dept)
    statuses = list(Account.Status.values)
    seen: dict[str, int] = {}
    records: list[_ClientRow] = []

    def text_of(row: Row, column: str, *, required: bool = False) -> str | None:
        return row.get(
            column, parse_text, required=required, max_length=max_length(Account, column)
        )

    def check(row: Row) -> None:
        # 13085.0 is 13085: exports that went through a spreadsheet write ids as floats.
        reg = row.get(
            "registration_number",
            parse_id,
            required=True,
            max_length=max_length(Account, "registration_number"),
        )
        if reg is not None:
            if reg in seen:
                row.fail(
                    "registration_number",
                    gettext('"%(value)s" is already on line %(line)s')
                    % {"value": reg, "line": seen[reg]},
                )
            else:
                seen[reg] = row.line
        legal_name = text_of(row, "legal_name", required=True)
        data: dict[str, Any] = {}
        for column in ("vat_number", "industry", "city"):
            value = text_of(row, column)
            if value is not None:
                data[column] = value
        for column in ("segment", "territory"):
            value = row.get(column, parse_text, max_length=max_length(Territory, "name"))
            if value is not None:
                data[column] = value
        if (country := row.get("country", parse_country)) is not None:
            data["country"] = country
        if (status := row.get("status", parse_choice, choices=statuses)) is not None:
            data["status"] = status
        if (username := row.get("owner", parse_text, max_length=150)) is not None:
            if username in users:
                data["owner"] = users[username]
            else:
                row.fail("owner", gettext('no user named "%(value)s"') % {"value": username})
        if (dept_name := row.get("department", parse_text, max_length=200)) is not None:
            found = departments.get(dept_name, [])
            if len(found) == 1:
                data["department"] = found[0]
            elif found:
                row.fail(
                    "department",
                    gettext('several departments are named "%(value)s"') % {"value": dept_name},
                )
            else:
                row.fail(
                    "department", gettext('no department named "%(value)s"') % {"value": dept_name}
                )
        if row.ok:
            records.append(_ClientRow(row.line, reg, legal_name, data))

    check_rows(
        table,
        check,
        required=CLIENT_COLUMNS,
        optional=CLIENT_OPTIONAL,
        errors=errors,
        result=result,
        tracker=tracker,
    )
    if errors:
        return finish(result, errors)

    tracker.set_rows(result.rows)
    existing: dict[str, Account] = {}
    for part in chunks((r.registration_number for r in records), IN_LIST):
        existing.update(
            (a.registration_number, a) for a in Account.objects.filter(registration_number__in=part)
        )
    places: dict[tuple[str, str], Territory] = {}

    def place(value: str, kind: str) -> Territory:
        if (value, kind) not in places:
            places[value, kind] = territory_get_or_create(name=value, kind=kind)
        return places[value, kind]

    with Writing(errors, check_only=check_only, labels=getattr(table, "labels", None)) as writing:
        for done, rec in enumerate(records, start=1):
            writing.line = rec.line
            data = dict(rec.data, legal_name=rec.legal_name)
            if "segment" in data:
                data["segment"] = place(data["segment"], Territory.Kind.SEGMENT)
            if "territory" in data:
                data["territory"] = place(data["territory"], Territory.Kind.TERRITORY)
            account = existing.get(rec.registration_number)
            if account is None:
                del data["legal_name"]
                existing[rec.registration_number] = account_create(
                    actor=actor,
                    import_run=True,
                    legal_name=rec.legal_name,
                    registration_number=rec.registration_number,
                    **data,
                )
                result.created += 1
            else:
                owner = data.get("owner")
                if (
                    owner is not None
                    and owner.pk != account.owner_id
                    and owner.department_id
                    and "department" not in data
                ):
                    # A client handed to another KAM goes with them, as on creation, so that
                    # the new KAM's head sees it (SE-1). The same owner again moves nothing.
                    data["department"] = owner.department
                changed = differences(account, data)
                if changed:
                    account_update(actor=actor, account=account, import_run=True, **changed)
                    result.updated += 1
                else:
                    result.unchanged += 1
            if "owner" in data:
                # Who owned the client from when (kam.clients): a no-op when unchanged.
                ownership_record_change(account=existing[rec.registration_number])
            tracker.written(done)
        writing.line = None
        audit_import(actor=actor, entity="clients.account", table=table, result=result)
    if not errors:
        tracker.finish()
    return finish(result, errors)
