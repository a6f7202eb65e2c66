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
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.credit.models import CreditAccount, CreditOverride, CreditReservation
from kam.credit.rules import Block, blocks
from kam.credit.selectors import credit_position, thresholds
from kam.org.policy import Action, require


def block_text(block: Block) -> str:
    """The reason in words (the active language)."""
    v = block.values
    if block.code == "over_limit":
        return (
            _(
                "The order (%(amount)s) is more than the available credit (%(available)s of a "
                "limit of %(limit)s)."
            )
            % v
        )
    if block.code == "overdue":
        return _("The client has %(overdue)s overdue, %(days)d days past due.") % v
    if block.code == "check_missing":
        return _("The client has no credit check.")
    if block.code == "check_rejected":
        return _("The client's last credit check was rejected.")
    if block.code == "check_expired":
        return _("The client's credit check expired on %(since)s.") % {
            "since": v["since"].isoformat()
        }
    return block.code


class CreditBlocked(ValidationError):
    """The gate refused: ``blocks`` say why (``block_text`` in words)."""

    def __init__(self, found: list[Block]):
        self.blocks = found
        super().__init__([block_text(b) for b in found], code="credit_blocked")


def _lock(account_id: int) -> CreditAccount:
    acc, _created = CreditAccount.objects.get_or_create(account_id=account_id)
    return CreditAccount.objects.select_for_update().get(pk=acc.pk)


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
    _lock(account.pk)
    position = credit_position(account_id=account.pk, as_of=on, leave_out=ref)
    found = blocks(position, amount, thresholds(), on)
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
    CreditReservation.objects.update_or_create(
        ref=ref, defaults={"account": account, "amount": amount, "released_at": None}
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
