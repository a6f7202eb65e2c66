"""The sign-in throttle: per account and per address, in the database, through the real form."""

from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse

from kam.testing import PASSWORD
from kam.web.auth import client_address
from kam.web.models import SignInFailure

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed sign-ins; try again in"


def sign_in(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def age_failures(*, minutes):
    """Move every recorded failure back in time, as if that many minutes had passed."""
    SignInFailure.objects.update(at=F("at") - timedelta(minutes=minutes))


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def fail(client, username, times, **extra):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", **extra)
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()


def test_five_failures_lock_the_account_and_the_right_password_is_refused(client, org):
    fail(client, "kam_anna", 5)
    response = sign_in(client, "kam_anna", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins; try again in 15 minutes." in response.content.decode()
    assert signed_in_as(client) is None
    # Another account from the same address is not locked by Anna's count.
    assert sign_in(client, "kam_boris", PASSWORD).status_code == 302
    assert signed_in_as(client) == str(org.kam_boris.pk)


def test_case_variants_of_a_name_share_one_count(client, org):
    fail(client, "KAM_ANNA", 3)
    fail(client, "Kam_Anna", 2)
    assert sign_in(client, "kam_anna", PASSWORD).status_code == 429


def test_the_lock_ends_when_the_failures_age_out_and_says_how_long_is_left(client, org):
    fail(client, "kam_anna", 5)
    age_failures(minutes=12)
    response = sign_in(client, "kam_anna", PASSWORD)
    assert "try again in 3 minutes." in response.content.decode()
    age_failures(minutes=4)
    assert sign_in(client, "kam_anna", PASSWORD).status_code == 302
    assert signed_in_as(client) == str(org.kam_anna.pk)


def test_a_success_resets_the_accounts_count(client, org):
    fail(client, "kam_anna", 4)
    assert sign_in(client, "kam_anna", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    fail(client, "kam_anna", 4)  # eight in the window now, were the first four not cleared
    assert sign_in(client, "kam_anna", PASSWORD).status_code == 302
    assert signed_in_as(client) == str(org.kam_anna.pk)


def test_twenty_failures_from_one_address_lock_that_address_not_others(client, org):
    for n in range(20):
        fail(client, f"someone{n}", 1, REMOTE_ADDR="203.0.113.7")
    response = sign_in(client, "kam_anna", PASSWORD, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert sign_in(client, "kam_anna", PASSWORD, REMOTE_ADDR="198.51.100.1").status_code == 302


def test_behind_a_proxy_the_right_most_forwarded_address_counts(client, org, settings):
    settings.KAM_BEHIND_PROXY = True
    settings.KAM_LOGIN_ADDRESS_LIMIT = 3
    for n in range(3):
        # A client forging the left part of the header still lands on its real address.
        fail(client, f"someone{n}", 1, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.9")
    locked = sign_in(client, "kam_anna", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert locked.status_code == 429
    other = sign_in(client, "kam_anna", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert other.status_code == 302


def test_without_a_proxy_the_forwarded_header_is_ignored(rf, settings):
    settings.KAM_BEHIND_PROXY = False
    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.0.0.1", REMOTE_ADDR="203.0.113.5")
    assert client_address(request) == "203.0.113.5"
    settings.KAM_BEHIND_PROXY = True
    assert client_address(request) == "10.0.0.1"
    ipv6 = rf.get("/", REMOTE_ADDR="2001:db8:1:2:3:4:5:6")
    assert client_address(ipv6) == "2001:db8:1:2::/64"


def test_the_admin_sign_in_shares_the_throttle(client, org):
    fail(client, "director", 5)
    response = client.post(
        reverse("admin:login"), {"username": "director", "password": PASSWORD, "next": "/admin/"}
    )
    assert LOCKED in response.content.decode()
    assert signed_in_as(client) is None


def test_old_failures_are_pruned_on_the_next_failure(client, org):
    fail(client, "kam_anna", 2)
    age_failures(minutes=16)
    fail(client, "kam_boris", 1)
    assert list(SignInFailure.objects.values_list("account", flat=True)) == ["kam_boris"]


def test_an_operator_lifts_a_lock_in_the_admin(client, org, admin_client):
    fail(client, "kam_anna", 5)
    changelist = reverse("admin:web_signinfailure_changelist")
    page = admin_client.get(changelist)
    assert page.status_code == 200 and "kam_anna" in page.content.decode()
    ids = [str(pk) for pk in SignInFailure.objects.values_list("pk", flat=True)]
    admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": ids, "post": "yes"}
    )
    assert sign_in(client, "kam_anna", PASSWORD).status_code == 302
