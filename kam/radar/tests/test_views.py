"""The radar pages: who sees which rows (SE-1), levels, filters, htmx fragments, downloads, the
"why key" panel, and a fixed number of queries whatever the number of clients."""

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kam.radar.services import key_flag_set, radar_snapshot_take, reference_case_record
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

PAGE = reverse("radar:portfolio")
CSV = reverse("radar:export_csv")
XLSX = reverse("radar:export_xlsx")
MONTH = "2025-06"  # the radar's 12 months: Jul 2024 - Jun 2025
IN_PERIOD = date(2025, 5, 10)
HX = {"HTTP_HX_REQUEST": "true"}


def why(account_or_pk) -> str:
    return reverse("radar:why", args=[getattr(account_or_pk, "pk", account_or_pk)])


def sell(account, product, income, on=IN_PERIOD):
    income = Decimal(income)
    make_sale(account=account, product=product, on=on, revenue=income + 1000, cost=1000)


def names(response) -> set[str]:
    """Client names in the table (the page's rows, not the HTML)."""
    return {line["row"].account_name for line in response.context["lines"]}


@pytest.fixture
def book(org):
    """Company income 10 000: Aurora 30 % (critical), Sigrid's Southern 55 % (critical)."""
    product = make_product(name="Amoxicillin 500")
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    baltic = make_account(owner=org.kam_anna, legal_name="Baltic Retail AS")
    clinic = make_account(owner=org.kam_boris, legal_name="Clinic North SIA")
    southern = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    sell(aurora, product, "3000")
    sell(baltic, product, "500")
    sell(clinic, product, "1000")
    sell(southern, product, "5500")
    return {"aurora": aurora, "baltic": baltic, "clinic": clinic, "southern": southern}


# --- the portfolio page ------------------------------------------------------------------------


def test_pages_need_login(client, book):
    for url in (PAGE, CSV, XLSX, why(book["aurora"])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


def test_kam_sees_own_clients_not_another_kams(org, book, login):  # SE-1
    response = login(org.kam_anna).get(PAGE, {"month": MONTH})
    assert response.status_code == 200
    assert response.context["portfolio"].level == "manager"  # a KAM starts with their own book
    assert names(response) == {"Aurora Pharmacy SIA", "Baltic Retail AS"}
    assert "Southern Star" not in response.content.decode()

    response = login(org.kam_sigrid).get(PAGE, {"month": MONTH, "level": "company"})
    assert names(response) == {"Southern Star SIA"}
    assert "Aurora" not in response.content.decode()


def test_default_month_is_the_last_with_sales(org, book, login):
    # The client card's 12 months end there too; a month with no sales yet would drag trends.
    portfolio = login(org.kam_anna).get(PAGE).context["portfolio"]
    assert portfolio.period_end == date(2025, 5, 1)
    assert portfolio.as_of == date(2025, 5, 31)


def test_head_sees_department_not_the_other(org, book, login):
    north = login(org.head_north).get(PAGE, {"month": MONTH})
    assert north.context["portfolio"].level == "department"
    assert names(north) == {"Aurora Pharmacy SIA", "Baltic Retail AS", "Clinic North SIA"}
    south = login(org.head_south).get(PAGE, {"month": MONTH})
    assert names(south) == {"Southern Star SIA"}
    # A unit outside the head's scope is not a choice: the page falls back to their own scope.
    response = login(org.head_north).get(
        PAGE, {"month": MONTH, "level": "department", "unit": org.south.pk}
    )
    assert "Southern Star" not in response.content.decode()
    assert names(response) == names(north)


def test_director_sees_company_with_critical_alerts(org, book, login):  # KC-3
    response = login(org.director).get(PAGE, {"month": MONTH})
    assert response.context["portfolio"].level == "company"
    assert len(names(response)) == 4
    html = response.content.decode()
    assert 'data-kind="critical"' in html
    assert "radar-alert-warn" in html  # coloured, not plain text
    kinds = {(a["alert"].kind, a["alert"].account_name) for a in response.context["alerts"]}
    assert ("critical", "Aurora Pharmacy SIA") in kinds
    assert ("critical", "Southern Star SIA") in kinds
    # The concentration block and the Pareto data are on the page.
    assert response.context["conc"].top1_pct == Decimal("55.00")
    assert 'id="radar-pareto-data"' in html


def test_level_switch_changes_shares_and_bands(org, book, login):  # KC-10
    c = login(org.kam_anna)
    company = c.get(PAGE, {"month": MONTH, "level": "company"})
    row = next(
        x["row"] for x in company.context["lines"] if x["row"].account_id == book["aurora"].pk
    )
    assert (row.share_pct, row.band) == (Decimal("30.00"), "critical")

    manager = c.get(PAGE, {"month": MONTH, "level": "manager"})
    row = next(
        x["row"] for x in manager.context["lines"] if x["row"].account_id == book["aurora"].pk
    )
    assert row.share_pct == Decimal("85.71")  # 3000 of Anna's 3500
    assert row.band == "mono"
    assert 'data-kind="mono"' in manager.content.decode()
    assert "radar-alert-danger" in manager.content.decode()


def test_unit_choices_are_the_users_own(org, book, login):
    response = login(org.kam_anna).get(PAGE, {"month": MONTH, "level": "manager"})
    units = dict(response.context["form"].fields["unit"].choices)
    assert org.kam_anna.pk in units
    assert org.kam_sigrid.pk not in units
    head = login(org.head_north).get(PAGE, {"month": MONTH, "level": "manager"})
    units = dict(head.context["form"].fields["unit"].choices)
    assert {org.kam_anna.pk, org.kam_boris.pk} <= set(units)
    assert org.kam_sigrid.pk not in units
    boris = login(org.head_north).get(
        PAGE, {"month": MONTH, "level": "manager", "unit": org.kam_boris.pk}
    )
    assert names(boris) == {"Clinic North SIA"}


def test_filters_and_sorting(org, book, login):
    c = login(org.director)
    assert names(c.get(PAGE, {"month": MONTH, "band": "critical"})) == {
        "Aurora Pharmacy SIA",
        "Southern Star SIA",
    }
    assert names(c.get(PAGE, {"month": MONTH, "band": "mono"})) == set()
    assert len(names(c.get(PAGE, {"month": MONTH, "band": "any"}))) == 2
    assert names(c.get(PAGE, {"month": MONTH, "only_key": "on"})) == {
        "Aurora Pharmacy SIA",
        "Southern Star SIA",
        "Clinic North SIA",  # 10 %: key by share, no band
    }
    assert names(c.get(PAGE, {"month": MONTH, "definition": "dependency"})) == {
        "Aurora Pharmacy SIA",
        "Southern Star SIA",
    }
    assert names(c.get(PAGE, {"month": MONTH, "owner": org.kam_boris.pk})) == {"Clinic North SIA"}
    a_class = names(c.get(PAGE, {"month": MONTH, "abc": "A"}))
    assert "Southern Star SIA" in a_class and "Baltic Retail AS" not in a_class

    by_name = c.get(PAGE, {"month": MONTH, "sort": "name"})
    assert [x["row"].account_name for x in by_name.context["lines"]] == [
        "Aurora Pharmacy SIA",
        "Baltic Retail AS",
        "Clinic North SIA",
        "Southern Star SIA",
    ]
    by_share = c.get(PAGE, {"month": MONTH})  # default: largest share first
    assert [x["row"].account_name for x in by_share.context["lines"]][:2] == [
        "Southern Star SIA",
        "Aurora Pharmacy SIA",
    ]
    by_income_up = c.get(PAGE, {"month": MONTH, "sort": "income"})
    assert by_income_up.context["lines"][0]["row"].account_name == "Baltic Retail AS"


def test_badges_show_definitions_and_suggestions(org, book, login):  # KC-9
    reference_case_record(
        actor=org.kam_anna, account=book["baltic"], what="Cold chain audit", done_on=IN_PERIOD
    )
    response = login(org.kam_anna).get(PAGE, {"month": MONTH, "level": "company"})
    html = response.content.decode()
    assert 'class="radar-def radar-def-share"' in html
    assert 'class="radar-def radar-def-dependency"' in html
    # Records but no flag yet: suggested, styled apart.
    assert "radar-def radar-def-reference radar-suggested" in html


def test_htmx_filter_returns_the_table_only(org, book, login):
    response = login(org.director).get(PAGE, {"month": MONTH, "band": "critical"}, **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "Aurora Pharmacy SIA" in html and "Baltic Retail AS" not in html
    assert 'id="radar-alerts"' not in html  # filters do not touch the alerts
    assert "HX-Request" in response["Vary"]


def test_htmx_level_change_returns_the_whole_radar_block(org, book, login):
    response = login(org.kam_anna).get(
        PAGE,
        {"month": MONTH, "level": "company", "unit": org.kam_anna.pk},
        HTTP_HX_TRIGGER_NAME="level",
        **HX,
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="radar-page"' in html and 'id="radar-alerts"' in html
    assert 'data-kind="critical"' in html
    # The stale unit is dropped from the address the browser shows.
    assert "unit=" not in response["HX-Push-Url"]
    assert "level=company" in response["HX-Push-Url"]


def test_pagination_over_a_hundred_rows(org, login):
    product = make_product()
    for i in range(103):
        sell(make_account(owner=org.kam_anna, legal_name=f"Client {i:03d}"), product, 100 + i)
    c = login(org.kam_anna)
    first = c.get(PAGE, {"month": MONTH})
    assert len(first.context["lines"]) == 100
    assert first.context["page"].paginator.num_pages == 2
    second = c.get(PAGE, {"month": MONTH, "page": 2})
    assert len(second.context["lines"]) == 3


# --- downloads ---------------------------------------------------------------------------------


def test_csv_download_has_only_visible_filtered_rows(org, book, login):  # RP-2, SE-1
    response = login(org.kam_anna).get(CSV, {"month": MONTH, "level": "company"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert (
        response["Content-Disposition"] == 'attachment; filename="key-accounts-company-2025-06.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert {r["Client"] for r in rows} == {"Aurora Pharmacy SIA", "Baltic Retail AS"}
    aurora = next(r for r in rows if r["Client"] == "Aurora Pharmacy SIA")
    assert Decimal(aurora["Share, %"]) == Decimal("30.00")

    filtered = login(org.kam_anna).get(CSV, {"month": MONTH, "level": "company", "only_key": "on"})
    rows = list(csv.DictReader(io.StringIO(filtered.getvalue().decode("utf-8-sig"))))
    assert [r["Client"] for r in rows] == ["Aurora Pharmacy SIA"]


def test_xlsx_download_parses_and_is_scoped(org, book, login):
    response = login(org.head_south).get(XLSX, {"month": MONTH})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = wb.worksheets[0]
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = values[1]
    clients = [row[header.index("Client")] for row in values[2:]]
    assert clients == ["Southern Star SIA"]

    director = login(org.director).get(XLSX, {"month": MONTH, "level": "company"})
    sheet = load_workbook(io.BytesIO(director.content), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 2 + 4


# --- queries -----------------------------------------------------------------------------------


def _clients(org, n):
    product = make_product()
    owners = [org.kam_anna, org.kam_boris, org.kam_sigrid, None]
    for i in range(n):
        sell(make_account(owner=owners[i % 4]), product, 100 + 10 * i)


@pytest.mark.parametrize("n", [5, 30])
def test_page_queries_do_not_grow_with_rows(org, login, django_assert_max_num_queries, n):
    _clients(org, n)
    c = login(org.director)
    # A constant: session and user, settings, the scoreboard (with its work_mem on
    # PostgreSQL), the page rows' names, trends and manual evidence, the form's choices, and the
    # company's history start the month is clamped to (issue 7 §2), the menu's unread
    # notifications (kam daily).
    with django_assert_max_num_queries(28):
        response = c.get(PAGE, {"month": MONTH})
    assert len(response.context["lines"]) == n
    with django_assert_max_num_queries(28):
        c.get(PAGE, {"month": MONTH, "level": "department"})
    with django_assert_max_num_queries(28):
        c.get(CSV, {"month": MONTH, "level": "manager"})


# --- why key -----------------------------------------------------------------------------------


@pytest.fixture
def today_book(org):
    """Sales this month, so the panel (as of today) and flags set today line up."""
    product = make_product()
    today = timezone.localdate()
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    southern = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    sell(aurora, product, "3000", on=today)
    sell(southern, product, "7000", on=today)
    return {"aurora": aurora, "southern": southern}


def test_why_key_shows_evidence_to_the_owner(org, today_book, login):  # KC-9
    aurora = today_book["aurora"]
    key_flag_set(
        actor=org.kam_anna,
        account=aurora,
        definition="partner",
        note="Shared its 2026 expansion plan",
        owner=org.kam_anna,
        review_on=timezone.localdate() + timedelta(days=90),
    )
    response = login(org.kam_anna).get(why(aurora), **HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'data-definition="share"' in html
    assert 'data-definition="dependency"' in html  # 30 % of the company: critical
    assert 'data-definition="partner"' in html
    assert "Shared its 2026 expansion plan" in html
    assert "Anna Kam" in html  # who recorded it and who owns it
    assert "review on" in html


def test_why_key_is_404_for_another_kams_client_and_a_missing_one(org, today_book, login):
    c = login(org.kam_anna)
    assert c.get(why(today_book["southern"]), **HX).status_code == 404
    assert c.get(why(999_999), **HX).status_code == 404
    # The client's own KAM and the head of its department see it.
    assert login(org.kam_sigrid).get(why(today_book["southern"]), **HX).status_code == 200
    assert login(org.head_south).get(why(today_book["southern"])).status_code == 200


def test_why_key_plain_get_is_a_page(org, today_book, login):
    response = login(org.kam_anna).get(why(today_book["aurora"]))
    html = response.content.decode()
    assert "<html" in html
    assert "Aurora Pharmacy SIA" in html
    assert 'class="radar-why"' in html


def test_why_key_shows_suggestions_apart(org, today_book, login):
    reference_case_record(
        actor=org.kam_anna,
        account=today_book["aurora"],
        what="Cold chain audit",
        done_on=timezone.localdate(),
        result="Passed",
    )
    html = login(org.kam_anna).get(why(today_book["aurora"]), **HX).content.decode()
    assert "radar-suggested-item" in html
    assert "Cold chain audit — Passed" in html


def test_why_key_history_shows_when_a_client_became_key(org, login):
    product = make_product()
    newcomer = make_account(owner=org.kam_anna, legal_name="Newcomer SIA")
    big = make_account(owner=org.kam_sigrid, legal_name="Big SIA")
    sell(big, product, "9000", on=date(2025, 1, 10))
    radar_snapshot_take(actor=org.director, period_end=date(2025, 1, 31))
    sell(newcomer, product, "6000", on=date(2025, 2, 10))
    radar_snapshot_take(actor=org.director, period_end=date(2025, 2, 28))

    html = login(org.kam_anna).get(why(newcomer), **HX).content.decode()
    assert 'data-kind="became_key"' in html
    assert "Feb 2025" in html
    # Sigrid's client's history is not Anna's to read.
    assert login(org.kam_anna).get(why(big), **HX).status_code == 404


# --- issue 7 §2 (CSV injection) and §7 (codes in files) -----------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def formula_client(org, client_with):
    return client_with(org.kam_anna, "50000", legal_name=FORMULA)


def test_csv_download_neutralises_a_formula_in_a_name(org, formula_client, login):
    response = login(org.kam_anna).get(CSV, {"month": MONTH, "level": "company"})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    names = [r["Client"] for r in rows]
    assert "'" + FORMULA in names
    assert not any(cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())


def test_xlsx_download_stores_a_formula_like_name_as_text(org, formula_client, login):
    response = login(org.kam_anna).get(XLSX, {"month": MONTH, "level": "company"})
    wb = load_workbook(io.BytesIO(response.content))
    sheet = wb.worksheets[0]
    header = [c.value for c in sheet[2]]
    cells = [row[header.index("Client")] for row in sheet.iter_rows(min_row=3)]
    named = [c for c in cells if FORMULA in str(c.value)]
    assert named, "the client is in the file"
    assert all(c.data_type == "s" for c in named)  # a string, not a live formula
    assert not any(
        c.data_type == "f" for ws in wb.worksheets for row in ws.iter_rows() for c in row
    )


def test_csv_download_shows_labels_not_codes(org, login, client_with):
    client_with(org.kam_anna, "-500", revenue="100")  # loss-making
    response = login(org.kam_anna).get(CSV, {"month": MONTH, "level": "company"})
    text = response.getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["Status"] for r in rows} == {"Active"}
    assert "loss-making" in {r["Notes"] for r in rows}
    assert "active" not in {r["Status"] for r in rows}
    assert "loss_making" not in text


# --- issue 7 §3: the radar page is cached, correct by construction ----------------------------


@pytest.fixture
def fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _shown(response) -> dict:
    return {line["row"].account_name: line["row"].income for line in response.context["lines"]}


def test_radar_page_cache_follows_a_ledger_write(
    org, login, client_with, product, fresh_cache, django_capture_on_commit_callbacks
):
    account = client_with(org.kam_anna, "50000", legal_name="Cached Pharmacy SIA")
    c = login(org.director)
    params = {"month": MONTH, "level": "company"}
    assert _shown(c.get(PAGE, params))["Cached Pharmacy SIA"] == Decimal("50000")
    with django_capture_on_commit_callbacks(execute=True):
        make_sale(account=account, product=product, on=IN_PERIOD, revenue="700", cost="200")
    assert _shown(c.get(PAGE, params))["Cached Pharmacy SIA"] == Decimal("50500")


def test_radar_page_cache_follows_a_settings_change(
    org, login, client_with, fresh_cache, django_capture_on_commit_callbacks
):
    from kam.radar.services import radar_settings, radar_settings_update

    client_with(org.kam_anna, "50000", legal_name="Cached Pharmacy SIA")
    c = login(org.director)
    params = {"month": MONTH, "level": "company"}
    assert c.get(PAGE, params).context["portfolio"].basis == "income"
    with django_capture_on_commit_callbacks(execute=True):
        radar_settings_update(
            actor=org.director, expected_version=radar_settings().version, basis="turnover"
        )
    assert c.get(PAGE, params).context["portfolio"].basis == "turnover"


def test_radar_page_cache_is_never_shared_across_scopes(org, login, client_with, fresh_cache):
    client_with(org.kam_anna, "50000", legal_name="Anna Pharmacy SIA")
    client_with(org.kam_sigrid, "70000", legal_name="Sigrid Pharmacy SIA")
    params = {"month": MONTH, "level": "company"}
    assert set(_shown(login(org.director).get(PAGE, params))) == {
        "Anna Pharmacy SIA",
        "Sigrid Pharmacy SIA",
    }
    assert set(_shown(login(org.kam_anna).get(PAGE, params))) == {"Anna Pharmacy SIA"}
    assert set(_shown(login(org.kam_sigrid).get(PAGE, params))) == {"Sigrid Pharmacy SIA"}


# --- issue 7 §5: secrecy of totals on the client card ------------------------------------------


def test_client_card_shows_a_units_amount_only_to_who_sees_the_whole_unit(org, login, client_with):
    """The director sees the company's income behind Anna's client's share; Anna sees the
    share, but the company's amount (Sigrid's client is in it) nowhere on the card."""
    from django.core.cache import cache

    cache.clear()
    ours = client_with(org.kam_anna, "50000", legal_name="Aurora Pharmacy SIA")
    client_with(org.kam_sigrid, "70000", legal_name="Southern Star SIA")
    total = "120,000.00"  # the company's income: 50,000 + 70,000
    share = "41.66"  # Anna's client's share of it (the radar rounds shares down)
    why = reverse("radar:why", args=[ours.pk])
    card = reverse("clients:detail", args=[ours.pk])

    director = login(org.director).get(why, {"month": MONTH}).content.decode()
    assert share in director and total in director

    anna = login(org.kam_anna)
    html = anna.get(why, {"month": MONTH}).content.decode() + anna.get(card).content.decode()
    assert share in html
    assert total not in html
    assert "120000" not in html.replace(",", "").replace(" ", "")
