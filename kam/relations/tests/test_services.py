"""Writes: who may, what is refused (naming the field, nothing changed), what the audit keeps."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.relations.models import CompetitorActivity, Note, Profile, Relation, StageChange
from kam.relations.services import (
    competitor_activity_record,
    note_add,
    note_update,
    profile_update,
    relation_add,
    relation_remove,
    stage_move,
    tags_parse,
)

pytestmark = pytest.mark.django_db


def test_profile_update_and_the_audit_never_holds_personal_values(org, world):
    profile = profile_update(
        actor=org.kam_anna,
        contact=world.head,
        is_vip=True,
        specialty="Cardiology",
        loyalty_company=4,
        birthday=date(1970, 5, 17),
        family="Married, two daughters",
        interests="Sailing",
    )
    profile.refresh_from_db()
    assert (profile.is_vip, profile.is_kol, profile.specialty) == (True, False, "Cardiology")
    assert (profile.birthday, profile.family, profile.interests) == (
        date(1970, 5, 17),
        "Married, two daughters",
        "Sailing",
    )
    entry = AuditEntry.objects.filter(entity="relations.profile").latest("pk")
    assert entry.changes["personal"] == ["birthday", "family", "interests"]
    assert "family" not in entry.changes and "birthday" not in entry.changes
    text = str(entry.changes) + entry.summary
    assert "Sailing" not in text and "daughters" not in text and "1970" not in text
    assert entry.changes["is_vip"] == [False, True]


def test_profile_update_refuses_and_changes_nothing(org, world):
    profile_update(actor=org.kam_anna, contact=world.head, specialty="Cardiology")
    for bad, field in [
        ({"loyalty_company": 6}, "loyalty_company"),
        ({"loyalty_products": 0}, "loyalty_products"),
        ({"specialty": "x\x00y"}, "specialty"),
        ({"specialty": "x" * 201}, "specialty"),
        ({"birthday": timezone.localdate() + timedelta(days=1)}, "birthday"),
        ({"birthday": date(1899, 12, 31)}, "birthday"),
        ({"nickname": "Ilzīte"}, "nickname"),
    ]:
        with pytest.raises(ValidationError) as exc:
            profile_update(actor=org.kam_anna, contact=world.head, is_kol=True, **bad)
        assert field in exc.value.error_dict
    p = Profile.objects.get(contact=world.head)
    assert (p.is_kol, p.specialty, p.loyalty_company, p.birthday) == (
        False,
        "Cardiology",
        None,
        None,
    )


def test_who_may_edit_a_profile(org, world):
    with pytest.raises(PermissionDenied):  # sees the client, may not change its people
        profile_update(actor=org.support_north, contact=world.head, is_vip=True)
    with pytest.raises(Http404):  # does not see it at all
        profile_update(actor=org.kam_sigrid, contact=world.head, is_vip=True)
    with pytest.raises(Http404):
        profile_update(actor=org.kam_boris, contact=world.head, family="x")
    assert not Profile.objects.exists()
    profile_update(actor=org.regional_north, contact=world.head, family="Two sons")
    assert Profile.objects.get().family == "Two sons"


def test_decision_role_is_changed_on_the_contact(org, world):
    profile_update(actor=org.kam_anna, contact=world.nurse, decision_role="gatekeeper")
    world.nurse.refresh_from_db()
    assert world.nurse.decision_role == "gatekeeper"
    with pytest.raises(ValidationError) as exc:
        profile_update(actor=org.kam_anna, contact=world.nurse, decision_role="boss")
    assert "decision_role" in exc.value.error_dict


def test_stage_moves_forward_with_history(org, world):
    day = timezone.localdate()
    stage_move(actor=org.kam_anna, contact=world.head, to_stage="acquaintance", on=day)
    stage_move(actor=org.kam_anna, contact=world.head, to_stage="near_friendly", on=day)
    history = list(
        StageChange.objects.filter(profile__contact=world.head)
        .order_by("pk")
        .values_list("from_stage", "to_stage", "by__username")
    )
    assert history == [
        ("contact", "acquaintance", "kam_anna"),
        ("acquaintance", "near_friendly", "kam_anna"),
    ]
    assert Profile.objects.get(contact=world.head).stage == "near_friendly"


def test_a_step_back_without_a_reason_is_refused_and_nothing_changes(org, world):
    stage_move(actor=org.kam_anna, contact=world.head, to_stage="loyalty")
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        stage_move(actor=org.kam_anna, contact=world.head, to_stage="acquaintance", reason="  ")
    assert list(exc.value.error_dict) == ["reason"]
    assert Profile.objects.get(contact=world.head).stage == "loyalty"
    assert StageChange.objects.count() == 1
    assert AuditEntry.objects.count() == audits
    change = stage_move(
        actor=org.kam_anna, contact=world.head, to_stage="acquaintance", reason="Took a rival's job"
    )
    assert (change.from_stage, change.to_stage, change.reason) == (
        "loyalty",
        "acquaintance",
        "Took a rival's job",
    )


def test_stage_move_refusals(org, world):
    with pytest.raises(ValidationError) as exc:
        stage_move(actor=org.kam_anna, contact=world.head, to_stage="contact")
    assert "to_stage" in exc.value.error_dict  # already there
    with pytest.raises(ValidationError) as exc:
        stage_move(actor=org.kam_anna, contact=world.head, to_stage="best_friends")
    assert "to_stage" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        stage_move(
            actor=org.kam_anna,
            contact=world.head,
            to_stage="loyalty",
            on=timezone.localdate() + timedelta(days=1),
        )
    assert "on" in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        stage_move(actor=org.support_north, contact=world.head, to_stage="loyalty")
    assert not StageChange.objects.exists()


def test_competitor_activity(org, world):
    item = competitor_activity_record(
        actor=org.kam_anna,
        contact=world.deputy,
        competitor="Medeks UAB",
        what="Invited to a congress in Vienna",
        seen_on=date(2026, 3, 1),
    )
    assert CompetitorActivity.objects.get().profile.contact == world.deputy
    assert item.recorded_by == org.kam_anna
    with pytest.raises(ValidationError) as exc:
        competitor_activity_record(
            actor=org.kam_anna, contact=world.deputy, competitor="", what="x"
        )
    assert "competitor" in exc.value.error_dict
    with pytest.raises(Http404):
        competitor_activity_record(
            actor=org.kam_sigrid, contact=world.deputy, competitor="A", what="x"
        )
    assert CompetitorActivity.objects.count() == 1


def test_self_and_duplicate_relations_are_refused(org, world):
    relation_add(
        actor=org.kam_anna, from_person=world.deputy, to_person=world.head, kind="reports_to"
    )
    with pytest.raises(ValidationError) as exc:
        relation_add(
            actor=org.kam_anna, from_person=world.head, to_person=world.head, kind="influences"
        )
    assert exc.value.error_dict["to_person"][0].messages == [
        "A person cannot be related to themself."
    ]
    with pytest.raises(ValidationError) as exc:
        relation_add(
            actor=org.kam_anna,
            from_person=world.deputy,
            to_person=world.head,
            kind="reports_to",
            strength=5,
        )
    assert "kind" in exc.value.error_dict
    assert Relation.objects.count() == 1
    # the other kind, or the other way round, is another relation
    relation_add(
        actor=org.kam_anna, from_person=world.head, to_person=world.deputy, kind="reports_to"
    )
    assert Relation.objects.count() == 2


def test_the_database_refuses_self_and_duplicate_relations_too(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(from_person=world.head, to_person=world.head, kind="influences")
    Relation.objects.create(from_person=world.nurse, to_person=world.head, kind="influences")
    with pytest.raises(IntegrityError), transaction.atomic():
        Relation.objects.create(from_person=world.nurse, to_person=world.head, kind="influences")


def test_relations_need_both_people_at_clients_the_actor_may_edit(org, world):
    with pytest.raises(Http404):  # Anna does not see Boris's client
        relation_add(
            actor=org.kam_anna, from_person=world.head, to_person=world.doctor, kind="influences"
        )
    with pytest.raises(ValidationError) as exc:
        relation_add(
            actor=org.regional_north,
            from_person=world.head,
            to_person=world.doctor,
            kind="influences",
            strength=6,
        )
    assert "strength" in exc.value.error_dict
    assert not Relation.objects.exists()
    rel = relation_add(
        actor=org.regional_north, from_person=world.head, to_person=world.doctor, kind="influences"
    )
    with pytest.raises(Http404):
        relation_remove(actor=org.kam_anna, relation=rel)
    relation_remove(actor=org.regional_north, relation=rel)
    assert not Relation.objects.exists()
    assert AuditEntry.objects.filter(entity="relations.relation", action="delete").count() == 1


def test_tags_parse():
    assert tags_parse("Tender, budget  #tender q3") == ["tender", "budget", "q3"]
    assert tags_parse(["a b", "c"]) == ["a", "b", "c"]
    with pytest.raises(ValidationError):
        tags_parse("x" * 41)


def test_notes(org, world):
    note = note_add(
        actor=org.kam_anna,
        account=world.anna,
        kind="need",
        text="Wants weekly deliveries",
        on=date(2026, 2, 1),
        tags="logistics, Q2",
    )
    assert sorted(note.tags.values_list("name", flat=True)) == ["logistics", "q2"]
    note_update(actor=org.kam_anna, note=note, kind="prospect", tags=["tender"])
    note.refresh_from_db()
    assert note.kind == "prospect"
    assert list(note.tags.values_list("name", flat=True)) == ["tender"]
    for bad, field in [
        ({"kind": "gossip"}, "kind"),
        ({"text": "  "}, "text"),
        ({"text": "a\x07"}, "text"),
        ({"on": timezone.localdate() + timedelta(days=2)}, "on"),
    ]:
        with pytest.raises(ValidationError) as exc:
            note_add(actor=org.kam_anna, account=world.anna, **{"kind": "need", "text": "x", **bad})
        assert field in exc.value.error_dict
    with pytest.raises(PermissionDenied):
        note_add(actor=org.support_north, account=world.anna, kind="need", text="x")
    with pytest.raises(Http404):
        note_add(actor=org.kam_sigrid, account=world.anna, kind="need", text="x")
    assert Note.objects.count() == 1
