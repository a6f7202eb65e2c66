"""The reconciliation statement and the ageing as documents: a PDF for the client to sign,
XLSX and CSV tables, and plain dicts for JSON (the API and the CLI print the same)."""

from django.utils import translation
from django.utils.translation import gettext as _

from kam.core.documents import pdf_from_template
from kam.core.selectors import company_settings
from kam.core.tables import table_csv, table_xlsx
from kam.receivables.ageing import BUCKETS, Ageing
from kam.receivables.selectors import AgeingReport
from kam.receivables.statement import Statement


def statement_dict(s: Statement) -> dict:
    return {
        "client_id": s.account_id,
        "client": s.account_name,
        "registration_number": s.registration_number,
        "date_from": s.date_from,
        "date_to": s.date_to,
        "currency": s.currency,
        "opening": s.opening,
        "movements": [
            {
                "date": m.on,
                "kind": m.kind,
                "document_number": m.document_number,
                "reference": m.reference,
                "amount": m.amount,
                "balance": m.balance,
            }
            for m in s.movements
        ],
        "closing": s.closing,
    }


def statement_pdf(s: Statement, *, language: str | None = None) -> bytes:
    """A page for the client to sign, in ``language`` (default: the company's, LANGUAGE_CODE)."""
    from django.conf import settings

    language = language or settings.LANGUAGE_CODE
    return pdf_from_template(
        "receivables/statement_pdf.html",
        {"s": s, "company": company_settings()},
        language=language,
    )


def _statement_rows(s: Statement) -> list[list]:
    rows = [[s.date_from, _("Opening balance"), "", "", None, s.opening]]
    for m in s.movements:
        rows.append([m.on, m.kind_label, m.document_number, m.reference, m.amount, m.balance])
    rows.append([s.date_to, _("Closing balance"), "", "", None, s.closing])
    return rows


def statement_xlsx(s: Statement, *, language: str | None = None) -> bytes:
    from django.conf import settings

    with translation.override(language or settings.LANGUAGE_CODE):
        header = [
            _("Date"),
            _("Movement"),
            _("Document"),
            _("Reference"),
            _("Amount"),
            _("Balance"),
        ]
        return table_xlsx(header, _statement_rows(s), title=_("Statement"))


def bucket_labels() -> dict[str, str]:
    return {
        "current": _("Current"),
        "d1_30": _("1-30 days"),
        "d31_60": _("31-60 days"),
        "d61_90": _("61-90 days"),
        "over_90": _("Over 90 days"),
    }


def ageing_dict(a: Ageing) -> dict:
    return {
        **a.buckets(),
        "total": a.total,
        "overdue": a.overdue,
        "credits": a.credits,
        "balance": a.balance,
        "oldest_due": a.oldest_due,
    }


def report_dict(r: AgeingReport) -> dict:
    return {
        "level": r.level,
        "unit_id": r.unit_id,
        "unit_name": r.unit_name,
        "as_of": r.as_of,
        "currency": r.currency,
        "total": ageing_dict(r.total),
        "rows": [
            {"kind": x.key, "id": x.id, "name": x.name, **ageing_dict(x.ageing)} for x in r.rows
        ],
    }


def report_header() -> list[str]:
    labels = bucket_labels()
    return [
        _("Name"),
        *[labels[b] for b in BUCKETS],
        _("Open invoices"),
        _("Unallocated credits"),
        _("Balance"),
    ]


def report_rows(r: AgeingReport) -> list[list]:
    def line(name, a: Ageing):
        return [name, *[a.buckets()[b] for b in BUCKETS], a.total, a.credits, a.balance]

    return [*(line(x.name, x.ageing) for x in r.rows), line(_("Total"), r.total)]


def report_csv(r: AgeingReport) -> bytes:
    return table_csv(report_header(), report_rows(r))
