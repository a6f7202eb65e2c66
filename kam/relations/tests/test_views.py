"""Pages, each with the user who may and the one who must not."""

import json
from datetime import date

import pytest

from kam.relations.models import Note, Profile, Relation, StageChange
from kam.relations.services import (
    note_add,
    profile_update,
    relation_add,
    stage_move,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(org, world):
    profile_update(
        actor=org.kam_anna,
        contact=world.head,
        is_vip=True,
        specialty="Cardiology",
        family="Married to a surgeon",
        interests="Orchids",
        birthday=date(1968, 4, 3),
    )
    return world


def test_people_page(org, known, login):
    page = login(org.kam_anna).get(f"/relations/clients/{known.anna.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Ilze Head" in text and "VIP" in text and "Nora Nurse" in text
    assert login(org.support_north).get(f"/relations/clients/{known.anna.pk}/").status_code == 200
    for user in (org.kam_sigrid, org.kam_boris):
        assert login(user).get(f"/relations/clients/{known.anna.pk}/").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_people_export_never_holds_the_personal_part(org, known, login, fmt):
    response = login(org.kam_anna).get(f"/relations/clients/{known.anna.pk}/?format={fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        body = response.content.decode("utf-8-sig")
        assert "Cardiology" in body
        assert "Orchids" not in body and "surgeon" not in body and "1968" not in body
        assert body.splitlines()[0].count(",") == 11  # twelve columns, none personal
    else:
        assert b"Orchids" not in response.content


@pytest.mark.parametrize("who", ["kam_anna", "regional_north", "head_north"])
def test_profile_page_shows_the_personal_part_to_the_kam_and_her_managers(org, known, login, who):
    page = login(getattr(org, who)).get(f"/relations/people/{known.head.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="relations-personal"' in text and "Orchids" in text and "surgeon" in text
    assert 'name="family"' in text  # and may edit it


def test_profile_page_leaves_the_personal_part_out_for_support(org, known, login):
    page = login(org.support_north).get(f"/relations/people/{known.head.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cardiology" in text
    assert 'id="relations-personal"' not in text
    assert "Orchids" not in text and "surgeon" not in text and 'name="family"' not in text
    assert 'id="relations-profile-form"' not in text  # support may not edit people
    assert login(org.kam_boris).get(f"/relations/people/{known.head.pk}/").status_code == 404


def test_edit_the_profile(org, known, login):
    c = login(org.kam_anna)
    r = c.post(
        f"/relations/people/{known.head.pk}/edit/",
        {
            "decision_role": "decision_maker",
            "is_kol": "on",
            "loyalty_company": "5",
            "interests": "Jazz",
            "specialty": "Cardiology",
        },
    )
    assert r.status_code == 302
    p = Profile.objects.get(contact=known.head)
    assert (p.is_kol, p.is_vip, p.loyalty_company, p.interests) == (True, False, 5, "Jazz")
    bad = c.post(
        f"/relations/people/{known.head.pk}/edit/",
        {"decision_role": "decision_maker", "specialty": "a\x01b"},
    )
    assert bad.status_code == 400
    assert Profile.objects.get(contact=known.head).specialty == "Cardiology"
    # support: 403; a personal field posted by someone who may not see it never lands
    assert (
        login(org.support_north)
        .post(f"/relations/people/{known.head.pk}/edit/", {"decision_role": "user", "family": "x"})
        .status_code
        == 403
    )
    assert (
        login(org.kam_sigrid)
        .post(f"/relations/people/{known.head.pk}/edit/", {"decision_role": "user"})
        .status_code
        == 404
    )
    assert Profile.objects.get(contact=known.head).interests == "Jazz"


def test_stage_step_back_without_a_reason_on_the_page(org, known, login):
    stage_move(actor=org.kam_anna, contact=known.head, to_stage="loyalty")
    c = login(org.kam_anna)
    r = c.post(f"/relations/people/{known.head.pk}/stage/", {"to_stage": "contact", "reason": ""})
    assert r.status_code == 400
    assert "A step back to an earlier stage needs a reason." in r.content.decode()
    assert Profile.objects.get(contact=known.head).stage == "loyalty"
    assert StageChange.objects.count() == 1
    r = c.post(
        f"/relations/people/{known.head.pk}/stage/", {"to_stage": "contact", "reason": "Left"}
    )
    assert r.status_code == 302
    assert Profile.objects.get(contact=known.head).stage == "contact"
    page = c.get(f"/relations/people/{known.head.pk}/").content.decode()
    assert "Left" in page
    assert (
        login(org.support_north)
        .post(f"/relations/people/{known.head.pk}/stage/", {"to_stage": "loyalty", "reason": "x"})
        .status_code
        == 403
    )


def test_competitor_activity_on_the_page(org, known, login):
    r = login(org.kam_anna).post(
        f"/relations/people/{known.head.pk}/competitors/",
        {"competitor": "Medeks UAB", "what": "Sponsored a trip", "seen_on": "2026-01-10"},
    )
    assert r.status_code == 302
    page = login(org.support_north).get(f"/relations/people/{known.head.pk}/").content.decode()
    assert "Medeks UAB" in page


def test_relations_on_the_page_self_duplicate_and_remove(org, known, login):
    c = login(org.kam_anna)
    url = f"/relations/people/{known.deputy.pk}/relations/"
    ok = c.post(url, {"kind": "reports_to", "to_person": known.head.pk, "strength": "4"})
    assert ok.status_code == 302
    again = c.post(url, {"kind": "reports_to", "to_person": known.head.pk, "strength": "2"})
    assert again.status_code == 400
    assert "recorded already" in again.content.decode()
    itself = c.post(url, {"kind": "influences", "to_person": known.deputy.pk, "strength": "2"})
    assert itself.status_code == 400  # not among the choices: nobody is related to themself
    boris = c.post(url, {"kind": "influences", "to_person": known.doctor.pk, "strength": "2"})
    assert boris.status_code == 400  # Boris's doctor is not Anna's to tie
    assert Relation.objects.count() == 1
    rel = Relation.objects.get()
    assert login(org.kam_sigrid).post(f"/relations/relations/{rel.pk}/remove/").status_code == 404
    assert (
        login(org.support_north).post(f"/relations/relations/{rel.pk}/remove/").status_code == 403
    )
    assert login(org.kam_anna).post(f"/relations/relations/{rel.pk}/remove/").status_code == 302
    assert not Relation.objects.exists()


def _graph(response):
    text = response.content.decode()
    start = text.index('<script id="relations-graph-data" type="application/json">')
    body = text[start:].split(">", 1)[1].split("</script>", 1)[0]
    return json.loads(body)


def test_maps(org, known, login):
    relation_add(
        actor=org.kam_anna, from_person=known.deputy, to_person=known.head, kind="reports_to"
    )
    relation_add(
        actor=org.kam_anna, from_person=known.nurse, to_person=known.deputy, kind="reports_to"
    )
    relation_add(
        actor=org.regional_north, from_person=known.doctor, to_person=known.nurse, kind="influences"
    )
    page = login(org.kam_anna).get(f"/relations/clients/{known.anna.pk}/map/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "cytoscape-3.35.0.min.js" in text
    assert "If Juris Deputy leaves, Nora Nurse loses the only path to Ilze Head." in text
    assert len(_graph(page)["nodes"]) == 3
    assert login(org.kam_sigrid).get(f"/relations/clients/{known.anna.pk}/map/").status_code == 404
    terr = f"/relations/territories/{known.latvia.pk}/map/"
    anna = {n["id"] for n in _graph(login(org.kam_anna).get(terr))["nodes"]}
    regional = {n["id"] for n in _graph(login(org.regional_north).get(terr))["nodes"]}
    assert known.doctor.pk not in anna and known.doctor.pk in regional
    assert _graph(login(org.kam_sigrid).get(terr))["nodes"] == []
    assert login(org.kam_sigrid).get("/relations/territories/999999/map/").status_code == 404
    listing = login(org.kam_sigrid).get("/relations/territories/").content.decode()
    assert "Estonia" in listing and "Latvia" not in listing


def test_notes_pages(org, known, login):
    note_add(actor=org.kam_anna, account=known.anna, kind="need", text="Wants a tender", tags="q3")
    note_add(actor=org.kam_sigrid, account=known.sigrid, kind="need", text="Tender in Tallinn")
    anna = login(org.kam_anna).get("/relations/notes/?q=tender").content.decode()
    assert "Wants a tender" in anna and "Tallinn" not in anna
    sigrid = login(org.kam_sigrid).get("/relations/notes/?q=tender&page=999999").content.decode()
    assert "Tallinn" in sigrid and "Wants a tender" not in sigrid
    assert "Wants a tender" in login(org.kam_anna).get("/relations/notes/?tag=q3").content.decode()
    assert (
        "Wants a tender"
        not in login(org.kam_anna).get("/relations/notes/?kind=feedback").content.decode()
    )
    url = f"/relations/clients/{known.anna.pk}/notes/"
    assert login(org.kam_sigrid).get(url).status_code == 404
    support = login(org.support_north).get(url)
    assert support.status_code == 200 and 'id="relations-note-form"' not in support.content.decode()
    assert login(org.support_north).post(url, {"kind": "need", "text": "x"}).status_code == 403
    c = login(org.kam_anna)
    assert (
        c.post(
            url, {"kind": "feedback", "text": "Liked the training", "tags": "training"}
        ).status_code
        == 302
    )
    assert c.post(url, {"kind": "feedback", "text": "", "tags": ""}).status_code == 400
    assert Note.objects.filter(account=known.anna).count() == 2
    note = Note.objects.get(text="Liked the training")
    edit = f"/relations/notes/{note.pk}/edit/"
    assert login(org.kam_sigrid).get(edit).status_code == 404
    assert login(org.support_north).get(edit).status_code == 403
    c = login(org.kam_anna)  # one test client: sign Anna in again
    assert (
        c.post(
            edit, {"kind": "need", "text": "Wants more training", "tags": "training q4"}
        ).status_code
        == 302
    )
    note.refresh_from_db()
    assert note.text == "Wants more training"
    assert sorted(note.tags.values_list("name", flat=True)) == ["q4", "training"]


def test_notes_export_is_scoped(org, known, login):
    note_add(actor=org.kam_anna, account=known.anna, kind="need", text="Wants a tender", tags="q3")
    note_add(actor=org.kam_sigrid, account=known.sigrid, kind="need", text="Tender in Tallinn")
    body = login(org.kam_anna).get("/relations/notes/?q=tender&format=csv").content
    text = body.decode("utf-8-sig")
    assert "Wants a tender" in text and "Tallinn" not in text and "q3" in text
    assert (
        login(org.kam_sigrid)
        .get(f"/relations/clients/{known.anna.pk}/notes/?format=csv")
        .status_code
        == 404
    )


def test_client_card_panel_renders(org, known):
    from django.template.loader import render_to_string

    from kam.relations.selectors import client_panel

    note_add(actor=org.kam_anna, account=known.anna, kind="need", text="Wants EDI")
    html = render_to_string(
        "relations/_client_panel.html",
        client_panel(user=org.kam_anna, account=known.anna, as_of=None),
    )
    assert "3 people" in html and "VIP 1" in html and "Wants EDI" in html
    assert "Add a note" in html
    assert "surgeon" not in html  # nothing personal on the card
    support = render_to_string(
        "relations/_client_panel.html",
        client_panel(user=org.support_north, account=known.anna, as_of=None),
    )
    assert "Ilze Head" in support and "Add a note" not in support
