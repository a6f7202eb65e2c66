"""Writes of clients and contacts; each one audited (SE-3), each one asked of the policy.

Who may: ``kam.org.policy`` (create and edit by the client's sales team, reassign and archive
by the head of the department or the director). ``actor=None`` is the system itself (the demo,
test builders, a command run without a user) and is not asked. An import passes
``import_run=True``: the import was allowed as a whole (``Action.IMPORT_RUN``) and the ERP is
the source of truth, so rights per client are not asked there; every other rule still holds.

Ownership history (``AccountOwnership``) is written by ``ownership_record_change`` whenever a
client gets an owner or changes owner or department, on every path: create, update, reassign,
the import. Intervals are half-open: a row covers ``started_on`` up to the day before
``ended_on``, the day the next owner took over, so a sale on the day of a handover counts for
the new KAM, and two handovers on one day leave an empty row instead of a lie. A client's first
row starts on the company's history start (``CompanySettings.history_starts_on``): clients
arrive with years of sales, and their first known owner is the one to credit for them.
"""

from contextlib import contextmanager
from datetime import date
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.clients.models import Account, AccountOwnership, Contact
from kam.clients.selectors import OWNER_ROLES, assignable_owners
from kam.core.bounds import check_date, check_text, history_start
from kam.core.models import AuditEntry
from kam.core.services import audit_record, audit_records_bulk, model_changes
from kam.org.models import Department, Role, User
from kam.org.policy import RULES, Action, can, require
from kam.org.selectors import acting_for

ACCOUNT_FIELDS = {
    "legal_name",
    "registration_number",
    "vat_number",
    "industry",
    "segment",
    "territory",
    "owner",
    "department",
    "status",
    "city",
    "country",
    "website",
    "notes",
}
# Changing these changes who sees the client: a reassignment, not an edit.
OWNERSHIP_FIELDS = {"owner", "department"}


def today() -> date:
    return timezone.localdate()


def _check_fields(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")


def _display(value: Any) -> Any:
    """What the audit keeps of a value: a related record by its name, never its id."""
    if isinstance(value, models.Model):
        return str(value)
    return value


def _named_changes(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: [_display(old), _display(new)] for k, (old, new) in changes.items()}


class _Problems:
    """The refusals of several checks together, so that a form shows every bad field at once
    (and an import line every bad column)."""

    def __init__(self) -> None:
        self.errors: dict[str, list] = {}

    @contextmanager
    def check(self):
        try:
            yield
        except ValidationError as error:
            found = (
                error.error_dict
                if hasattr(error, "error_dict")
                else {NON_FIELD_ERRORS: error.error_list}
            )
            for field, messages in found.items():
                self.errors.setdefault(field, []).extend(messages)

    def raise_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _clean_text(data: dict[str, Any], problems: _Problems) -> None:
    """Strip the text fields and refuse control characters, naming the field."""
    for field, value in data.items():
        if isinstance(value, str):
            with problems.check():
                data[field] = check_text(value.strip(), field=field)


def _check_owner(*, actor, owner, action: Action, import_run: bool) -> None:
    if owner is None:
        return
    if not isinstance(owner, User):
        raise ValidationError({"owner": _("Choose a person as the key account manager.")})
    if not owner.is_active or owner.role not in OWNER_ROLES:
        raise ValidationError(
            {"owner": _("%(name)s is not an active key account manager.") % {"name": owner}}
        )
    if import_run or actor is None:
        return
    if not assignable_owners(actor=actor, action=action).filter(pk=owner.pk).exists():
        raise ValidationError(
            {
                "owner": _(
                    "You may not give clients to %(name)s: choose a key account manager "
                    "of your own department."
                )
                % {"name": owner}
            }
        )


def _check_department(department) -> None:
    if department is not None and not isinstance(department, Department):
        raise ValidationError({"department": _("Choose a department.")})


def _check_department_scope(*, actor, department, owner, action: Action) -> None:
    """A department named outright must be the owner's or one the actor manages: otherwise
    a head could hand a client to another department's sight (SE-1)."""
    if actor is None or department is None:
        return
    if owner is not None and department.pk == owner.department_id:
        return
    rule = RULES[action]
    for person in acting_for(actor):
        if not person.is_active or not (person.is_superuser or person.role in rule.roles):
            continue
        if person.sees_everything:
            return
        manages = person.role in {Role.HEAD, Role.SUPPORT} and person.department_id
        if manages and department.path.startswith(person.department.path):
            return
    raise ValidationError(
        {
            "department": _(
                "You may not put clients in %(name)s: choose the KAM's department or one of "
                "your own."
            )
            % {"name": department}
        }
    )


def _refuse_out_of_sight(*, actor, account: Account, import_run: bool) -> None:
    """A client its author could not see afterwards (a KAM's without an owner, say) is
    refused: nobody would notice it but the director."""
    if actor is None or import_run or can(actor, Action.CLIENT_VIEW, account):
        return
    raise ValidationError(
        {
            "owner": _(
                "Choose a key account manager you may give the client to: otherwise you "
                "could not see the client."
            )
        }
    )


def _check_account(account: Account, problems: _Problems) -> None:
    """What every client must be, whoever writes it: a name, a registration number no other
    client has, and fields that pass the model's validators (formats, control characters)."""
    if not (account.legal_name or "").strip():
        problems.errors.setdefault("legal_name", []).append(
            ValidationError(_("Enter the client's legal name."))
        )
    reg = account.registration_number
    if reg and Account.objects.filter(registration_number=reg).exclude(pk=account.pk).exists():
        # The other client's name is not said: it may lie outside the actor's scope (SE-1).
        problems.errors.setdefault("registration_number", []).append(
            ValidationError(
                _("Another client already has registration number %(number)s.") % {"number": reg}
            )
        )
    with problems.check():
        account.full_clean(exclude=list(problems.errors), validate_constraints=False)
    problems.raise_any()


def _save(account: Account) -> None:
    try:
        with transaction.atomic():
            account.save()
    except IntegrityError:
        # Two writers chose the same registration number at the same moment.
        raise ValidationError(
            {
                "registration_number": _(
                    "Another client already has registration number %(number)s."
                )
                % {"number": account.registration_number}
            }
        ) from None


def _refuse_archived(account: Account) -> None:
    if account.archived_at is not None:
        raise ValidationError(_("The client is archived: restore it before changing it."))


@transaction.atomic
def account_create(*, actor, legal_name: str, import_run: bool = False, **data: Any) -> Account:
    _check_fields(data, ACCOUNT_FIELDS)
    if actor is not None and not import_run:
        require(actor, Action.CLIENT_CREATE)
    data["legal_name"] = legal_name if isinstance(legal_name, str) else ""
    problems = _Problems()
    _clean_text(data, problems)
    with problems.check():
        _check_owner(
            actor=actor,
            owner=data.get("owner"),
            action=Action.CLIENT_CREATE,
            import_run=import_run,
        )
    with problems.check():
        _check_department(data.get("department"))
        if not import_run:
            _check_department_scope(
                actor=actor,
                department=data.get("department"),
                owner=data.get("owner"),
                action=Action.CLIENT_CREATE,
            )
    if {"owner", "department"} & set(problems.errors):
        problems.raise_any()  # the default department below needs a valid owner
    if data.get("owner") is not None and data.get("department") is None:
        data["department"] = data["owner"].department
    account = Account(**data)
    _check_account(account, problems)
    _save(account)
    _refuse_out_of_sight(actor=actor, account=account, import_run=import_run)
    if account.owner_id:
        ownership_record_change(account=account)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=account,
        summary=account.legal_name,
        changes={
            k: _display(v) for k, v in data.items() if k != "legal_name" and v not in (None, "")
        },
    )
    return account


@transaction.atomic
def account_update(*, actor, account: Account, import_run: bool = False, **data: Any) -> Account:
    """Change a client's fields. A new owner or department is a reassignment and asks for
    that right (the import may set them: the ERP says who owns a client)."""
    _check_fields(data, ACCOUNT_FIELDS)
    account = Account.objects.select_for_update().get(pk=account.pk)
    if actor is not None and not import_run:
        require(actor, Action.CLIENT_EDIT, account)
    problems = _Problems()
    _clean_text(data, problems)
    _check_department(data.get("department"))
    moving = {
        f for f in OWNERSHIP_FIELDS & set(data) if getattr(account, f"{f}_id") != _pk(data[f])
    }
    if moving:
        if actor is not None and not import_run:
            require(actor, Action.CLIENT_REASSIGN, account)
        if "owner" in moving:
            _check_owner(
                actor=actor,
                owner=data["owner"],
                action=Action.CLIENT_REASSIGN,
                import_run=import_run,
            )
        if "department" in moving and not import_run:
            _check_department_scope(
                actor=actor,
                department=data["department"],
                owner=data.get("owner", account.owner),
                action=Action.CLIENT_REASSIGN,
            )
    if not import_run:
        _refuse_archived(account)
    changes = model_changes(account, data)
    if changes:
        _check_account(account, problems)
        _save(account)
        if moving:
            ownership_record_change(account=account)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=account,
            changes=_named_changes(changes),
        )
    return account


# Fields a sales file may give a client it creates (issue 8 §2); the rest stays empty.
BULK_FIELDS = {"registration_number", "legal_name", "country", "city"}
_BULK_BATCH = 1000


@transaction.atomic
def accounts_create_bulk(*, actor, rows: list[dict[str, Any]]) -> dict[str, int]:
    """Create the clients a sales file names but KAM does not know (``--create-missing``),
    in bulk: registration number and legal name, country and city where given. Returns
    registration number -> id. Each client gets its own audit entry (SE-3).

    Only an import creates clients this way (``Action.IMPORT_RUN``, company-wide; ``None``
    is the system). Like a client file without an owner column, the clients get no owner
    and no department: the director sees them and hands them to KAMs (docs/import.md).
    Every row is checked as ``account_create`` checks one; a registration number given twice
    or already taken refuses the whole batch (``ValidationError``), nothing written."""
    if actor is not None:
        require(actor, Action.IMPORT_RUN)
    if not rows:
        return {}
    accounts: list[Account] = []
    seen: set[str] = set()
    problems = _Problems()
    for row in rows:
        _check_fields(row, BULK_FIELDS)
        data = dict(row)
        _clean_text(data, problems)
        reg = data.get("registration_number", "")
        if not reg:
            problems.errors.setdefault("registration_number", []).append(
                ValidationError(_("Enter the client's registration number."))
            )
            continue
        if reg in seen:
            problems.errors.setdefault("registration_number", []).append(
                ValidationError(
                    _("Registration number %(number)s is given twice.") % {"number": reg}
                )
            )
            continue
        seen.add(reg)
        account = Account(**data)
        if not (account.legal_name or "").strip():
            problems.errors.setdefault("legal_name", []).append(
                ValidationError(_("Enter the client's legal name."))
            )
        with problems.check():
            account.full_clean(validate_unique=False, validate_constraints=False)
        accounts.append(account)
    numbers = sorted(seen)
    taken: list[str] = []
    for start in range(0, len(numbers), _BULK_BATCH):
        taken += Account.objects.filter(
            registration_number__in=numbers[start : start + _BULK_BATCH]
        ).values_list("registration_number", flat=True)
    for reg in sorted(taken):
        problems.errors.setdefault("registration_number", []).append(
            ValidationError(
                _("Another client already has registration number %(number)s.") % {"number": reg}
            )
        )
    problems.raise_any()
    try:
        with transaction.atomic():
            Account.objects.bulk_create(accounts, batch_size=_BULK_BATCH)
    except IntegrityError:
        # Another writer took one of the numbers since the check above.
        raise ValidationError(
            {
                "registration_number": _(
                    "Another client took one of these registration numbers meanwhile; "
                    "run the import again."
                )
            }
        ) from None
    ids: dict[str, int] = {}
    for start in range(0, len(numbers), _BULK_BATCH):
        ids.update(
            Account.objects.filter(
                registration_number__in=numbers[start : start + _BULK_BATCH]
            ).values_list("registration_number", "id")
        )
    audit_records_bulk(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        entity=Account._meta.label_lower,
        records=(
            (
                ids[a.registration_number],
                a.legal_name,
                {
                    k: getattr(a, k)
                    for k in ("registration_number", "country", "city")
                    if getattr(a, k)
                },
            )
            for a in accounts
        ),
        batch_size=_BULK_BATCH,
    )
    return ids


def _pk(value) -> int | None:
    return value.pk if isinstance(value, models.Model) else value


@transaction.atomic
def account_reassign(
    *, actor, account: Account, owner: User, department: Department | None = None, on=None
) -> Account:
    """Give a client to another KAM from ``on`` (default today; not in the future, not before
    the current owner took it). The department follows the new KAM's unless given."""
    # The row lock makes two reassignments of one client queue: the second sees the first's
    # result, so the history keeps exactly one open row.
    account = Account.objects.select_for_update().get(pk=account.pk)
    if actor is not None:
        require(actor, Action.CLIENT_REASSIGN, account)
    _refuse_archived(account)
    if owner is None:
        raise ValidationError({"owner": _("Choose the key account manager.")})
    _check_owner(actor=actor, owner=owner, action=Action.CLIENT_REASSIGN, import_run=False)
    _check_department(department)
    _check_department_scope(
        actor=actor, department=department, owner=owner, action=Action.CLIENT_REASSIGN
    )
    department = department or owner.department
    if owner.pk == account.owner_id and _pk(department) == account.department_id:
        raise ValidationError({"owner": _("%(name)s already holds this client.") % {"name": owner}})
    on = on or today()
    current = _open_row(account)
    earliest = current.started_on if current else None
    check_date(on, field="on", earliest=earliest, latest=today())
    changes = {
        "owner": [_display(account.owner), _display(owner)],
        "department": [_display(account.department), _display(department)],
    }
    changes = {k: v for k, v in changes.items() if v[0] != v[1]}
    # A plain value (no [old, new]): the history shows it as "handed over on: <day>", in the
    # reader's language (selectors.CHANGE_LABELS), not the actor's.
    changes["handed_over_on"] = on.isoformat()
    account.owner, account.department = owner, department
    _save(account)
    ownership_record_change(account=account, on=on)
    audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=account, changes=changes)
    return account


@transaction.atomic
def account_archive(*, actor, account: Account) -> Account:
    """Take a client out of the default list. Its sales, history and ownership stay."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    if actor is not None:
        require(actor, Action.CLIENT_ARCHIVE, account)
    if account.archived_at is not None:
        raise ValidationError(_("The client is already archived."))
    account.archived_at = timezone.now()
    account.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=account,
        changes={"archived_at": [None, account.archived_at.isoformat(timespec="minutes")]},
    )
    return account


@transaction.atomic
def account_restore(*, actor, account: Account) -> Account:
    account = Account.objects.select_for_update().get(pk=account.pk)
    if actor is not None:
        require(actor, Action.CLIENT_ARCHIVE, account)
    if account.archived_at is None:
        raise ValidationError(_("The client is not archived."))
    old = account.archived_at
    account.archived_at = None
    account.save(update_fields=["archived_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=account,
        changes={"archived_at": [old.isoformat(timespec="minutes"), None]},
    )
    return account


def _open_row(account: Account) -> AccountOwnership | None:
    return (
        AccountOwnership.objects.select_for_update()
        .filter(account_id=account.pk, ended_on__isnull=True)
        .first()
    )


@transaction.atomic
def ownership_record_change(*, account: Account, on: date | None = None) -> None:
    """Bring the ownership history in line with the client's owner and department as stored:
    close the open row on ``on`` (default today) and open one for the new owner from that day
    (a client's first row: from the history start). Nothing happens when the open row already
    says so, so every write path may call it, the import's hook included."""
    owner_id, department_id = (
        Account.objects.filter(pk=account.pk).values_list("owner_id", "department_id").get()
    )
    current = _open_row(account)
    if current is not None:
        if (current.owner_id, current.department_id) == (owner_id, department_id):
            return
        on = on or today()
        # A handover dated before the open row began would make the history overlap.
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on"])
    elif on is None:
        first = not AccountOwnership.objects.filter(account_id=account.pk).exists()
        on = history_start() if first else today()
    if owner_id is not None:
        AccountOwnership.objects.create(
            account_id=account.pk,
            owner_id=owner_id,
            department_id=department_id,
            started_on=on,
        )


@transaction.atomic
def ownership_backfill(*, account_ids=None) -> int:
    """One open ownership row, from the history start, for each owned client that has none
    (or those of ``account_ids``): for paths that bulk-create clients without the services
    (the demo above a few thousand clients, the benchmark database). Returns the rows made."""
    open_row = AccountOwnership.objects.filter(account=OuterRef("pk"), ended_on__isnull=True)
    accounts = Account.objects.filter(owner__isnull=False).filter(~Exists(open_row))
    if account_ids is not None:
        accounts = accounts.filter(pk__in=list(account_ids))
    started = history_start()
    made = 0
    rows: list[AccountOwnership] = []
    for pk, owner_id, department_id in accounts.values_list(
        "pk", "owner_id", "department_id"
    ).iterator(chunk_size=5000):
        rows.append(
            AccountOwnership(
                account_id=pk, owner_id=owner_id, department_id=department_id, started_on=started
            )
        )
        if len(rows) >= 5000:
            made += len(AccountOwnership.objects.bulk_create(rows))
            rows = []
    made += len(AccountOwnership.objects.bulk_create(rows))
    return made


CONTACT_FIELDS = {
    "first_name",
    "last_name",
    "position",
    "decision_role",
    "email",
    "phone",
    "notes",
}


@transaction.atomic
def contact_create(*, actor, account: Account, **data: Any) -> Contact:
    """A contact person at ``account``: whoever may change the client (``CLIENT_EDIT``)."""
    if actor is not None:
        require(actor, Action.CLIENT_EDIT, account)
    _check_fields(data, CONTACT_FIELDS)
    contact = Contact(account=account, **data)
    contact.full_clean()
    contact.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=contact,
        # The client is the card the entry is shown on; the display adds "at <client>" in
        # the reader's language (selectors.account_audit_trail).
        summary=str(contact),
    )
    return contact


@transaction.atomic
def contact_update(*, actor, contact: Contact, **data: Any) -> Contact:
    if actor is not None:
        require(actor, Action.CLIENT_EDIT, contact.account)
    _check_fields(data, CONTACT_FIELDS)
    changes = model_changes(contact, data)
    if changes:
        contact.full_clean()
        contact.save()
        audit_record(
            actor=actor, action=AuditEntry.Action.UPDATE, instance=contact, changes=changes
        )
    return contact
