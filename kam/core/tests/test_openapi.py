"""The OpenAPI schema documents the error responses (issue 7 §2): every operation lists each
error status with the ErrorOut body, and the errors the server really sends match it."""

import json

import jsonschema_rs
import pytest
from django.test import override_settings

from kam.api import ERROR_RESPONSES
from kam.testing import make_account

pytestmark = pytest.mark.django_db

ERROR_STATUSES = ["400", "401", "403", "404", "409", "413", "422", "429"]


@pytest.fixture
def openapi(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_operation_documents_every_error_status_with_the_error_body(openapi):
    assert sorted(str(s) for s in ERROR_RESPONSES) == ERROR_STATUSES
    seen = 0
    for name, operation in operations(openapi):
        seen += 1
        for status in ERROR_STATUSES:
            response = operation["responses"].get(status)
            assert response, f"{name} does not document {status}"
            assert response["description"]
            body = response["content"]["application/json"]["schema"]
            assert body == {"$ref": "#/components/schemas/ErrorOut"}, (name, status)
        # The success answer is still there, beside the errors.
        assert any(s.startswith("2") for s in map(str, operation["responses"])), name
    assert seen >= 20  # every router's operations, not an empty schema


def test_the_error_schema_is_in_the_components(openapi):
    error_out = openapi["components"]["schemas"]["ErrorOut"]
    assert set(error_out["required"]) == {"code", "message"}
    detail = openapi["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"field", "in", "message"}


def test_errors_the_server_sends_match_the_documented_schema(org, openapi, client, login):
    validator = jsonschema_rs.Draft202012Validator(
        {"$ref": "#/components/schemas/ErrorOut", "components": openapi["components"]}
    )
    account = make_account(owner=org.kam_anna)
    answers = {401: client.get("/api/clients/")}
    anna = login(org.kam_anna)
    answers[400] = anna.get("/api/clients/?q=a%00b")
    answers[403] = anna.patch(
        "/api/radar/settings", json.dumps({"mono_pct": "50"}), content_type="application/json"
    )
    answers[404] = anna.get("/api/clients/-1")
    answers[405] = anna.delete("/api/clients/")
    answers[422] = anna.get("/api/clients/", {"page_size": 500})
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=100):
        answers[413] = anna.post(
            f"/api/clients/{account.pk}/contacts",
            json.dumps({"first_name": "I" * 200, "last_name": "O"}),
            content_type="application/json",
        )
    director = login(org.director)
    answers[409] = director.patch(
        "/api/radar/settings",
        json.dumps({"mono_pct": "50", "expected_version": 999}),
        content_type="application/json",
    )
    for status, response in answers.items():
        assert response.status_code == status, (status, response.content)
        assert response["Content-Type"].startswith("application/json"), status
        body = response.json()
        assert validator.is_valid(body), (status, body)
    assert not validator.is_valid({"message": "no code"})  # the check can fail


def test_every_schema_class_has_a_name_of_its_own():
    """The OpenAPI components are keyed by class name: two apps' ``MonthOut`` would silently
    document one endpoint with the other's schema."""
    import importlib
    import pkgutil

    from ninja import Schema

    import kam

    for info in pkgutil.walk_packages(kam.__path__, "kam."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        if info.name.rsplit(".", 1)[-1].startswith(("schemas", "api")):
            importlib.import_module(info.name)
    seen: dict[str, str] = {}
    clashes = []

    def walk(cls):
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("kam.") and ".tests" not in sub.__module__:
                where = f"{sub.__module__}.{sub.__qualname__}"
                if sub.__name__ in seen and seen[sub.__name__] != where:
                    clashes.append((sub.__name__, seen[sub.__name__], where))
                seen.setdefault(sub.__name__, where)
            walk(sub)

    walk(Schema)
    assert clashes == []
