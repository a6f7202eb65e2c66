"""Writes of the radar: its criteria, the manual evidence of key status, and status snapshots.

Every write takes the acting user and asks the policy (``kam.org.policy``) whether they may:
a client they may not see answers 404, the same as a missing one (via
``kam.clients.selectors.account_get``); manual evidence on a client they see but may not judge
(a credit controller, sales support) answers 403 with a sentence that says who may. Every write
is audited (SE-3).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.clients.selectors import account_get
from kam.core.models import AuditEntry
from kam.core.money import UnknownRate
from kam.core.selectors import rate_table
from kam.core.services import audit_record, model_changes
from kam.org.policy import Action, require
from kam.radar.models import (
    MANUAL_DEFINITIONS,
    CompetenceConsultation,
    CompetitorShare,
    KeyFlag,
    KeyStatusSnapshot,
    PartnerDisclosure,
    RadarSettings,
    ReferenceCase,
    SnapshotRun,
    WalletEstimate,
)
from kam.radar.selectors import radar_settings, snapshot_rows

SETTINGS_FIELDS = {
    f.name
    for f in RadarSettings._meta.get_fields()
    if f.concrete and f.name not in {"id", "created_at", "updated_at", "version"}
}


class SettingsConflict(Exception):
    """The criteria changed since the caller read them (their ``expected_version`` is old)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(
            _(
                "Someone else changed the criteria since you opened them; "
                "reload and apply your change again."
            )
        )


@transaction.atomic
def radar_settings_update(
    *, actor, expected_version: int | None = None, **data: Any
) -> RadarSettings:
    """KC-1..KC-4, KC-12: change the criteria. Director or administrator only; audited.

    ``expected_version`` is the ``version`` the caller read: if the row has moved on since,
    :class:`SettingsConflict` is raised and nothing is written, so two people editing at once
    cannot silently undo each other. The check runs under the row lock, so of two concurrent
    saves from the same version exactly one wins. Without it the save applies as before (the
    API's PATCH of single fields)."""
    require(actor, Action.RADAR_SETTINGS_EDIT)
    unknown = set(data) - SETTINGS_FIELDS
    if unknown:
        raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
    obj = RadarSettings.objects.select_for_update().get(pk=radar_settings().pk)
    if expected_version is not None and expected_version != obj.version:
        raise SettingsConflict(obj.version)
    changes = model_changes(obj, data)
    if changes:
        obj.full_clean()
        obj.version += 1
        obj.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=obj,
            summary="radar settings",
            changes=changes,
        )
    return obj


def _evidence_account(actor, account: Account | int) -> Account:
    """The client, if the actor may record why it is key (``Action.KEY_EVIDENCE_RECORD``):
    Http404 for a client they may not see (SE-1), PermissionDenied for one they see but may
    not judge. Checked before anything is validated or written."""
    account = account_get(user=actor, pk=getattr(account, "pk", account))
    require(actor, Action.KEY_EVIDENCE_RECORD, account)
    return account


def _save(obj, *, actor, summary: str, changes: dict | None = None):
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=obj,
        summary=summary,
        changes=changes,
    )
    return obj


@transaction.atomic
def wallet_estimate_record(
    *,
    actor,
    account: Account | int,
    annual_budget: Decimal,
    currency: str = "",
    recorded_at: date | None = None,
    review_on: date | None = None,
    categories: str = "",
    note: str = "",
    competitors: Iterable[tuple[str, Decimal]] = (),
) -> WalletEstimate:
    """KC-4: the client's annual budget for our categories and who supplies it. The newest
    estimate replaces earlier ones for the radar; earlier ones stay as history."""
    account = _evidence_account(actor, account)
    rates = rate_table()
    currency = (currency or rates.base).upper()
    recorded_at = recorded_at or timezone.localdate()
    competitors = [(name.strip(), Decimal(pct)) for name, pct in competitors]
    if sum((pct for _, pct in competitors), Decimal(0)) > 100:
        raise ValidationError({"competitors": _("Competitors' shares add up to over 100 %.")})
    try:
        base = rates.convert(Decimal(annual_budget), currency, recorded_at)
    except UnknownRate as exc:
        raise ValidationError({"currency": str(exc)}) from None
    wallet = WalletEstimate(
        account=account,
        annual_budget=annual_budget,
        currency=currency,
        annual_budget_base=base,
        recorded_at=recorded_at,
        review_on=review_on,
        categories=categories,
        note=note,
        recorded_by=actor,
    )
    _save(
        wallet,
        actor=actor,
        summary=f"wallet {annual_budget} {currency} for {account}",
        changes={
            "account": account.pk,
            "annual_budget": annual_budget,
            "currency": currency,
            "competitors": [f"{n} {p}%" for n, p in competitors],
        },
    )
    shares = [CompetitorShare(wallet=wallet, name=n, share_pct=p) for n, p in competitors]
    for share in shares:
        share.full_clean(exclude=["wallet"])
    CompetitorShare.objects.bulk_create(shares)
    return wallet


@transaction.atomic
def reference_case_record(
    *, actor, account: Account | int, what: str, done_on: date, result: str = ""
) -> ReferenceCase:
    """KC-5: what exactly we did for the client, when, and what came of it."""
    account = _evidence_account(actor, account)
    case = ReferenceCase(
        account=account, what=what, done_on=done_on, result=result, recorded_by=actor
    )
    return _save(case, actor=actor, summary=f"reference case for {account}", changes={"what": what})


@transaction.atomic
def partner_disclosure_record(
    *, actor, account: Account | int, kind: str, text: str, disclosed_on: date
) -> PartnerDisclosure:
    """KC-6: something the client shared (plans, budget, conditions, no-tender, exclusivity)."""
    account = _evidence_account(actor, account)
    item = PartnerDisclosure(
        account=account, kind=kind, text=text, disclosed_on=disclosed_on, recorded_by=actor
    )
    return _save(item, actor=actor, summary=f"{kind} from {account}", changes={"kind": kind})


@transaction.atomic
def competence_consultation_record(
    *, actor, account: Account | int, topic: str, consulted_on: date
) -> CompetenceConsultation:
    """KC-7: what the client was consulted on."""
    account = _evidence_account(actor, account)
    item = CompetenceConsultation(
        account=account, topic=topic, consulted_on=consulted_on, recorded_by=actor
    )
    return _save(item, actor=actor, summary=f"consulted {account}", changes={"topic": topic})


@transaction.atomic
def key_flag_set(
    *,
    actor,
    account: Account | int,
    definition: str,
    note: str = "",
    owner=None,
    review_on: date | None = None,
) -> KeyFlag:
    """Mark a client key by a manual definition (KC-5..KC-8), or renew the active mark.
    The owner defaults to the client's KAM; the review to a year from today."""
    account = _evidence_account(actor, account)
    if definition not in MANUAL_DEFINITIONS:
        raise ValidationError({"definition": _("Not a manual definition.")})
    today = timezone.localdate()
    owner = owner or account.owner or actor
    review_on = review_on or today + timedelta(days=365)
    flag = (
        KeyFlag.objects.select_for_update()
        .filter(account=account, definition=definition, active=True)
        .first()
    )
    if flag is None:
        flag = KeyFlag(
            account=account,
            definition=definition,
            note=note,
            owner=owner,
            review_on=review_on,
            flagged_on=today,
            recorded_by=actor,
        )
        return _save(
            flag,
            actor=actor,
            summary=f"{account} key as {definition}",
            changes={"definition": definition, "review_on": review_on, "owner": owner},
        )
    changes = model_changes(flag, {"note": note, "owner": owner, "review_on": review_on})
    if changes:
        flag.full_clean()
        flag.save()
        audit_record(actor=actor, action=AuditEntry.Action.UPDATE, instance=flag, changes=changes)
    return flag


@transaction.atomic
def key_flag_clear(*, actor, account: Account | int, definition: str) -> bool:
    """Withdraw a manual definition; the flag is kept, inactive, as history."""
    account = _evidence_account(actor, account)
    flag = (
        KeyFlag.objects.select_for_update()
        .filter(account=account, definition=definition, active=True)
        .first()
    )
    if flag is None:
        return False
    flag.active = False
    flag.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=flag,
        changes={"active": [True, False]},
    )
    return True


@transaction.atomic
def radar_snapshot_take(*, actor, period_end: date) -> int:
    """History: store every client's key status at every level on ``period_end``. Taking it
    again for the same day replaces that day's rows. Returns the rows stored."""
    if actor is not None:  # None is the system: `kam daily`, the CLI without --user, the demo
        require(actor, Action.RADAR_SNAPSHOT_TAKE)
    rows = snapshot_rows(as_of=period_end)
    KeyStatusSnapshot.objects.filter(period_end=period_end).delete()
    KeyStatusSnapshot.objects.bulk_create(rows, batch_size=2000)
    run, _created = SnapshotRun.objects.update_or_create(
        period_end=period_end,
        defaults={"taken_by": actor if getattr(actor, "pk", None) else None, "rows": len(rows)},
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=run,
        summary=f"radar snapshot {period_end}: {len(rows)} rows",
    )
    return len(rows)
