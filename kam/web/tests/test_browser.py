"""In a real browser: sign in, filter the client list with htmx, open a card, see the chart drawn.

Drives Debian's chromium through Playwright against pytest-django's live server.
"""

import os
from datetime import date
from pathlib import Path

import pytest

from kam.sales.selectors import add_months
from kam.testing import PASSWORD, make_account, make_product, make_sale

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
    ),
]


@pytest.fixture
def browser_page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # done before it starts, and the live server answers from its own thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        yield page
        browser.close()


@pytest.fixture
def aurora(org):
    """The data, made before the browser starts: ORM calls made inside Playwright's sync API
    run in another context and open a connection the test's teardown never closes."""
    product = make_product(name="Amoxicillin 500")
    aurora = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    make_account(owner=org.kam_anna, legal_name="Baltic Retail AS")
    make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    first = date.today().replace(day=1)
    for i in range(6):
        make_sale(
            account=aurora,
            product=product,
            on=add_months(first, -i),
            revenue=str(1000 + 100 * i),
            cost="700",
        )
    return aurora


def test_sign_in_filter_list_and_open_card(org, aurora, live_server, browser_page):
    page = browser_page
    assert os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] == "true"

    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "kam_anna")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/clients/")
    table = page.locator("#account-table")
    assert "Aurora Pharmacy SIA" in table.inner_text()
    assert "Baltic Retail AS" in table.inner_text()
    assert "Southern Star" not in page.content()  # SE-1: Sigrid's client is not Anna's

    # Typing a search makes htmx fetch the table fragment and swap it in; the URL follows.
    page.fill("input[name=q]", "Aurora")
    page.wait_for_function(
        "() => !document.querySelector('#account-table').innerText.includes('Baltic')"
    )
    assert "Aurora Pharmacy SIA" in table.inner_text()
    assert "q=Aurora" in page.url
    assert page.locator("header.kam-nav").count() == 1  # the page was not reloaded into itself

    page.click("text=Aurora Pharmacy SIA")
    page.wait_for_url(f"{live_server.url}/clients/{aurora.pk}/")
    page.wait_for_function(
        "() => window.Chart && Chart.getChart(document.getElementById('account-chart'))"
    )
    painted = page.evaluate(
        """() => {
            const c = document.getElementById('account-chart');
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
            return n;
        }"""
    )
    assert painted > 1000
    bars = page.evaluate(
        "() => Chart.getChart(document.getElementById('account-chart')).data.datasets[0].data"
    )
    assert len(bars) == 24
    assert bars[-1] == 1000


# Every securitypolicyviolation the page raises, kept before any of its own scripts run.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`
  );
});
"""


def _sign_in(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def _canvas_painted(page, canvas_id):
    page.wait_for_function(
        f"() => window.Chart && Chart.getChart(document.getElementById('{canvas_id}'))"
    )
    return page.evaluate(
        """(id) => {
            const c = document.getElementById(id);
            const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
            return n;
        }""",
        canvas_id,
    )


def test_pages_render_under_the_content_security_policy(org, aurora, live_server, browser_page):
    """Issue 7 §2: with the policy on, the home page, a client card with its chart, the radar
    with its Pareto chart, the language switch and the API docs work, and the browser reports no
    violation and no console error."""
    page = browser_page
    base = live_server.url
    errors = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"{m.location.get('url')}: {m.text}")
            # The admin and Swagger UI link no icon, so the browser asks for /favicon.ico: a 404.
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.add_init_script(WATCH_CSP)
    seen = {}

    def visit(path, ready):
        response = page.goto(f"{base}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        ready()
        seen[path] = page.evaluate("() => window.__cspViolations")

    _sign_in(page, base, "director")
    visit("/", lambda: page.wait_for_load_state("networkidle"))
    visit(f"/clients/{aurora.pk}/", lambda: None)
    assert _canvas_painted(page, "account-chart") > 1000
    page.wait_for_selector("#why-key *")  # the htmx-loaded panel arrived
    visit("/radar/", lambda: None)
    assert _canvas_painted(page, "radar-pareto") > 1000
    visit("/api/docs", lambda: page.wait_for_selector(".swagger-ui .opblock"))
    visit("/admin/", lambda: page.wait_for_selector("#content"))
    assert {path: v for path, v in seen.items() if v} == {}
    assert errors == []

    # The language switch submits on change: through kam.js, not an inline handler.
    page.goto(f"{base}/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "lv")
    assert page.locator("html").get_attribute("lang") == "lv"
    seen["language"] = page.evaluate("() => window.__cspViolations")

    assert {path: v for path, v in seen.items() if v} == {}
    assert errors == []
