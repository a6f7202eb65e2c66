"""State of the web layer that every app server must share: failed sign-ins (the throttle)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SignInFailure(models.Model):
    """One failed sign-in, counted per account and per address over a sliding window.

    In the database, not in one process's memory, so the count holds across app servers. A row
    is written when an attempt starts (and removed if it is refused or succeeds), so parallel
    guesses see each other before any password is checked.
    """

    account = models.CharField(_("account"), max_length=150)
    address = models.CharField(_("address"), max_length=64)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")
        indexes = [
            models.Index(fields=["account", "at"], name="web_signin_account_at"),
            models.Index(fields=["address", "at"], name="web_signin_address_at"),
            models.Index(fields=["at"], name="web_signin_at"),
        ]

    def __str__(self):
        return f"{self.account} from {self.address} at {self.at:%Y-%m-%d %H:%M}"
