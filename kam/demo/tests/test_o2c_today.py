"""The demo built for today also has today's work in every queue (issue 9 §12)."""

import pytest
from django.db import transaction
from django.utils import timezone

from kam.demo.generator.build import build_demo
from kam.orders.models import Order

from .test_generator import SCALE

pytestmark = pytest.mark.django_db


def test_a_demo_of_today_has_open_orders_for_every_queue():
    """Built for today, the demo also has today's work: drafts, the sales-support queue, a
    discount waiting for the head, an order the credit gate stopped."""

    with transaction.atomic():
        build_demo(scale=SCALE, seed=3, today=timezone.localdate(), password="demo-pass-1")
        statuses = set(Order.objects.exclude(status="delivered").values_list("status", flat=True))
        transaction.set_rollback(True)
    assert {"draft", "submitted", "entered", "awaiting_approval", "blocked"} <= statuses
