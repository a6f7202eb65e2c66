"""What every order write shares: the version check, the timeline, the notices, the credit gate
(OR-1, CR-3, issue 9 §10)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kam.core.models import Notification
from kam.core.services import notification_send
from kam.credit.services import CreditBlocked, credit_reserve
from kam.orders.models import Order, OrderEvent, OrderNoticePreference
from kam.org.models import Role, User
from kam.pricing.rules import line_amount

ZERO = Decimal("0")
CENT = Decimal("0.01")


class StaleOrder(ValidationError):
    """The order changed since the writer read it: the API answers 409, a page asks to reload."""


def person_name(user) -> str:
    if user is None:
        return _("the system")
    return str(user)


def locked(order: Order, version) -> Order:
    """The order's row, locked to the end of the transaction, if it is still at ``version``."""
    fresh = Order.objects.select_for_update().get(pk=order.pk)
    fresh = Order.objects.select_related(
        "account", "account__owner", "account__department", "changed_by", "contract"
    ).get(pk=fresh.pk)
    try:
        asked = int(version)
    except (TypeError, ValueError):
        asked = None
    if asked != fresh.version:
        raise StaleOrder(
            {
                "version": _(
                    "The order was changed by %(who)s at %(at)s (version %(version)d); "
                    "reload it and make your change again."
                )
                % {
                    "who": person_name(fresh.changed_by),
                    "at": date_format(timezone.localtime(fresh.updated_at), "DATETIME_FORMAT"),
                    "version": fresh.version,
                }
            }
        )
    return fresh


def touch(order: Order, actor, *fields: str) -> None:
    """Save ``fields`` as a new version of the order."""
    order.version += 1
    order.changed_by = actor if getattr(actor, "pk", None) else None
    order.save(update_fields=[*fields, "version", "changed_by", "updated_at"])


def order_link(order: Order) -> str:
    return reverse("orders:detail", args=[order.pk])


def event(order: Order, actor, kind: str, text: str, params: dict | None = None) -> OrderEvent:
    """A line on the order's timeline (English ``text`` with %(name)s places, translated when
    shown) and the same news to the client's KAM, at once on the home page and by e-mail when
    they asked for it (sent after the commit)."""
    params = {k: str(v) for k, v in (params or {}).items()}
    params.setdefault("number", order.number)
    item = OrderEvent.objects.create(
        order=order,
        actor=actor if getattr(actor, "pk", None) else None,
        kind=kind,
        status=order.status,
        text=text,
        params=params,
    )
    kam = order.account.owner
    if kam is not None and kam.is_active and kam != actor:
        notification_send(
            recipient=kam,
            kind=Notification.Kind.ORDER_CHANGED,
            key=f"order:{order.pk}:{item.pk}",
            subject=text,
            params=params,
            link=order_link(order),
        )
        wants = OrderNoticePreference.objects.filter(user=kam, email=True).exists()
        if wants and kam.email:
            subject = _("Order %(number)s: %(status)s") % {
                "number": order.number,
                "status": order.get_status_display(),
            }
            body = (_(text) % params) + "\n\n" + order_link(order)
            address = kam.email
            transaction.on_commit(
                lambda: send_mail(
                    subject, body, settings.DEFAULT_FROM_EMAIL, [address], fail_silently=True
                )
            )
    return item


def heads_for(account) -> list[User]:
    """The heads of the client's department (or of a department above it); none: the
    directors."""
    department = account.department or (account.owner.department if account.owner else None)
    path = department.path if department else None
    heads = [
        u
        for u in User.objects.filter(role=Role.HEAD, is_active=True).select_related("department")
        if path and u.department and path.startswith(u.department.path)
    ]
    heads.sort(key=lambda u: -len(u.department.path))
    if heads:
        return heads
    return list(User.objects.filter(role=Role.DIRECTOR, is_active=True))


def notify(users, *, kind: str, order: Order, subject: str, params: dict) -> None:
    for user in users:
        notification_send(
            recipient=user,
            kind=kind,
            key=f"order:{order.pk}:{order.version}",
            subject=subject,
            params={k: str(v) for k, v in params.items()},
            link=order_link(order),
        )


def credit_controllers() -> list[User]:
    return list(User.objects.filter(role=Role.CREDIT, is_active=True))


def to_base(order: Order, amount: Decimal) -> Decimal:
    """An amount in the order's currency in the base currency, at the order's own rate."""
    if not order.total or order.total == order.total_base:
        return amount
    return (amount * order.total_base / order.total).quantize(CENT)


def open_amount(order: Order) -> Decimal:
    """What the order still asks of the client's credit, base currency: the lines not refused,
    less what is invoiced already (an invoice is a receivable instead)."""
    ordered = sum(
        (line_amount(ln.price, ln.quantity - ln.refused_quantity) for ln in order.lines.all()),
        ZERO,
    )
    invoiced = sum(
        (s.amount for s in order.shipments.exclude(invoice_number="")),
        ZERO,
    )
    return max(to_base(order, ordered - invoiced), ZERO)


def gate(order: Order, actor, *, stage: str, amount: Decimal) -> CreditBlocked | None:
    """Ask the credit gate; a release a credit controller gave for this stage is used (once).
    Returns the refusal, or None when the order holds its credit now."""
    on = timezone.localdate()
    try:
        if order.released_stage == stage and order.released_by_id:
            credit_reserve(
                actor=order.released_by,
                account=order.account,
                ref=order.credit_ref,
                amount=amount,
                stage=stage,
                on=on,
                override_comment=order.release_comment,
            )
            order.released_stage, order.release_comment, order.released_by = "", "", None
        else:
            credit_reserve(
                actor=actor,
                account=order.account,
                ref=order.credit_ref,
                amount=amount,
                stage=stage,
                on=on,
            )
    except CreditBlocked as exc:
        return exc
    return None


STAGE_WORDS = {
    "submit": gettext_noop("at submission"),
    "ship": gettext_noop("at shipment"),
    "invoice": gettext_noop("at invoice"),
}


def record_block(order: Order, actor, stage: str, exc: CreditBlocked) -> None:
    """The gate refused: the reasons in words on the order and its timeline; credit control
    told."""
    reasons = " ".join(exc.messages)
    order.blocked_stage = stage
    order.waiting_reason = (
        _("Blocked by credit control %(stage)s: %(reasons)s")
        % {"stage": _(STAGE_WORDS[stage]), "reasons": reasons}
    )[:500]
    if stage == "submit":
        order.status = Order.Status.BLOCKED
    touch(order, actor, "status", "blocked_stage", "waiting_reason")
    event(
        order,
        actor,
        "blocked",
        gettext_noop("Order %(number)s blocked by credit control: %(reasons)s"),
        {"reasons": reasons, "stage": stage},
    )
    notify(
        credit_controllers(),
        kind=Notification.Kind.CREDIT_BLOCKED,
        order=order,
        subject=gettext_noop("Order %(number)s of %(client)s is blocked: %(reasons)s"),
        params={"number": order.number, "client": order.account.legal_name, "reasons": reasons},
    )


def refuse(field: str, message: str):
    raise ValidationError({field: message})
