"""The demo's people side on a small demo company: what the pages need, the services' rules
kept, and quick."""

import random
import time
from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, F

from kam.clients.models import Account
from kam.demo.generator.build import build_demo
from kam.demo.generator.plan import history_months
from kam.org.models import Territory
from kam.relations import selectors
from kam.relations.demo import populate_relations_demo
from kam.relations.models import (
    STAGE_ORDER,
    CompetitorActivity,
    Note,
    Profile,
    Relation,
    StageChange,
)

pytestmark = pytest.mark.django_db
TODAY = date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(scale=0.05, seed=5, today=TODAY, password="demo-pass-1")
        # build_demo runs the people side itself now: forget it, to time and count this run
        Relation.objects.all().delete()
        Note.objects.all().delete()
        Profile.objects.all().delete()  # with their stage changes and competitors' activity
        began = time.perf_counter()
        written = populate_relations_demo(
            rng=random.Random(11),
            people=result.people,
            today=TODAY,
            start=history_months(TODAY)[0],
        )
        yield result, written, time.perf_counter() - began
        transaction.set_rollback(True)


def test_profiles_with_marks_stages_and_history(demo):
    _result, written, seconds = demo
    assert seconds < 20
    profiles = Profile.objects.count()
    assert profiles > 20
    assert written == (
        profiles
        + StageChange.objects.count()
        + CompetitorActivity.objects.count()
        + Relation.objects.count()
        + Note.objects.count()
    )
    assert Profile.objects.filter(is_vip=True).exists()
    assert Profile.objects.filter(is_kol=True).exists()
    assert set(Profile.objects.values_list("stage", flat=True)) >= {"contact", "acquaintance"}
    # every history ends at the current stage, and every step back has its reason
    for p in Profile.objects.prefetch_related("stage_changes"):
        history = sorted(p.stage_changes.all(), key=lambda c: (c.on, c.pk))
        if history:
            assert history[-1].to_stage == p.stage
            assert history[0].from_stage == "contact"
        for change in history:
            if STAGE_ORDER[change.to_stage] < STAGE_ORDER[change.from_stage]:
                assert change.reason
            assert history_months(TODAY)[0] <= change.on <= TODAY


def test_a_believable_map_for_two_territories(demo):
    result, _written, _s = demo
    assert not Relation.objects.filter(from_person=F("to_person")).exists()
    dupes = (
        Relation.objects.values("from_person", "to_person", "kind")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not dupes.exists()
    territories = set(Relation.objects.values_list("from_person__account__territory", flat=True))
    assert len(territories) == 2
    director = result.people["director"]
    for territory_id in territories:
        m = selectors.territory_map(user=director, territory=Territory.objects.get(pk=territory_id))
        assert m.ranking and m.relations
        assert m.ranking[0].score > m.ranking[-1].score
    # the map of a client on it: its head is the most influential
    account = Account.objects.get(
        pk=Relation.objects.filter(kind="reports_to").values_list("to_person__account", flat=True)[
            0
        ]
    )
    client = selectors.client_map(user=director, account=account)
    assert client.ranking[0].person.decision_role == "decision_maker"


def test_competitors_and_notes(demo):
    assert CompetitorActivity.objects.exists()
    assert Note.objects.exists()
    assert Note.objects.filter(tags__isnull=False).count() >= Note.objects.count()
    assert set(Note.objects.values_list("kind", flat=True)) >= {"need", "prospect"}
