"""What a new user hit on the radar pages (issue 7 §2, §7): absurd page numbers and months
answer a page, not a 500; the month box keeps its month when a link sets only the level; the
criteria page speaks in words, not requirement ids; English dates are day-first, one format."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from kam.radar.services import key_flag_set, reference_case_record
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

PAGE = reverse("radar:portfolio")
CSV = reverse("radar:export_csv")
XLSX = reverse("radar:export_xlsx")
SETTINGS = reverse("radar:settings")
IN_PERIOD = date(2025, 5, 10)


@pytest.fixture
def book(org):
    product = make_product(name="Amoxicillin 500")
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    southern = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    for account, income in ((aurora, 3000), (southern, 7000)):
        make_sale(account=account, product=product, on=IN_PERIOD, revenue=income + 1000, cost=1000)
    return {"aurora": aurora, "southern": southern}


# --- §2: input that cannot break the web radar -----------------------------------------------


@pytest.mark.parametrize("page", ["9223372036854775807", "99999999999999999999999", "-5", "x"])
def test_an_absurd_page_number_answers_the_last_page(org, book, login, page):
    response = login(org.director).get(PAGE, {"month": "2025-06", "page": page})
    assert response.status_code == 200
    assert {line["row"].account_name for line in response.context["lines"]} == {
        "Aurora Pharmacy SIA",
        "Southern Star SIA",
    }


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "0000-01", "2025-13"])
@pytest.mark.parametrize("url", [PAGE, CSV, XLSX])
def test_a_month_out_of_range_answers_and_exports(org, book, login, url, month):
    response = login(org.director).get(url, {"month": month, "level": "company"})
    assert response.status_code == 200


def test_year_one_is_read_as_the_history_start(org, book, login):
    response = login(org.director).get(PAGE, {"month": "0001-01"})
    assert response.context["portfolio"].as_of.year >= 2000


# --- §7: the month box when a link sets only the level ---------------------------------------


def test_the_month_box_keeps_the_default_month_with_only_a_level(org, book, login):
    response = login(org.kam_anna).get(PAGE, {"level": "company"})
    html = response.content.decode()
    # The last month with sales the user sees (May 2025) is in the box, not an empty value.
    assert 'name="month" value="2025-05"' in html
    assert response.context["portfolio"].as_of == date(2025, 5, 31)


def test_a_month_in_the_link_still_wins(org, book, login):
    response = login(org.kam_anna).get(PAGE, {"level": "company", "month": "2025-03"})
    assert 'name="month" value="2025-03"' in response.content.decode()


# --- §7: the criteria page -------------------------------------------------------------------


def test_criteria_legends_and_help_are_words_not_requirement_ids(org, login):
    response = login(org.director).get(SETTINGS)
    form = response.context["form"]
    for title, ref, _fields in form.groups():
        assert "KC-" not in str(title)
        assert str(ref).startswith("KC-")  # kept as a small reference beside the words
    for name, field in form.fields.items():
        assert not str(field.help_text).startswith("KC-"), name
    html = response.content.decode()
    assert '<small class="radar-ref">KC-1</small>' in html


def test_the_basis_dropdown_gets_a_whole_row(org, login):
    # "Income (revenue minus cost)" was cut off in a 13rem column: selects span the row.
    css = (Path(__file__).parents[1] / "static/radar/record.css").read_text().replace(" ", "")
    assert ".radar-settings.radar-form-grid>label:has(select){grid-column:1/-1;" in css


# --- §7: one day-first date format in English ------------------------------------------------


def test_english_dates_are_day_first_and_alike():
    day = date(2026, 11, 30)
    with translation.override("en"):
        assert date_format(day, "DATE_FORMAT") == "30 Nov 2026"
        assert date_format(day, "SHORT_DATE_FORMAT") == "30 Nov 2026"
    with translation.override("lv"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "30.11.2026"
    with translation.override("ru"):
        assert date_format(day, "SHORT_DATE_FORMAT") == "30.11.2026"


def test_the_why_panel_shows_every_date_in_one_format(org, book, login):
    aurora = book["aurora"]
    done = timezone.localdate() - timedelta(days=3)
    reference_case_record(actor=org.kam_anna, account=aurora, what="Audit", done_on=done)
    review = timezone.localdate() + timedelta(days=40)
    key_flag_set(actor=org.kam_anna, account=aurora, definition="reference", review_on=review)
    html = login(org.kam_anna).get(reverse("radar:why", args=[aurora.pk])).content.decode()
    with translation.override("en"):
        for day in (done, review):
            assert date_format(day, "j M Y") in html
    assert f"{review:%m/%d/%Y}" not in html and f"{done:%m/%d/%Y}" not in html
    assert not re.search(r"\b[A-Z][a-z]{2}\. \d{1,2}, \d{4}", html)  # no "Nov. 30, 2026"


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_the_api_why_and_concentration_read_any_date(org, book, login, as_of):
    c = login(org.director)
    why = c.get(f"/api/radar/accounts/{book['aurora'].pk}/why", {"as_of": as_of})
    assert why.status_code == 200
    assert c.get("/api/radar/concentration", {"as_of": as_of}).status_code == 200
