"""Writes of credit control, and the gate (CR-3).

``credit_reserve`` is the gate: under a lock on the client's ``CreditAccount`` row it computes
the position, refuses with ``CreditBlocked`` (the reasons in words) or records that the order
holds ``amount`` of the client's credit. Orders call it at submission, shipment and invoice, so
the gate cannot be bypassed by copying, editing or splitting an order, or by the API. Because
the lock is held to the end of the caller's transaction, concurrent orders for one client
queue and never pass the limit together."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.contracts.selectors import contract_active
from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes
from kam.credit.models import (
    CreditAccount,
    CreditCheck,
    CreditOverride,
    CreditReservation,
    CreditSettings,
)
from kam.credit.rules import Block, blocks
from kam.credit.selectors import (
    block_text,
    credit_limit,
    credit_settings,
    payment_terms,
    position_with_rules,
)
from kam.org.policy import Action, require

__all__ = [
    "CreditBlocked",
    "block_text",
    "credit_check_record",
    "credit_limit_reset_to_contract",
    "credit_limit_set",
    "credit_release",
    "credit_reserve",
    "credit_settings_update",
]

MAX_PAYMENT_DAYS = 365
MAX_OVERDUE_DAYS = 3650
MAX_CHECK_MONTHS = 120
SCORE_LENGTH = 50
NOTES_LENGTH = 5000


class CreditBlocked(ValidationError):
    """The gate refused: ``blocks`` say why (``block_text`` in words)."""

    def __init__(self, found: list[Block]):
        self.blocks = found
        super().__init__([block_text(b) for b in found], code="credit_blocked")


def _lock_row(account_id: int) -> int | None:
    """Lock the client's ``CreditAccount`` row to the end of the transaction; its id (None: no
    row yet). Plain SQL: the gate's hottest statement, without building a model."""
    sql = f"SELECT id FROM {CreditAccount._meta.db_table} WHERE account_id = %s"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql, [account_id])
        row = cursor.fetchone()
    return row[0] if row else None


def _lock(account_id: int) -> CreditAccount:
    """The client's ``CreditAccount`` row, locked to the end of the transaction; created on
    first use with ``INSERT ... ON CONFLICT DO NOTHING``, so two first orders at once both
    end up waiting on the one row."""
    if _lock_row(account_id) is None:
        CreditAccount.objects.bulk_create(
            [CreditAccount(account_id=account_id)], ignore_conflicts=True
        )
        _lock_row(account_id)
    return CreditAccount.objects.get(account_id=account_id)


@transaction.atomic
def credit_reserve(
    *,
    actor,
    account,
    ref: str,
    amount: Decimal,
    stage: str,
    on: date,
    override_comment: str = "",
) -> list[Block]:
    """Let an order (``ref``) hold ``amount`` (base currency) of the client's credit, or raise
    ``CreditBlocked``. With ``override_comment`` a person holding ``credit.override`` releases
    a block (recorded, audited); the blocks it released are returned."""
    bounds.check_amount(amount, field="amount", minimum=Decimal("0"))
    if _lock_row(account.pk) is None:
        _lock(account.pk)  # the client's first order: create the row, then lock it
    # A statement of its own after the lock: it sees what the previous holder committed.
    position, rules = position_with_rules(account_id=account.pk, as_of=on, leave_out=ref)
    found = blocks(position, amount, rules, on)
    if found:
        if not override_comment.strip():
            raise CreditBlocked(found)
        require(actor, Action.CREDIT_OVERRIDE, account)
        bounds.check_text(override_comment, field="comment")
        item = CreditOverride.objects.create(
            account=account,
            ref=ref,
            stage=stage,
            amount=amount,
            reasons=[b.code for b in found],
            comment=override_comment[:500],
            by=actor,
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=item,
            summary=f"credit override {ref} at {stage}",
            changes={"amount": amount, "reasons": [b.code for b in found]},
        )
    # One statement (INSERT ... ON CONFLICT (ref) DO UPDATE): the order asked again at
    # shipment or invoice holds the amount it holds now.
    CreditReservation.objects.bulk_create(
        [CreditReservation(account=account, ref=ref, amount=amount, released_at=None)],
        update_conflicts=True,
        unique_fields=["ref"],
        update_fields=["account", "amount", "released_at", "updated_at"],
    )
    return found


@transaction.atomic
def credit_release(*, ref: str, amount: Decimal | None = None) -> None:
    """The order no longer holds credit (cancelled, refused, fully invoiced), or holds only
    ``amount`` now (partly invoiced: the invoice counts as a receivable instead)."""
    res = CreditReservation.objects.select_for_update().filter(ref=ref).first()
    if res is None:
        return
    if amount is None or amount <= 0:
        res.amount = Decimal("0")
        res.released_at = timezone.now()
    else:
        res.amount = amount
    res.save(update_fields=["amount", "released_at", "updated_at"])


# --- checks, limits and the rules (CR-1, CR-2) ---------------------------------------------------


def _choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise ValidationError(
            {
                field: _("%(value)s is not one of: %(choices)s.")
                % {"value": value, "choices": ", ".join(choices.values)}
            }
        )
    return value


def _whole(value, field: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value))
        except (TypeError, ValueError):
            raise ValidationError({field: _("Enter a whole number.")}) from None
    if not minimum <= value <= maximum:
        raise ValidationError(
            {
                field: _("Enter a whole number from %(minimum)d to %(maximum)d.")
                % {"minimum": minimum, "maximum": maximum}
            }
        )
    return value


def _short_text(value: str, field: str, length: int) -> str:
    bounds.check_text(value, field=field)
    value = value.strip()
    if len(value) > length:
        raise ValidationError({field: _("At most %(length)d characters.") % {"length": length}})
    return value


@transaction.atomic
def credit_check_record(
    *,
    actor,
    account,
    method: str,
    result: str,
    checked_on: date,
    next_review_on: date,
    score: str = "",
    notes: str = "",
) -> CreditCheck:
    """Record a reliability and creditworthiness check per the company's procedure (CR-1). A
    check is made on a day that has been (not in the future) and holds until ``next_review_on``,
    which lies after it."""
    require(actor, Action.CREDIT_CHECK_RECORD, account)
    _choice(method, CreditCheck.Method, "method")
    _choice(result, CreditCheck.Result, "result")
    today = timezone.localdate()
    if checked_on is None:
        raise ValidationError({"checked_on": _("Enter the day of the check.")})
    bounds.check_date(checked_on, field="checked_on", latest=today)
    if next_review_on is None:
        raise ValidationError({"next_review_on": _("Enter the next review date.")})
    bounds.check_date(next_review_on, field="next_review_on")
    if next_review_on <= checked_on:
        raise ValidationError(
            {"next_review_on": _("The next review must come after the day of the check.")}
        )
    score = _short_text(score or "", "score", SCORE_LENGTH)
    notes = _short_text(notes or "", "notes", NOTES_LENGTH)
    check = CreditCheck.objects.create(
        account=account,
        checked_on=checked_on,
        method=method,
        score=score,
        result=result,
        next_review_on=next_review_on,
        notes=notes,
        checked_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=check,
        summary=f"credit check of client {account.pk}: {result}",
        changes={
            "account": account.pk,
            "method": method,
            "score": score,
            "result": result,
            "checked_on": checked_on,
            "next_review_on": next_review_on,
        },
    )
    return check


def _terms_changes(acc: CreditAccount, old: tuple, new: tuple) -> dict:
    keys = ("limit", "payment_days", "source")
    return {k: [o, n] for k, o, n in zip(keys, old, new, strict=True) if o != n}


@transaction.atomic
def credit_limit_set(*, actor, account, limit: Decimal, payment_days: int) -> CreditAccount:
    """The credit controller sets the client's limit and payment terms (CR-2): from now on
    they hold instead of the contract's, until reset. Audited with the old and new values
    (the old ones as they held, the contract's if it gave them)."""
    require(actor, Action.CREDIT_LIMIT_SET, account)
    if limit is None:
        raise ValidationError({"limit": _("Enter the credit limit.")})
    limit = bounds.check_amount(limit, field="limit", minimum=Decimal("0"))
    payment_days = _whole(payment_days, "payment_days", minimum=0, maximum=MAX_PAYMENT_DAYS)
    today = timezone.localdate()
    acc = _lock(account.pk)
    old = (
        credit_limit(account_id=account.pk, on=today),
        payment_terms(account_id=account.pk, on=today),
        acc.source,
    )
    acc.limit, acc.payment_days = limit, payment_days
    acc.source = CreditAccount.Source.CONTROLLER
    acc.set_by = actor if getattr(actor, "pk", None) else None
    acc.save()
    changes = _terms_changes(acc, old, (limit, payment_days, acc.source))
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=acc,
        summary=f"credit limit of client {account.pk}: {old[0]} -> {limit}",
        changes={"account": account.pk, **changes},
    )
    return acc


@transaction.atomic
def credit_limit_reset_to_contract(*, actor, account) -> CreditAccount:
    """The client's limit and payment terms come from the active contract again (CR-2); with no
    contract in force the limit is 0. Audited."""
    require(actor, Action.CREDIT_LIMIT_SET, account)
    today = timezone.localdate()
    acc = _lock(account.pk)
    old = (
        credit_limit(account_id=account.pk, on=today),
        payment_terms(account_id=account.pk, on=today),
        acc.source,
    )
    contract = contract_active(account_id=account.pk, on=today)
    acc.source = CreditAccount.Source.CONTRACT
    # Kept for reading only: the selectors take a contract-sourced limit from the contract.
    acc.limit = contract.credit_limit if contract else Decimal("0")
    acc.payment_days = contract.payment_days if contract else acc.payment_days
    acc.set_by = actor if getattr(actor, "pk", None) else None
    acc.save()
    new = (
        credit_limit(account_id=account.pk, on=today),
        payment_terms(account_id=account.pk, on=today),
        acc.source,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=acc,
        summary=f"credit limit of client {account.pk} from the contract again",
        changes={"account": account.pk, **_terms_changes(acc, old, new)},
    )
    return acc


SETTINGS_FIELDS = (
    "overdue_amount_threshold",
    "overdue_days_threshold",
    "check_required",
    "near_limit_percent",
    "check_valid_months",
)


@transaction.atomic
def credit_settings_update(*, actor, **data) -> CreditSettings:
    """Change the credit rules (the overdue threshold in amount and days, whether a valid check
    is required, "near the limit", how long a check stays valid). Audited with old and new."""
    require(actor, Action.CREDIT_SETTINGS_EDIT)
    unknown = sorted(set(data) - set(SETTINGS_FIELDS))
    if unknown:
        raise ValidationError({unknown[0]: _("Not a credit setting.")})
    clean = {}
    if "overdue_amount_threshold" in data:
        value = data["overdue_amount_threshold"]
        if value is None:
            raise ValidationError({"overdue_amount_threshold": _("Enter an amount.")})
        clean["overdue_amount_threshold"] = bounds.check_amount(
            value, field="overdue_amount_threshold", minimum=Decimal("0")
        )
    if "overdue_days_threshold" in data:
        clean["overdue_days_threshold"] = _whole(
            data["overdue_days_threshold"],
            "overdue_days_threshold",
            minimum=0,
            maximum=MAX_OVERDUE_DAYS,
        )
    if "check_required" in data:
        if not isinstance(data["check_required"], bool):
            raise ValidationError({"check_required": _("Enter yes or no.")})
        clean["check_required"] = data["check_required"]
    if "near_limit_percent" in data:
        clean["near_limit_percent"] = _whole(
            data["near_limit_percent"], "near_limit_percent", minimum=1, maximum=100
        )
    if "check_valid_months" in data:
        clean["check_valid_months"] = _whole(
            data["check_valid_months"], "check_valid_months", minimum=1, maximum=MAX_CHECK_MONTHS
        )
    obj = CreditSettings.objects.select_for_update().get(pk=credit_settings().pk)
    changes = model_changes(obj, clean)
    if changes:
        obj.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=obj,
            summary="credit settings",
            changes=changes,
        )
    return obj
