"""A person's own choice of order notices (OR-1: e-mail when they asked for it)."""

from django.db import transaction

from kam.orders.models import OrderNoticePreference


@transaction.atomic
def notice_preference_set(*, actor, email: bool) -> OrderNoticePreference:
    """Anyone signed in chooses for themselves only."""
    pref, _created = OrderNoticePreference.objects.update_or_create(
        user=actor, defaults={"email": bool(email)}
    )
    return pref
