"""The demo's schedule and log on a small demo company: twelve months of items of the KAMs
with their own clients and contact people, done ones never in the future, planned ones in
the coming week, and a few key clients gone quiet."""

import random
import time
from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import F

from kam.activity.demo import MAX_ITEMS, populate_activity_demo
from kam.activity.models import Activity
from kam.activity.selectors import gone_quiet, local_day, local_midnight
from kam.demo.generator.build import build_demo
from kam.demo.generator.plan import history_months

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        result = build_demo(scale=0.05, seed=3, today=TODAY, password="demo-pass-1")
        # kam demo writes the schedule itself; this test times and checks that step alone.
        Activity.objects.all().delete()
        began = time.monotonic()
        made = populate_activity_demo(
            rng=random.Random(5),
            people=result.people,
            today=TODAY,
            start=history_months(TODAY)[0],
        )
        yield result, made, time.monotonic() - began
        transaction.set_rollback(True)


def test_twelve_months_of_items_quickly_and_within_the_cap(demo):
    _result, made, seconds = demo
    assert made == Activity.objects.count()
    assert 100 < made <= MAX_ITEMS
    assert seconds < 10
    first = Activity.objects.order_by("starts_at").first().starts_at
    assert local_day(first) >= TODAY - timedelta(days=365)


def test_items_keep_the_services_rules(demo):
    assert not Activity.objects.filter(ends_at__lt=F("starts_at")).exists()
    # the client's own KAM, the client's own contact people
    assert not Activity.objects.exclude(owner=F("account__owner")).exists()
    assert (
        not Activity.objects.exclude(people__account=F("account"))
        .filter(people__isnull=False)
        .exists()
    )
    # done on or before the demo's day; planned ones in the coming week
    after = local_midnight(TODAY + timedelta(days=1))
    assert not Activity.objects.filter(status="done", starts_at__gte=after).exists()
    planned = Activity.objects.filter(status="planned")
    assert planned.exists()
    assert all(TODAY < local_day(p.starts_at) <= TODAY + timedelta(days=9) for p in planned)
    for n in Activity.objects.filter(kind="negotiation", status="done"):
        assert n.topics and n.agreed
    assert set(Activity.objects.values_list("kind", flat=True)) == {
        "visit",
        "call",
        "meeting",
        "negotiation",
    }


def test_a_few_key_clients_gone_quiet(demo):
    result, _made, _s = demo
    rows = gone_quiet(user=result.people["director"], as_of=TODAY)
    assert 1 <= len(rows) <= 3  # the three left silent (fewer if fewer are key)
    assert all(r.days_since is None or r.days_since > r.rhythm_days for r in rows)
