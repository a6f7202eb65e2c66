"""Content-Security-Policy on every response (issue 7 §2).

KAM loads nothing from elsewhere and runs no inline code: scripts and styles come from its own
static files, charts read their data from ``json_script`` blocks (data, not code, so the policy
does not apply), htmx's injected indicator ``<style>`` is switched off in ``base.html``. A page
that slips in an inline ``<script>``, ``style="…"`` or ``onchange="…"`` is then refused by the
browser, which the browser test (``kam/web/tests/test_browser.py``) reports as a violation.
"""

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; "
    "form-action 'self'; object-src 'none'"
)
HEADER = "Content-Security-Policy"


class ContentSecurityPolicyMiddleware:
    """Add the policy unless a view set its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault(HEADER, POLICY)
        return response
