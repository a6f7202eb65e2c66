"""The key-account portfolio as CSV and XLSX bytes (RP-2); the caller decides the filename."""

import csv
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from kam.radar.models import Band, Definition
from kam.radar.selectors import Portfolio, PortfolioRow


def _definitions(codes) -> str:
    return ", ".join(str(Definition(c).label) for c in codes)


def columns() -> list[tuple[str, Callable[[PortfolioRow], Any]]]:
    """Header and value of each exported column, in order (translated at call time)."""
    return [
        (_("Client ID"), lambda r: r.account_id),
        (_("Client"), lambda r: r.account_name),
        (_("Status"), lambda r: r.status),
        (_("KAM"), lambda r: r.owner_name),
        (_("Department"), lambda r: r.department_name),
        (_("Income"), lambda r: r.income),
        (_("Turnover"), lambda r: r.turnover),
        (_("Share, %"), lambda r: r.share_pct),
        (_("Dependency"), lambda r: str(Band(r.band).label) if r.band else ""),
        (_("Key by"), lambda r: _definitions(r.definitions)),
        (_("Suggested"), lambda r: _definitions(r.suggestions)),
        (_("ABC"), lambda r: r.abc),
        (_("NPV"), lambda r: r.npv),
        (_("Trend, %"), lambda r: r.trend_pct),
        (_("Wallet"), lambda r: r.wallet),
        (_("Headroom"), lambda r: r.headroom),
        (_("Notes"), lambda r: ", ".join(r.flags)),
    ]


def portfolio_csv(portfolio: Portfolio) -> bytes:
    """UTF-8 with a byte-order mark, so spreadsheet programs read Latvian and Russian names."""
    cols = columns()
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([h for h, _ in cols])
    for row in portfolio.rows:
        writer.writerow(["" if (v := f(row)) is None else v for _, f in cols])
    return buf.getvalue().encode("utf-8-sig")


def _cell(value):
    # Keep money exact in the file: openpyxl writes Decimal as a number.
    return value if value is None or isinstance(value, int | Decimal) else str(value)


def portfolio_xlsx(portfolio: Portfolio) -> bytes:
    """Three sheets: the portfolio, the concentration block, and the alerts."""
    cols = columns()
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet(_("Key accounts"))
    sheet.append(
        [
            _("Level"),
            str(portfolio.level),
            _("As of"),
            portfolio.as_of.isoformat(),
            _("Period"),
            f"{portfolio.period_start:%Y-%m}..{portfolio.period_end:%Y-%m}",
            _("Basis"),
            portfolio.basis,
            _("Currency"),
            portfolio.currency,
        ]
    )
    sheet.append([h for h, _ in cols])
    for row in portfolio.rows:
        sheet.append([_cell(f(row)) for _, f in cols])

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
        conc.append([label, _cell(value)])
    conc.append([])
    conc.append([_("Rank"), _("Clients, %"), _("Cumulative share, %")])
    for p in c.pareto:
        conc.append([p.rank, p.clients_pct, p.cumulative_pct])

    alerts = wb.create_sheet(_("Alerts"))
    alerts.append([_("Kind"), _("Message"), _("Client"), _("KAM")])
    for a in portfolio.alerts:
        alerts.append([a.kind, a.message, a.account_name, a.user_name])

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
