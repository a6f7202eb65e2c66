"""An account plan's health reads the client's contact rhythm from the activity log (AC-12 with
AC-3): the days since the last done contact against the rhythm of the client's key status, as
the reader's radar judges it. Clients and sales from the schedule's book: Aurora is critical
(rhythm 14 days by default), Cedar is not key (no rhythm)."""

from datetime import date, timedelta

import pytest

from kam.activity.models import Activity
from kam.activity.tests.conftest import AS_OF, book, utc  # noqa: F401 -- the fixture
from kam.relations.selectors_plans import client_panel, plan_detail
from kam.relations.services_plans import account_plan_create

pytestmark = pytest.mark.django_db


def _plan(account):
    return account_plan_create(
        actor=account.owner,
        account=account,
        title="Plan",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    ).obj


def _contact_part(user, plan):
    view = plan_detail(user=user, plan=plan, as_of=AS_OF)
    return next(p for p in view.health.parts if p.name == "contact"), view


def _done(org, account, day: date):
    Activity.objects.create(
        account=account,
        owner=org.kam_anna,
        kind="visit",
        status=Activity.Status.DONE,
        starts_at=utc(day.year, day.month, day.day, 9),
        ends_at=utc(day.year, day.month, day.day, 10),
        purpose="Review",
        outcome="Agreed",
        created_by=org.kam_anna,
    )


def test_a_critical_client_never_contacted_scores_zero_on_contact(org, book):  # noqa: F811
    plan = _plan(book.aurora)
    part, _view = _contact_part(org.kam_anna, plan)
    assert part.score == 0
    assert part.reason == (
        "No contact with the client is recorded; its rhythm is a contact every 14 days."
    )


def test_the_last_contact_against_the_rhythm_and_the_card_agrees(org, book):  # noqa: F811
    plan = _plan(book.aurora)
    _done(org, book.aurora, AS_OF - timedelta(days=21))  # 7 days past 14: 1 - 7/14 = 0.5
    _done(org, book.aurora, AS_OF + timedelta(days=3))  # after as_of: not counted
    part, view = _contact_part(org.kam_anna, plan)
    assert part.reason == (
        "The last contact was 21 days ago; the client's rhythm is a contact every 14 days."
    )
    assert part.score == 0.5
    panel = client_panel(user=org.kam_anna, account=book.aurora, as_of=AS_OF)
    assert panel["plans_rows"] == [(plan, view.health.score)]
    # The manager's reading of the same plan gives the same contact part.
    manager_part, _ = _contact_part(org.head_north, plan)
    assert manager_part.reason == part.reason


def test_a_client_that_is_not_key_has_no_rhythm_so_the_part_is_left_out(org, book):  # noqa: F811
    plan = _plan(book.cedar)
    part, _view = _contact_part(org.kam_boris, plan)
    assert part.score is None
    assert part.reason == (
        "No contact with the client is recorded; it has no contact rhythm (it is not a key "
        "client where the rhythm is judged)."
    )
    _done(org, book.cedar, AS_OF - timedelta(days=3))
    part, _view = _contact_part(org.kam_boris, plan)
    assert part.score is None
    assert part.reason == (
        "The last contact was 3 days ago; the client has no contact rhythm (it is not a key "
        "client where the rhythm is judged)."
    )
