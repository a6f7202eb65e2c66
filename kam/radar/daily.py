"""The radar's part of ``kam daily`` (kam/core/daily.py): the month's status snapshot, and a
notification when the review date of a piece of manual key evidence has come."""

from datetime import date

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_noop

from kam.core.daily import daily_step
from kam.core.models import Notification
from kam.core.periods import add_months, month_last_day
from kam.core.services import notification_send
from kam.org.policy import Action, can
from kam.radar.models import KeyFlag, SnapshotRun, WalletEstimate
from kam.radar.services import radar_snapshot_take


def last_closed_month_end(as_of: date) -> date:
    return month_last_day(add_months(as_of, -1))


@daily_step("radar.snapshot", order=10)
def snapshot_last_closed_month(*, as_of: date, force: bool) -> dict:
    """History (KC-10): every client's key status on the last day of the month before
    ``as_of``. Taken once; ``force`` retakes it (the service replaces that day's rows)."""
    period_end = last_closed_month_end(as_of)
    run = SnapshotRun.objects.filter(period_end=period_end).first()
    if run is not None and not force:
        return {"period_end": str(period_end), "taken": False, "rows": run.rows}
    rows = radar_snapshot_take(actor=None, period_end=period_end)
    return {"period_end": str(period_end), "taken": True, "rows": rows}


def _due_items(as_of: date):
    """(key, account, definition label, review date, recipients) of every active key flag and
    every client's latest wallet estimate whose review date is ``as_of`` or earlier."""
    flags = (
        KeyFlag.objects.filter(active=True, review_on__lte=as_of)
        .select_related("account__owner", "owner")
        .order_by("pk")
    )
    for flag in flags:
        people = [flag.account.owner, flag.owner]
        yield (
            f"keyflag:{flag.pk}:{flag.review_on}",
            flag.account,
            flag.get_definition_display(),
            flag.review_on,
            people,
        )
    latest = (
        WalletEstimate.objects.filter(account=OuterRef("account"))
        .order_by("-recorded_at", "-pk")
        .values("pk")[:1]
    )
    wallets = (
        WalletEstimate.objects.filter(review_on__lte=as_of, pk=Subquery(latest))
        .select_related("account__owner", "recorded_by")
        .order_by("pk")
    )
    for wallet in wallets:
        yield (
            f"wallet:{wallet.pk}:{wallet.review_on}",
            wallet.account,
            gettext_noop("Wallet estimate"),
            wallet.review_on,
            [wallet.account.owner],
        )


@daily_step("radar.review_due", order=20)
def review_due_alerts(*, as_of: date, force: bool) -> dict:
    """A notification to the client's KAM (and to the flag's owner, when another person who
    may see the client) for each item whose review date has come: once per item and review
    date, so an unanswered review does not repeat every day; setting a new review date and
    letting it come again sends a new one."""
    sent = due = 0
    with translation.override(None):  # the labels as English text, translated when shown
        items = [(key, a, str(what), on, people) for key, a, what, on, people in _due_items(as_of)]
    for key, account, what, review_on, people in items:
        due += 1
        for person in {p.pk: p for p in people if p is not None}.values():
            if not can(person, Action.CLIENT_VIEW, account):
                continue  # a flag owner who has since moved on sees nothing of the client
            item = notification_send(
                recipient=person,
                kind=Notification.Kind.REVIEW_DUE,
                key=key,
                # Shown in each reader's language (Notification.text), not the command's.
                subject=gettext_noop("Review due: %(what)s of %(client)s (review date %(date)s)"),
                params={
                    "what": {"text": what},
                    "client": str(account),
                    "date": {"date": review_on.isoformat()},
                },
                link=reverse("clients:detail", args=[account.pk]),
                on=as_of,
                once=True,
            )
            sent += item is not None
    return {"due": due, "sent": sent}
