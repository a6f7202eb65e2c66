"""Plan against fact as plain data: the API's and ``kam plan-fact``'s JSON, the CSV and the
page's table share these."""

from django.utils.translation import gettext as _

from kam.plans import rules
from kam.plans.selectors import ClientFactRow, PlanFactReport, PlanFactRow


def measure_label(measure: str) -> str:
    return {
        rules.TURNOVER: _("Turnover"),
        rules.INCOME: _("Income"),
        rules.ACTIVE_CLIENTS: _("Active clients"),
        rules.NEW_CLIENTS: _("New clients"),
    }[measure]


def shown_measures(report: PlanFactReport) -> list[str]:
    """Income only where the company plans it."""
    return [m for m in rules.MEASURES if m != rules.INCOME or report.plans_income]


def _gaps(gaps) -> dict | None:
    if gaps is None:
        return None
    return {
        m: {
            "parent": g.parent,
            "children": g.children,
            "difference": g.difference,
            "status": g.status,
        }
        for m, g in gaps.items()
    }


def row_dict(row: PlanFactRow) -> dict:
    return {
        "kind": row.unit.level,
        "id": row.unit.id,
        "name": row.unit.name,
        "plan_id": row.plan.pk if row.plan is not None else None,
        "measures": {
            m: {"plan": r.plan, "fact": r.fact, "percent": r.percent, "forecast": r.forecast}
            for m, r in row.results.items()
        },
        "split": _gaps(row.split),
        "parent_split": _gaps(row.parent_split),
    }


def report_dict(report: PlanFactReport) -> dict:
    return {
        "level": report.level,
        "unit_id": report.unit.id if report.unit else None,
        "unit_name": report.unit.name if report.unit else str(_("All")),
        "period": report.period.code,
        "starts_on": report.period.starts_on,
        "ends_on": report.period.ends_on,
        "as_of": report.as_of,
        "currency": report.currency,
        "rows": [row_dict(r) for r in report.rows],
    }


def table_header(report: PlanFactReport) -> list[str]:
    header = [_("Level"), _("Id"), _("Name")]
    for m in shown_measures(report):
        label = measure_label(m)
        header += [
            f"{label}: {_('plan')}",
            f"{label}: {_('fact')}",
            f"{label}: %",
            f"{label}: {_('forecast')}",
        ]
    return header


def table_rows(report: PlanFactReport) -> list[list]:
    out = []
    for row in report.rows:
        cells = [row.unit.level, row.unit.id, row.unit.name]
        for m in shown_measures(report):
            r = row.results[m]
            cells += [r.plan, r.fact, r.percent, r.forecast]
        out.append(cells)
    return out


def clients_header() -> list[str]:
    return [
        _("Client id"),
        _("Client"),
        _("Turnover"),
        _("Income"),
        _("Purchase documents"),
        _("Active"),
        _("New"),
    ]


def clients_rows(rows: list[ClientFactRow]) -> list[list]:
    return [
        [r.account_id, r.name, r.turnover, r.income, r.documents, r.active, r.new] for r in rows
    ]
