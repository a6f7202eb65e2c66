"""The radar API: scoped portfolio and why-key, settings permission, evidence writes (SE-1)."""

from datetime import date
from decimal import Decimal

import pytest

from kam.radar.models import KeyFlag, WalletEstimate
from kam.radar.selectors import radar_settings
from kam.radar.tests.conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org, client_with):
    return {
        "anna": client_with(org.kam_anna, "100.00"),
        "sigrid": client_with(org.kam_sigrid, "900.00"),
    }


def test_portfolio_is_scoped_to_the_caller(org, book, login):
    body = login(org.kam_anna).get(
        "/api/radar/portfolio", {"level": "company", "as_of": AS_OF.isoformat()}
    )
    assert body.status_code == 200, body.content
    data = body.json()
    assert [r["account_id"] for r in data["rows"]] == [book["anna"].pk]
    assert data["rows"][0]["share_pct"] == "10.00"
    assert data["rows"][0]["definitions"] == ["share"]
    everything = login(org.director).get("/api/radar/portfolio", {"as_of": AS_OF.isoformat()})
    assert {r["account_id"] for r in everything.json()["rows"]} == {
        book["anna"].pk,
        book["sigrid"].pk,
    }
    assert everything.json()["alerts"][0]["kind"] == "mono"


def test_bad_level_and_foreign_unit(org, book, login):
    anna = login(org.kam_anna)
    assert anna.get("/api/radar/portfolio", {"level": "galaxy"}).status_code == 422
    r = anna.get("/api/radar/portfolio", {"level": "manager", "unit": org.kam_sigrid.pk})
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_concentration(org, book, login):
    r = login(org.director).get("/api/radar/concentration", {"as_of": AS_OF.isoformat()})
    assert r.status_code == 200
    assert r.json()["top1_pct"] == "90.00" and r.json()["hhi"] == "8200.00"


def test_why_key_own_client_and_404_for_anothers(org, book, login):
    url = f"/api/radar/accounts/{book['sigrid'].pk}/why?as_of={AS_OF.isoformat()}"
    mine = login(org.kam_sigrid).get(url)
    assert mine.status_code == 200
    assert {e["definition"] for e in mine.json()} == {"share", "dependency"}
    assert login(org.kam_anna).get(url).status_code == 404


def test_settings_read_by_all_changed_by_director_only(org, login):
    read = login(org.kam_anna).get("/api/radar/settings").json()
    assert Decimal(read["key_share_pct"]) == 10 and read["basis"] == "income"
    denied = login(org.kam_anna).patch(
        "/api/radar/settings", {"key_share_pct": "5"}, content_type="application/json"
    )
    assert denied.status_code == 403
    assert radar_settings().key_share_pct == 10
    ok = login(org.director).patch(
        "/api/radar/settings", {"key_share_pct": "5"}, content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert Decimal(ok.json()["key_share_pct"]) == 5
    assert radar_settings().key_share_pct == 5


def test_record_wallet_and_flag_through_the_api(org, book, login):
    anna = login(org.kam_anna)
    payload = {
        "annual_budget": "120000",
        "recorded_at": "2025-01-15",
        "competitors": [{"name": "Rival", "share_pct": "70"}],
    }
    url = f"/api/radar/accounts/{book['anna'].pk}/wallet-estimates"
    r = anna.post(url, payload, content_type="application/json")
    assert r.status_code == 201, r.content
    assert WalletEstimate.objects.get(pk=r.json()["id"]).recorded_by == org.kam_anna
    foreign = f"/api/radar/accounts/{book['sigrid'].pk}/wallet-estimates"
    assert anna.post(foreign, payload, content_type="application/json").status_code == 404
    flag = anna.post(
        f"/api/radar/accounts/{book['anna'].pk}/flags",
        {"definition": "competent", "review_on": "2030-01-01"},
        content_type="application/json",
    )
    assert flag.status_code == 201
    assert KeyFlag.objects.get(pk=flag.json()["id"]).review_on == date(2030, 1, 1)
    bad_owner = anna.post(
        f"/api/radar/accounts/{book['anna'].pk}/flags",
        {"definition": "partner", "owner_id": org.kam_sigrid.pk},
        content_type="application/json",
    )
    assert bad_owner.status_code == 404


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("reference-cases", {"what": "EDI link", "done_on": "2025-02-01", "result": "ok"}),
        (
            "partner-disclosures",
            {"kind": "no_tender", "text": "Up to 50k", "disclosed_on": "2025-02-01"},
        ),
        ("consultations", {"topic": "new price list", "consulted_on": "2025-02-01"}),
    ],
)
def test_record_evidence_kinds(org, book, login, path, payload):
    url = f"/api/radar/accounts/{book['anna'].pk}/{path}"
    assert (
        login(org.kam_anna).post(url, payload, content_type="application/json").status_code == 201
    )
    other = f"/api/radar/accounts/{book['sigrid'].pk}/{path}"
    assert (
        login(org.kam_anna).post(other, payload, content_type="application/json").status_code == 404
    )


def test_invalid_disclosure_kind_is_422(org, book, login):
    r = login(org.kam_anna).post(
        f"/api/radar/accounts/{book['anna'].pk}/partner-disclosures",
        {"kind": "gossip", "text": "x", "disclosed_on": "2025-02-01"},
        content_type="application/json",
    )
    assert r.status_code == 422


def test_clear_a_flag(org, book, login):
    anna = login(org.kam_anna)
    base = f"/api/radar/accounts/{book['anna'].pk}/flags"
    anna.post(base, {"definition": "partner"}, content_type="application/json")
    assert anna.delete(f"{base}/partner").status_code == 204
    assert not KeyFlag.objects.filter(active=True).exists()
    assert (
        login(org.kam_anna)
        .delete(f"/api/radar/accounts/{book['sigrid'].pk}/flags/partner")
        .status_code
        == 404
    )


def test_history_endpoint_is_scoped(org, book, login, client_with):
    from kam.radar.services import radar_snapshot_take

    radar_snapshot_take(actor=None, period_end=date(2025, 4, 30))  # nobody sold yet
    radar_snapshot_take(actor=None, period_end=AS_OF)
    mine = login(org.kam_anna).get("/api/radar/history", {"level": "company"}).json()
    assert [(c["account_id"], c["kind"]) for c in mine] == [(book["anna"].pk, "became_key")]
    theirs = login(org.kam_sigrid).get("/api/radar/history", {"level": "company"}).json()
    assert {c["account_id"] for c in theirs} == {book["sigrid"].pk}
