"""The week view in a real browser (Debian's chromium through Playwright): seven columns side
by side on a wide screen, the days stacked one under the other on a phone, htmx moving to
the next week, and no Content-Security-Policy violation."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from kam.activity.selectors import week_start_of
from kam.activity.services import activity_plan
from kam.testing import PASSWORD
from kam.web.tests.test_browser import CHROMIUM, CHROMIUM_ARGS, WATCH_CSP

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed"),
]


@pytest.fixture
def planned(org, book):
    monday = week_start_of(timezone.localdate())
    for offset, hour in ((0, 9), (2, 14)):
        activity_plan(
            actor=org.kam_anna,
            account=book.aurora,
            kind="visit",
            starts_at=timezone.make_aware(
                datetime.combine(monday + timedelta(days=offset), time(hour))
            ),
            purpose="Quarterly review",
        )
    return monday


def boxes(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.activity-day')].map(d => {
            const r = d.getBoundingClientRect(); return [Math.round(r.x), Math.round(r.y)]; })"""
    )


def test_week_grid_on_a_wide_screen_and_stacked_on_a_phone(org, planned, live_server, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    base = live_server.url
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(15_000)
        page.add_init_script(WATCH_CSP)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "kam_anna")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/")
        page.goto(f"{base}/schedule/")
        wide = boxes(page)
        assert len(wide) == 7
        assert len({y for _x, y in wide}) == 1  # one row
        assert [x for x, _y in wide] == sorted({x for x, _y in wide})  # Monday on the left
        assert page.locator(".activity-item").count() == 2
        page.set_viewport_size({"width": 375, "height": 800})
        narrow = boxes(page)
        assert len({x for x, _y in narrow}) == 1  # one column
        assert [y for _x, y in narrow] == sorted(y for _x, y in narrow)  # Monday on top
        # the week fits the phone's width, and so does the menu above it: nothing scrolls sideways
        right = page.evaluate(
            "() => document.getElementById('activity-week').getBoundingClientRect().right"
        )
        assert right <= 375
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        page.click("a[rel=next]")
        following = (planned + timedelta(days=7)).isoformat()
        page.wait_for_selector(f"#activity-week[data-week='{following}']")
        assert page.locator(".activity-item").count() == 0
        assert f"week={following}" in page.url
        assert page.evaluate("() => window.__cspViolations") == []
        browser.close()
