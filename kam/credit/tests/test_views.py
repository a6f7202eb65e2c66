"""The credit pages (/credit/): the watch list with its chart and exports, a client's credit
page with the forms its user may use, the rules; each with the allowed user and one who must
not (404 out of scope, 403 with a sentence in scope but not allowed)."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.template.loader import render_to_string
from openpyxl import load_workbook

from kam.credit.models import CreditAccount, CreditCheck
from kam.credit.selectors import client_panel, credit_settings
from kam.credit.tests.conftest import AS_OF, invoice

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(book):
    invoice(book.anna, "A-1", date(2025, 6, 20), "12000", due=date(2025, 7, 20))  # over
    invoice(book.sigrid, "S-1", date(2025, 6, 20), "8500", due=date(2025, 7, 20))  # near
    return book


def test_watchlist_shows_the_controller_every_client_and_a_kam_only_own(org, listed, login):
    page = login(org.credit).get("/credit/", {"as_of": "2025-06-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Aurora SIA" in html and "Sud Trade SIA" in html
    assert 'data-flag="over_limit"' in html and 'data-flag="near_limit"' in html
    assert 'id="credit-exposure-data"' in html
    html = login(org.kam_sigrid).get("/credit/", {"as_of": "2025-06-30"}).content.decode()
    assert "Sud Trade SIA" in html and "Aurora SIA" not in html


def test_watchlist_exports_csv_and_xlsx(org, listed, login):
    client = login(org.credit)
    csv = client.get("/credit/", {"as_of": "2025-06-30", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Client,Registration number,KAM,Credit limit,Exposure")
    assert lines[1].startswith("Aurora SIA,40003000001,Anna Kam,10000.00,12000.00,-2000.00")
    assert lines[1].endswith("Over the limit")
    xlsx = client.get("/credit/", {"as_of": "2025-06-30", "format": "xlsx"})
    sheet = load_workbook(BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "Aurora SIA" and rows[1][4] == 12000
    only_own = login(org.kam_anna).get("/credit/", {"as_of": "2025-06-30", "format": "csv"})
    assert "Sud Trade" not in only_own.content.decode("utf-8-sig")


def test_client_page_for_the_kam_has_no_forms_and_404_for_another(org, book, login):
    page = login(org.kam_anna).get(f"/credit/clients/{book.anna.pk}/", {"as_of": "2025-06-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Open for orders" in html and 'id="credit-checks"' in html
    assert 'id="credit-check-form"' not in html and 'id="credit-terms-form"' not in html
    assert login(org.kam_sigrid).get(f"/credit/clients/{book.anna.pk}/").status_code == 404
    assert login(org.kam_sigrid).get("/credit/clients/99999999/").status_code == 404


def test_controller_records_a_check_and_sets_the_limit_on_the_page(org, book, login):
    client = login(org.credit)
    html = client.get(f"/credit/clients/{book.anna.pk}/").content.decode()
    assert 'id="credit-check-form"' in html and 'id="credit-terms-form"' in html
    r = client.post(
        f"/credit/clients/{book.anna.pk}/check/",
        {
            "method": "registry",
            "result": "rejected",
            "checked_on": "2025-06-01",
            "next_review_on": "2025-12-01",
            "score": "",
            "notes": "Insolvency filed.",
        },
    )
    assert r.status_code == 302
    assert CreditCheck.objects.filter(account=book.anna, result="rejected").exists()
    r = client.post(
        f"/credit/clients/{book.anna.pk}/limit/", {"limit": "500", "payment_days": "10"}
    )
    assert r.status_code == 302
    assert CreditAccount.objects.get(account=book.anna).limit == Decimal("500")
    html = client.get(f"/credit/clients/{book.anna.pk}/", {"as_of": "2025-06-30"}).content.decode()
    assert "Blocked for new orders" in html and "was rejected" in html
    r = client.post(f"/credit/clients/{book.anna.pk}/limit/reset/")
    assert CreditAccount.objects.get(account=book.anna).source == "contract"


def test_bad_check_on_the_page_names_the_field_and_changes_nothing(org, book, login):
    r = login(org.credit).post(
        f"/credit/clients/{book.anna.pk}/check/",
        {
            "method": "agency",
            "result": "approved",
            "checked_on": "2025-06-01",
            "next_review_on": "2025-01-01",
        },
    )
    assert r.status_code == 400
    assert "The next review must come after the day of the check." in r.content.decode()
    assert CreditCheck.objects.filter(account=book.anna).count() == 1


def test_a_kam_posting_a_limit_gets_403_and_out_of_scope_404(org, book, login):
    body = {"limit": "1", "payment_days": "1"}
    assert (
        login(org.kam_anna).post(f"/credit/clients/{book.anna.pk}/limit/", body).status_code == 403
    )
    assert (
        login(org.kam_sigrid).post(f"/credit/clients/{book.anna.pk}/limit/", body).status_code
        == 404
    )
    assert (
        login(org.kam_anna).post(f"/credit/clients/{book.anna.pk}/check/", body).status_code == 403
    )
    assert not CreditAccount.objects.exists()


def test_settings_page_saved_by_the_controller_refused_to_a_head(org, login):
    body = {
        "overdue_amount_threshold": "300",
        "overdue_days_threshold": "45",
        "check_required": "on",
        "near_limit_percent": "85",
        "check_valid_months": "12",
    }
    assert login(org.head_north).post("/credit/settings/", body).status_code == 403
    assert login(org.head_north).get("/credit/settings/").status_code == 200
    assert login(org.credit).post("/credit/settings/", body).status_code == 302
    assert credit_settings().overdue_days_threshold == 45
    bad = {**body, "near_limit_percent": "150"}
    r = login(org.credit).post("/credit/settings/", bad)
    assert r.status_code == 400 and "from 1 to 100" in r.content.decode()


def test_client_panel_partial_renders_with_links_per_can(org, book, rf):
    ctx = client_panel(user=org.credit, account=book.anna, as_of=AS_OF)
    html = render_to_string("credit/_client_panel.html", ctx)
    assert "Open for orders" in html and "Record a check" in html
    ctx = client_panel(user=org.kam_anna, account=book.anna, as_of=AS_OF)
    html = render_to_string("credit/_client_panel.html", ctx)
    assert "Record a check" not in html and f"/credit/clients/{book.anna.pk}/" in html
