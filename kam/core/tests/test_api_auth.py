"""API auth: session (CSRF on writes) for the browser, bearer tokens for scripts, JSON errors."""

import pytest
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from kam.clients.models import Contact
from kam.core.models import AuditEntry
from kam.org.services import api_token_create
from kam.testing import PASSWORD, make_account

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/clients/"),
    ("get", "/api/clients/1"),
    ("get", "/api/clients/1/contacts"),
    ("post", "/api/clients/1/contacts"),
    ("get", "/api/clients/contacts/1"),
    ("patch", "/api/clients/contacts/1"),
    ("get", "/api/products/"),
    ("get", "/api/products/1"),
    ("get", "/api/sales/lines"),
    ("get", "/api/sales/clients/1/monthly"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_gets_401_json_everywhere(client, method, url):
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unauthorized"
    assert response.json()["message"]


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def accounts(org):
    return {"anna": make_account(owner=org.kam_anna), "sigrid": make_account(owner=org.kam_sigrid)}


def test_token_works_end_to_end_and_is_scoped(org, accounts, client):
    _, key = api_token_create(actor=org.director, user=org.kam_anna, name="script")
    response = client.get("/api/clients/", **bearer(key))
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["items"]] == [accounts["anna"].pk]
    assert client.get(f"/api/clients/{accounts['sigrid'].pk}", **bearer(key)).status_code == 404


def test_token_write_needs_no_csrf_and_is_audited_as_the_tokens_user(org, accounts):
    _, key = api_token_create(actor=None, user=org.kam_anna, name="script")
    script = Client(enforce_csrf_checks=True)
    response = script.post(
        f"/api/clients/{accounts['anna'].pk}/contacts",
        {"first_name": "Ilze", "last_name": "Ozola"},
        content_type="application/json",
        **bearer(key),
    )
    assert response.status_code == 201, response.content
    entry = AuditEntry.objects.get(entity="clients.contact", entity_id=str(response.json()["id"]))
    assert entry.actor == org.kam_anna


@pytest.mark.parametrize("header", ["Bearer kam_not-a-real-token", "Bearer ", "Token abc"])
def test_bad_token_is_401(org, client, header):
    response = client.get("/api/clients/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_inactive_users_token_is_401(org, client):
    _, key = api_token_create(actor=None, user=org.kam_anna, name="script")
    assert client.get("/api/clients/", **bearer(key)).status_code == 200
    org.kam_anna.is_active = False
    org.kam_anna.save()
    response = client.get("/api/clients/", **bearer(key))
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.fixture
def browser(org):
    """A signed-in browser whose CSRF protection is really enforced (the test client's default
    skips it), holding a CSRF cookie as a page of the site would have set it."""
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(username=org.kam_anna.username, password=PASSWORD)
    browser.cookies["csrftoken"] = _get_new_csrf_string()
    return browser


def test_session_post_without_csrf_token_is_403_json(org, accounts, browser):
    response = browser.post(
        f"/api/clients/{accounts['anna'].pk}/contacts",
        {"first_name": "Eve", "last_name": "Forged"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Contact.objects.exists()


def test_session_post_with_wrong_csrf_token_is_403(org, accounts, browser):
    response = browser.post(
        f"/api/clients/{accounts['anna'].pk}/contacts",
        {"first_name": "Eve", "last_name": "Forged"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_get_new_csrf_string(),
    )
    assert response.status_code == 403
    assert not Contact.objects.exists()


def test_session_post_with_csrf_token_succeeds(org, accounts, browser):
    response = browser.post(
        f"/api/clients/{accounts['anna'].pk}/contacts",
        {"first_name": "Ilze", "last_name": "Ozola"},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert response.status_code == 201, response.content
    assert Contact.objects.get().last_name == "Ozola"


def test_session_reads_need_no_csrf_token(org, accounts, browser):
    assert browser.get("/api/clients/").status_code == 200


def test_anonymous_post_is_401_not_a_csrf_error(accounts):
    response = Client(enforce_csrf_checks=True).post(
        f"/api/clients/{accounts['anna'].pk}/contacts", {}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_openapi_schema_and_docs_are_published(client):
    schema = client.get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/clients/", "/api/clients/{client_id}/contacts", "/api/sales/lines"):
        assert path in paths
    schemes = schema.json()["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} >= {"http", "apiKey"}
    assert client.get("/api/docs").status_code == 200


def test_malformed_json_is_400_json(org, accounts, login):
    response = login(org.kam_anna).post(
        f"/api/clients/{accounts['anna'].pk}/contacts", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_unexpected_error_is_500_json_without_details(org, login, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("kam.catalog.selectors.product_list", broken)
    response = login(org.kam_anna).get("/api/products/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "secret internals" not in response.content.decode()
