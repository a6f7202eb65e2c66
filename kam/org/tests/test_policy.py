"""The one policy (kam/org/policy.py; SE-1, SE-2): the matrix in docs/permissions.md is the
specification. It is parsed here, compared with ``RULES``, and every (role x action) cell is
asserted against ``can``/``require`` with an object in scope and one out of it; then the real
entry points for a sample of cells."""

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.org.models import Role
from kam.org.policy import RULES, Action, can, require, scope
from kam.org.selectors import visible_people
from kam.org.services import deputyship_create, user_create
from kam.radar.models import (
    CompetenceConsultation,
    KeyFlag,
    PartnerDisclosure,
    ReferenceCase,
    WalletEstimate,
)
from kam.radar.services import (
    competence_consultation_record,
    key_flag_clear,
    key_flag_set,
    partner_disclosure_record,
    reference_case_record,
    wallet_estimate_record,
)
from kam.testing import PASSWORD, make_account

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"
ROLES = ["director", "head", "regional", "kam", "support", "credit", "admin"]


def documented_matrix() -> dict[str, tuple[set[str], bool]]:
    """The doc's table: action -> (roles marked yes, whether the action is on a client)."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("| action |"))
    header = [c.strip() for c in lines[start].strip("|").split("|")]
    assert header[1:-1] == ROLES, "the doc's role columns changed"
    matrix = {}
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        action = cells[0].strip("`")
        marks = dict(zip(ROLES, cells[1:-1], strict=True))
        assert set(marks.values()) <= {"yes", "no"}, line
        assert cells[-1] in {"client in scope", "none"}, line
        matrix[action] = ({r for r, m in marks.items() if m == "yes"}, cells[-1] != "none")
    return matrix


MATRIX = documented_matrix()


def test_the_doc_and_rules_agree():
    """docs/permissions.md cannot drift from RULES: every action, every cell, the scope."""
    assert set(MATRIX) == {a.value for a in Action}
    assert set(ROLES) == set(Role.values)
    for action, rule in RULES.items():
        roles, on_object = MATRIX[action.value]
        assert set(rule.roles) == roles, action
        assert rule.on_object == on_object, action


@pytest.fixture
def people(org):
    admin = user_create(
        actor=None, username="admin", password=PASSWORD, role=Role.ADMIN, department=org.root
    )
    # The persona of each role, and a client in their scope (Anna's, North) and one out of it
    # (Sigrid's, South) where a role has anything out of scope.
    return {
        "director": org.director,
        "head": org.head_north,
        "regional": org.regional_north,
        "kam": org.kam_anna,
        "support": org.support_north,
        "credit": org.credit,
        "admin": admin,
    }


@pytest.fixture
def book(org):
    return {"in": make_account(owner=org.kam_anna), "out": make_account(owner=org.kam_sigrid)}


SEES_ALL = {"director", "credit", "admin"}
CELLS = [(action, role) for action in MATRIX for role in ROLES]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_cell(people, book, action, role):
    roles, on_object = MATRIX[action]
    allowed = role in roles
    user = people[role]
    act = Action(action)
    if not on_object:
        assert can(user, act) is allowed
        if allowed:
            require(user, act)
        else:
            with pytest.raises(PermissionDenied):
                require(user, act)
        return
    # In scope: allowed, or 403 with a sentence.
    assert can(user, act, book["in"]) is allowed
    if allowed:
        require(user, act, book["in"])
    else:
        with pytest.raises(PermissionDenied) as refused:
            require(user, act, book["in"])
        assert str(refused.value)
    # Out of scope: never allowed, and 404 as for a missing client (nothing leaks).
    if role in SEES_ALL:
        assert can(user, act, book["out"]) is allowed  # nothing is out of their scope
        return
    assert can(user, act, book["out"]) is False
    with pytest.raises(Http404):
        require(user, act, book["out"])


@pytest.mark.django_db
def test_scope_rows_match_can(people, book):
    """``scope`` answers "on which rows?" as ``can`` answers "this one?"."""
    from kam.clients.models import Account

    for role, user in people.items():
        for action in Action:
            if not RULES[action].on_object:
                continue
            q = scope(user, action)
            rows = Account.objects.all() if q is None else Account.objects.filter(q)
            for obj in book.values():
                assert rows.filter(pk=obj.pk).exists() is can(user, action, obj), (role, action)


@pytest.mark.django_db
def test_inactive_and_anonymous_hold_nothing(people, book):
    from django.contrib.auth.models import AnonymousUser

    director = people["director"]
    director.is_active = False
    director.save()
    for action in Action:
        assert not can(director, action, book["in"])
        assert not can(AnonymousUser(), action, book["in"])


# --- deputies (SE-2) -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_deputy_holds_the_absent_persons_rights_between_the_dates_only(org, book):
    """A credit controller may not record evidence; as Anna's deputy, on her clients, today
    only: the order that ended yesterday gives nothing."""
    today = timezone.localdate()
    assert not can(org.credit, Action.KEY_EVIDENCE_RECORD, book["in"])
    deputyship_create(
        actor=org.director,
        absent=org.kam_anna,
        deputy=org.credit,
        starts_on=today,
        ends_on=today + timedelta(days=7),
        order_ref="D-1",
    )
    deputyship_create(
        actor=org.director,
        absent=org.kam_anna,
        deputy=org.support_north,
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=1),
        order_ref="D-2",
    )
    assert can(org.credit, Action.KEY_EVIDENCE_RECORD, book["in"])
    assert not can(org.credit, Action.KEY_EVIDENCE_RECORD, book["out"])  # not Anna's client
    assert not can(org.support_north, Action.KEY_EVIDENCE_RECORD, book["in"])  # lapsed


@pytest.mark.django_db
def test_visible_people_honours_deputyships(org):
    """SE-2: Sigrid (South) deputising for the regional manager sees the regional's KAMs while
    the order runs; Boris, whose order for the South head ended yesterday, does not see South."""
    today = timezone.localdate()

    def names(user):
        return set(visible_people(user).values_list("username", flat=True))

    assert "kam_anna" not in names(org.kam_sigrid)
    deputyship_create(
        actor=org.director,
        absent=org.regional_north,
        deputy=org.kam_sigrid,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        order_ref="D-3",
    )
    deputyship_create(
        actor=org.director,
        absent=org.head_south,
        deputy=org.kam_boris,
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=1),
        order_ref="D-4",
    )
    assert {"kam_sigrid", "kam_anna", "kam_boris", "regional_north"} <= names(org.kam_sigrid)
    assert "kam_sigrid" not in names(org.kam_boris)
    assert names(org.kam_boris) == {"kam_boris"}
    # on a day after the order, Sigrid is back to herself
    later = today + timedelta(days=2)
    assert set(visible_people(org.kam_sigrid, on=later).values_list("username", flat=True)) == {
        "kam_sigrid"
    }


# --- the real entry points -----------------------------------------------------------------------

EVIDENCE_WRITES = {
    "wallet": (
        wallet_estimate_record,
        {"annual_budget": "1000", "recorded_at": date(2025, 1, 15)},
        WalletEstimate,
    ),
    "case": (
        reference_case_record,
        {"what": "Rolled out", "done_on": date(2025, 1, 15)},
        ReferenceCase,
    ),
    "partner": (
        partner_disclosure_record,
        {"kind": "budget", "text": "Doubling", "disclosed_on": date(2025, 1, 15)},
        PartnerDisclosure,
    ),
    "consult": (
        competence_consultation_record,
        {"topic": "New line", "consulted_on": date(2025, 1, 15)},
        CompetenceConsultation,
    ),
    "flag": (key_flag_set, {"definition": "partner"}, KeyFlag),
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", EVIDENCE_WRITES)
def test_evidence_services_refuse_credit_403_and_foreign_kam_404(org, book, kind):
    write, data, model = EVIDENCE_WRITES[kind]
    audit = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        write(actor=org.credit, account=book["in"], **data)
    with pytest.raises(PermissionDenied):
        write(actor=org.support_north, account=book["in"], **data)
    with pytest.raises(Http404):
        write(actor=org.kam_sigrid, account=book["in"], **data)
    assert not model.objects.exists() and AuditEntry.objects.count() == audit
    write(actor=org.kam_anna, account=book["in"], **data)  # her own client: allowed
    assert model.objects.count() == 1


@pytest.mark.django_db
def test_credit_may_not_withdraw_a_key_flag(org, book):
    key_flag_set(actor=org.kam_anna, account=book["in"], definition="partner")
    with pytest.raises(PermissionDenied):
        key_flag_clear(actor=org.credit, account=book["in"], definition="partner")
    assert KeyFlag.objects.get().active
    assert key_flag_clear(actor=org.head_north, account=book["in"], definition="partner")


@pytest.mark.django_db
def test_web_and_api_refuse_credit_and_hide_the_forms(org, book, client):
    """The credit controller sees the client's why-key panel without the record forms; a post
    anyway is 403 on the web and the API and writes nothing. Anna sees the forms."""
    panel = reverse("radar:why", args=[book["in"].pk])
    client.force_login(org.credit)
    page = client.get(panel)
    assert page.status_code == 200
    assert reverse("radar:flag_set", args=[book["in"].pk]) not in page.content.decode()
    r = client.post(reverse("radar:flag_set", args=[book["in"].pk]), {"flag-definition": "partner"})
    assert r.status_code == 403
    api = client.post(
        f"/api/radar/accounts/{book['in'].pk}/flags",
        {"definition": "partner"},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert not KeyFlag.objects.exists()
    client.force_login(org.kam_anna)
    assert reverse("radar:flag_set", args=[book["in"].pk]) in client.get(panel).content.decode()
    r = client.post(reverse("radar:flag_set", args=[book["in"].pk]), {"flag-definition": "partner"})
    assert r.status_code in (200, 302) and KeyFlag.objects.count() == 1


@pytest.mark.django_db
def test_snapshots_follow_the_policy(org):
    """A credit controller sees every client but may not take snapshots (management only)."""
    from kam.radar.models import SnapshotRun
    from kam.radar.services import radar_snapshot_take

    with pytest.raises(PermissionDenied):
        radar_snapshot_take(actor=org.credit, period_end=date(2025, 6, 30))
    assert not SnapshotRun.objects.exists()
    radar_snapshot_take(actor=org.director, period_end=date(2025, 6, 30))
    assert SnapshotRun.objects.count() == 1
