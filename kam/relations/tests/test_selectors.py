"""Reads: scoped people, the personal part for the owner's line only, maps over what the user
may see, notes search within scope, a fixed number of queries per list."""

from datetime import date

import pytest
from django.http import Http404
from django.utils import timezone

from kam.relations import selectors
from kam.relations.services import (
    competitor_activity_record,
    note_add,
    profile_update,
    relation_add,
    stage_move,
)
from kam.testing import make_account

pytestmark = pytest.mark.django_db


def test_people_of_a_client_are_scoped(org, world):
    profile_update(actor=org.kam_anna, contact=world.head, is_vip=True, is_kol=True)
    rows = selectors.person_list(user=org.kam_anna, account=world.anna)
    assert [(r.name, r.is_vip, r.is_kol, r.stage) for r in rows] == [
        ("Juris Deputy", False, False, "contact"),
        ("Ilze Head", True, True, "contact"),
        ("Nora Nurse", False, False, "contact"),
    ]
    assert selectors.person_list(user=org.kam_sigrid, account=world.anna) == []
    assert selectors.person_get(user=org.support_north, pk=world.head.pk) == world.head
    for user in (org.kam_sigrid, org.kam_boris):
        with pytest.raises(Http404):
            selectors.person_get(user=user, pk=world.head.pk)
    with pytest.raises(Http404):
        selectors.person_get(user=org.kam_anna, pk="x")


def test_the_personal_part_only_for_the_owning_kam_and_her_managers(org, world):
    profile_update(
        actor=org.kam_anna, contact=world.head, family="Two sons", birthday=date(1971, 1, 2)
    )
    for user in (org.kam_anna, org.regional_north, org.head_north, org.director):
        view = selectors.profile_detail(user=user, contact=world.head)
        assert view.personal == {
            "birthday": date(1971, 1, 2),
            "family": "Two sons",
            "interests": "",
        }
    view = selectors.profile_detail(user=org.support_north, contact=world.head)
    assert view.personal is None
    # a person without a profile yet: an empty personal part for those who may, none otherwise
    assert selectors.profile_detail(user=org.kam_anna, contact=world.nurse).personal == {
        "birthday": None,
        "family": "",
        "interests": "",
    }
    assert selectors.profile_detail(user=org.support_north, contact=world.nurse).personal is None


def test_profile_history_competitors_and_relations(org, world):
    stage_move(actor=org.kam_anna, contact=world.head, to_stage="acquaintance")
    competitor_activity_record(
        actor=org.kam_anna, contact=world.head, competitor="Medeks UAB", what="Dinner"
    )
    relation_add(
        actor=org.kam_anna, from_person=world.deputy, to_person=world.head, kind="reports_to"
    )
    # a tie to Boris's doctor, which Anna may not see
    relation_add(
        actor=org.regional_north, from_person=world.doctor, to_person=world.head, kind="influences"
    )
    view = selectors.profile_detail(user=org.kam_anna, contact=world.head)
    assert [(h.from_stage, h.to_stage) for h in view.history] == [("contact", "acquaintance")]
    assert [c.competitor for c in view.competitors] == ["Medeks UAB"]
    assert [(r.kind, side, other) for r, side, other in view.relations] == [
        ("reports_to", "in", world.deputy)
    ]
    seen_by_regional = selectors.profile_detail(user=org.regional_north, contact=world.head)
    assert len(seen_by_regional.relations) == 2


def _latvian_map(org, world):
    # Anna's hospital: deputy and nurse report to the head; nurse influences the deputy;
    # Boris's doctor influences Anna's head (Anna never sees the doctor).
    relation_add(
        actor=org.kam_anna,
        from_person=world.deputy,
        to_person=world.head,
        kind="reports_to",
        strength=5,
    )
    relation_add(
        actor=org.kam_anna, from_person=world.nurse, to_person=world.deputy, kind="reports_to"
    )
    relation_add(
        actor=org.regional_north, from_person=world.doctor, to_person=world.nurse, kind="influences"
    )


def test_client_map_ranks_and_finds_the_only_path(org, world):
    _latvian_map(org, world)
    profile_update(actor=org.kam_anna, contact=world.head, loyalty_company=5)
    m = selectors.client_map(user=org.kam_anna, account=world.anna)
    assert [r.person.name for r in m.ranking] == ["Ilze Head", "Juris Deputy", "Nora Nurse"]
    assert [r.leaning for r in m.ranking] == ["us", "neutral", "neutral"]
    assert m.balance.us == pytest.approx(m.ranking[0].score)
    # if the deputy leaves, the nurse loses her only path to the head
    assert [(c.leaver.name, c.target.name, [p.name for p in c.cut_off]) for c in m.cuts] == [
        ("Juris Deputy", "Ilze Head", ["Nora Nurse"])
    ]
    assert {e["kind"] for e in m.data["edges"]} == {"reports_to"}
    assert {n["id"] for n in m.data["nodes"]} == {world.head.pk, world.deputy.pk, world.nurse.pk}


def test_territory_map_has_only_the_people_the_user_may_see(org, world):
    _latvian_map(org, world)
    anna = selectors.territory_map(user=org.kam_anna, territory=world.latvia)
    assert {n["id"] for n in anna.data["nodes"]} == {world.head.pk, world.deputy.pk, world.nurse.pk}
    assert len(anna.data["edges"]) == 2
    regional = selectors.territory_map(user=org.regional_north, territory=world.latvia)
    assert {n["id"] for n in regional.data["nodes"]} == {
        world.head.pk,
        world.deputy.pk,
        world.nurse.pk,
        world.doctor.pk,
    }
    assert len(regional.data["edges"]) == 3
    sigrid = selectors.territory_map(user=org.kam_sigrid, territory=world.latvia)
    assert sigrid.data == {"nodes": [], "edges": []}
    assert [t.name for t in selectors.territory_list(user=org.kam_sigrid)] == ["Estonia"]
    assert [(t.name, t.clients) for t in selectors.territory_list(user=org.regional_north)] == [
        ("Latvia", 2)
    ]


def test_notes_search_finds_only_notes_in_scope(org, world):
    note_add(
        actor=org.kam_anna,
        account=world.anna,
        kind="need",
        text="Needs a tender plan",
        tags="budget",
    )
    note_add(
        actor=org.kam_anna, account=world.anna, kind="feedback", text="Happy with us", tags="tender"
    )
    note_add(actor=org.kam_sigrid, account=world.sigrid, kind="need", text="Tender in May")
    texts = lambda qs: sorted(n.text for n in qs)  # noqa: E731
    assert texts(selectors.note_list(user=org.kam_anna, q="tender")) == [
        "Happy with us",
        "Needs a tender plan",
    ]
    assert texts(selectors.note_list(user=org.kam_sigrid, q="tender")) == ["Tender in May"]
    assert texts(selectors.note_list(user=org.director, q="TENDER")) == [
        "Happy with us",
        "Needs a tender plan",
        "Tender in May",
    ]
    assert texts(selectors.note_list(user=org.kam_anna, tag="budget")) == ["Needs a tender plan"]
    assert texts(selectors.note_list(user=org.kam_anna, kind="feedback")) == ["Happy with us"]
    assert texts(selectors.note_list(user=org.kam_boris, q="tender")) == []
    assert selectors.tag_list(user=org.kam_anna) == ["budget", "tender"]


def test_lists_make_a_fixed_number_of_queries(org, world, django_assert_max_num_queries):
    for i in range(30):
        note_add(actor=org.kam_anna, account=world.anna, kind="need", text=f"n{i}", tags=f"t{i} x")
    for c in (world.head, world.deputy, world.nurse):
        profile_update(actor=org.kam_anna, contact=c, is_vip=True)
    user = org.kam_anna
    user.refresh_from_db()
    with django_assert_max_num_queries(6):
        page = selectors.note_page(user=user, page=99999)
        assert [sorted(t.name for t in n.tags.all()) for n in page][:1] == [
            ["t4", "x"]
        ]  # page 2 of 25: n4..n0
    assert page.number == 2
    with django_assert_max_num_queries(3):
        selectors.person_list(user=user, account=world.anna)
    with django_assert_max_num_queries(8):
        selectors.client_map(user=user, account=world.anna)


def test_client_panel(org, world):
    profile_update(actor=org.kam_anna, contact=world.head, is_vip=True)
    stage_move(
        actor=org.kam_anna, contact=world.deputy, to_stage="loyalty", on=timezone.localdate()
    )
    note_add(actor=org.kam_anna, account=world.anna, kind="need", text="Wants EDI")
    panel = selectors.client_panel(user=org.kam_anna, account=world.anna, as_of=None)
    assert panel["relations_people_count"] == 3
    assert (panel["relations_vip"], panel["relations_kol"]) == (1, 0)
    assert panel["relations_stages"][0][1] == 2 and panel["relations_stages"][2][1] == 1
    assert [n.text for n in panel["relations_notes"]] == ["Wants EDI"]
    assert panel["relations_may_edit"] is True
    assert (
        selectors.client_panel(user=org.support_north, account=world.anna)["relations_may_edit"]
        is False
    )
    other = make_account(owner=org.kam_anna)
    assert selectors.client_panel(user=org.kam_anna, account=other)["relations_people_count"] == 0


def test_the_if_x_leaves_list_is_capped_widest_first(org, world, monkeypatch):
    _latvian_map(org, world)
    monkeypatch.setattr(selectors, "MAX_CUTS", 0)
    m = selectors.client_map(user=org.kam_anna, account=world.anna)
    assert (m.cuts, m.cuts_total) == ([], 1)
