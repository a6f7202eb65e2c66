"""In a real browser (issue 8 §4): upload an export, map a column with a drop-down and see the
preview follow (htmx), check, import, and see the progress bar reach 100 %; under the
Content-Security-Policy, with no violation."""

from pathlib import Path

import pytest

from kam.testing import PASSWORD
from kam.web.tests.test_browser import CHROMIUM, WATCH_CSP, browser_page  # noqa: F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed"),
]

EXPORT = "Customer ID;Company;Town\n40001000001;Aurora SIA;Riga\n40001000002;Baltic AS;Tallinn\n"


def test_upload_map_check_import_and_see_100_percent(org, live_server, browser_page, tmp_path):  # noqa: F811
    path: Path = tmp_path / "export.csv"
    path.write_text(EXPORT)
    page = browser_page
    page.add_init_script(WATCH_CSP)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "support_north")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.click("nav >> text=Import")
    page.select_option("select[name=kind]", "clients")
    page.set_input_files("input[name=file]", str(path))
    page.click("button:has-text('Upload')")
    page.wait_for_url(f"{base}/imports/runs/*/")

    # Nothing is named like a KAM field: the preview says what is missing.
    assert "registration_number" in page.inner_text("#preview")
    page.select_option("select[name=column_0]", "registration_number")
    page.select_option("select[name=column_1]", "legal_name")
    # htmx asks for a new preview on each change: the rows appear as KAM reads them.
    page.wait_for_function("() => document.querySelector('#preview-table') !== null")
    assert "Aurora SIA" in page.inner_text("#preview-table")

    page.click("#check-button")
    page.wait_for_selector("#run-summary")
    assert "checked only" in page.inner_text("#run-summary")
    page.click("#import-button")
    page.wait_for_selector("#run-summary")
    assert page.get_attribute("#run-bar", "value") == "100"
    assert page.inner_text("#run-percent") == "100 %"
    assert page.inner_text("#run-status") == "done"
    assert page.evaluate("() => window.__cspViolations") == []

    page.click("text=All imports")
    assert "export.csv" in page.inner_text("#import-runs")
