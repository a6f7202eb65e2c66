"""Content-Security-Policy (issue 7 §2): every response carries it, HTML and API alike, and no
template holds the inline code it would make the browser refuse. The browser test
(``test_browser.py``) checks the pages really render under it."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from kam.org.services import api_token_create

pytestmark = pytest.mark.django_db

EXPECTED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "object-src": "'none'",
}


def directives(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


def test_html_pages_carry_the_policy(org, login, client):
    assert directives(client.get("/login/")) == EXPECTED
    assert directives(login(org.kam_anna).get("/clients/")) == EXPECTED
    assert directives(client.get("/api/docs")) == EXPECTED


def test_api_responses_carry_the_policy(org, client):
    _, key = api_token_create(actor=None, user=org.kam_anna, name="csp")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    ok = client.get("/api/clients/", **auth)
    assert ok.status_code == 200
    assert directives(ok) == EXPECTED
    refused = client.get("/api/clients/")
    assert refused.status_code == 401
    assert directives(refused) == EXPECTED


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "script"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "<style> element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_code_the_policy_refuses():
    """script-src/style-src 'self' refuse inline scripts, handlers and styles: a template that
    adds one breaks silently in the browser, so it fails here first."""
    found = []
    for template in sorted(Path(settings.BASE_DIR).rglob("templates/**/*.html")):
        if template.name.endswith("_pdf.html"):
            # A document printed by WeasyPrint (kam/core/documents.py), never served to a
            # browser: its <style> is the page layout of the PDF.
            continue
        text = template.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert found == []
