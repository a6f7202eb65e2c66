"""SE-1 / SE-2: who sees which clients. Each test names the one who may and the one who may not."""

from datetime import timedelta

import pytest
from django.utils import timezone

from kam.clients.models import Account
from kam.org.services import deputyship_create
from kam.testing import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    return {
        "anna": make_account(owner=org.kam_anna),
        "boris": make_account(owner=org.kam_boris),
        "sigrid": make_account(owner=org.kam_sigrid),
    }


def visible(user):
    return set(Account.objects.visible_to(user).values_list("pk", flat=True))


def test_kam_sees_only_own_clients(org, book):
    assert visible(org.kam_anna) == {book["anna"].pk}
    assert visible(org.kam_boris) == {book["boris"].pk}


def test_head_sees_department_subtree_not_other_department(org, book):
    assert visible(org.head_north) == {book["anna"].pk, book["boris"].pk}
    assert visible(org.head_south) == {book["sigrid"].pk}


def test_regional_sees_clients_of_their_kams(org, book):
    assert visible(org.regional_north) == {book["anna"].pk, book["boris"].pk}


def test_support_sees_department_clients(org, book):
    assert visible(org.support_north) == {book["anna"].pk, book["boris"].pk}


def test_director_and_credit_see_everything(org, book):
    everything = {a.pk for a in book.values()}
    assert visible(org.director) == everything
    assert visible(org.credit) == everything


def test_inactive_user_sees_nothing(org, book):
    org.director.is_active = False
    org.director.save()
    assert visible(org.director) == set()


def test_deputy_holds_rights_only_for_the_ordered_period(org, book):
    today = timezone.localdate()
    deputyship_create(
        actor=org.head_south,
        absent=org.kam_anna,
        deputy=org.kam_sigrid,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        order_ref="ORD-7",
    )
    assert visible(org.kam_sigrid) == {book["sigrid"].pk, book["anna"].pk}
    # Boris has no deputy: his clients stay hidden from Sigrid.
    assert book["boris"].pk not in visible(org.kam_sigrid)


def test_lapsed_deputyship_gives_nothing(org, book):
    today = timezone.localdate()
    deputyship_create(
        actor=org.head_south,
        absent=org.kam_anna,
        deputy=org.kam_sigrid,
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=1),
        order_ref="ORD-8",
    )
    assert visible(org.kam_sigrid) == {book["sigrid"].pk}
