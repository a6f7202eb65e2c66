"""KC-11 and KC-12 as a new user reads them (issue 7 §7): the one-to-three limit counts every
confirmed company-level key account, whatever made it key, and fires on the page as in an
export; the Trend column is the growth measured, and the NPV's cap is said where it is used."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from kam.radar.selectors import OVER_LIMIT, radar_portfolio
from kam.radar.services import key_flag_set, reference_case_record, wallet_estimate_record
from kam.radar.tests.conftest import AS_OF
from kam.testing import make_account, make_sale

pytestmark = pytest.mark.django_db

PAGE = reverse("radar:portfolio")


def over_limit(p) -> set[int]:
    return {a.user_id for a in p.alerts if a.kind == OVER_LIMIT}


@pytest.fixture
def big_book(org, client_with):
    """A company where no client of Anna's reaches 10 %: key only by hand or by potential."""
    client_with(org.kam_sigrid, "100000.00")
    return [client_with(org.kam_anna, "100.00") for _ in range(4)]


def mark(org, accounts, definitions):
    for account, definition in zip(accounts, definitions, strict=True):
        if definition == "potential":
            wallet_estimate_record(actor=org.kam_anna, account=account, annual_budget=D("900000"))
        else:
            key_flag_set(actor=org.kam_anna, account=account, definition=definition)


def test_four_accounts_key_by_hand_or_potential_put_a_kam_over_three(org, big_book):  # KC-11
    mark(org, big_book, ["reference", "partner", "potential", "competent"])
    for kwargs in ({}, {"limit": 100}, {"level": "manager", "limit": 100}):
        p = radar_portfolio(user=org.director, as_of=AS_OF, **kwargs)
        assert over_limit(p) == {org.kam_anna.pk}, kwargs
        (alert,) = [a for a in p.alerts if a.kind == OVER_LIMIT]
        assert alert.count == 4


def test_three_are_within_the_limit_and_suggestions_do_not_count(org, big_book):  # KC-11
    mark(org, big_book[:3], ["reference", "partner", "potential"])
    # A reference case alone only suggests "Reference": not a key account yet.
    reference_case_record(
        actor=org.kam_anna,
        account=big_book[3],
        what="Audit",
        done_on=timezone.localdate() - timedelta(days=1),
    )
    assert over_limit(radar_portfolio(user=org.director, as_of=AS_OF, limit=100)) == set()


def test_the_page_shows_the_alert_to_the_director_and_to_the_kam(org, big_book, login):
    mark(org, big_book, ["reference", "partner", "innovator", "competent"])
    for user in (org.director, org.kam_anna):
        html = login(user).get(PAGE, {"month": "2025-06", "level": "company"}).content.decode()
        assert 'data-kind="kam_over_limit"' in html, user


def test_the_criteria_page_says_which_definitions_count(org, login):
    html = login(org.kam_anna).get(reverse("radar:settings")).content.decode()
    assert "Counted: every client key at company level by a confirmed definition" in html


# --- KC-12: the Trend column and the NPV's assumption ----------------------------------------


@pytest.fixture
def growing(org, product):
    acc = make_account(owner=org.kam_anna, legal_name="Growing SIA")
    make_sale(account=acc, product=product, on=date(2024, 3, 1), revenue="200", cost="100")
    make_sale(account=acc, product=product, on=date(2025, 3, 1), revenue="300", cost="150")
    return acc


def test_trend_is_the_growth_measured_and_the_npv_says_its_cap(org, growing):  # KC-12
    (row,) = radar_portfolio(user=org.director, as_of=AS_OF).rows
    assert row.trend_pct == D("50.00")  # 100 -> 150: +50 %, as measured
    assert row.npv_growth_pct == D("20.00")  # what the NPV assumed: capped at 20 %
    assert row.npv == D("981.09")  # 150 * sum_{t=1..5} (1.2/1.1)^t, unchanged


def test_no_base_year_has_no_trend(org, client_with):
    client_with(org.kam_anna, "100.00")  # sales only in the last 12 months
    (row,) = radar_portfolio(user=org.director, as_of=AS_OF).rows
    assert row.trend_pct is None and row.npv_growth_pct == 0


def test_the_page_shows_the_measured_trend_and_labels_the_cap(org, growing, login):
    response = login(org.director).get(PAGE, {"month": "2025-06"})
    html = response.content.decode()
    assert "+50.0" in html and "+20.0" not in html.split("radar-npv-note")[0].split("<tbody>")[1]
    assert 'id="radar-npv-note"' in html
    assert "capped at ±20" in html  # the footnote says the NPV's assumption


def test_the_api_gives_both_figures(org, growing, login):
    body = login(org.director).get("/api/radar/portfolio", {"as_of": AS_OF.isoformat()}).json()
    (row,) = body["rows"]
    assert D(row["trend_pct"]) == D("50.00") and D(row["npv_growth_pct"]) == D("20.00")
