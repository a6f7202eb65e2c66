"""HTML views of the key-account radar: the portfolio page, its downloads, the "why key" panel."""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.http import push_url

from kam.clients.selectors import account_get
from kam.radar import exports
from kam.radar.forms import SCOPE_FIELDS, RadarFilterForm, default_month, month_end
from kam.radar.models import Band, Definition, Level
from kam.radar.selectors import (
    LOSS_MAKING,
    NO_OWNER,
    OVER_LIMIT,
    REVIEW_DUE,
    Portfolio,
    key_history,
    radar_portfolio,
    why_key,
)

PAGE_SIZE = 100

# How loud each alert is on screen (KC-3 bands first, then the assignment rule KC-11).
ALERT_TONES = {
    Band.MONO: "danger",
    Band.CRITICAL: "warn",
    NO_OWNER: "danger",
    OVER_LIMIT: "warn",
    REVIEW_DUE: "info",
}
ALERT_ORDER = [Band.MONO, Band.CRITICAL, NO_OWNER, OVER_LIMIT, REVIEW_DUE]
ALERT_TITLES = {
    Band.MONO: gettext_lazy("Mono client"),
    Band.CRITICAL: gettext_lazy("Critical dependency"),
    NO_OWNER: gettext_lazy("Key account without a KAM"),
    OVER_LIMIT: gettext_lazy("KAM with too many key accounts"),
    REVIEW_DUE: gettext_lazy("Review due"),
}
FLAG_LABELS = {
    LOSS_MAKING: gettext_lazy("loss-making"),
    NO_OWNER: gettext_lazy("no KAM"),
    OVER_LIMIT: gettext_lazy("KAM over limit"),
    REVIEW_DUE: gettext_lazy("review due"),
}
HISTORY_KINDS = {
    "became_key": gettext_lazy("Became key"),
    "dropped_out": gettext_lazy("Dropped out"),
    "definitions_changed": gettext_lazy("Definitions changed"),
    "crossed_critical": gettext_lazy("Crossed the critical limit"),
    "crossed_mono": gettext_lazy("Became a mono client"),
    "fell_below_critical": gettext_lazy("Fell below the critical limit"),
    "fell_below_mono": gettext_lazy("No longer a mono client"),
}
# Record kinds the engine uses as codes; "buyer 1 of 9 of ..." says enough on its own.
RECORD_KINDS = {"competitor": gettext_lazy("Competitor"), "first_purchase": ""}


def _wants_fragment(request) -> bool:
    # A history restore (back button after the cache expired) needs the whole page.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _portfolio(request, data) -> tuple[RadarFilterForm, Portfolio, list]:
    form = RadarFilterForm(data or None, user=request.user)
    portfolio = radar_portfolio(user=request.user, **form.scope())
    return form, portfolio, form.rows(portfolio.rows)


def _pareto_chart(portfolio: Portfolio) -> dict:
    """The Pareto curve for Chart.js: share of clients (x) against cumulative share (y)."""
    c = portfolio.concentration
    return {
        "points": [{"x": "0", "y": "0", "rank": 0}]
        + [{"x": str(p.clients_pct), "y": str(p.cumulative_pct), "rank": p.rank} for p in c.pareto],
        "a_pct": str(portfolio.settings.abc_a_pct),
        "names": {
            "curve": _("Cumulative share"),
            "even": _("Even spread"),
            "x": _("Share of clients, %"),
            "y": _("Share of %(basis)s, %%") % {"basis": _basis_word(portfolio.basis)},
            "tooltip": _("top %(rank)s clients (%(clients)s %%) bring %(share)s %%"),
        },
    }


def _basis_word(basis: str) -> str:
    return _("income") if basis == "income" else _("turnover")


def _alerts(portfolio: Portfolio) -> list[dict]:
    def rank(alert):
        return ALERT_ORDER.index(alert.kind) if alert.kind in ALERT_ORDER else len(ALERT_ORDER)

    return [
        {
            "alert": a,
            "tone": ALERT_TONES.get(a.kind, "info"),
            "title": ALERT_TITLES.get(a.kind, ""),
        }
        for a in sorted(portfolio.alerts, key=rank)
    ]


def _table_lines(rows) -> list[dict]:
    """Each row of a page with its badges: (definition, label, suggested?) and its flags."""
    labels = dict(Definition.choices)
    bands = dict(Band.choices)

    def label(r, d):
        # The dependency badge names its band: a mono client reads louder than a critical one.
        return bands[r.band] if d == Definition.DEPENDENCY and r.band else labels[d]

    return [
        {
            "row": r,
            "badges": [(d, label(r, d), False) for d in r.definitions]
            + [(d, labels[d], True) for d in r.suggestions],
            "flags": [FLAG_LABELS[f] for f in r.flags if f in FLAG_LABELS],
        }
        for r in rows
    ]


@login_required
def portfolio_view(request):
    """Key accounts at a level (KC-10), scoped by SE-1. htmx requests get a fragment: the table
    when a filter changes, the whole radar block when the level, unit or month does (alerts,
    concentration and unit choices depend on them)."""
    data = request.GET.copy()
    fragment = _wants_fragment(request)
    trigger = request.htmx.trigger_name if fragment else None
    if trigger == "level":
        data.pop("unit", None)  # a department id means nothing at manager level
    if trigger in SCOPE_FIELDS:
        data.pop("page", None)
    form, portfolio, rows = _portfolio(request, data)
    page = Paginator(rows, PAGE_SIZE).get_page(data.get("page"))
    level = portfolio.level
    context = {
        "nav": "radar",
        "form": form,
        "portfolio": portfolio,
        "level_label": Level(level).label,
        "basis_word": _basis_word(portfolio.basis),
        "page": page,
        "lines": _table_lines(page.object_list),
        "sort": form.sort_key(),
        "alerts": _alerts(portfolio),
        "conc": portfolio.concentration,
        "pareto": _pareto_chart(portfolio),
        "show_owner_filter": level != Level.MANAGER,
        "params": data,
    }
    template = "radar/portfolio.html"
    if trigger in SCOPE_FIELDS:
        template += "#page"
    elif fragment:
        template += "#table"
    response = render(request, template, context)
    if trigger == "level":
        push_url(response, f"{request.path}?{data.urlencode()}")
    patch_vary_headers(response, ("HX-Request", "HX-Trigger-Name"))
    return response


def _download(content: bytes, extension: str, content_type: str, portfolio) -> HttpResponse:
    filename = f"key-accounts-{portfolio.level}-{portfolio.as_of:%Y-%m}.{extension}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def export_csv_view(request):
    """The rows the page shows with the same filters, all pages (RP-2)."""
    _form, portfolio, rows = _portfolio(request, request.GET)
    shown = _with_rows(portfolio, rows)
    return _download(exports.portfolio_csv(shown), "csv", "text/csv; charset=utf-8", shown)


@login_required
def export_xlsx_view(request):
    _form, portfolio, rows = _portfolio(request, request.GET)
    shown = _with_rows(portfolio, rows)
    return _download(
        exports.portfolio_xlsx(shown),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        shown,
    )


def _with_rows(portfolio: Portfolio, rows: list) -> Portfolio:
    return replace(portfolio, rows=tuple(rows))


def _evidence_items(evidence) -> list[dict]:
    """One item per definition: the level-bound ones (amount, share, dependency) gather their
    company, department and manager lines; each manual one keeps its own records and dates."""
    items: list[dict] = []
    for e in evidence:
        entry = {"e": e, "level_label": Level(e.level).label if e.level else ""}
        last = items[-1] if items else None
        if e.level and last and last["level_bound"] and last["definition"] == e.definition:
            last["entries"].append(entry)
            continue
        items.append(
            {
                "definition": e.definition,
                "label": Definition(e.definition).label if e.level else e.label,
                "level_bound": bool(e.level),
                "e": e,
                "entries": [entry],
                "records": [{"r": r, "kind": RECORD_KINDS.get(r.kind, r.kind)} for r in e.records],
            }
        )
    return items


@login_required
def why_key_panel(request, account_pk: int):
    """Why a client is key (KC-9): every definition with its evidence, then its history.
    The client card loads it with htmx; a plain GET gets it as a page. 404 alike for a missing
    client and one the user may not see (SE-1)."""
    account = account_get(user=request.user, pk=account_pk)
    as_of = month_end(default_month(request.user))  # the radar page's default, so both agree
    evidence = why_key(user=request.user, account=account, as_of=as_of)
    items = _evidence_items(evidence)
    applied = []
    for e in evidence:
        if not e.suggested and e.definition not in applied:
            applied.append(e.definition)
    history = [
        {"change": ch, "kind": HISTORY_KINDS.get(ch.kind, ch.kind), "level": Level(ch.level).label}
        for ch in key_history(user=request.user, account=account)
    ]
    context = {
        "nav": "clients",
        "account": account,
        "as_of": as_of,
        "items": items,
        "applied": [(d, Definition(d).label) for d in applied],
        "history": history,
    }
    template = "radar/why.html"
    if _wants_fragment(request):
        template += "#panel"
    return render(request, template, context)
