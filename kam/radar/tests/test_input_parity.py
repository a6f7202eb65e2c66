"""One set of rules for the radar's evidence (issue 7 §2): the services decide, the web forms and
the API schemas only parse, so the same bad input is refused by both, on the same field, with
nothing written. Each case is sent once through the "why key" panel and once through the API."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.radar.models import (
    CompetenceConsultation,
    KeyFlag,
    PartnerDisclosure,
    ReferenceCase,
    WalletEstimate,
)
from kam.testing import make_account

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
TODAY = timezone.localdate()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()
BEFORE_HISTORY = "1999-12-31"  # the company's history starts on 2000-01-01 by default

# kind -> (web url name, form prefix, API path, model, valid web fields, valid API body)
KINDS = {
    "case": (
        "case_record",
        "case",
        "reference-cases",
        ReferenceCase,
        {"what": "Cold-chain audit", "done_on": YESTERDAY, "result": ""},
        {"what": "Cold-chain audit", "done_on": YESTERDAY, "result": ""},
    ),
    "partner": (
        "partner_record",
        "partner",
        "partner-disclosures",
        PartnerDisclosure,
        {"kind": "budget", "text": "Next year's budget", "disclosed_on": YESTERDAY},
        {"kind": "budget", "text": "Next year's budget", "disclosed_on": YESTERDAY},
    ),
    "consult": (
        "consult_record",
        "consult",
        "consultations",
        CompetenceConsultation,
        {"topic": "The new price list", "consulted_on": YESTERDAY},
        {"topic": "The new price list", "consulted_on": YESTERDAY},
    ),
    "wallet": (
        "wallet_record",
        "wallet",
        "wallet-estimates",
        WalletEstimate,
        {"annual_budget": "250000", "currency": "EUR", "recorded_at": YESTERDAY},
        {"annual_budget": "250000", "currency": "EUR", "recorded_at": YESTERDAY},
    ),
    "flag": (
        "flag_set",
        "flag",
        "flags",
        KeyFlag,
        {"definition": "reference", "note": ""},
        {"definition": "reference", "note": ""},
    ),
}

# (kind, field named in the refusal, web changes, API changes)
BAD = [
    ("case", "done_on", {"done_on": "2999-01-01"}, {"done_on": "2999-01-01"}),
    ("case", "done_on", {"done_on": "0001-01-01"}, {"done_on": "0001-01-01"}),
    ("case", "done_on", {"done_on": BEFORE_HISTORY}, {"done_on": BEFORE_HISTORY}),
    ("case", "what", {"what": "bell\x07"}, {"what": "bell\x07"}),
    ("case", "result", {"result": "a\x00b"}, {"result": "a\x00b"}),
    ("partner", "disclosed_on", {"disclosed_on": "2999-01-01"}, {"disclosed_on": "2999-01-01"}),
    ("partner", "disclosed_on", {"disclosed_on": "0001-01-01"}, {"disclosed_on": "0001-01-01"}),
    ("partner", "text", {"text": "a\x00b"}, {"text": "a\x00b"}),
    ("consult", "consulted_on", {"consulted_on": "2999-01-01"}, {"consulted_on": "2999-01-01"}),
    ("consult", "consulted_on", {"consulted_on": "0001-01-01"}, {"consulted_on": "0001-01-01"}),
    ("consult", "topic", {"topic": "x" * 256}, {"topic": "x" * 256}),
    ("wallet", "recorded_at", {"recorded_at": "2999-01-01"}, {"recorded_at": "2999-01-01"}),
    ("wallet", "recorded_at", {"recorded_at": "0001-01-01"}, {"recorded_at": "0001-01-01"}),
    (
        "wallet",
        "review_on",
        {"recorded_at": "2025-03-01", "review_on": "2025-02-01"},
        {"recorded_at": "2025-03-01", "review_on": "2025-02-01"},
    ),
    ("wallet", "review_on", {"review_on": "2999-01-01"}, {"review_on": "2999-01-01"}),
    ("wallet", "annual_budget", {"annual_budget": "1E+30"}, {"annual_budget": "1E+30"}),
    ("wallet", "annual_budget", {"annual_budget": "-5"}, {"annual_budget": "-5"}),
    ("wallet", "annual_budget", {"annual_budget": "10.001"}, {"annual_budget": "10.001"}),
    (
        "wallet",
        "competitors",
        {"competitors": "A: 10\n a : 20"},
        {"competitors": [{"name": "A", "share_pct": "10"}, {"name": " a ", "share_pct": "20"}]},
    ),
    (
        "wallet",
        "competitors",
        {"competitors": "Rival: 150"},
        {"competitors": [{"name": "Rival", "share_pct": "150"}]},
    ),
    (
        "wallet",
        "competitors",
        {"competitors": "A: 60\nB: 50"},
        {"competitors": [{"name": "A", "share_pct": "60"}, {"name": "B", "share_pct": "50"}]},
    ),
    ("wallet", "note", {"note": "a\x00b"}, {"note": "a\x00b"}),
    ("flag", "review_on", {"review_on": YESTERDAY}, {"review_on": YESTERDAY}),
    ("flag", "review_on", {"review_on": "2999-01-01"}, {"review_on": "2999-01-01"}),
    ("flag", "note", {"note": "bell\x07"}, {"note": "bell\x07"}),
]


@pytest.fixture
def aurora(org):
    return make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")


def post_web(client, kind, account, fields):
    name, prefix, *_ = KINDS[kind]
    data = {f"{prefix}-{k}": v for k, v in fields.items()}
    return client.post(reverse(f"radar:{name}", args=[account.pk]), data, **HX)


def post_api(client, kind, account, body):
    path = KINDS[kind][2]
    return client.post(
        f"/api/radar/accounts/{account.pk}/{path}", body, content_type="application/json"
    )


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_valid_input_is_taken_by_both(org, aurora, login, kind):
    _name, _prefix, _path, model, web, api = KINDS[kind]
    client = login(org.kam_anna)
    assert post_web(client, kind, aurora, web).status_code == 200
    assert model.objects.count() == 1
    if kind == "flag":
        model.objects.all().delete()  # one active flag per definition: let the API set it again
    assert post_api(client, kind, aurora, api).status_code == 201
    assert model.objects.count() in (1, 2)


@pytest.mark.parametrize(("kind", "field", "web", "api"), BAD)
def test_web_and_api_refuse_alike(org, aurora, login, kind, field, web, api):
    _name, prefix, _path, model, web_ok, api_ok = KINDS[kind]
    client = login(org.kam_anna)
    audits = AuditEntry.objects.count()

    page = post_web(client, kind, aurora, {**web_ok, **web})
    if any("\x00" in str(v) for v in web.values()):
        # A NUL never reaches a form: the request guard (kam/core/middleware.py) refuses the
        # post with 400 naming the parameter.
        assert page.status_code == 400
        assert f"{prefix}-{field}" in page.content.decode()
    else:
        assert page.status_code == 200
        web_errors = page.context["forms"][prefix].errors
        assert field in web_errors, web_errors

    answer = post_api(client, kind, aurora, {**api_ok, **api})
    assert answer.status_code == 422, answer.content
    api_errors = {e["field"]: e["message"] for e in answer.json()["errors"]}
    assert field in api_errors, api_errors
    if not any("\x00" in str(v) for v in web.values()):
        assert web_errors[field][0] in api_errors[field]  # the same sentence

    assert not model.objects.exists()
    assert AuditEntry.objects.count() == audits


def test_the_api_names_every_bad_field_at_once(org, aurora, login):
    answer = post_api(
        login(org.kam_anna),
        "wallet",
        aurora,
        {
            "annual_budget": "1E+30",
            "recorded_at": "2999-01-01",
            "competitors": [{"name": "Rival", "share_pct": "150"}],
        },
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert fields >= {"annual_budget", "recorded_at", "competitors"}
