"""Writes of a client's contracts (CT-1, CT-2): prepare a draft, change it, attach the signed
file, conclude it, renew it as a new version, terminate it. Each asks the policy
(``contract.edit`` to prepare, ``contract.conclude`` to conclude or end), validates every field
with ``kam.core.bounds`` (the pages and the API refuse the same things on the same field) and
is audited (SE-3). A refusal changes nothing.

Statuses: ``draft`` -> (conclude) ``active`` -> (daily) ``expiring`` -> ``expired``; a concluded
renewal makes the version it renews ``renewed``; a termination ends it on a chosen day
(``terminated`` from the next day on; the daily run marks one set ahead)."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.contracts import rules
from kam.contracts.models import Contract
from kam.core.bounds import check_amount, check_date, check_text
from kam.core.models import AuditEntry
from kam.core.selectors import company_settings
from kam.core.services import audit_record, model_changes
from kam.org.policy import Action, require
from kam.pricing.checks import Problems, check_currency
from kam.pricing.models import PriceColumn

# The terms a draft carries and a renewal copies.
TERMS = (
    "payment_days",
    "price_column",
    "credit_limit",
    "currency",
    "delivery_terms",
    "notes",
)
EDITABLE = ("number", "starts_on", "ends_on", *TERMS)
MAX_PAYMENT_DAYS = 365
# The signed file: at most KAM_CONTRACT_FILE_MAX_MB, and one of these kinds, each known by
# its name and its first bytes (a renamed program is not a PDF).
FILE_MAX_MB = int(getattr(settings, "KAM_CONTRACT_FILE_MAX_MB", 10))
FILE_KINDS = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
}
IN_FORCE = (Contract.Status.ACTIVE, Contract.Status.EXPIRING)


def today() -> date:
    return timezone.localdate()


def _display(value: Any) -> Any:
    return str(value) if isinstance(value, PriceColumn) else value


def _named(changes: dict[str, list]) -> dict[str, list]:
    return {k: [_display(old), _display(new)] for k, (old, new) in changes.items()}


def _locked(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("account").get(pk=contract.pk)


def _column(value, problems: Problems):
    """A ``PriceColumn`` or its id; an unknown one is refused on ``price_column``."""
    if isinstance(value, PriceColumn):
        return value
    column = None
    if isinstance(value, int) and not isinstance(value, bool):
        column = PriceColumn.objects.filter(pk=value).first()
    if column is None:
        problems.add("price_column", _("Choose a column of a price list."))
    return column


def _clean_terms(data: dict[str, Any], problems: Problems) -> dict[str, Any]:
    """Each term given, parsed and bounded; refusals collected on their fields."""
    out: dict[str, Any] = {}
    for name, value in data.items():
        if name == "number":
            number = (value or "").strip()
            with problems.check():
                check_text(number, field="number")
            if not number:
                problems.add("number", _("Enter the contract's number."))
            out[name] = number
        elif name in ("starts_on", "ends_on"):
            if name == "starts_on" and value is None:
                problems.add("starts_on", _("Enter the first day of the contract."))
            with problems.check():
                check_date(value, field=name)
            out[name] = value
        elif name == "payment_days":
            valid = isinstance(value, int) and not isinstance(value, bool)
            if not valid or not 0 <= value <= MAX_PAYMENT_DAYS:
                problems.add(
                    "payment_days",
                    _("The payment deferral is a whole number of days from 0 to %(max)d.")
                    % {"max": MAX_PAYMENT_DAYS},
                )
            out[name] = value
        elif name == "price_column":
            out[name] = _column(value, problems)
        elif name == "credit_limit":
            with problems.check():
                value = check_amount(value, field="credit_limit", minimum=Decimal("0"))
            if value is None and "credit_limit" not in problems.errors:
                problems.add("credit_limit", _("Enter the credit limit (0 for none)."))
            out[name] = value
        elif name == "currency":
            with problems.check():
                value = check_currency(value)
            out[name] = value
        elif name in ("delivery_terms", "notes"):
            text = (value or "").strip()
            with problems.check():
                check_text(text, field=name)
            out[name] = text
        else:
            raise ValueError(f"unknown field: {name}")
    return out


def _check_dates(contract: Contract, problems: Problems) -> None:
    if "starts_on" in problems.errors or "ends_on" in problems.errors:
        return
    if contract.ends_on is not None and contract.ends_on < contract.starts_on:
        problems.add("ends_on", _("The last day must not be before the first day."))
    previous = contract.previous
    if previous is not None and contract.starts_on <= previous.starts_on:
        problems.add(
            "starts_on",
            _("A renewal starts after the version it renews (which started on %(date)s).")
            % {"date": previous.starts_on.isoformat()},
        )


def _check_number(contract: Contract, problems: Problems) -> None:
    if "number" in problems.errors:
        return
    taken = Contract.objects.filter(number=contract.number).exclude(pk=contract.pk)
    if contract.previous_id is not None:
        taken = taken.exclude(pk__in=_chain_ids(contract.previous))
    if taken.exists():
        # Whose it is is not said: that client may lie outside the actor's scope (SE-1).
        problems.add(
            "number",
            _("Contract number %(number)s is already used.") % {"number": contract.number},
        )


def _chain_ids(contract: Contract) -> list[int]:
    return list(
        Contract.objects.filter(number=contract.number, account_id=contract.account_id).values_list(
            "pk", flat=True
        )
    )


def _validate(contract: Contract, problems: Problems) -> None:
    _check_dates(contract, problems)
    _check_number(contract, problems)
    with problems.check():
        contract.full_clean(
            exclude=[*problems.errors, "attachment", "previous"], validate_constraints=False
        )
    problems.raise_any()


def _save_new(contract: Contract) -> None:
    """Save a new version; one that another writer took the number (or the renewal) of at the
    same moment is refused like the check above would have, not a server error."""
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        raise ValidationError(
            {
                "number": _("Contract number %(number)s is already used.")
                % {"number": contract.number}
            }
        ) from None


def _terms_of(contract: Contract) -> dict[str, Any]:
    return {name: _display(getattr(contract, name)) for name in EDITABLE}


@transaction.atomic
def contract_create(
    *,
    actor,
    account: Account,
    number: str,
    starts_on: date,
    price_column,
    credit_limit,
    ends_on: date | None = None,
    payment_days: int = 30,
    currency: str | None = None,
    delivery_terms: str = "",
    notes: str = "",
) -> Contract:
    """A draft contract for the client (CT-1, CT-2). ``price_column`` is the column (or its
    id) the client buys from; the currency defaults to the company's base currency."""
    if actor is not None:
        require(actor, Action.CONTRACT_EDIT, account)
    problems = Problems()
    data = _clean_terms(
        {
            "number": number,
            "starts_on": starts_on,
            "ends_on": ends_on,
            "payment_days": payment_days,
            "price_column": price_column,
            "credit_limit": credit_limit,
            "currency": currency or company_settings().base_currency,
            "delivery_terms": delivery_terms,
            "notes": notes,
        },
        problems,
    )
    contract = Contract(
        account=account,
        version=1,
        status=Contract.Status.DRAFT,
        created_by=actor if getattr(actor, "pk", None) else None,
        **data,
    )
    _validate(contract, problems)
    _save_new(contract)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=contract,
        summary=f"Contract {contract} of {account}",
        changes={"client": str(account), "status": contract.status, **_terms_of(contract)},
    )
    return contract


def _refuse_unless_draft(contract: Contract) -> None:
    if contract.status != Contract.Status.DRAFT:
        raise ValidationError(
            {
                "status": _(
                    "Only a draft can be changed; this contract is %(status)s. Renew it to "
                    "agree new terms."
                )
                % {"status": contract.get_status_display().lower()}
            }
        )


@transaction.atomic
def contract_update(*, actor, contract: Contract, **data: Any) -> Contract:
    """Change a draft's fields (any of ``EDITABLE``; a renewal keeps its chain's number)."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    obj = _locked(contract)
    if actor is not None:
        require(actor, Action.CONTRACT_EDIT, obj.account)
    _refuse_unless_draft(obj)
    problems = Problems()
    if obj.previous_id is not None and "number" in data and data["number"] != obj.number:
        problems.add("number", _("A renewal keeps the number of the contract it renews."))
        data.pop("number")
    clean = _clean_terms(data, problems)
    problems.raise_any()
    changes = model_changes(obj, clean)
    if changes:
        _validate(obj, problems)
        obj.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=obj,
            summary=f"Contract {obj} of {obj.account}",
            changes=_named(changes),
        )
    return obj


def _check_file(upload) -> str:
    """The file's extension, if it is a PDF, PNG, JPEG or DOCX within the size limit."""
    if upload is None:
        raise ValidationError({"attachment": _("Choose the signed file.")})
    name = getattr(upload, "name", "") or ""
    ext = Path(name).suffix.lower()
    if ext not in FILE_KINDS:
        raise ValidationError(
            {
                "attachment": _("Attach a PDF, PNG, JPEG or DOCX file (this one is %(name)s).")
                % {"name": name[-80:] or "?"}
            }
        )
    size = getattr(upload, "size", None) or 0
    if size > FILE_MAX_MB * 1024 * 1024:
        raise ValidationError(
            {"attachment": _("The file is over %(max)d MB.") % {"max": FILE_MAX_MB}}
        )
    if size == 0:
        raise ValidationError({"attachment": _("The file is empty.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in FILE_KINDS[ext]):
        raise ValidationError(
            {
                "attachment": _("The file is not the %(kind)s its name says.")
                % {"kind": ext[1:].upper()}
            }
        )
    return ext


@transaction.atomic
def contract_attach(*, actor, contract: Contract, upload) -> Contract:
    """Keep the signed file with the contract (a draft or one in force), replacing an earlier
    one; the file is stored under MEDIA_ROOT and only served to those who see the client."""
    obj = _locked(contract)
    if actor is not None:
        require(actor, Action.CONTRACT_EDIT, obj.account)
    if obj.status not in (Contract.Status.DRAFT, *IN_FORCE):
        raise ValidationError(
            {"attachment": _("The file of a contract that no longer holds cannot be changed.")}
        )
    ext = _check_file(upload)
    old = obj.attachment.name if obj.attachment else ""
    stem = get_valid_filename(f"{obj.number}-v{obj.version}")[:80] or "contract"
    obj.attachment.save(f"{stem}{ext}", upload, save=False)
    obj.save(update_fields=["attachment", "updated_at"])
    if old:
        storage = obj.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=obj,
        summary=f"Signed file of contract {obj}",
        changes={"attachment": [old, obj.attachment.name]},
    )
    return obj


@transaction.atomic
def contract_conclude(*, actor, contract: Contract, on: date | None = None) -> Contract:
    """The draft is signed: it holds from its first day (``active``, or ``expiring`` when its
    end is within 60 days). The version it renews becomes ``renewed``."""
    obj = _locked(contract)
    if actor is not None:
        require(actor, Action.CONTRACT_CONCLUDE, obj.account)
    if obj.status != Contract.Status.DRAFT:
        raise ValidationError(
            {
                "status": _("Only a draft can be concluded; this contract is %(status)s.")
                % {"status": obj.get_status_display().lower()}
            }
        )
    on = on or today()
    if obj.ends_on is not None and obj.ends_on < on:
        raise ValidationError(
            {
                "ends_on": _("This contract ended on %(date)s: change its dates first.")
                % {"date": obj.ends_on.isoformat()}
            }
        )
    obj.status = rules.standing(obj.ends_on, on)
    obj.concluded_at = timezone.now()
    obj.concluded_by = actor if getattr(actor, "pk", None) else None
    obj.save(update_fields=["status", "concluded_at", "concluded_by", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=obj,
        summary=f"Contract {obj} of {obj.account} concluded",
        changes={"status": [Contract.Status.DRAFT, obj.status]},
    )
    if obj.previous_id is not None:
        previous = Contract.objects.select_for_update().get(pk=obj.previous_id)
        if previous.status in RENEWABLE:  # a terminated one stays terminated
            old_status = previous.status
            previous.status = Contract.Status.RENEWED
            previous.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=previous,
                summary=f"Contract {previous} renewed by {obj}",
                changes={"status": [old_status, previous.status]},
            )
    return obj


RENEWABLE = (Contract.Status.ACTIVE, Contract.Status.EXPIRING, Contract.Status.EXPIRED)


@transaction.atomic
def contract_renew(
    *, actor, contract: Contract, starts_on: date, ends_on: date | None = None, **terms: Any
) -> Contract:
    """A new draft version of a concluded contract (CT-1): the same number, the next version,
    the old one as ``previous``, its terms copied unless given in ``terms``. It must start
    after the old one started; a version is renewed once."""
    unknown = set(terms) - set(TERMS)
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    old = _locked(contract)
    if actor is not None:
        require(actor, Action.CONTRACT_EDIT, old.account)
    if old.status not in RENEWABLE:
        raise ValidationError(
            {
                "status": _("Only a concluded contract can be renewed; this one is %(status)s.")
                % {"status": old.get_status_display().lower()}
            }
        )
    if Contract.objects.filter(previous=old).exists():
        raise ValidationError(
            {"status": _("This version has already been renewed: open its renewal instead.")}
        )
    problems = Problems()
    data = {name: getattr(old, name) for name in TERMS}
    data.update(terms)
    clean = _clean_terms({"starts_on": starts_on, "ends_on": ends_on, **data}, problems)
    renewal = Contract(
        account=old.account,
        number=old.number,
        version=old.version + 1,
        previous=old,
        status=Contract.Status.DRAFT,
        created_by=actor if getattr(actor, "pk", None) else None,
        **clean,
    )
    _validate(renewal, problems)
    _save_new(renewal)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=renewal,
        summary=f"Contract {renewal} of {old.account} renews {old}",
        changes={"client": str(old.account), "previous": str(old), **_terms_of(renewal)},
    )
    return renewal


@transaction.atomic
def contract_terminate(
    *, actor, contract: Contract, on: date, reason: str, as_of: date | None = None
) -> Contract:
    """End a contract in force early: ``on`` is its last day (from its first day up to its
    end). A day already past makes it ``terminated`` at once; one still ahead keeps it in force
    until then (the daily run marks it)."""
    obj = _locked(contract)
    if actor is not None:
        require(actor, Action.CONTRACT_CONCLUDE, obj.account)
    if obj.status not in IN_FORCE:
        raise ValidationError(
            {
                "status": _("Only a contract in force can be terminated; this one is %(status)s.")
                % {"status": obj.get_status_display().lower()}
            }
        )
    problems = Problems()
    text = (reason or "").strip()
    with problems.check():
        check_text(text, field="reason")
    if not text:
        problems.add("reason", _("Say why the contract is terminated."))
    elif len(text) > 500:
        problems.add("reason", _("Say it in at most 500 characters."))
    if on is None:
        problems.add("on", _("Enter the contract's last day."))
    else:
        with problems.check():
            check_date(on, field="on")
        if "on" not in problems.errors:
            if on < obj.starts_on:
                problems.add(
                    "on",
                    _("The contract started on %(date)s: it cannot end before.")
                    % {"date": obj.starts_on.isoformat()},
                )
            elif obj.ends_on is not None and on > obj.ends_on:
                problems.add(
                    "on",
                    _("The contract ends on %(date)s anyway: choose a day up to then.")
                    % {"date": obj.ends_on.isoformat()},
                )
    problems.raise_any()
    as_of = as_of or today()
    old = {"status": obj.status, "ends_on": obj.ends_on}
    obj.ends_on = on
    obj.terminated_on = on
    obj.termination_reason = text
    obj.terminated_by = actor if getattr(actor, "pk", None) else None
    obj.status = Contract.Status.TERMINATED if on < as_of else rules.standing(on, as_of)
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=obj,
        summary=f"Contract {obj} of {obj.account} terminated as of {on.isoformat()}",
        changes={
            "status": [old["status"], obj.status],
            "ends_on": [old["ends_on"], on],
            "termination_reason": text,
        },
    )
    return obj


@transaction.atomic
def contract_standing_refresh(*, as_of: date) -> dict[str, int]:
    """The daily run's statuses (CT-1): a termination whose last day has passed becomes
    ``terminated``; a contract in force within 60 days of its end ``expiring``, past it
    ``expired``. Idempotent: a second run changes nothing. Audited per contract (system)."""
    counts = {"terminated": 0, "expiring": 0, "expired": 0}
    rows = (
        Contract.objects.select_for_update()
        .filter(
            status__in=IN_FORCE,
            ends_on__lte=as_of + timedelta(days=rules.EXPIRING_DAYS),
        )
        .select_related("account")
        .order_by("pk")
    )
    for contract in rows:
        if contract.terminated_on is not None and contract.terminated_on < as_of:
            new = Contract.Status.TERMINATED
        else:
            new = rules.standing(contract.ends_on, as_of)
        if new == contract.status or new == Contract.Status.ACTIVE:
            continue
        old = contract.status
        contract.status = new
        contract.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            instance=contract,
            summary=f"Contract {contract} of {contract.account}: {new} (kam daily)",
            changes={"status": [old, new]},
        )
        counts[new] += 1
    return counts
