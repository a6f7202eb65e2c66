"""Complaints' services and selectors (AC-11): recorded against a client in scope (404 out of
it, 403 for a role that may not), with an order of that client, an owner, a resolution that
is required and named when missing, the time to resolve, and statistics on known data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kam.activity import selectors_complaints as selectors
from kam.activity.models import Complaint
from kam.activity.services_complaints import (
    complaint_assign,
    complaint_record,
    complaint_reopen,
    complaint_resolve,
)
from kam.core.models import AuditEntry
from kam.orders.tests.returns_fixtures import make_order

pytestmark = pytest.mark.django_db


def record(actor, account, **kw):
    return complaint_record(
        actor=actor,
        account=account,
        category=kw.pop("category", "quality"),
        description=kw.pop("description", "Broken seals on two boxes"),
        received_on=kw.pop("received_on", date(2025, 6, 2)),
        **kw,
    )


def audits():
    return AuditEntry.objects.filter(entity="activity.complaint").count()


def test_a_kam_records_a_complaint_and_owns_it(org, book):
    c = record(org.kam_anna, book.aurora)
    c.refresh_from_db()
    assert (c.account, c.category, c.status, c.owner, c.recorded_by) == (
        book.aurora,
        "quality",
        "open",
        org.kam_anna,
        org.kam_anna,
    )
    assert (c.received_on, c.resolved_on, c.days_to_resolve) == (date(2025, 6, 2), None, None)
    entry = AuditEntry.objects.get(entity="activity.complaint", entity_id=str(c.pk))
    assert entry.changes["account"] == book.aurora.pk and entry.changes["category"] == "quality"


def test_the_head_records_and_the_clients_kam_owns_it(org, book):
    c = record(org.head_north, book.aurora)
    assert c.owner == org.kam_anna
    c = record(org.support_north, book.aurora)
    assert c.owner == org.support_north


def test_a_complaint_on_a_client_out_of_scope_is_404_and_nothing_written(org, book):
    with pytest.raises(Http404):
        record(org.kam_anna, book.sud)
    with pytest.raises(Http404):
        record(org.kam_sigrid, book.aurora)
    with pytest.raises(PermissionDenied):  # credit control sees the client, may not record
        record(org.credit, book.aurora)
    assert Complaint.objects.count() == 0 and audits() == 0


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("category", {"category": "smell"}),
        ("description", {"description": ""}),
        ("description", {"description": "bad\x1b[31m"}),
        ("description", {"description": "x" * 5001}),
        ("received_on", {"received_on": date(1999, 12, 31)}),
        ("received_on", {"received_on": "yesterday"}),
        ("order_number", {"order_number": "ORD-NONE"}),
        ("owner", {"owner": "kam_sigrid"}),
        ("owner", {"owner": "credit"}),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(org, book, field, data):
    if "owner" in data:
        data["owner"] = getattr(org, data["owner"])
    with pytest.raises(ValidationError) as exc:
        record(org.kam_anna, book.aurora, **data)
    assert field in exc.value.message_dict
    assert Complaint.objects.count() == 0 and audits() == 0


def test_received_in_the_future_is_refused(org, book):
    with pytest.raises(ValidationError) as exc:
        record(org.kam_anna, book.aurora, received_on=timezone.localdate() + timedelta(days=1))
    assert "received_on" in exc.value.message_dict


def test_the_order_is_one_of_the_clients_own(org, book):
    aurora_order = make_order(account=book.aurora, created_by=org.kam_anna, lines=[])
    sud_order = make_order(account=book.sud, created_by=org.kam_sigrid, lines=[])
    c = record(org.kam_anna, book.aurora, order_number=aurora_order.number, category="delivery")
    assert c.order == aurora_order
    with pytest.raises(ValidationError) as exc:
        record(org.kam_anna, book.aurora, order_number=sud_order.number)
    assert "order_number" in exc.value.message_dict
    assert Complaint.objects.count() == 1


def test_resolving_without_a_resolution_is_refused_naming_the_field(org, book):
    c = record(org.kam_anna, book.aurora)
    with pytest.raises(ValidationError) as exc:
        complaint_resolve(actor=org.kam_anna, complaint=c, resolution="  ")
    assert exc.value.message_dict == {"resolution": ["This field is required."]}
    with pytest.raises(ValidationError) as exc:
        complaint_resolve(
            actor=org.kam_anna, complaint=c, resolution="Credit note", resolved_on=date(2025, 6, 1)
        )
    assert "resolved_on" in exc.value.message_dict
    c.refresh_from_db()
    assert (c.status, c.resolution, c.resolved_on) == ("open", "", None)
    assert audits() == 1


def test_the_time_to_resolve_is_the_days_from_receipt(org, book):
    c = record(org.kam_anna, book.aurora, received_on=date(2025, 6, 2))
    with pytest.raises(Http404):
        complaint_resolve(actor=org.kam_sigrid, complaint=c, resolution="x")
    complaint_resolve(
        actor=org.support_north,
        complaint=c,
        resolution="Credit note for the two boxes",
        resolved_on=date(2025, 6, 12),
    )
    c.refresh_from_db()
    assert (c.status, c.resolved_on, c.days_to_resolve) == ("resolved", date(2025, 6, 12), 10)
    entry = AuditEntry.objects.filter(entity="activity.complaint").latest("pk")
    assert entry.changes["days_to_resolve"] == 10
    with pytest.raises(ValidationError) as exc:
        complaint_resolve(actor=org.kam_anna, complaint=c, resolution="again")
    assert "status" in exc.value.message_dict


def test_reject_reopen_and_another_owner(org, book):
    c = record(org.kam_anna, book.aurora)
    with pytest.raises(ValidationError) as exc:
        complaint_assign(actor=org.kam_anna, complaint=c, owner=org.kam_boris)
    assert "owner" in exc.value.message_dict  # Boris does not work with Aurora
    complaint_assign(actor=org.kam_anna, complaint=c, owner=org.support_north)
    c.refresh_from_db()
    assert c.owner == org.support_north
    complaint_resolve(
        actor=org.kam_anna, complaint=c, resolution="Not our fault", rejected=True,
        resolved_on=date(2025, 6, 3),
    )  # fmt: skip
    c.refresh_from_db()
    assert (c.status, c.days_to_resolve) == ("rejected", 1)
    with pytest.raises(Http404):
        complaint_reopen(actor=org.kam_boris, complaint=c)
    complaint_reopen(actor=org.kam_anna, complaint=c, reason="They sent photos")
    c.refresh_from_db()
    assert (c.status, c.resolution, c.resolved_on) == ("open", "", None)
    with pytest.raises(ValidationError):
        complaint_reopen(actor=org.kam_anna, complaint=c)


def _known_data(org, book):
    """Six complaints of Anna's clients and one of Sigrid's."""
    rows = [
        ("quality", date(2025, 1, 1), date(2025, 1, 5), False),  # 4 days
        ("quality", date(2025, 2, 1), date(2025, 2, 11), False),  # 10 days
        ("delivery", date(2025, 3, 1), date(2025, 3, 4), False),  # 3 days
        ("price", date(2025, 3, 10), date(2025, 3, 20), True),  # rejected: not resolved
        ("conflict", date(2025, 6, 1), None, False),  # open 19 days on 20 June
        ("service", date(2025, 6, 10), None, False),  # open 10 days
    ]
    made = []
    for category, received, resolved, rejected in rows:
        c = record(org.kam_anna, book.aurora if category != "service" else book.birch,
                   category=category, received_on=received)  # fmt: skip
        if resolved:
            complaint_resolve(
                actor=org.kam_anna, complaint=c, resolution="Done", resolved_on=resolved,
                rejected=rejected,
            )  # fmt: skip
        made.append(c)
    made.append(record(org.kam_sigrid, book.sud, category="other", received_on=date(2025, 1, 1)))
    return made


def test_the_statistics_on_known_data(org, book):
    _known_data(org, book)
    qs = selectors.complaint_list(user=org.kam_anna)
    stats = selectors.complaint_statistics(qs, as_of=date(2025, 6, 20))
    assert stats.total == 6
    assert [(code, n) for code, _label, n in stats.by_category] == [
        ("quality", 2),
        ("delivery", 1),
        ("price", 1),
        ("service", 1),
        ("conflict", 1),
        ("other", 0),
    ]
    assert stats.by_status == {"open": 2, "resolved": 3, "rejected": 1}
    # days 4, 10, 3: the median 4, the average 17 / 3
    assert (stats.resolved, stats.median_days, stats.average_days) == (
        3,
        Decimal("4.0"),
        Decimal("5.7"),
    )
    assert stats.open_too_long == 1
    # the director sees Sigrid's too; an even count's median is the mean of the middle two
    director = selectors.complaint_statistics(
        selectors.complaint_list(user=org.director, category="quality"), as_of=date(2025, 6, 20)
    )
    assert (director.total, director.median_days, director.average_days) == (
        2,
        Decimal("7.0"),
        Decimal("7.0"),
    )
    sigrid = selectors.complaint_statistics(
        selectors.complaint_list(user=org.kam_sigrid), as_of=date(2025, 6, 20)
    )
    assert (sigrid.total, sigrid.median_days, sigrid.open_too_long) == (1, None, 1)
    chart = selectors.complaint_chart(stats)
    assert chart["labels"][0] == "Quality" and chart["counts"] == [2, 1, 1, 1, 1, 0]


def test_the_list_filters_and_scope(org, book):
    made = _known_data(org, book)
    anna = selectors.complaint_list(user=org.kam_anna)
    assert list(anna) == [made[5], made[4], made[3], made[2], made[1], made[0]]
    assert list(selectors.complaint_list(user=org.kam_anna, status="open")) == [made[5], made[4]]
    assert list(selectors.complaint_list(user=org.kam_anna, category="quality")) == [
        made[1],
        made[0],
    ]
    assert list(selectors.complaint_list(user=org.kam_anna, account=book.birch)) == [made[5]]
    assert list(selectors.complaint_list(user=org.kam_boris)) == []
    assert selectors.complaint_get(user=org.head_south, pk=made[6].pk) == made[6]
    with pytest.raises(Http404):
        selectors.complaint_get(user=org.kam_anna, pk=made[6].pk)
