"""The demo's events and trainings on a small demo company: corporate and industry events and
trainings at key clients over twelve months and the coming weeks, the people invited of
clients the organiser may record for (VIPs and KOLs more often), attendance for past events
only, presentations with a PDF prepared with VIPs and KOLs; the same seed, the same events."""

import random
import time
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Q

from kam.activity.demo_events import AHEAD_DAYS, populate_events_demo
from kam.activity.models import Event, Invitation, Presentation
from kam.activity.selectors_events import event_list, recording_contacts
from kam.activity.services_events import FILE_MAX_MB
from kam.clients.models import Contact
from kam.core.models import AuditEntry
from kam.demo.generator.build import build_demo
from kam.demo.generator.plan import history_months
from kam.org.models import Role

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)
SEED = 3
STEP = 10  # build_demo's rng for the events: random.Random(seed + 10)
AUDITED = ["activity.event", "activity.invitation", "activity.presentation"]


def _signature() -> list:
    """What a reader sees of the events, without the database's keys."""
    return sorted(
        (
            e.kind,
            e.title,
            e.starts_on,
            e.ends_on,
            e.organiser.username,
            e.account_id,
            tuple(sorted(e.invitations.values_list("contact_id", "status"))),
            tuple(sorted(e.presentations.values_list("title", flat=True))),
        )
        for e in Event.objects.select_related("organiser")
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(scale=0.05, seed=SEED, today=TODAY, password="demo-pass-1")
        built = _signature()
        # kam demo writes the events itself; this test times that step alone, with its seed.
        Event.objects.all().delete()
        AuditEntry.objects.filter(entity_id="demo", entity__in=AUDITED).delete()
        began = time.monotonic()
        made = populate_events_demo(
            rng=random.Random(SEED + STEP),
            people=result.people,
            today=TODAY,
            start=history_months(TODAY)[0],
        )
        yield result, made, time.monotonic() - began, built
        transaction.set_rollback(True)


def test_every_kind_held_and_coming_quickly_and_the_same_with_the_same_seed(demo):
    _result, made, seconds, built = demo
    assert made == Event.objects.count() + Invitation.objects.count() + Presentation.objects.count()
    assert seconds < 2
    for kind in Event.Kind.values:
        of_kind = Event.objects.filter(kind=kind)
        assert of_kind.filter(starts_on__lte=TODAY).exists(), kind
        assert of_kind.filter(starts_on__gt=TODAY).exists(), kind
    assert Event.objects.filter(title__startswith="Annual Partner Conference").count() == 1
    assert Event.objects.filter(kind="training").count() >= 8 * 2  # each KAM, two or three
    assert _signature() == built
    for entity in AUDITED:
        assert AuditEntry.objects.filter(entity=entity, entity_id="demo").count() == 1


def test_dates_within_the_window_and_invitations_sent_ahead(demo):
    for e in Event.objects.all():
        assert TODAY - timedelta(days=365) <= e.starts_on <= e.ends_on
        assert e.starts_on <= TODAY + timedelta(days=AHEAD_DAYS + 2)
        assert e.created_at.date() <= min(TODAY, e.starts_on)
    for inv in Invitation.objects.select_related("event"):
        assert inv.invited_on <= min(TODAY, inv.event.starts_on)


def test_attendance_for_past_events_only(demo):
    past = Invitation.objects.filter(event__starts_on__lte=TODAY)
    coming = Invitation.objects.filter(event__starts_on__gt=TODAY)
    assert past.exists() and coming.exists()
    # every past event has its attendance: most came, some declined or did not come
    assert not past.filter(status="invited").exists()
    assert past.filter(status="came").count() > past.count() / 2
    assert past.filter(status="no_show").exists() and past.filter(status="declined").exists()
    # nobody came to (or missed) an event that has not started
    assert not coming.filter(status__in=["came", "no_show"]).exists()
    assert coming.filter(status="invited").exists()
    held = Event.objects.filter(starts_on__lte=TODAY)
    assert all(e.invitations.exists() for e in held)


def test_invited_people_of_clients_the_organiser_may_record_for(demo):
    result, _made, _s, _b = demo
    for e in Event.objects.select_related("organiser", "account"):
        allowed = set(recording_contacts(user=e.organiser).values_list("pk", flat=True))
        invited = set(e.invitations.values_list("contact_id", flat=True))
        assert invited and invited <= allowed, e.title
        if e.kind == "training":
            assert e.account.owner_id == e.organiser_id
            assert set(e.invitations.values_list("contact__account_id", flat=True)) == {
                e.account_id
            }
    # A KAM's congress: seen by the KAM and their head, not by a KAM of another department.
    congress = Event.objects.filter(kind="industry", organiser__username="kam.liepa").first()
    assert congress is not None
    assert congress in event_list(user=result.people["kam.liepa"])
    assert congress in event_list(user=result.people["head.hospitals"])
    assert congress not in event_list(user=result.people["kam.vitols"])
    assert congress.organiser.role == Role.KAM


def test_vips_and_kols_invited_more_often(demo):
    """Invitations per person, to the events that draw from all of an owner's clients."""
    invited = Invitation.objects.filter(event__kind__in=["corporate", "industry"])
    star = Q(contact__profile__is_vip=True) | Q(contact__profile__is_kol=True)
    people = Contact.objects.filter(account__archived_at__isnull=True)
    stars = people.filter(Q(profile__is_vip=True) | Q(profile__is_kol=True)).count()
    assert 0 < stars < people.count()
    per_star = invited.filter(star).count() / stars
    per_other = invited.exclude(star).count() / (people.count() - stars)
    assert per_star > 1.5 * per_other


def test_presentations_with_a_pdf_prepared_with_vips_and_kols(demo):
    decks = list(Presentation.objects.select_related("event", "event__organiser"))
    assert decks
    for p in decks:
        assert p.file.name.endswith(".pdf")
        with p.file.open("rb") as f:
            body = f.read()
        assert body.startswith(b"%PDF-") and b"%%EOF" in body
        assert 0 < len(body) <= FILE_MAX_MB * 1024 * 1024
        assert p.prepared_by_id == p.event.organiser_id
        whom = list(p.prepared_with.select_related("profile"))
        assert whom
        invited = set(p.event.invitations.values_list("contact_id", flat=True))
        for c in whom:
            assert c.profile.is_vip or c.profile.is_kol
            assert c.pk in invited
