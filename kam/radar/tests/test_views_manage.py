"""Recording in the radar from the web: the criteria page (KC-1..KC-4, KC-8, KC-11..KC-13) with
its permission, audit and no-lost-edits check, and the evidence forms of the "why key" panel
(KC-4..KC-8) scoped by SE-1 and audited (SE-3)."""

import threading
from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.core.selectors import audit_for
from kam.radar.forms import parse_competitors
from kam.radar.models import (
    CompetenceConsultation,
    KeyFlag,
    PartnerDisclosure,
    RadarSettings,
    ReferenceCase,
    WalletEstimate,
)
from kam.radar.selectors import radar_settings
from kam.radar.services import SettingsConflict, radar_settings_update
from kam.testing import make_account

SETTINGS = reverse("radar:settings")
HX = {"HTTP_HX_REQUEST": "true"}


def settings_post(**changes) -> dict:
    """The criteria form as the browser posts it: every field, with ``changes`` applied."""
    s = radar_settings()
    data = {
        "basis": s.basis,
        "period": s.period,
        "key_amount": "" if s.key_amount is None else str(s.key_amount),
        "key_share_pct": "" if s.key_share_pct is None else str(s.key_share_pct),
        "critical_pct": str(s.critical_pct),
        "mono_pct": str(s.mono_pct),
        "potential_headroom": str(s.potential_headroom),
        "innovator_share_pct": str(s.innovator_share_pct),
        "innovator_window_months": str(s.innovator_window_months),
        "max_key_per_kam": str(s.max_key_per_kam),
        "npv_rate_pct": str(s.npv_rate_pct),
        "npv_horizon_years": str(s.npv_horizon_years),
        "npv_growth_cap_pct": str(s.npv_growth_cap_pct),
        "abc_a_pct": str(s.abc_a_pct),
        "abc_b_pct": str(s.abc_b_pct),
        "version": str(s.version),
    }
    data.update(changes)
    return data


def settings_audit_count() -> int:
    return AuditEntry.objects.filter(entity="radar.radarsettings").count()


# --- the criteria page -------------------------------------------------------------------------


@pytest.mark.django_db
def test_settings_page_needs_login(client):
    response = client.get(SETTINGS)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@pytest.mark.django_db
def test_kam_reads_the_criteria_but_may_not_save(org, login):
    kam = login(org.kam_anna)
    page = kam.get(SETTINGS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Save the criteria" not in html
    assert "only a director or an administrator may change them" in html
    assert page.context["form"]["critical_pct"].field.disabled
    assert page.context["form"]["critical_pct"].value() == "20"  # 20, not 20.000

    response = kam.post(SETTINGS, settings_post(key_share_pct="5"))
    assert response.status_code == 403
    assert radar_settings().key_share_pct == 10
    assert settings_audit_count() == 0


@pytest.mark.django_db
def test_director_saves_and_the_history_shows_old_and_new(org, login):
    director = login(org.director)
    assert "Save the criteria" in director.get(SETTINGS).content.decode()
    response = director.post(SETTINGS, settings_post(key_share_pct="15", basis="turnover"))
    assert response.status_code == 302, response.context["form"].errors
    s = radar_settings()
    assert s.key_share_pct == 15 and s.basis == "turnover"
    assert s.version == 2
    (entry,) = audit_for(s)
    assert entry.actor == org.director
    assert set(entry.changes) == {"key_share_pct", "basis"}  # only what changed

    page = director.get(SETTINGS)
    (row,) = page.context["history"]
    lines = {str(line["label"]): (line["old"], line["new"]) for line in row["lines"]}
    assert lines["key by share, %"] == ("10", "15")
    assert lines["basis"] == ("Income (revenue minus cost)", "Turnover (revenue)")
    html = page.content.decode()
    assert "Dora" in html and "Turnover (revenue)" in html
    # The KAM sees the same history, read-only.
    assert len(login(org.kam_anna).get(SETTINGS).context["history"]) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mono_pct": "15"}, "mono_pct"),  # below critical 20 (KC-3)
        ({"key_share_pct": "120"}, "key_share_pct"),  # a share over 100 %
        ({"key_amount": "-5"}, "key_amount"),
        ({"potential_headroom": "-1"}, "potential_headroom"),
        ({"abc_a_pct": "90", "abc_b_pct": "85"}, "abc_b_pct"),
        ({"npv_horizon_years": "0"}, "npv_horizon_years"),
        ({"critical_pct": "abc"}, "critical_pct"),
    ],
)
def test_bad_criteria_show_field_errors_and_save_nothing(org, login, changes, field):
    response = login(org.director).post(SETTINGS, settings_post(**changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert "correct the fields marked below" in response.content.decode()
    assert radar_settings().version == 1
    assert settings_audit_count() == 0


@pytest.mark.django_db
def test_the_api_gives_the_same_cross_field_error(org, login):
    r = login(org.director).patch(
        "/api/radar/settings", {"mono_pct": "15"}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "mono_pct"
    assert "critical dependency" in r.json()["errors"][0]["message"]


@pytest.mark.django_db
def test_a_stale_form_does_not_undo_another_directors_change(org, login):
    """Two directors open the form; the first saves field A, the second (still showing the old
    A) saves field B. The second save is refused and A stays."""
    opened = settings_post()  # what both forms show: version 1
    radar_settings_update(
        actor=org.director, expected_version=int(opened["version"]), critical_pct=D("25")
    )  # the first director's save of A

    second = {**opened, "npv_rate_pct": "12"}  # the stale form still says critical 20
    response = login(org.director).post(SETTINGS, second)
    assert response.status_code == 200
    assert "Someone else changed the criteria" in response.content.decode()
    s = radar_settings()
    assert s.critical_pct == 25  # A kept
    assert s.npv_rate_pct == 10  # B not applied either: the user re-applies it after reload
    assert settings_audit_count() == 1

    # After reloading, the same change goes through.
    retry = login(org.director).post(SETTINGS, settings_post(npv_rate_pct="12"))
    assert retry.status_code == 302
    assert radar_settings().npv_rate_pct == 12 and radar_settings().critical_pct == 25


@pytest.mark.django_db
def test_api_patch_with_an_old_version_is_409_conflict(org, login):
    director = login(org.director)
    version = director.get("/api/radar/settings").json()["version"]
    ok = director.patch(
        "/api/radar/settings",
        {"key_share_pct": "12", "expected_version": version},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["version"] == version + 1
    stale = director.patch(
        "/api/radar/settings",
        {"mono_pct": "75", "expected_version": version},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict"
    assert "reload" in stale.json()["message"]
    assert radar_settings().mono_pct == 70


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_from_one_version_exactly_one_wins(org):
    version = radar_settings().version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def save(**change):
        try:
            barrier.wait(timeout=10)
            radar_settings_update(actor=org.director, expected_version=version, **change)
            outcomes.append("saved")
        except SettingsConflict:
            outcomes.append("conflict")
        except Exception as exc:  # anything else fails the assertion below, named
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, kwargs={"critical_pct": D("25")}),
        threading.Thread(target=save, kwargs={"npv_rate_pct": D("12")}),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "saved"]
    s = RadarSettings.objects.get()
    assert s.version == version + 1
    assert (s.critical_pct == 25) != (s.npv_rate_pct == 12)  # one change, not both
    assert settings_audit_count() == 1


@pytest.mark.django_db
def test_the_portfolio_links_the_criteria(org, login):
    assert SETTINGS in login(org.kam_anna).get(reverse("radar:portfolio")).content.decode()


# --- recording evidence from the client card ---------------------------------------------------


@pytest.fixture
def clients(org):
    return {
        "anna": make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA"),
        "sigrid": make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA"),
    }


def url(name, account, *args):
    return reverse(f"radar:{name}", args=[account.pk, *args])


YESTERDAY = timezone.localdate() - timedelta(days=1)

RECORDS = [
    (
        "case_record",
        {"case-what": "Cold-chain audit", "case-done_on": YESTERDAY, "case-result": "Passed"},
        ReferenceCase,
        "Cold-chain audit",
    ),
    (
        "partner_record",
        {
            "partner-kind": "no_tender",
            "partner-text": "Orders up to 50k without tender",
            "partner-disclosed_on": YESTERDAY,
        },
        PartnerDisclosure,
        "Orders up to 50k without tender",
    ),
    (
        "consult_record",
        {"consult-topic": "The new price list", "consult-consulted_on": YESTERDAY},
        CompetenceConsultation,
        "The new price list",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "model", "text"), RECORDS)
def test_kam_records_evidence_on_her_client(org, clients, login, name, data, model, text):
    response = login(org.kam_anna).post(url(name, clients["anna"]), data, **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert text in html  # the refreshed panel shows it at once
    assert 'id="radar-why-' in html and "<html" not in html  # the fragment, not a page
    obj = model.objects.get()
    assert obj.account == clients["anna"] and obj.recorded_by == org.kam_anna
    (entry,) = audit_for(obj)
    assert entry.actor == org.kam_anna


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "data", "model", "text"), RECORDS)
def test_another_kam_gets_404_and_nothing_is_written(org, clients, login, name, data, model, text):
    before = AuditEntry.objects.count()
    response = login(org.kam_sigrid).post(url(name, clients["anna"]), data, **HX)
    assert response.status_code == 404
    assert not model.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_wallet_estimate_with_competitors(org, clients, login):
    data = {
        "wallet-annual_budget": "250000",
        "wallet-currency": "EUR",
        "wallet-recorded_at": "",
        "wallet-competitors": "Medline: 40 %\nBaltic Pharma: 25,5\n\n",
        "wallet-note": "From the buyer",
    }
    response = login(org.kam_anna).post(url("wallet_record", clients["anna"]), data, **HX)
    assert response.status_code == 200
    wallet = WalletEstimate.objects.get()
    assert wallet.annual_budget == 250000 and wallet.recorded_at == timezone.localdate()
    assert {(c.name, c.share_pct) for c in wallet.competitors.all()} == {
        ("Medline", D("40")),
        ("Baltic Pharma", D("25.5")),
    }
    assert audit_for(wallet)[0].actor == org.kam_anna
    html = response.content.decode()
    assert "250,000 EUR" in html or "250 000 EUR" in html or "250000 EUR" in html
    assert "Baltic Pharma" in html

    before = AuditEntry.objects.count()
    denied = login(org.kam_sigrid).post(url("wallet_record", clients["anna"]), data, **HX)
    assert denied.status_code == 404
    assert WalletEstimate.objects.count() == 1
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_bad_competitor_lines_are_named(org, clients, login):
    data = {
        "wallet-annual_budget": "1000",
        "wallet-currency": "EUR",
        "wallet-competitors": "Medline: 40\nJust a name\nRival: 70",
    }
    response = login(org.kam_anna).post(url("wallet_record", clients["anna"]), data, **HX)
    assert response.status_code == 200
    errors = response.context["forms"]["wallet"].errors["competitors"]
    assert any("Line 2" in e for e in errors)
    assert response.context["open_form"] == "wallet"
    assert not WalletEstimate.objects.exists()


def test_parse_competitors():
    assert parse_competitors("A: 10\nB 20%\nC; 5,5 %") == [
        ("A", D("10")),
        ("B", D("20")),
        ("C", D("5.5")),
    ]
    assert parse_competitors("Pharma 24: 30") == [("Pharma 24", D("30"))]
    with pytest.raises(ValidationError, match="Line 2"):
        parse_competitors("A: 10\nJust a name")
    with pytest.raises(ValidationError, match="not a number"):
        parse_competitors("A: ten")
    # Parsing only: the range, the total and duplicates are the service's rules, the same for
    # the API (test_input_parity.py).
    assert parse_competitors("A: 150\na: 20") == [("A", D("150")), ("a", D("20"))]


@pytest.mark.django_db
def test_invalid_evidence_shows_field_errors(org, clients, login):
    tomorrow = timezone.localdate() + timedelta(days=1)
    anna = login(org.kam_anna)
    # The form parses (a missing field); the service decides which dates are allowed.
    response = anna.post(url("case_record", clients["anna"]), {"case-what": ""}, **HX)
    assert response.status_code == 200
    assert "what" in response.context["forms"]["case"].errors
    response = anna.post(
        url("case_record", clients["anna"]), {"case-what": "Audit", "case-done_on": tomorrow}, **HX
    )
    assert response.status_code == 200
    assert "done_on" in response.context["forms"]["case"].errors
    assert "This date is in the future." in response.content.decode()
    assert not ReferenceCase.objects.exists()


@pytest.mark.django_db
def test_set_and_clear_a_manual_flag(org, clients, login):
    anna = login(org.kam_anna)
    review = timezone.localdate() + timedelta(days=90)
    response = anna.post(
        url("flag_set", clients["anna"]),
        {
            "flag-definition": "reference",
            "flag-note": "Known across the Baltics",
            "flag-owner": org.kam_anna.pk,
            "flag-review_on": review.isoformat(),
        },
        **HX,
    )
    assert response.status_code == 200
    flag = KeyFlag.objects.get(active=True)
    assert (flag.definition, flag.owner, flag.review_on) == ("reference", org.kam_anna, review)
    assert audit_for(flag)[0].actor == org.kam_anna
    assert ("reference", "Reference") in [
        (d, str(label)) for d, label in response.context["applied"]
    ]
    assert "Known across the Baltics" in response.content.decode()

    # Sigrid may neither set nor clear a mark on Anna's client.
    before = AuditEntry.objects.count()
    assert (
        login(org.kam_sigrid)
        .post(url("flag_clear", clients["anna"], "reference"), **HX)
        .status_code
        == 404
    )
    assert (
        login(org.kam_sigrid)
        .post(url("flag_set", clients["anna"]), {"flag-definition": "partner"}, **HX)
        .status_code
        == 404
    )
    assert KeyFlag.objects.filter(active=True).count() == 1
    assert AuditEntry.objects.count() == before

    cleared = login(org.kam_anna).post(url("flag_clear", clients["anna"], "reference"), **HX)
    assert cleared.status_code == 200
    assert not KeyFlag.objects.filter(active=True).exists()
    assert "reference" not in [d for d, _label in cleared.context["applied"]]


@pytest.mark.django_db
def test_flag_owner_must_be_someone_the_kam_may_see(org, clients, login):
    response = login(org.kam_anna).post(
        url("flag_set", clients["anna"]),
        {"flag-definition": "partner", "flag-owner": org.kam_sigrid.pk},
        **HX,
    )
    assert response.status_code == 200
    assert "owner" in response.context["forms"]["flag"].errors
    assert not KeyFlag.objects.exists()


@pytest.mark.django_db
def test_confirming_a_suggested_innovator_sets_the_flag(org, clients, login):
    # The suggestion comes from sales data; confirming is posting the definition alone.
    response = login(org.kam_anna).post(
        url("flag_set", clients["anna"]), {"flag-definition": "innovator"}, **HX
    )
    assert response.status_code == 200
    flag = KeyFlag.objects.get(definition="innovator", active=True)
    assert flag.owner == org.kam_anna  # the client's KAM by default
    assert flag.review_on == timezone.localdate() + timedelta(days=365)


@pytest.mark.django_db
def test_suggested_definition_offers_a_confirm_button(org, clients, login):
    from kam.radar.services import reference_case_record

    reference_case_record(
        actor=org.kam_anna, account=clients["anna"], what="EDI link", done_on=YESTERDAY
    )
    html = login(org.kam_anna).get(reverse("radar:why", args=[clients["anna"].pk]), **HX)
    html = html.content.decode()
    assert 'name="flag-definition" value="reference"' in html
    assert "Confirm: key as Reference" in html


@pytest.mark.django_db
def test_without_htmx_a_record_goes_back_to_the_client_card(org, clients, login):
    response = login(org.kam_anna).post(
        url("consult_record", clients["anna"]),
        {"consult-topic": "Packaging", "consult-consulted_on": date(2025, 1, 5)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("clients:detail", args=[clients["anna"].pk])
    assert CompetenceConsultation.objects.get().topic == "Packaging"


@pytest.mark.django_db
def test_record_views_refuse_get(org, clients, login):
    assert login(org.kam_anna).get(url("case_record", clients["anna"])).status_code == 405
