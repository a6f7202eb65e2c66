"""Writes of debt collection (AR-2): promises to pay, reminders by e-mail, and the daily checks
of promises and escalation of old debt. Each write asks the policy (``collection.work``) first
and is audited; a reminder's e-mail leaves only after its transaction commits, at most once."""

import logging
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Sum
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kam.clients.models import Account, Contact
from kam.core import bounds
from kam.core.models import AuditEntry, Notification
from kam.core.selectors import company_settings
from kam.core.services import audit_record, notification_send
from kam.org.policy import Action, require
from kam.receivables.models import PaymentPromise, Reminder, SettlementItem
from kam.receivables.selectors import debt_position
from kam.receivables.selectors_collection import (
    MAX_LEVEL,
    collection_settings,
    department_head,
    escalation_due,
    escalation_key,
    next_reminder_level,
    overdue_invoices,
    reminder_contact,
)

log = logging.getLogger(__name__)
ZERO = Decimal("0")
CENT = Decimal("0.01")


def _money(amount: Decimal) -> str:
    """An amount with its cents and the base currency ("1000.00 EUR"): SQLite hands back
    "1000" where PostgreSQL gives "1000.00"."""
    return f"{Decimal(amount).quantize(CENT)} {company_settings().base_currency}"


def _account(account) -> Account:
    """The client named by an Account or its id; a missing one is 404 like one out of sight."""
    if isinstance(account, Account):
        return account
    try:
        pk = int(account)
    except (TypeError, ValueError, OverflowError):
        pk = 0
    found = Account.objects.filter(pk=pk).first() if 0 < pk <= bounds.MAX_ID else None
    if found is None:
        raise Http404(_("No such client."))
    return found


# --- promises to pay ---------------------------------------------------------------------------


@transaction.atomic
def promise_record(
    *,
    actor,
    account,
    promised_on: date,
    amount: Decimal,
    made_on: date | None = None,
    note: str = "",
) -> PaymentPromise:
    """The client promised to pay ``amount`` by ``promised_on`` (AR-2). Refused, naming the
    field: a date before the promise was made or further ahead than the settings allow, an
    amount of zero or less or above what the client owes, a second open promise."""
    account = _account(account)
    require(actor, Action.COLLECTION_WORK, account)
    today = timezone.localdate()
    made_on = made_on or today
    bounds.check_date(made_on, field="made_on", latest=today)
    if promised_on is None:
        raise ValidationError({"promised_on": _("Say by which day the client will pay.")})
    if promised_on < made_on:
        raise ValidationError(
            {"promised_on": _("The promised day cannot be before the day the promise was made.")}
        )
    longest = collection_settings().promise_max_days
    bounds.check_date(
        promised_on, field="promised_on", earliest=made_on, latest=made_on + timedelta(longest)
    )
    amount = bounds.check_amount(amount, field="amount")
    if amount is None or amount <= 0:
        raise ValidationError({"amount": _("The promised amount must be more than zero.")})
    bounds.check_text(note, field="note")
    debt = debt_position(account_id=account.pk, as_of=made_on).balance
    if debt <= 0:
        raise ValidationError(
            {"amount": _("The client owes nothing: there is nothing to promise.")}
        )
    if amount > debt:
        raise ValidationError(
            {
                "amount": _("The client owes %(debt)s: a promise cannot be for more.")
                % {"debt": _money(debt)}
            }
        )
    # One open promise at a time: two would count the same payments twice.
    Account.objects.select_for_update().filter(pk=account.pk).first()
    open_one = PaymentPromise.objects.filter(
        account=account, status=PaymentPromise.Status.OPEN
    ).first()
    if open_one is not None:
        raise ValidationError(
            {
                "promised_on": _(
                    "The client already promised %(amount)s by %(date)s; that promise is "
                    "checked on its day."
                )
                % {"amount": _money(open_one.amount), "date": open_one.promised_on.isoformat()}
            }
        )
    promise = PaymentPromise(
        account=account,
        made_on=made_on,
        promised_on=promised_on,
        amount=amount,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    promise.full_clean()
    promise.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=promise,
        summary=f"Promise to pay {amount} by {promised_on} ({account})",
        changes={"account": account.pk, "amount": amount, "promised_on": promised_on},
    )
    return promise


def _paid_in_window(promise: PaymentPromise, until: date) -> list[SettlementItem]:
    return list(
        SettlementItem.objects.filter(
            account_id=promise.account_id,
            kind=SettlementItem.Kind.PAYMENT,
            document_date__gte=promise.made_on,
            document_date__lte=min(promise.promised_on, until),
        ).order_by("document_date", "pk")
    )


def promise_check(*, as_of: date) -> dict:
    """The daily check of open promises (AR-2): kept once payments dated from the day it was
    made to the promised day reach its amount; broken when the promised day has passed without.
    A broken promise tells the client's KAM (once) and is flagged on the collection list."""
    kept = broken = notified = 0
    promises = (
        PaymentPromise.objects.filter(status=PaymentPromise.Status.OPEN, made_on__lte=as_of)
        .annotate(_paid=Subquery(_paid_subquery(as_of)))
        .select_related("account__owner", "account__department")
        .order_by("pk")
    )
    for promise in promises:
        paid = -(promise._paid or ZERO)
        if paid >= promise.amount:
            kept += _settle(promise, PaymentPromise.Status.KEPT, _kept_on(promise, as_of))
        elif promise.promised_on < as_of:
            with transaction.atomic():  # broken and told, or neither
                if _settle(promise, PaymentPromise.Status.BROKEN, as_of):
                    broken += 1
                    notified += _tell_broken(promise, paid=paid, as_of=as_of)
    return {"kept": kept, "broken": broken, "notified": notified}


def _paid_subquery(as_of: date):
    """Per promise: the sum (negative) of the client's payments dated from the day it was made
    to the promised day (and not after ``as_of``)."""
    return (
        SettlementItem.objects.filter(
            account_id=OuterRef("account_id"),
            kind=SettlementItem.Kind.PAYMENT,
            document_date__gte=OuterRef("made_on"),
            document_date__lte=OuterRef("promised_on"),
        )
        .filter(document_date__lte=as_of)
        .order_by()
        .values("account_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )


def _kept_on(promise: PaymentPromise, as_of: date) -> date:
    """The day the payments reached the promised amount."""
    total = ZERO
    for payment in _paid_in_window(promise, as_of):
        total -= payment.amount
        if total >= promise.amount:
            return payment.document_date
    return as_of


@transaction.atomic
def _settle(promise: PaymentPromise, status: str, on: date) -> bool:
    """Mark an open promise kept or broken (under its row lock: a parallel run does nothing)."""
    changed = PaymentPromise.objects.filter(
        pk=promise.pk, status=PaymentPromise.Status.OPEN
    ).update(status=status, settled_on=on, updated_at=timezone.now())
    if changed:
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            instance=promise,
            summary=f"Promise to pay {promise.amount} by {promise.promised_on}: {status}",
            changes={"status": [PaymentPromise.Status.OPEN, status], "settled_on": on},
        )
    return bool(changed)


def _tell_broken(promise: PaymentPromise, *, paid: Decimal, as_of: date) -> int:
    account = promise.account
    recipient = account.owner or department_head(account)
    item = notification_send(
        recipient=recipient,
        kind=Notification.Kind.PROMISE_BROKEN,
        key=f"promise:{promise.pk}",
        subject=gettext_noop(
            "Promise to pay broken: %(client)s promised %(amount)s by %(date)s, paid %(paid)s"
        ),
        params={
            "client": str(account),
            "amount": _money(promise.amount),
            "paid": _money(paid),
            "date": {"date": promise.promised_on.isoformat()},
        },
        link=reverse("collection:client", args=[account.pk]),
        on=as_of,
        once=True,
    )
    return int(item is not None)


# --- escalation --------------------------------------------------------------------------------


def debt_escalate(*, as_of: date) -> dict:
    """The daily escalation (AR-2): a client whose oldest open invoice is overdue by more than
    the settings' days, with no promise that is open or recently kept, is reported to the head
    of the client's department, once per client and oldest invoice."""
    after = collection_settings().escalate_after_days
    due = escalation_due(as_of=as_of, after_days=after)
    sent = 0
    for account, invoice in due:
        head = department_head(account)
        if head is None:
            log.warning("collection: no head of department to escalate %s to", account.pk)
            continue
        position = debt_position(account_id=account.pk, as_of=as_of)
        item = notification_send(
            recipient=head,
            kind=Notification.Kind.DEBT_ESCALATED,
            key=escalation_key(account.pk, invoice.pk),
            subject=gettext_noop(
                "Overdue debt escalated: %(client)s owes %(amount)s overdue, the oldest "
                "invoice %(invoice)s %(days)s days past due (KAM: %(kam)s)"
            ),
            params={
                "client": str(account),
                "amount": _money(position.overdue),
                "invoice": invoice.document_number,
                "days": str((as_of - invoice.due_date).days),
                "kam": account.owner.get_full_name() if account.owner else "—",
            },
            link=reverse("collection:client", args=[account.pk]),
            on=as_of,
            once=True,
        )
        if item is not None:
            sent += 1
            audit_record(
                actor=None,
                action=AuditEntry.Action.UPDATE,
                instance=account,
                summary=f"Overdue debt escalated to {head} (invoice {invoice.document_number})",
                changes={"escalated_to": head.pk, "invoice": invoice.pk},
            )
    return {"due": len(due), "escalated": sent}


# --- reminders ---------------------------------------------------------------------------------


class ReminderResult(NamedTuple):
    reminder: Reminder
    created: bool  # False: the same reminder (client, level, day) existed; nothing new is sent


def _languages() -> dict[str, str]:
    return dict(settings.LANGUAGES)


def reminder_render(
    *, account: Account, invoices: list[SettlementItem], level: int, language: str, as_of: date
) -> tuple[str, str]:
    """Subject and text of a reminder from ``templates/receivables/email/<language>/`` in that
    language's formats (dates, numbers)."""
    context = {
        "account": account,
        "company": company_settings(),
        "currency": company_settings().base_currency,
        "invoices": [
            {"item": i, "days": (as_of - i.due_date).days, "open": i.open_amount} for i in invoices
        ],
        "total": sum((i.open_amount for i in invoices), ZERO),
        "level": level,
        "as_of": as_of,
    }
    with translation.override(language):
        subject = render_to_string(f"receivables/email/{language}/reminder_subject.txt", context)
        body = render_to_string(f"receivables/email/{language}/reminder_body.txt", context)
    return " ".join(subject.split())[:300], body.strip() + "\n"


@transaction.atomic
def reminder_send(
    *,
    actor,
    account,
    level: int | None = None,
    as_of: date | None = None,
    language: str | None = None,
    contact: Contact | None = None,
) -> ReminderResult:
    """A payment reminder to the client's contact (AR-2), listing the overdue invoices.

    ``level`` 1..3 (None: the next one, ``next_reminder_level``); ``language`` one of the
    site's languages, by default ``settings.LANGUAGE_CODE`` (a client has no language of its
    own); the first contact entered with an e-mail unless ``contact`` is given. Once per
    client, level and day: a second request returns the first reminder and sends nothing (a
    failed one is queued again). The e-mail leaves after the transaction commits."""
    account = _account(account)
    require(actor, Action.COLLECTION_WORK, account)
    as_of = as_of or timezone.localdate()
    language = language or settings.LANGUAGE_CODE
    if language not in _languages():
        raise ValidationError(
            {
                "language": _("Choose one of the languages %(codes)s.")
                % {"codes": ", ".join(_languages())}
            }
        )
    if level is None:
        level = next_reminder_level(account_id=account.pk, as_of=as_of)
    elif not isinstance(level, int) or not 1 <= level <= MAX_LEVEL:
        raise ValidationError({"level": _("The level is 1, 2 or 3 (friendly, firm, final).")})
    key = f"reminder:{account.pk}:{level}:{as_of.isoformat()}"
    existing = Reminder.objects.select_for_update().filter(key=key).first()
    if existing is not None:
        if existing.status == Reminder.Status.FAILED:
            existing.status, existing.error = Reminder.Status.QUEUED, ""
            existing.save(update_fields=["status", "error", "updated_at"])
            transaction.on_commit(partial(reminder_deliver, reminder_id=existing.pk), robust=True)
        return ReminderResult(existing, False)
    invoices = overdue_invoices(account_id=account.pk, as_of=as_of)
    if not invoices:
        raise ValidationError(
            {
                "account": _("%(client)s has no overdue invoices: there is nothing to remind of.")
                % {"client": account}
            }
        )
    if contact is not None and (contact.account_id != account.pk or not contact.email):
        raise ValidationError(
            {"contact": _("Choose a contact person of this client with an e-mail address.")}
        )
    contact = contact or reminder_contact(account_id=account.pk)
    if contact is None:
        raise ValidationError(
            {
                "contact": _(
                    "%(client)s has no contact person with an e-mail address: add one on the "
                    "client's card first."
                )
                % {"client": account}
            }
        )
    subject, body = reminder_render(
        account=account, invoices=invoices, level=level, language=language, as_of=as_of
    )
    reminder = Reminder(
        account=account,
        key=key,
        level=level,
        language=language,
        to_email=contact.email,
        subject=subject,
        body=body,
        overdue_amount=sum((i.open_amount for i in invoices), ZERO),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    reminder.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            reminder.save()
    except IntegrityError:  # the same reminder, requested at the same moment elsewhere
        return ReminderResult(Reminder.objects.get(key=key), False)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=reminder,
        summary=f"Reminder level {level} to {contact.email} ({account})",
        changes={"account": account.pk, "level": level, "overdue": reminder.overdue_amount},
    )
    transaction.on_commit(partial(reminder_deliver, reminder_id=reminder.pk), robust=True)
    return ReminderResult(reminder, True)


def reminder_deliver(*, reminder_id: int) -> Reminder | None:
    """Send a queued reminder's e-mail, once: the row is locked and its status checked, so a
    second call (a retry, a parallel worker) finds it sent and does nothing. A failure is
    recorded on the row (status failed, the error) and never raised: the request that queued
    it has committed already."""
    with transaction.atomic():
        reminder = Reminder.objects.select_for_update().filter(pk=reminder_id).first()
        if reminder is None or reminder.status != Reminder.Status.QUEUED:
            return reminder
        message = EmailMessage(
            subject=reminder.subject,
            body=reminder.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[reminder.to_email],
            headers={"Content-Language": reminder.language},
        )
        try:
            message.send(fail_silently=False)
        except Exception as exc:  # SMTP refusals, a server that is down, a timeout ...
            log.warning("collection: reminder %s not sent: %s", reminder.pk, exc)
            reminder.status = Reminder.Status.FAILED
            reminder.error = f"{type(exc).__name__}: {exc}"[:300]
        else:
            reminder.status = Reminder.Status.SENT
            reminder.sent_at = timezone.now()
            reminder.error = ""
        reminder.save(update_fields=["status", "sent_at", "error", "updated_at"])
    return reminder
