"""Radar writes: settings permission and audit, evidence scoped and audited, snapshots (SE-3)."""

import random
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.core.selectors import audit_for
from kam.radar.demo import populate_radar_demo
from kam.radar.models import (
    CompetenceConsultation,
    KeyFlag,
    KeyStatusSnapshot,
    PartnerDisclosure,
    ReferenceCase,
    SnapshotRun,
    WalletEstimate,
)
from kam.radar.selectors import radar_settings
from kam.radar.services import (
    competence_consultation_record,
    key_flag_clear,
    key_flag_set,
    partner_disclosure_record,
    radar_settings_update,
    radar_snapshot_take,
    reference_case_record,
    wallet_estimate_record,
)
from kam.testing import make_account

pytestmark = pytest.mark.django_db


def test_director_changes_criteria_and_the_change_is_audited(org):
    radar_settings_update(actor=org.director, key_share_pct=D("15"), basis="turnover")
    s = radar_settings()
    assert s.key_share_pct == D("15") and s.basis == "turnover"
    entry = audit_for(s)[0]
    assert entry.actor == org.director
    assert entry.changes["key_share_pct"] == ["10.000", "15"]
    assert entry.changes["basis"] == ["income", "turnover"]


@pytest.mark.parametrize("persona", ["head_north", "kam_anna", "credit", "support_north"])
def test_others_may_not_change_criteria(org, persona):
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        radar_settings_update(actor=getattr(org, persona), key_share_pct=D("1"))
    assert radar_settings().key_share_pct == D("10")
    assert AuditEntry.objects.count() == before


def test_settings_reject_nonsense(org):
    with pytest.raises(ValidationError):
        radar_settings_update(actor=org.director, critical_pct=D("80"))  # above mono 70
    with pytest.raises(ValueError):
        radar_settings_update(actor=org.director, colour="red")


def test_evidence_is_recorded_only_on_clients_one_may_see(org):
    mine = make_account(owner=org.kam_anna)
    theirs = make_account(owner=org.kam_sigrid)
    case = reference_case_record(
        actor=org.kam_anna, account=mine, what="Cold chain", done_on=date(2025, 1, 1)
    )
    assert case.recorded_by == org.kam_anna
    assert audit_for(case)[0].actor == org.kam_anna
    with pytest.raises(Http404):
        reference_case_record(
            actor=org.kam_anna, account=theirs, what="x", done_on=date(2025, 1, 1)
        )
    with pytest.raises(Http404):
        wallet_estimate_record(actor=org.kam_anna, account=theirs, annual_budget=D("1"))
    with pytest.raises(Http404):
        key_flag_set(actor=org.kam_anna, account=theirs, definition="partner")
    with pytest.raises(Http404):
        partner_disclosure_record(
            actor=org.kam_anna,
            account=theirs,
            kind="budget",
            text="x",
            disclosed_on=date(2025, 1, 1),
        )
    with pytest.raises(Http404):
        competence_consultation_record(
            actor=org.kam_anna, account=theirs, topic="x", consulted_on=date(2025, 1, 1)
        )
    assert not ReferenceCase.objects.filter(account=theirs).exists()
    assert not WalletEstimate.objects.filter(account=theirs).exists()
    assert not PartnerDisclosure.objects.exists()
    assert not CompetenceConsultation.objects.exists()
    # Her head may record on it.
    competence_consultation_record(
        actor=org.head_south, account=theirs, topic="price list", consulted_on=date(2025, 2, 1)
    )


def test_wallet_converts_to_base_and_checks_competitor_shares(org):
    from kam.core.services import currency_rate_set

    acc = make_account(owner=org.kam_anna)
    currency_rate_set(actor=None, currency="RUB", valid_from=date(2025, 1, 1), rate=D("0.01"))
    wallet = wallet_estimate_record(
        actor=org.kam_anna,
        account=acc,
        annual_budget=D("5000000"),
        currency="rub",
        recorded_at=date(2025, 3, 1),
        competitors=[("A", D("50")), ("B", D("30"))],
    )
    assert wallet.annual_budget_base == D("50000.00")
    assert [c.name for c in wallet.competitors.all()] == ["A", "B"]
    with pytest.raises(ValidationError):
        wallet_estimate_record(
            actor=org.kam_anna,
            account=acc,
            annual_budget=D("1"),
            competitors=[("A", D("60")), ("B", D("50"))],
        )
    with pytest.raises(ValidationError):
        wallet_estimate_record(
            actor=org.kam_anna, account=acc, annual_budget=D("1"), currency="USD"
        )


def test_flag_has_owner_and_review_and_is_renewed_not_duplicated(org):
    acc = make_account(owner=org.kam_anna)
    flag = key_flag_set(actor=org.head_north, account=acc, definition="reference")
    assert flag.owner == org.kam_anna  # the client's KAM by default
    assert flag.recorded_by == org.head_north
    assert flag.review_on > date.today()
    again = key_flag_set(
        actor=org.kam_anna, account=acc, definition="reference", review_on=date(2030, 1, 1)
    )
    assert again.pk == flag.pk and again.review_on == date(2030, 1, 1)
    assert KeyFlag.objects.filter(account=acc).count() == 1
    assert key_flag_clear(actor=org.kam_anna, account=acc, definition="reference")
    assert not KeyFlag.objects.filter(account=acc, active=True).exists()
    assert key_flag_clear(actor=org.kam_anna, account=acc, definition="reference") is False
    with pytest.raises(ValidationError):
        key_flag_set(actor=org.kam_anna, account=acc, definition="share")


def test_snapshot_is_idempotent_and_management_only(org, client_with):
    client_with(org.kam_anna, "300.00")
    client_with(org.kam_sigrid, "700.00")
    end = date(2025, 6, 30)
    n = radar_snapshot_take(actor=org.director, period_end=end)
    assert n == KeyStatusSnapshot.objects.filter(period_end=end).count() > 0
    assert radar_snapshot_take(actor=org.director, period_end=end) == n
    assert KeyStatusSnapshot.objects.filter(period_end=end).count() == n
    assert SnapshotRun.objects.get(period_end=end).taken_by == org.director
    with pytest.raises(PermissionDenied):
        radar_snapshot_take(actor=org.kam_anna, period_end=end)
    snap = KeyStatusSnapshot.objects.get(period_end=end, level="company", band="mono")
    assert snap.share == D("70.0000") and "dependency" in snap.definitions


def test_demo_population_is_deterministic(org, client_with):
    for i in range(6):
        client_with(org.kam_anna if i % 2 else org.kam_sigrid, f"{100 * (i + 1)}.00")
    make_account(owner=org.kam_anna, status="potential")
    people = {u.username: u for u in (org.director, org.kam_anna, org.kam_sigrid)}
    accounts = list(Account.objects.order_by("pk"))

    def run():
        populate_radar_demo(
            rng=random.Random(7), accounts=accounts, people=people, today=date(2025, 7, 1)
        )
        return (
            sorted(WalletEstimate.objects.values_list("account_id", "annual_budget")),
            sorted(KeyFlag.objects.values_list("account_id", "definition", "review_on")),
            SnapshotRun.objects.count(),
        )

    first = run()
    for model in (WalletEstimate, KeyFlag, ReferenceCase, PartnerDisclosure):
        model.objects.all().delete()
    CompetenceConsultation.objects.all().delete()
    assert run() == first
    assert first[2] == 24
    assert any(acc.status == "potential" for acc in accounts if acc.pk in {a for a, _ in first[0]})
