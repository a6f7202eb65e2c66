"""Secrecy of totals on the radar (SE-1, issue 7 §5): shares of a unit are for everyone who sees
the client; the unit's amounts only for those who see the whole unit. Two readers each time: the
director (who sees the company) and a KAM (who sees their own book)."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kam.radar.selectors import radar_portfolio, why_key
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

PAGE = reverse("radar:portfolio")
AS_OF = date(2025, 6, 30)
# The company's income is 12 345.67 and its turnover 14 345.67: secrets for Anna.
COMPANY_FIGURES = ("12,345", "12345", "12 345", "14,345", "14345", "14 345")


@pytest.fixture
def book(org):
    product = make_product(name="Amoxicillin 500")
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    southern = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    on = date(2025, 5, 10)
    # Aurora's income 3 086.42 is 25.00 % of the company's 12 345.67.
    make_sale(account=aurora, product=product, on=on, revenue="4086.42", cost="1000")
    make_sale(account=southern, product=product, on=on, revenue="10259.25", cost="1000")
    return {"aurora": aurora, "southern": southern}


def leaks(text: str) -> list[str]:
    return [f for f in COMPANY_FIGURES if f in text]


# --- the selectors (what the web, the API, the CLI and exports all read) ---------------------


def test_a_kam_gets_shares_of_the_company_but_not_its_total(org, book):
    (row,) = radar_portfolio(user=org.kam_anna, level="company", as_of=AS_OF).rows
    assert row.share_pct == 25 and "share" in row.definitions
    assert row.unit_total is None
    share = next(e for e in row.evidence if e.definition == "share")
    assert "unit_total" not in share.figures and not leaks(share.summary)
    assert share.summary.startswith("25.00 % of the company's income")

    director = {r.account_id: r for r in radar_portfolio(user=org.director, as_of=AS_OF).rows}
    assert director[book["aurora"].pk].unit_total.quantize(D("0.01")) == D("12345.67")
    share = next(e for e in director[book["aurora"].pk].evidence if e.definition == "share")
    assert "12,345.67 EUR" in share.summary


def test_the_concentration_says_whose_it_is(org, book):
    mine = radar_portfolio(user=org.kam_anna, level="company", as_of=AS_OF).concentration
    assert mine.complete is False and mine.top1_pct == 100 and mine.total == D("3086.42")
    company = radar_portfolio(user=org.director, level="company", as_of=AS_OF).concentration
    assert company.complete is True and company.total == D("12345.67")
    # Her own book at manager level is a unit she sees whole: her figures, complete.
    own = radar_portfolio(
        user=org.kam_anna, level="manager", unit_id=org.kam_anna.pk, as_of=AS_OF
    ).concentration
    assert own.complete is True


def test_why_key_hides_the_totals_of_units_above_the_kam(org, book):
    texts = " ".join(
        e.summary for e in why_key(user=org.kam_anna, account=book["aurora"], as_of=AS_OF)
    )
    assert "25.00 % of the company's income" in texts and not leaks(texts)
    director = " ".join(
        e.summary for e in why_key(user=org.director, account=book["aurora"], as_of=AS_OF)
    )
    assert "12,345.67" in director


# --- the page -------------------------------------------------------------------------------


def test_the_company_page_labels_a_kams_concentration_as_hers(org, book, login):
    kam = login(org.kam_anna).get(PAGE, {"level": "company", "month": "2025-06"})
    html = kam.content.decode()
    assert "25.00" in html  # her client's share of the company
    assert not leaks(html)
    title = html.split('id="radar-conc-title">')[1].split("</header>")[0]
    assert "Your clients" in title
    assert 'id="radar-conc-own"' in html

    director = login(org.director).get(PAGE, {"level": "company", "month": "2025-06"})
    html = director.content.decode()
    assert "Your clients" not in html
    assert "12,346 EUR" in html  # the company's income, rounded, in the concentration note


def test_the_why_panel_on_the_client_card_shows_no_company_total(org, book, login):
    url = reverse("radar:why", args=[book["aurora"].pk])
    html = login(org.kam_anna).get(url).content.decode()
    assert "of the company" in html and not leaks(html)
    assert "12,345.67" in login(org.director).get(url).content.decode()


# --- the API --------------------------------------------------------------------------------


def test_the_api_portfolio_has_no_amount_above_the_kams_scope(org, book, login):
    q = {"level": "company", "as_of": AS_OF.isoformat()}
    kam = login(org.kam_anna).get("/api/radar/portfolio", q)
    assert kam.status_code == 200
    assert not leaks(kam.content.decode())
    body = kam.json()
    assert body["rows"][0]["unit_total"] is None
    assert body["concentration"]["complete"] is False

    director = login(org.director).get("/api/radar/portfolio", q).json()
    assert director["concentration"]["complete"] is True
    assert {r["unit_total"] for r in director["rows"]} == {"12345.67"}


@pytest.mark.parametrize("level", ["company", "department", "manager"])
def test_no_api_answer_of_a_kam_carries_a_company_amount(org, book, login, level):
    anna = login(org.kam_anna)
    answers = [
        anna.get("/api/radar/portfolio", {"level": level, "as_of": AS_OF.isoformat()}),
        anna.get("/api/radar/concentration", {"level": level, "as_of": AS_OF.isoformat()}),
        anna.get(f"/api/radar/accounts/{book['aurora'].pk}/why"),
    ]
    for answer in answers:
        assert answer.status_code == 200
        assert not leaks(answer.content.decode()), answer.request["PATH_INFO"]


def test_the_api_concentration_is_labelled(org, book, login):
    q = {"level": "company", "as_of": AS_OF.isoformat()}
    assert login(org.kam_anna).get("/api/radar/concentration", q).json()["complete"] is False
    assert login(org.director).get("/api/radar/concentration", q).json()["complete"] is True
