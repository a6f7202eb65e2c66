"""Signing in, with a throttle on failed attempts per account and per address.

KAM_LOGIN_ACCOUNT_LIMIT failures for one account (default 5), or KAM_LOGIN_ADDRESS_LIMIT from
one address (default 20), within KAM_LOGIN_WINDOW_MINUTES (default 15) lock further sign-ins for
that account or address, the right password included, until the oldest of those failures ages
out. A successful sign-in clears the account's failures. The count lives in the database
(``SignInFailure``), so it holds across app servers. API bearer tokens are long random keys, not
passwords, and are not throttled here.
"""

import ipaddress
import math
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import ngettext

from kam.web.models import SignInFailure


@dataclass(frozen=True)
class SignInAttempt:
    account: str
    address: str
    failure_pk: int | None  # the row that becomes a failure unless the attempt succeeds
    locked_minutes: int = 0  # > 0: refused without checking the password


def client_address(request) -> str:
    """The caller's address: the proxy's right-most X-Forwarded-For entry behind a proxy.

    The right-most entry is the one our own proxy added; entries left of it come from the
    client and may be forged. IPv6 counts per /64, the block one subscriber usually holds.
    """
    meta = getattr(request, "META", {})
    candidates = []
    if settings.KAM_BEHIND_PROXY:
        candidates.append(meta.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip())
    candidates.append(meta.get("REMOTE_ADDR", ""))
    for candidate in candidates:
        try:
            ip = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if ip.version == 6:
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)
    return "unknown"


def _window() -> timedelta:
    return timedelta(minutes=settings.KAM_LOGIN_WINDOW_MINUTES)


def account_key(username: str) -> str:
    # Case variants of a name are one account to the throttle, so they share one count.
    return username.strip().casefold()[:150]


def signin_attempt_begin(*, username: str, address: str) -> SignInAttempt:
    """Record an attempt before its password is checked; refuse it if a limit is reached."""
    now = timezone.now()
    window = _window()
    account = account_key(username)
    row = SignInFailure.objects.create(account=account, address=address[:64], at=now)
    waits = []
    for field, value, limit in (
        ("account", account, settings.KAM_LOGIN_ACCOUNT_LIMIT),
        ("address", row.address, settings.KAM_LOGIN_ADDRESS_LIMIT),
    ):
        # Only the attempts that started before this one count, so of N parallel guesses
        # exactly the first `limit` get their password checked.
        earlier = (
            SignInFailure.objects.filter(**{field: value}, at__gt=now - window, pk__lt=row.pk)
            .order_by("-at", "-pk")
            .values_list("at", flat=True)[limit - 1 : limit]
        )
        for at in earlier:
            waits.append(at + window - now)
    if waits:
        row.delete()  # a refused attempt checked nothing, so it does not extend the lock
        minutes = max(1, math.ceil(max(waits).total_seconds() / 60))
        return SignInAttempt(
            account=account, address=row.address, failure_pk=None, locked_minutes=minutes
        )
    return SignInAttempt(account=account, address=row.address, failure_pk=row.pk)


def signin_attempt_fail(*, attempt: SignInAttempt) -> None:
    """The attempt's row stays as a failure; rows past the window are no longer needed."""
    SignInFailure.objects.filter(at__lte=timezone.now() - _window()).delete()


def signin_attempt_succeed(*, attempt: SignInAttempt) -> None:
    """A right password clears the account's count (the attempt's own row included)."""
    SignInFailure.objects.filter(account=attempt.account).delete()


def locked_message(minutes: int) -> str:
    return ngettext(
        "Too many failed sign-ins; try again in %(minutes)d minute.",
        "Too many failed sign-ins; try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


class ThrottledSignInMixin:
    """Wraps AuthenticationForm.clean (which checks the password) in the throttle."""

    locked_message = ""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()  # a missing field: nothing is checked, nothing counted
        attempt = signin_attempt_begin(username=username, address=client_address(self.request))
        if attempt.locked_minutes:
            self.locked_message = locked_message(attempt.locked_minutes)
            raise ValidationError(self.locked_message, code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_attempt_fail(attempt=attempt)
            raise
        signin_attempt_succeed(attempt=attempt)
        return cleaned


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    """The admin's sign-in page checks passwords too, so it shares the throttle."""


class SignInView(LoginView):
    authentication_form = SignInForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.locked_message:
            response.status_code = 429
        return response


sign_in = SignInView.as_view()
