"""A pay statement as a document: a plain dict (the API and ``kam pay statement --format
json`` print the same), a PDF (``pay/statement_pdf.html``) and an XLSX sheet."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core.documents import pdf_from_template
from kam.core.selectors import company_settings
from kam.core.tables import table_xlsx
from kam.pay.models import PayStatement
from kam.pay.selectors import statement_lines

MEASURE_LABELS = {
    "turnover": gettext_lazy("Sales volume (turnover)"),
    "income": gettext_lazy("Income (margin)"),
    "active_clients": gettext_lazy("Active client base"),
    "new_clients": gettext_lazy("New clients"),
}


def _who(user) -> str:
    return str(user) if user else ""


def plan_rows(statement: PayStatement) -> list[dict]:
    """The plan results the cuts were read from, in the measures' order."""
    out = []
    for measure, label in MEASURE_LABELS.items():
        r = statement.plan_results.get(measure)
        if r is not None:
            out.append({"measure": measure, "label": str(label), **r})
    return out


def line_dict(line) -> dict:
    return {
        "kind": line.kind,
        "client_id": line.account_id,
        "client": line.account.legal_name if line.account_id else "",
        "document": line.document,
        "returned_sale": line.original_document,
        "corrects_statement": line.adjusts_id,
        "date": line.date,
        "category": line.category.name if line.category_id else "",
        "amount": line.amount,
        "basis_amount": line.basis_amount,
        "rate": line.rate,
        "band": line.band,
        "rate_from": line.rate_table,
        "full_commission": line.full_commission,
        "paid_share": line.paid_share,
        "commission": line.commission,
    }


def statement_dict(statement: PayStatement, lines=None) -> dict:
    lines = statement_lines(statement=statement) if lines is None else lines
    return {
        "id": statement.pk,
        "person": statement.person.username,
        "person_name": _who(statement.person),
        "period": statement.period_code,
        "starts_on": statement.starts_on,
        "ends_on": statement.ends_on,
        "as_of": statement.as_of,
        "status": statement.status,
        "scheme": statement.scheme_name,
        "basis": statement.basis,
        "earned_on": statement.earned_on,
        "currency": statement.currency,
        "fixed": statement.fixed,
        "commission": statement.commission,
        "cut_percent": statement.cut_percent,
        "cuts": statement.cuts,
        "adjustments": statement.adjustments,
        "variable": statement.variable,
        "total": statement.total,
        "plan_results": [
            {k: r[k] for k in ("measure", "plan", "fact", "percent", "cut")}
            for r in plan_rows(statement)
        ],
        "computed_at": statement.computed_at,
        "approved_by": _who(statement.approved_by),
        "approved_at": statement.approved_at,
        "locked_by": _who(statement.locked_by),
        "locked_at": statement.locked_at,
        "lines": [line_dict(x) for x in lines],
    }


def statement_pdf(statement: PayStatement, *, language: str | None = None) -> bytes:
    return pdf_from_template(
        "pay/statement_pdf.html",
        {
            "s": statement,
            "lines": list(statement_lines(statement=statement)),
            "plan": plan_rows(statement),
            "company": company_settings(),
        },
        language=language or settings.LANGUAGE_CODE,
    )


def statement_xlsx(statement: PayStatement, *, language: str | None = None) -> bytes:
    with translation.override(language or settings.LANGUAGE_CODE):
        header = [
            _("Kind"),
            _("Date"),
            _("Client"),
            _("Document"),
            _("Amount"),
            _("Basis amount"),
            _("Rate, %"),
            _("Band"),
            _("Paid share"),
            _("Commission"),
        ]
        rows = [
            [
                line.get_kind_display(),
                line.date,
                line.account.legal_name if line.account_id else "",
                line.document + (f" ({line.original_document})" if line.original_document else ""),
                line.amount,
                line.basis_amount,
                line.rate,
                line.band,
                line.paid_share,
                line.commission,
            ]
            for line in statement_lines(statement=statement)
        ]
        rows.append([])
        for r in plan_rows(statement):
            rows.append(
                [
                    _("Plan"),
                    None,
                    r["label"],
                    None,
                    r["plan"],
                    r["fact"],
                    r["percent"],
                    None,
                    None,
                    r["cut"],
                ]
            )
        rows.append([])
        for label, value in (
            (_("Person"), _who(statement.person)),
            (_("Period"), statement.period_code),
            (_("Status"), statement.get_status_display()),
            (_("Fixed part"), statement.fixed),
            (_("Commission"), statement.commission),
            (_("Cut, %"), statement.cut_percent),
            (_("Cuts"), -statement.cuts),
            (_("Adjustments"), statement.adjustments),
            (_("Variable part"), statement.variable),
            (_("Total"), statement.total),
        ):
            rows.append([label, None, None, None, None, None, None, None, None, value])
        return table_xlsx(header, rows, title=_("Pay statement"))
