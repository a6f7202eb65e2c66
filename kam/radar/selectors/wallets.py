"""What the wallet form on the client card needs: the current estimate, the currencies."""

from django.utils import timezone

from kam.clients.selectors import account_get
from kam.core.models import CurrencyRate
from kam.core.selectors import company_settings
from kam.radar.models import WalletEstimate

# --- what the record forms on the client card need ---------------------------------------------


def latest_wallet(*, user, account) -> WalletEstimate | None:
    """The client's newest wallet estimate (KC-4), the one the radar uses today, with its
    competitors; None when there is none. 404 for a client the user may not see (SE-1)."""
    account = account_get(user=user, pk=getattr(account, "pk", account))
    return (
        WalletEstimate.objects.visible_to(user)
        .filter(account=account, recorded_at__lte=timezone.localdate())
        .select_related("recorded_by")
        .prefetch_related("competitors")
        .order_by("-recorded_at", "-pk")
        .first()
    )


def wallet_currencies() -> list[str]:
    """Currencies a wallet may be estimated in: the base one first, then every one with a rate
    (the estimate is converted to the base currency on its date)."""
    base = company_settings().base_currency.upper()
    rated = CurrencyRate.objects.values_list("currency", flat=True).distinct().order_by("currency")
    return [base, *sorted({c.upper() for c in rated} - {base})]
