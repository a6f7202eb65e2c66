"""The API, each endpoint with the user who may and the one who must not."""

from datetime import date

import pytest

from kam.org.services import api_token_create
from kam.relations.models import Note, Profile, Relation, StageChange
from kam.relations.services import (
    competitor_activity_record,
    note_add,
    profile_update,
    relation_add,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    """``api(user).get(path)`` / ``.post(path, json)``: the API as ``user`` (bearer token)."""

    class Caller:
        def __init__(self, user):
            _, key = api_token_create(actor=None, user=user, name="test")
            self.auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def get(self, path):
            return client.get(f"/api/relations{path}", **self.auth)

        def post(self, path, data):
            return client.post(
                f"/api/relations{path}", data, content_type="application/json", **self.auth
            )

        def patch(self, path, data):
            return client.patch(
                f"/api/relations{path}", data, content_type="application/json", **self.auth
            )

        def delete(self, path):
            return client.delete(f"/api/relations{path}", **self.auth)

    return Caller


@pytest.fixture
def known(org, world):
    profile_update(
        actor=org.kam_anna,
        contact=world.head,
        is_kol=True,
        specialty="Oncology",
        birthday=date(1975, 9, 9),
        family="Widowed",
        interests="Chess",
    )
    return world


def test_people_of_a_client(org, known, api):
    r = api(org.support_north).get(f"/clients/{known.anna.pk}/people")
    assert r.status_code == 200
    rows = r.json()
    assert [(p["name"], p["is_kol"], p["stage"]) for p in rows] == [
        ("Juris Deputy", False, "contact"),
        ("Ilze Head", True, "contact"),
        ("Nora Nurse", False, "contact"),
    ]
    assert all("personal" not in p and "family" not in p for p in rows)
    assert api(org.kam_sigrid).get(f"/clients/{known.anna.pk}/people").status_code == 404


@pytest.mark.parametrize("who", ["kam_anna", "regional_north"])
def test_profile_has_the_personal_block_for_the_kam_and_her_manager(org, known, api, who):
    r = api(getattr(org, who)).get(f"/people/{known.head.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["personal"] == {"birthday": "1975-09-09", "family": "Widowed", "interests": "Chess"}
    assert body["specialty"] == "Oncology"
    assert body["loyalty_company"] is None  # other nulls stay in the answer


def test_profile_leaves_the_personal_block_out_for_support_and_404_for_another_kam(org, known, api):
    r = api(org.support_north).get(f"/people/{known.head.pk}")
    assert r.status_code == 200
    body = r.json()
    assert "personal" not in body  # absent, not empty
    assert "Chess" not in r.content.decode() and "Widowed" not in r.content.decode()
    assert body["specialty"] == "Oncology"
    assert "personal" not in api(org.credit).get(f"/people/{known.head.pk}").json()
    assert api(org.kam_boris).get(f"/people/{known.head.pk}").status_code == 404
    assert api(org.kam_sigrid).get(f"/people/{known.head.pk}").status_code == 404


def test_profile_update(org, known, api):
    r = api(org.kam_anna).patch(f"/people/{known.head.pk}", {"is_vip": True, "loyalty_company": 4})
    assert r.status_code == 200
    assert (r.json()["is_vip"], r.json()["loyalty_company"], r.json()["is_kol"]) == (True, 4, True)
    bad = api(org.kam_anna).patch(f"/people/{known.head.pk}", {"loyalty_company": 9})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "loyalty_company"
    unset = api(org.kam_anna).patch(f"/people/{known.head.pk}", {"is_vip": None})
    assert unset.status_code == 422 and unset.json()["errors"][0]["field"] == "is_vip"
    assert (
        api(org.support_north).patch(f"/people/{known.head.pk}", {"family": "x"}).status_code == 403
    )
    assert (
        api(org.kam_sigrid).patch(f"/people/{known.head.pk}", {"is_vip": False}).status_code == 404
    )
    p = Profile.objects.get(contact=known.head)
    assert (p.loyalty_company, p.family, p.is_vip) == (4, "Widowed", True)


def test_stage_move(org, known, api):
    assert (
        api(org.kam_anna)
        .post(f"/people/{known.head.pk}/stage", {"to_stage": "loyalty"})
        .status_code
        == 201
    )
    back = api(org.kam_anna).post(f"/people/{known.head.pk}/stage", {"to_stage": "contact"})
    assert back.status_code == 422
    assert back.json()["errors"] == [
        {
            "field": "reason",
            "in": "body",
            "message": "A step back to an earlier stage needs a reason.",
        }
    ]
    assert Profile.objects.get(contact=known.head).stage == "loyalty"
    assert StageChange.objects.count() == 1
    ok = api(org.kam_anna).post(
        f"/people/{known.head.pk}/stage", {"to_stage": "contact", "reason": "Moved to a rival"}
    )
    assert ok.status_code == 201 and ok.json()["from_stage"] == "loyalty"
    history = api(org.support_north).get(f"/people/{known.head.pk}").json()["history"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("loyalty", "contact"),
        ("contact", "loyalty"),
    ]
    assert (
        api(org.support_north)
        .post(f"/people/{known.head.pk}/stage", {"to_stage": "loyalty"})
        .status_code
        == 403
    )
    assert (
        api(org.kam_sigrid)
        .post(f"/people/{known.head.pk}/stage", {"to_stage": "loyalty"})
        .status_code
        == 404
    )


def test_competitors(org, known, api):
    r = api(org.kam_anna).post(
        f"/people/{known.deputy.pk}/competitors",
        {"competitor": "NordDistri SIA", "what": "Free samples", "seen_on": "2026-05-01"},
    )
    assert r.status_code == 201 and r.json()["competitor"] == "NordDistri SIA"
    assert (
        api(org.kam_sigrid)
        .post(f"/people/{known.deputy.pk}/competitors", {"competitor": "X", "what": "y"})
        .status_code
        == 404
    )


def test_relations_self_duplicate_and_scope(org, known, api):
    anna = api(org.kam_anna)
    body = {"from_person_id": known.nurse.pk, "to_person_id": known.head.pk, "kind": "influences"}
    r = anna.post("/relations", body)
    assert r.status_code == 201 and r.json()["strength"] == 3
    dup = anna.post("/relations", {**body, "strength": 5})
    assert dup.status_code == 422 and dup.json()["errors"][0]["field"] == "kind"
    itself = anna.post("/relations", {**body, "to_person_id": known.nurse.pk})
    assert itself.status_code == 422
    assert itself.json()["errors"][0] == {
        "field": "to_person",
        "in": "body",
        "message": "A person cannot be related to themself.",
    }
    assert anna.post("/relations", {**body, "to_person_id": known.doctor.pk}).status_code == 404
    assert anna.post("/relations", {**body, "to_person_id": 2**70}).status_code == 422
    assert Relation.objects.count() == 1
    rel = r.json()["id"]
    assert api(org.kam_sigrid).delete(f"/relations/{rel}").status_code == 404
    assert api(org.support_north).delete(f"/relations/{rel}").status_code == 403
    assert anna.delete(f"/relations/{rel}").status_code == 204
    assert not Relation.objects.exists()


def test_graphs(org, known, api):
    relation_add(
        actor=org.kam_anna, from_person=known.deputy, to_person=known.head, kind="reports_to"
    )
    relation_add(
        actor=org.kam_anna, from_person=known.nurse, to_person=known.deputy, kind="reports_to"
    )
    relation_add(
        actor=org.regional_north, from_person=known.doctor, to_person=known.nurse, kind="influences"
    )
    competitor_activity_record(
        actor=org.kam_anna,
        contact=known.nurse,
        competitor="Medeks",
        what="Lunch",
        seen_on=date.today(),
    )
    profile_update(actor=org.kam_anna, contact=known.nurse, loyalty_company=1)
    g = api(org.kam_anna).get(f"/clients/{known.anna.pk}/graph").json()
    assert g["ranking"] == [known.head.pk, known.deputy.pk, known.nurse.pk]
    assert g["cuts_total"] == 1
    assert g["cuts"] == [
        {"leaver": known.deputy.pk, "target": known.head.pk, "cut_off": [known.nurse.pk]}
    ]
    assert {n["id"]: n["leaning"] for n in g["nodes"]}[known.nurse.pk] == "competitor"
    assert api(org.kam_sigrid).get(f"/clients/{known.anna.pk}/graph").status_code == 404
    t = f"/territories/{known.latvia.pk}/graph"
    anna = {n["id"] for n in api(org.kam_anna).get(t).json()["nodes"]}
    regional = {n["id"] for n in api(org.regional_north).get(t).json()["nodes"]}
    assert anna == {known.head.pk, known.deputy.pk, known.nurse.pk}
    assert regional == anna | {known.doctor.pk}
    assert api(org.kam_sigrid).get(t).json()["nodes"] == []
    assert api(org.kam_sigrid).get("/territories/999999/graph").status_code == 404


def test_notes(org, known, api):
    note_add(actor=org.kam_anna, account=known.anna, kind="need", text="EDI wanted", tags="edi")
    note_add(actor=org.kam_sigrid, account=known.sigrid, kind="need", text="EDI in Estonia")
    r = api(org.kam_anna).get("/notes?q=edi")
    assert r.status_code == 200
    assert [n["text"] for n in r.json()["items"]] == ["EDI wanted"]
    assert r.json()["items"][0]["tags"] == ["edi"]
    assert [n["text"] for n in api(org.kam_sigrid).get("/notes?q=edi").json()["items"]] == [
        "EDI in Estonia"
    ]
    assert api(org.kam_sigrid).get(f"/notes?client_id={known.anna.pk}").status_code == 404
    added = api(org.kam_anna).post(
        f"/clients/{known.anna.pk}/notes",
        {"kind": "prospect", "text": "New wing in 2027", "tags": ["growth"]},
    )
    assert added.status_code == 201 and added.json()["tags"] == ["growth"]
    assert api(org.kam_anna).get("/notes?tag=growth").json()["count"] == 1
    assert (
        api(org.support_north)
        .post(f"/clients/{known.anna.pk}/notes", {"kind": "need", "text": "x"})
        .status_code
        == 403
    )
    assert (
        api(org.kam_anna)
        .post(f"/clients/{known.anna.pk}/notes", {"kind": "rumour", "text": "x"})
        .status_code
        == 422
    )
    nid = added.json()["id"]
    assert api(org.kam_sigrid).patch(f"/notes/{nid}", {"text": "y"}).status_code == 404
    patched = api(org.kam_anna).patch(f"/notes/{nid}", {"text": "New wing in 2028"})
    assert patched.json()["text"] == "New wing in 2028" and patched.json()["tags"] == ["growth"]
    assert Note.objects.count() == 3
