"""The clients API: SE-1 scoping of clients and contacts, validation, audit (SE-3), query count."""

import pytest

from kam.clients.models import Contact
from kam.clients.services import contact_create
from kam.core.models import AuditEntry
from kam.org.services import territory_get_or_create
from kam.testing import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    return {
        "anna": make_account(owner=org.kam_anna, legal_name="Aurora SIA", industry="pharmacy"),
        "boris": make_account(owner=org.kam_boris, legal_name="Baltic Med AS"),
        "sigrid": make_account(owner=org.kam_sigrid, legal_name="Sud Trade SIA"),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["items"]}


def test_list_shows_only_what_the_caller_may_see(org, book, login):
    assert ids(login(org.kam_anna).get("/api/clients/")) == {book["anna"].pk}
    assert ids(login(org.kam_sigrid).get("/api/clients/")) == {book["sigrid"].pk}
    assert ids(login(org.head_north).get("/api/clients/")) == {book["anna"].pk, book["boris"].pk}


def test_list_row_names_owner_and_department(org, book, login):
    row = login(org.kam_anna).get("/api/clients/").json()["items"][0]
    assert row["legal_name"] == "Aurora SIA"
    assert row["owner"] == {"id": org.kam_anna.pk, "name": "Anna Kam"}
    assert row["department"] == {"id": org.north.pk, "name": "North"}
    assert row["territory"] is None
    assert row["status"] == "active"


def test_filters_never_widen_the_scope(org, book, login):
    client = login(org.kam_anna)
    # Asking for Sigrid's clients by owner or by text finds nothing, not her client.
    assert ids(client.get("/api/clients/", {"owner_id": org.kam_sigrid.pk})) == set()
    assert ids(client.get("/api/clients/", {"q": "Sud Trade"})) == set()
    assert ids(client.get("/api/clients/", {"q": "aurora"})) == {book["anna"].pk}


def test_filters_narrow_a_head_of_departments_list(org, book, login):
    client = login(org.head_north)
    assert ids(client.get("/api/clients/", {"owner_id": org.kam_boris.pk})) == {book["boris"].pk}
    assert ids(client.get("/api/clients/", {"industry": "pharmacy"})) == {book["anna"].pk}
    assert ids(client.get("/api/clients/", {"department_id": org.north_pharma.pk})) == {
        book["boris"].pk
    }
    assert ids(client.get("/api/clients/", {"status": "lost"})) == set()


def test_territory_and_segment_filters(org, login):
    riga = territory_get_or_create(name="Riga")
    hospitals = territory_get_or_create(name="Hospitals", kind="segment")
    in_riga = make_account(owner=org.kam_anna, territory=riga)
    hospital = make_account(owner=org.kam_anna, segment=hospitals)
    client = login(org.kam_anna)
    assert ids(client.get("/api/clients/", {"territory_id": riga.pk})) == {in_riga.pk}
    assert ids(client.get("/api/clients/", {"segment_id": hospitals.pk})) == {hospital.pk}


def test_pagination(org, login):
    for n in range(5):
        make_account(owner=org.kam_anna, legal_name=f"Client {n}")
    client = login(org.kam_anna)
    body = client.get("/api/clients/", {"page": 2, "page_size": 2}).json()
    assert body["count"] == 5
    assert (body["page"], body["page_size"]) == (2, 2)
    assert [r["legal_name"] for r in body["items"]] == ["Client 2", "Client 3"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page_size": 201}, "page_size"),
        ({"page": 0}, "page"),
        ({"status": "asleep"}, "status"),
        ({"owner_id": "anna"}, "owner_id"),
    ],
)
def test_bad_query_is_422_naming_the_field(org, login, params, field):
    response = login(org.kam_anna).get("/api/clients/", params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert field in [e["field"] for e in body["errors"]]


def test_list_makes_a_fixed_number_of_queries(org, login, django_assert_max_num_queries):
    riga = territory_get_or_create(name="Riga")
    for _ in range(30):
        make_account(owner=org.kam_anna, territory=riga)
    client = login(org.head_north)
    client.get("/api/clients/", {"page_size": 1})  # warm the session
    # session, user, deputyships, department path, count, page: whatever the page size.
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/clients/", {"page_size": 200}).json()["items"]) == 30


def test_detail_for_own_client_and_404_for_another(org, book, login):
    anna = login(org.kam_anna)
    response = anna.get(f"/api/clients/{book['anna'].pk}")
    assert response.status_code == 200
    assert response.json()["legal_name"] == "Aurora SIA"
    assert "notes" in response.json()

    not_yours = anna.get(f"/api/clients/{book['sigrid'].pk}")
    missing = anna.get("/api/clients/999999")
    assert not_yours.status_code == missing.status_code == 404
    # Same body: the answer does not tell whether the client exists (SE-1).
    assert not_yours.json() == missing.json()
    assert not_yours.json()["code"] == "not_found"


def test_head_of_department_sees_department_client_detail(org, book, login):
    head = login(org.head_north)
    assert head.get(f"/api/clients/{book['boris'].pk}").status_code == 200
    assert head.get(f"/api/clients/{book['sigrid'].pk}").status_code == 404


# Contacts ---------------------------------------------------------------------------------


@pytest.fixture
def contacts(org, book):
    return {
        "anna": contact_create(
            actor=org.kam_anna, account=book["anna"], first_name="Ilze", last_name="Ozola"
        ),
        "sigrid": contact_create(
            actor=org.kam_sigrid, account=book["sigrid"], first_name="Jānis", last_name="Bērziņš"
        ),
    }


def test_contacts_of_a_client(org, book, contacts, login):
    response = login(org.kam_anna).get(f"/api/clients/{book['anna'].pk}/contacts")
    assert response.status_code == 200
    [row] = response.json()
    assert row["id"] == contacts["anna"].pk
    assert row["client_id"] == book["anna"].pk
    assert row["decision_role"] == "other"

    other = login(org.kam_sigrid).get(f"/api/clients/{book['anna'].pk}/contacts")
    assert other.status_code == 404


def test_contact_detail_is_scoped(org, contacts, login):
    url = f"/api/clients/contacts/{contacts['anna'].pk}"
    assert login(org.kam_anna).get(url).json()["last_name"] == "Ozola"
    assert login(org.head_north).get(url).status_code == 200
    denied = login(org.kam_sigrid).get(url)
    missing = login(org.kam_sigrid).get("/api/clients/contacts/999999")
    assert denied.status_code == 404
    assert denied.json() == missing.json()


def test_create_contact_is_audited(org, book, login):
    response = login(org.kam_anna).post(
        f"/api/clients/{book['anna'].pk}/contacts",
        {
            "first_name": " Ilze ",
            "last_name": "Ozola",
            "position": "Head of purchasing",
            "decision_role": "decision_maker",
            "email": "ilze@aurora.lv",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    contact = Contact.objects.get(pk=body["id"])
    assert contact.account == book["anna"]
    assert contact.first_name == "Ilze"
    assert body["decision_role"] == "decision_maker"
    entry = AuditEntry.objects.get(entity="clients.contact", entity_id=str(contact.pk))
    assert entry.actor == org.kam_anna
    assert entry.action == AuditEntry.Action.CREATE


def test_create_contact_at_another_managers_client_is_404(org, book, login):
    response = login(org.kam_sigrid).post(
        f"/api/clients/{book['anna'].pk}/contacts",
        {"first_name": "Eve", "last_name": "Spy"},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert not Contact.objects.filter(last_name="Spy").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"last_name": "Ozola"}, "first_name"),
        ({"first_name": "Ilze", "last_name": "  "}, "last_name"),
        ({"first_name": "Ilze", "last_name": "Ozola", "decision_role": "boss"}, "decision_role"),
        ({"first_name": "Ilze", "last_name": "Ozola", "email": "not-an-email"}, "email"),
    ],
)
def test_invalid_contact_is_422_naming_the_field(org, book, login, payload, field):
    response = login(org.kam_anna).post(
        f"/api/clients/{book['anna'].pk}/contacts", payload, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in [e["field"] for e in body["errors"]]
    assert not Contact.objects.exists()


def test_patch_contact_changes_only_sent_fields(org, contacts, login):
    contact = contacts["anna"]
    response = login(org.kam_anna).patch(
        f"/api/clients/contacts/{contact.pk}",
        {"position": "CEO"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    contact.refresh_from_db()
    assert (contact.position, contact.first_name) == ("CEO", "Ilze")
    entry = AuditEntry.objects.get(
        entity="clients.contact", entity_id=str(contact.pk), action=AuditEntry.Action.UPDATE
    )
    assert entry.changes == {"position": ["", "CEO"]}


def test_patch_rejects_null_and_foreign_contacts(org, contacts, login):
    anna = login(org.kam_anna)
    response = anna.patch(
        f"/api/clients/contacts/{contacts['anna'].pk}",
        {"last_name": None},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "last_name" in [e["field"] for e in response.json()["errors"]]

    response = anna.patch(
        f"/api/clients/contacts/{contacts['sigrid'].pk}",
        {"position": "Mole"},
        content_type="application/json",
    )
    assert response.status_code == 404
    contacts["sigrid"].refresh_from_db()
    assert contacts["sigrid"].position == ""
