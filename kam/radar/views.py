"""HTML views of the key-account radar: the portfolio page, its downloads, the criteria page,
the "why key" panel and the evidence a KAM records from it."""

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import push_url

from kam.clients.models import Account
from kam.clients.selectors import account_get
from kam.core.bounds import clamp_page
from kam.core.cache_versions import cached, scope_key
from kam.core.forms import add_service_errors
from kam.core.selectors import audit_for
from kam.org.policy import Action, can, require
from kam.radar import exports, services
from kam.radar.forms import (
    SCOPE_FIELDS,
    ConsultationForm,
    KeyFlagForm,
    PartnerDisclosureForm,
    RadarFilterForm,
    RadarSettingsForm,
    ReferenceCaseForm,
    WalletEstimateForm,
    default_month,
    month_end,
)
from kam.radar.models import MANUAL_DEFINITIONS, Band, Definition, Level, RadarSettings
from kam.radar.selectors import (
    NO_OWNER,
    OVER_LIMIT,
    REVIEW_DUE,
    Portfolio,
    key_history,
    latest_wallet,
    radar_portfolio,
    radar_settings,
    why_key,
)
from kam.radar.selectors.export import RadarExport, radar_export

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
# The same words on the page as in its files.
ALERT_TITLES = exports.ALERT_LABELS
FLAG_LABELS = exports.FLAG_LABELS
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


def _portfolio(request, data, *, page: int | None = None) -> tuple[RadarFilterForm, Portfolio]:
    """The radar as the filters say: one page of rows (``page``), or every matching row."""
    form = RadarFilterForm(data or None, user=request.user)
    kwargs = {**form.scope(), **form.filters()}
    if page is None:
        return form, radar_portfolio(user=request.user, **kwargs)
    portfolio = _cached_portfolio(request.user, offset=(page - 1) * PAGE_SIZE, **kwargs)
    if page > 1 and portfolio.offset >= portfolio.count:  # past the end: show the last page
        last = max(1, -(-portfolio.count // PAGE_SIZE))
        portfolio = _cached_portfolio(request.user, offset=(last - 1) * PAGE_SIZE, **kwargs)
    return form, portfolio


def _cached_portfolio(user, **kwargs) -> Portfolio:
    """One page of the radar, cached under the reader's scope, the question and the data
    version (``kam.core.cache_versions``): any committed write makes a new one (issue 7 §3)."""
    parts = (
        scope_key(user),
        "radar",
        *sorted((k, repr(getattr(v, "pk", v))) for k, v in kwargs.items()),
    )
    return cached(parts, lambda: radar_portfolio(user=user, limit=PAGE_SIZE, **kwargs))


class _Window(Sequence):
    """The matching rows as a paginator sees them: all of them counted, one page fetched."""

    def __init__(self, portfolio: Portfolio):
        self.portfolio = portfolio

    def __len__(self) -> int:
        return self.portfolio.count

    def __getitem__(self, index):
        if isinstance(index, slice) and (index.start or 0) == self.portfolio.offset:
            return list(self.portfolio.rows)
        raise IndexError("only the page fetched can be read")


def _page_number(value) -> int:
    # ``clamp_page``: 9223372036854775807 would be an offset no database takes (issue 7 §2).
    try:
        return clamp_page(int(value))
    except (TypeError, ValueError):
        return 1


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


def _npv_note(s: RadarSettings) -> str:
    """The NPV's assumptions in one sentence (KC-12): the cap is the NPV's, not the trend's."""
    return _(
        "NPV: the last 12 months' income projected over %(years)s years at the client's trend, "
        "capped at ±%(cap)s %% a year, discounted at %(rate)s %% a year. Trend: the growth as "
        "measured, last 12 months against the 12 before (marked * where the NPV's cap applies)."
    ) % {
        "years": s.npv_horizon_years,
        "cap": _plain_pct(s.npv_growth_cap_pct),
        "rate": _plain_pct(s.npv_rate_pct),
    }


def _plain_pct(value) -> str:
    return number_format(Decimal(value).normalize(), use_l10n=True)


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
    form, portfolio = _portfolio(request, data, page=_page_number(data.get("page")))
    page = Paginator(_Window(portfolio), PAGE_SIZE).page(portfolio.offset // PAGE_SIZE + 1)
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
        "npv_note": _npv_note(portfolio.settings),
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


def _download(response, extension: str, portfolio):
    filename = f"key-accounts-{portfolio.level}-{portfolio.as_of:%Y-%m}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export(request) -> RadarExport:
    """Every row the page's filters match, built in bulk (issue 7 §3)."""
    form = RadarFilterForm(request.GET or None, user=request.user)
    return radar_export(user=request.user, **form.scope(), **form.filters())


@login_required
def export_csv_view(request):
    """The rows the page shows with the same filters, all pages (RP-2), streamed as they are
    generated: the first bytes leave before the last row is built."""
    export = _export(request)
    chunks = exports.portfolio_csv_chunks(export.portfolio, export.rows)
    response = StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8")
    return _download(response, "csv", export.portfolio)


@login_required
def export_xlsx_view(request):
    export = _export(request)
    content = exports.portfolio_xlsx(export.portfolio, export.rows)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _download(HttpResponse(content, content_type=xlsx), "xlsx", export.portfolio)


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


# The record forms of the "why key" panel: prefix -> form class. The prefix keeps the ids of
# five forms on one card apart and names the form in POST data.
RECORD_FORMS = {
    "flag": KeyFlagForm,
    "wallet": WalletEstimateForm,
    "case": ReferenceCaseForm,
    "partner": PartnerDisclosureForm,
    "consult": ConsultationForm,
}


def _record_forms(user, bound=None) -> dict:
    """A fresh form per kind, except ``bound`` (the one just posted, with its errors)."""
    forms = {}
    for prefix, form_class in RECORD_FORMS.items():
        if bound is not None and bound.prefix == prefix:
            forms[prefix] = bound
            continue
        kwargs = {"user": user} if form_class is KeyFlagForm else {}
        forms[prefix] = form_class(prefix=prefix, **kwargs)
    return forms


def _why_context(request, account: Account, bound=None, done: str = "") -> dict:
    as_of = month_end(default_month(request.user))  # the radar page's default, so both agree
    evidence = why_key(user=request.user, account=account, as_of=as_of)
    applied = []
    for e in evidence:
        if not e.suggested and e.definition not in applied:
            applied.append(e.definition)
    history = [
        {"change": ch, "kind": HISTORY_KINDS.get(ch.kind, ch.kind), "level": Level(ch.level).label}
        for ch in key_history(user=request.user, account=account)
    ]
    return {
        "nav": "clients",
        "account": account,
        "as_of": as_of,
        "items": _evidence_items(evidence),
        "applied": [(d, Definition(d).label) for d in applied],
        "manual": set(MANUAL_DEFINITIONS),
        "history": history,
        "forms": _record_forms(request.user, bound),
        "open_form": bound.prefix if bound is not None else "",
        "wallet": latest_wallet(user=request.user, account=account),
        "done": done,
        # The policy decides whether the record forms and the mark buttons are shown.
        "may_record": can(request.user, Action.KEY_EVIDENCE_RECORD, account),
    }


def _render_why(request, context: dict):
    template = "radar/why.html"
    if _wants_fragment(request):
        template += "#panel"
    return render(request, template, context)


@login_required
def why_key_panel(request, account_pk: int):
    """Why a client is key (KC-9): every definition with its evidence, then its history, then
    forms to record more. The client card loads it with htmx; a plain GET gets it as a page.
    404 alike for a missing client and one the user may not see (SE-1)."""
    account = account_get(user=request.user, pk=account_pk)
    return _render_why(request, _why_context(request, account))


def _record(request, account_pk: int, prefix: str, write: Callable, done: str):
    """Validate the posted form, call the service, answer with the refreshed panel (htmx) or
    back to the client card. The service checks scope again and writes the audit entry."""
    account = account_get(user=request.user, pk=account_pk)
    require(request.user, Action.KEY_EVIDENCE_RECORD, account)  # 403 before the form is read
    form_class = RECORD_FORMS[prefix]
    kwargs = {"user": request.user} if form_class is KeyFlagForm else {}
    form = form_class(request.POST, prefix=prefix, **kwargs)
    if form.is_valid():
        try:
            write(account, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not _wants_fragment(request):
                messages.success(request, done)
                return redirect("clients:detail", account.pk)
            return _render_why(request, _why_context(request, account, done=done))
    return _render_why(request, _why_context(request, account, bound=form))


@login_required
@require_POST
def flag_set_view(request, account_pk: int):
    """KC-5..KC-8: mark the client key by hand, or renew the mark; confirming a suggestion is
    the same post with only the definition."""

    def write(account, data):
        services.key_flag_set(actor=request.user, account=account, **data)

    return _record(request, account_pk, "flag", write, _("Marked key."))


@login_required
@require_POST
def flag_clear_view(request, account_pk: int, definition: str):
    if definition not in MANUAL_DEFINITIONS:
        raise Http404("No such definition.")
    account = account_get(user=request.user, pk=account_pk)
    services.key_flag_clear(actor=request.user, account=account, definition=definition)
    done = _("Mark withdrawn.")
    if not _wants_fragment(request):
        messages.success(request, done)
        return redirect("clients:detail", account.pk)
    return _render_why(request, _why_context(request, account, done=done))


@login_required
@require_POST
def wallet_record_view(request, account_pk: int):
    def write(account, data):
        services.wallet_estimate_record(actor=request.user, account=account, **data)

    return _record(request, account_pk, "wallet", write, _("Wallet estimate recorded."))


@login_required
@require_POST
def reference_case_record_view(request, account_pk: int):
    def write(account, data):
        services.reference_case_record(actor=request.user, account=account, **data)

    return _record(request, account_pk, "case", write, _("Reference case recorded."))


@login_required
@require_POST
def partner_disclosure_record_view(request, account_pk: int):
    def write(account, data):
        services.partner_disclosure_record(actor=request.user, account=account, **data)

    return _record(request, account_pk, "partner", write, _("Disclosure recorded."))


@login_required
@require_POST
def consultation_record_view(request, account_pk: int):
    def write(account, data):
        services.competence_consultation_record(actor=request.user, account=account, **data)

    return _record(request, account_pk, "consult", write, _("Consultation recorded."))


# --- the criteria page (KC-1..KC-4, KC-8, KC-11..KC-13) ----------------------------------------


def _shown(field, value) -> str:
    """An audited value as the page shows it: a choice by its label, 10.000 as 10."""
    if value is None or value == "":
        return "—"
    choices = dict(getattr(field, "choices", None) or ())
    if value in choices:
        return str(choices[value])
    try:
        return f"{Decimal(str(value)).normalize():f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _settings_history(settings: RadarSettings) -> list[dict]:
    fields = {f.name: f for f in RadarSettings._meta.concrete_fields}
    out = []
    for entry in audit_for(settings):
        lines = []
        for name, change in (entry.changes or {}).items():
            field = fields.get(name)
            old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
            lines.append(
                {
                    "label": field.verbose_name if field else name,
                    "old": _shown(field, old),
                    "new": _shown(field, new),
                }
            )
        out.append({"entry": entry, "lines": lines})
    return out


@login_required
def settings_view(request):
    """The radar's criteria: everyone signed in reads them, a director or administrator saves
    them (403 for others). A save from a form opened before someone else's save is refused
    (``version``), so no change is lost silently."""
    current = radar_settings()
    may_edit = can(request.user, Action.RADAR_SETTINGS_EDIT)
    if request.method == "POST":
        require(request.user, Action.RADAR_SETTINGS_EDIT)
        form = RadarSettingsForm(request.POST, instance=current)
        if form.is_valid():
            try:
                services.radar_settings_update(
                    actor=request.user,
                    expected_version=form.cleaned_data["version"],
                    **form.changes(),
                )
            except services.SettingsConflict as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The criteria are saved."))
                return redirect("radar:settings")
        current.refresh_from_db()  # the form changed the instance; the history is the row's
    else:
        form = RadarSettingsForm(instance=current, editable=may_edit)
    context = {
        "nav": "radar",
        "form": form,
        "may_edit": may_edit,
        "settings": current,
        "history": _settings_history(current),
    }
    return render(request, "radar/settings.html", context)
