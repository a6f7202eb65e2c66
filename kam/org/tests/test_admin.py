"""The admin keeps the structure consistent and audited (SE-1, SE-3)."""

import pytest

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.testing import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, org):
    org.director.is_staff = True
    org.director.is_superuser = True
    org.director.save()
    client.force_login(org.director)
    return client


def test_moving_a_department_moves_its_subtree_in_the_scope(org, admin_client):
    # North (with its sub-department North-Pharma, Boris) moves under South: Hanna, head of
    # South, must now see Boris's client too, two levels down.
    boris_client = make_account(owner=org.kam_boris)
    assert not Account.objects.visible_to(org.head_south).filter(pk=boris_client.pk).exists()
    response = admin_client.post(
        f"/admin/org/department/{org.north.pk}/change/",
        {"name": "North", "parent": org.south.pk},
    )
    assert response.status_code == 302
    org.north_pharma.refresh_from_db()
    assert org.north_pharma.path == f"{org.south.path}{org.north.pk}/{org.north_pharma.pk}/"
    org.head_south.refresh_from_db()  # as a new request would load them
    org.head_north.refresh_from_db()
    assert Account.objects.visible_to(org.head_south).filter(pk=boris_client.pk).exists()
    assert Account.objects.visible_to(org.head_north).filter(pk=boris_client.pk).exists()
    entry = AuditEntry.objects.filter(entity="org.department").latest("at")
    assert entry.actor == org.director
    assert entry.changes["parent"] == [org.root.pk, org.south.pk]


def test_role_change_in_admin_is_audited(org, admin_client):
    user = org.kam_anna
    response = admin_client.post(
        f"/admin/org/user/{user.pk}/change/",
        {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": "",
            "is_active": "on",
            "role": "regional",
            "department": org.north.pk,
            "manager": org.head_north.pk,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.filter(entity="org.user", entity_id=str(user.pk)).latest("at")
    assert entry.actor == org.director
    assert entry.changes["role"] == ["kam", "regional"]
