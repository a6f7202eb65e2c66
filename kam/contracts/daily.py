"""The contracts' part of ``kam daily`` (kam/core/daily.py; CT-1): statuses from the dates
(expiring within 60 days of the end, expired after it, terminated after a termination's last
day) and the client's KAM told 60 and 30 days before a contract ends, once each."""

from datetime import date, timedelta

from django.urls import reverse
from django.utils.translation import gettext_noop

from kam.contracts import rules
from kam.contracts.models import Contract
from kam.contracts.services import IN_FORCE, contract_standing_refresh
from kam.core.daily import daily_step
from kam.core.models import Notification
from kam.core.services import notification_send
from kam.org.policy import Action, can


@daily_step("contracts.expiry", order=30)
def contract_expiry(*, as_of: date, force: bool) -> dict:
    """Idempotent: statuses already right are left alone, and each alert (``contract:<pk>:60``,
    ``:30``) is sent once ever, so rerunning the day (or ``force``) sends nothing twice."""
    counts = contract_standing_refresh(as_of=as_of)
    due = (
        Contract.objects.filter(
            status__in=IN_FORCE,
            terminated_on__isnull=True,
            ends_on__gte=as_of,
            ends_on__lte=as_of + timedelta(days=max(rules.ALERT_DAYS)),
        )
        .select_related("account__owner")
        .order_by("ends_on", "pk")
    )
    sent = 0
    for contract in due:
        threshold = rules.alert_due(contract.ends_on, as_of)
        kam = contract.account.owner
        if threshold is None or kam is None or not can(kam, Action.CLIENT_VIEW, contract.account):
            continue
        item = notification_send(
            recipient=kam,
            kind=Notification.Kind.CONTRACT_EXPIRING,
            key=f"contract:{contract.pk}:{threshold}",
            # Shown in each reader's language (Notification.text).
            subject=gettext_noop(
                "Contract %(number)s of %(client)s ends on %(date)s: %(days)s days left"
            ),
            params={
                "number": str(contract),
                "client": str(contract.account),
                "date": {"date": contract.ends_on.isoformat()},
                "days": str(rules.days_left(contract.ends_on, as_of)),
            },
            link=reverse("contracts:detail", args=[contract.pk]),
            on=as_of,
            once=True,
        )
        sent += item is not None
    return {**counts, "alerts": sent}
