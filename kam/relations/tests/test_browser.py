"""In a real browser, under the Content-Security-Policy: the influence map is drawn by
Cytoscape from the page's data, and the page raises no policy violation and no script error."""

from pathlib import Path

import pytest

from kam.clients.services import contact_create
from kam.relations.services import profile_update, relation_add
from kam.testing import PASSWORD, make_account

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium"),
]


@pytest.fixture
def hospital(org):
    account = make_account(owner=org.kam_anna, legal_name="Aurora Hospital SIA")
    head = contact_create(
        actor=None,
        account=account,
        first_name="Ilze",
        last_name="Head",
        decision_role="decision_maker",
    )
    deputy = contact_create(actor=None, account=account, first_name="Juris", last_name="Deputy")
    profile_update(actor=org.kam_anna, contact=head, is_vip=True, loyalty_company=5)
    relation_add(actor=org.kam_anna, from_person=deputy, to_person=head, kind="reports_to")
    return account, head


def test_the_map_is_drawn_under_the_policy(org, hospital, live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    account, _head = hospital
    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.add_init_script(WATCH)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "kam_anna")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/relations/clients/{account.pk}/map/")
        page.wait_for_selector("#relations-map canvas")
        nodes = page.evaluate(
            "() => Array.from(document.querySelectorAll('#relations-map canvas')).length"
        )
        assert nodes >= 1
        assert page.evaluate("() => window.__csp") == []
        assert errors == []
        browser.close()
