"""PDF documents (kam/core/documents.py) print in the language asked for."""

import io
from pathlib import Path

from pypdf import PdfReader

from kam.core.documents import pdf_from_template


def test_a_pdf_in_the_language_asked_for(settings):
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [Path(__file__).parent]
    settings.TEMPLATES = templates
    body = pdf_from_template("_document_test.html", {"name": "Ābols SIA"}, language="lv")
    assert body.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(body)).pages[0].extract_text()
    assert "Ābols SIA" in text
    assert "Klients" in text
