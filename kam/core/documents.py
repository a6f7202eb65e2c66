"""Documents for people to sign (a reconciliation statement, a discrepancy act) as PDF.

``pdf_from_template(template, context, language=)`` renders a Django template in the given
language (the company's or the client's, not the reader's browser) and prints it with
WeasyPrint. The template is a whole HTML page with its own ``<style>``; nothing is fetched
over the network (no URL fetcher reaches out: fonts and styles are local)."""

from django.template.loader import render_to_string
from django.utils import translation


def _no_fetch(url: str, *args, **kwargs):
    raise ValueError(f"documents fetch nothing: {url}")


def pdf_from_template(template: str, context: dict, *, language: str | None = None) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs a second

    with translation.override(language or translation.get_language()):
        html = render_to_string(template, context)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
