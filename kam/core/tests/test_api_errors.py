"""Input that cannot break the API or the pages (issue 7 §2): huge page numbers, year-1 dates,
NUL bytes, over-size bodies and out-of-range numbers answer a 4xx that says what and where,
and everything under /api/ answers JSON."""

import json
from datetime import date

import pytest
from django.test import override_settings

from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

HUGE = "9223372036854775807"  # 2^63 - 1: past what SQLite or PostgreSQL take as an OFFSET


@pytest.fixture
def book(org):
    account = make_account(owner=org.kam_anna, legal_name="Aurora SIA")
    make_sale(
        account=account, product=make_product(), on=date(2025, 5, 10), revenue="100", cost="60"
    )
    return account


def is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json")


# --- page numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/clients/", "/api/products/", "/api/sales/lines"])
def test_a_huge_page_number_answers_an_empty_page_not_500(org, book, login, url):
    response = login(org.director).get(url, {"page": HUGE})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["items"] == []
    assert body["count"] >= 1  # the rows are there, only not on that page
    assert body["page"] == 10_000  # what was served: the highest page number there is


def test_a_huge_radar_page_answers_an_empty_page_not_500(org, book, login):
    response = login(org.director).get("/api/radar/portfolio", {"page": HUGE})
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == [] and response.json()["count"] == 1
    assert response.json()["page"] == 10_000


def test_pages_within_range_still_page(org, login):
    for n in range(3):
        make_account(owner=org.kam_anna, legal_name=f"Client {n}")
    body = login(org.director).get("/api/clients/", {"page": 3, "page_size": 1}).json()
    assert [r["legal_name"] for r in body["items"]] == ["Client 2"]
    assert body["page"] == 3


# --- dates in reads ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/radar/portfolio?as_of={day}",
        "/api/radar/concentration?as_of={day}",
        "/api/radar/accounts/{pk}/why?as_of={day}",
        "/api/radar/history?since={day}",
        "/api/sales/clients/{pk}/monthly?until={day}",
    ],
)
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_reads_answer_for_the_nearest_sensible_date(org, book, login, url, day):
    response = login(org.director).get(url.format(day=day, pk=book.pk))
    assert response.status_code == 200, response.content


def test_a_year_one_monthly_series_starts_at_the_history_start(org, book, login):
    url = f"/api/sales/clients/{book.pk}/monthly"
    body = login(org.director).get(url, {"until": "0001-01-01", "months": 2}).json()
    assert body["months"][-1]["month"] == "2000-01-01"


def test_a_year_one_portfolio_reads_as_of_the_history_start(org, book, login):
    body = login(org.director).get("/api/radar/portfolio", {"as_of": "0001-01-01"}).json()
    assert body["as_of"] == "2000-01-01"


# --- NUL and control characters ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/clients/?q=a%00b", "q"),
        ("/api/products/?q=a%00b", "q"),
        ("/api/clients/?industry=x%01", "industry"),
        ("/api/radar/portfolio?sort=a%00", "sort"),
    ],
)
def test_a_control_character_in_a_query_is_400_naming_the_parameter(org, login, url, param):
    response = login(org.director).get(url)
    assert response.status_code == 400
    assert is_json(response)
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == param and body["errors"][0]["in"] == "query"
    assert "U+00" in body["errors"][0]["message"]


def test_a_tab_in_a_query_is_fine(org, login):
    assert login(org.director).get("/api/clients/?q=a%09b").status_code == 200


def test_a_nul_on_the_client_list_page_is_a_plain_400(org, login):
    response = login(org.director).get("/clients/?q=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "q" in response.content.decode()


def test_a_huge_page_on_the_client_list_page_shows_the_last_page(org, book, login):
    response = login(org.director).get("/clients/", {"page": HUGE})
    assert response.status_code == 200
    assert "Aurora SIA" in response.content.decode()


def test_a_nul_in_a_form_post_is_400(org, login):
    response = login(org.director).post("/login/", {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400
    assert "username" in response.content.decode()


def test_a_nul_in_a_json_text_field_is_422_naming_the_field(org, book, login):
    response = login(org.director).post(
        f"/api/clients/{book.pk}/contacts",
        json.dumps({"first_name": "Ilze", "last_name": "O\u0000zola"}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"][0]["field"] == "last_name" and body["errors"][0]["in"] == "body"
    assert not book.contacts.exists()


def test_a_nul_deep_in_a_json_body_names_the_path(org, book, login):
    payload = {"annual_budget": "1000", "competitors": [{"name": "A\u0000", "share_pct": "10"}]}
    response = login(org.director).post(
        f"/api/radar/accounts/{book.pk}/wallet-estimates",
        json.dumps(payload),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "competitors.0.name"


# --- numbers the database cannot hold ----------------------------------------------------------


def test_an_annual_budget_of_1e30_is_422_not_500(org, book, login):
    response = login(org.director).post(
        f"/api/radar/accounts/{book.pk}/wallet-estimates",
        json.dumps({"annual_budget": "1E+30"}),
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "invalid"


# --- over-size bodies --------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_over_size_json_body_is_413(org, book, login):
    response = login(org.director).post(
        f"/api/clients/{book.pk}/contacts",
        json.dumps({"first_name": "I" * 2000, "last_name": "O"}),
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_body_over_the_default_2_5_mb_is_413(org, book, login):
    response = login(org.director).post(
        f"/api/clients/{book.pk}/contacts",
        json.dumps({"first_name": "I" * 2_700_000, "last_name": "O"}),
        content_type="application/json",
    )
    assert response.status_code == 413


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_an_over_size_form_post_on_a_page_is_413(org, login):
    response = login(org.director).post("/login/", {"username": "a" * 2000, "password": "x"})
    assert response.status_code == 413
    assert not is_json(response)


# --- JSON everywhere under /api/ ---------------------------------------------------------------


@pytest.mark.parametrize("url", ["/api/clients/-1", "/api/nowhere", "/api/clients/1/x/y"])
def test_unknown_api_paths_answer_json_404(org, login, url):
    response = login(org.director).get(url)
    assert response.status_code == 404
    assert is_json(response)
    assert response.json()["code"] == "not_found"


def test_unknown_api_paths_answer_json_404_to_anonymous_too(client):
    response = client.get("/api/clients/-1")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_wrong_method_answers_json_405(org, login):
    response = login(org.director).delete("/api/clients/")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_a_missing_slash_under_api_still_redirects(org, login):
    response = login(org.director).get("/api/clients")
    assert response.status_code == 301 and response["Location"] == "/api/clients/"


def test_pages_keep_their_html_404(org, login):
    response = login(org.director).get("/no-such-page/")
    assert response.status_code == 404 and not is_json(response)


def test_a_form_post_to_the_api_is_400_not_500(org, book, login):
    # The API reads JSON; a browser form (multipart) posted to it must not break the body read.
    response = login(org.director).post(
        f"/api/clients/{book.pk}/contacts", {"first_name": "Ilze", "last_name": "Ozola"}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
