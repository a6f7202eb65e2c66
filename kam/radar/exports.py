"""The key-account portfolio as CSV and XLSX (RP-2); the caller decides the filename.

Rows come from ``portfolio.rows`` or, for an export of a whole level, from any iterable of
rows with ``PortfolioRow``'s column attributes (``kam.radar.selectors.export``): the CSV is then
written chunk by chunk as the rows are generated (``portfolio_csv_chunks``), the XLSX with
openpyxl's write-only workbook, neither holding every row at once."""

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from kam.clients.models import Account
from kam.radar.models import Band, Definition
from kam.radar.selectors import (
    LOSS_MAKING,
    NO_OWNER,
    OVER_LIMIT,
    REVIEW_DUE,
    Portfolio,
    PortfolioRow,
)

# What the codes of a row's notes and an alert's kind read as in a file (issue 7 §7: a file
# shows "review due", not "review_due").
FLAG_LABELS = {
    LOSS_MAKING: gettext_lazy("loss-making"),
    NO_OWNER: gettext_lazy("no KAM"),
    OVER_LIMIT: gettext_lazy("KAM over limit"),
    REVIEW_DUE: gettext_lazy("review due"),
}
ALERT_LABELS = {
    Band.MONO: gettext_lazy("Mono client"),
    Band.CRITICAL: gettext_lazy("Critical dependency"),
    NO_OWNER: gettext_lazy("Key account without a KAM"),
    OVER_LIMIT: gettext_lazy("KAM with too many key accounts"),
    REVIEW_DUE: gettext_lazy("Review due"),
}
STATUS_LABELS = dict(Account.Status.choices)

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"): a client named '=HYPERLINK("http://x","y")' would become a live link.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_text(value: str) -> str:
    """Text a spreadsheet shows as text: a leading ``'`` before a formula character."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _label(labels: dict, code: str) -> str:
    return str(labels.get(code, code))


def columns() -> list[tuple[str, Callable[[PortfolioRow], Any]]]:
    """Header and value of each exported column, in order (translated at call time).

    Labels are translated once per call, not once per cell: a file of 100 000 rows would
    otherwise look each one up in the catalogue again (issue 7 §3)."""
    status = {code: str(label) for code, label in STATUS_LABELS.items()}
    bands = {code: str(label) for code, label in Band.choices}
    flags = {code: str(label) for code, label in FLAG_LABELS.items()}
    labels = {code: str(label) for code, label in Definition.choices}
    named: dict[tuple[str, ...], str] = {(): ""}

    def definitions(codes: tuple[str, ...]) -> str:
        text = named.get(codes)
        if text is None:
            text = named[codes] = ", ".join(labels[c] for c in codes)
        return text

    return [
        (_("Client ID"), lambda r: r.account_id),
        (_("Client"), lambda r: r.account_name),
        (_("Status"), lambda r: status.get(r.status, r.status)),
        (_("KAM"), lambda r: r.owner_name),
        (_("Department"), lambda r: r.department_name),
        (_("Income"), lambda r: r.income),
        (_("Turnover"), lambda r: r.turnover),
        (_("Share, %"), lambda r: r.share_pct),
        (_("Dependency"), lambda r: bands[r.band] if r.band else ""),
        (_("Key by"), lambda r: definitions(r.definitions)),
        (_("Suggested"), lambda r: definitions(r.suggestions)),
        (_("ABC"), lambda r: r.abc),
        (_("NPV"), lambda r: r.npv),
        (_("Trend, %"), lambda r: r.trend_pct),
        (_("Wallet"), lambda r: r.wallet),
        (_("Headroom"), lambda r: r.headroom),
        (_("Notes"), lambda r: ", ".join(flags.get(f, f) for f in r.flags) if r.flags else ""),
        # Issue 8 §3: revenue whose lines have no cost; "Income" leaves it out (0: complete).
        (_("Turnover without cost"), lambda r: r.uncosted),
    ]


# Rows per chunk of a streamed CSV: about 100 KB, few enough writes, little held at once.
CSV_CHUNK_ROWS = 1000


def portfolio_csv(portfolio: Portfolio, rows: Iterable | None = None) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Latvian and Russian names."""
    return b"".join(portfolio_csv_chunks(portfolio, rows))


def portfolio_csv_chunks(portfolio: Portfolio, rows: Iterable | None = None) -> Iterator[bytes]:
    """The CSV of ``rows`` (default ``portfolio.rows``) as UTF-8 chunks: the header with the
    byte-order mark first, then ``CSV_CHUNK_ROWS`` rows at a time (a streamed download).

    The header and labels are translated now, in the request's language, not when the server
    iterates the response after the view has returned."""
    cols = columns()
    return _csv_chunks([h for h, _ in cols], [f for _, f in cols], portfolio, rows)


def _csv_chunks(header, getters, portfolio: Portfolio, rows) -> Iterator[bytes]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    yield buf.getvalue().encode("utf-8-sig")
    buf.seek(0)
    buf.truncate()
    n = 0
    for row in portfolio.rows if rows is None else rows:
        writer.writerow([_csv_cell(f(row)) for f in getters])
        n += 1
        if n == CSV_CHUNK_ROWS:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
            n = 0
    if n:
        yield buf.getvalue().encode("utf-8")


_NUMBERS = (int, Decimal)


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, _NUMBERS):
        return value
    if value.__class__ is not str:
        value = str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _xlsx_row(sheet, values) -> list:
    """An XLSX row: numbers as numbers (money stays exact: openpyxl writes Decimal as a
    number), every string typed as a string, never a formula (openpyxl would store a string
    starting with "=" as a live one)."""
    out = []
    for value in values:
        if value is None or isinstance(value, int | Decimal):
            out.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=str(value))
        cell.data_type = "s"
        out.append(cell)
    return out


def portfolio_xlsx(portfolio: Portfolio, rows: Iterable | None = None) -> bytes:
    """Three sheets: the portfolio (``rows``, default ``portfolio.rows``), the concentration
    block, and the alerts."""
    cols = columns()
    getters = [f for _, f in cols]
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Key accounts"))
    sheet.append(
        _xlsx_row(
            sheet,
            [
                _("Level"),
                portfolio.level,
                _("As of"),
                portfolio.as_of.isoformat(),
                _("Period"),
                f"{portfolio.period_start:%Y-%m}..{portfolio.period_end:%Y-%m}",
                _("Basis"),
                portfolio.basis,
                _("Currency"),
                portfolio.currency,
            ],
        )
    )
    sheet.append(_xlsx_row(sheet, [h for h, _ in cols]))
    for row in portfolio.rows if rows is None else rows:
        sheet.append(_xlsx_row(sheet, [f(row) for f in getters]))

    c = portfolio.concentration
    conc = wb.create_sheet(_("Concentration"))
    for label, value in [
        (_("Total"), c.total),
        (_("Clients with positive weight"), c.clients),
        (_("Top 1, %"), c.top1_pct),
        (_("Top 5, %"), c.top5_pct),
        (_("Top 10, %"), c.top10_pct),
        (_("HHI"), c.hhi),
        *[(_("Class %(c)s: clients") % {"c": k}, n) for k, n in c.abc_counts.items()],
        *[(_("Class %(c)s: share, %%") % {"c": k}, p) for k, p in c.abc_pct.items()],
    ]:
        conc.append(_xlsx_row(conc, [label, value]))
    conc.append([])
    conc.append(_xlsx_row(conc, [_("Rank"), _("Clients, %"), _("Cumulative share, %")]))
    for p in c.pareto:
        conc.append([p.rank, p.clients_pct, p.cumulative_pct])

    alerts = wb.create_sheet(_("Alerts"))
    alerts.append(_xlsx_row(alerts, [_("Kind"), _("Message"), _("Client"), _("KAM")]))
    for a in portfolio.alerts:
        row = [_label(ALERT_LABELS, a.kind), a.message, a.account_name, a.user_name]
        alerts.append(_xlsx_row(alerts, row))

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
