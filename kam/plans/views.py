"""Pages of plans (SP-1) and plan against fact (SP-2): thin, over the same selectors and
services as the API and the CLI."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.bounds import MAX_ID, as_of_or_today
from kam.core.forms import add_service_errors
from kam.core.selectors import company_settings
from kam.core.tables import table_response
from kam.org.policy import Action, can
from kam.org.selectors import visible_people
from kam.plans import reports, rules, selectors, services
from kam.plans.forms import (
    DrillDownForm,
    PlanFactFilterForm,
    PlanForm,
    PlanImportForm,
    PlanSettingsForm,
)
from kam.plans.selectors import IMPORT_COLUMNS, LEVELS


def _fiscal() -> int:
    return company_settings().fiscal_year_start_month


def _period(code: str | None, today):
    """The period asked for, or this month; Http404 for a code that names none (a read)."""
    if not code:
        return rules.period_containing(today, rules.MONTH, _fiscal())
    try:
        return rules.period_parse(code, _fiscal())
    except rules.PeriodError:
        return None


def _chart(report) -> dict:
    rows = report.rows[:30]

    def values(attr):
        return [
            None
            if getattr(r.results[rules.TURNOVER], attr) is None
            else str(getattr(r.results[rules.TURNOVER], attr))
            for r in rows
        ]

    return {
        "labels": [r.unit.name for r in rows],
        "series": [
            {"name": _("Plan"), "values": values("plan")},
            {"name": _("Fact"), "values": values("fact")},
            {"name": _("Forecast"), "values": values("forecast")},
        ],
        "currency": report.currency,
    }


@login_required
def plan_fact(request):
    user = request.user
    today = timezone.localdate()
    level = request.GET.get("level") or selectors.default_level(user)
    if level not in LEVELS or (level == "company" and not user.sees_everything):
        level = selectors.default_level(user)  # the company is the director's to see
    period = _period(request.GET.get("period"), today)
    units = selectors.unit_choices(user=user, level=level, period=period)
    form = PlanFactFilterForm(request.GET or None, units=units)
    unit, as_of, status = None, today, 200
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"] if level != "company" else None
        as_of = as_of_or_today(form.cleaned_data["as_of"])
    elif form.is_bound and "unit" in form.errors and level != "company":
        raise Http404(_("No such unit."))
    if period is None:
        form.add_error("period", _("Write the period as 2026-11, 2026-Q1 or 2026."))
        period, status = rules.period_containing(today, rules.MONTH, _fiscal()), 400
    form.initial = {"level": level, "as_of": as_of, "period": period.code}
    report = selectors.plan_fact(user=user, level=level, unit_id=unit, period=period, as_of=as_of)
    export = request.GET.get("export")
    if export in {"csv", "xlsx"} and status == 200:
        return table_response(
            export,
            filename=f"plan-fact-{level}-{period.code}-{as_of}",
            header=reports.table_header(report),
            rows=reports.table_rows(report),
            title=_("Plan against fact"),
        )
    measures = reports.shown_measures(report)
    return render(
        request,
        "plans/plan_fact.html",
        {
            "nav": "plans",
            "form": form,
            "report": report,
            "level": level,
            "measures": [(m, reports.measure_label(m)) for m in measures],
            "rows": [(r, [r.results[m] for m in measures]) for r in report.rows],
            "chart": _chart(report),
            "may_set": can(user, Action.PLAN_SET),
            "query": request.GET.urlencode(),
        },
        status=status,
    )


@login_required
def plan_fact_clients(request):
    form = DrillDownForm(request.GET)
    if not form.is_valid():
        return render(request, "plans/clients.html", {"nav": "plans", "form": form}, status=400)
    d = form.cleaned_data
    unit_id = d["unit"]
    if unit_id is not None and unit_id > MAX_ID:
        raise Http404(_("Not found."))
    period = _period(d["period"], timezone.localdate())
    if period is None:
        form.add_error("period", _("Write the period as 2026-11, 2026-Q1 or 2026."))
        return render(request, "plans/clients.html", {"nav": "plans", "form": form}, status=400)
    as_of = as_of_or_today(d["as_of"])
    unit = selectors.plan_unit_get(user=request.user, level=d["level"], unit_id=unit_id)
    rows = selectors.plan_fact_clients(
        user=request.user, unit=unit, period=period, measure=d["measure"], as_of=as_of
    )
    if request.GET.get("export") in {"csv", "xlsx"}:
        return table_response(
            request.GET["export"],
            filename=f"plan-fact-clients-{period.code}-{as_of}",
            header=reports.clients_header(),
            rows=reports.clients_rows(rows),
            title=_("Clients behind the figure"),
        )
    return render(
        request,
        "plans/clients.html",
        {
            "nav": "plans",
            "form": form,
            "unit": unit,
            "period": period,
            "as_of": as_of,
            "measure": d["measure"],
            "measure_label": reports.measure_label(d["measure"]),
            "rows": rows,
            "currency": company_settings().base_currency,
            "query": request.GET.urlencode(),
        },
    )


def _plan_form(user, data=None, initial=None):
    departments = [(d.pk, d.name) for d in selectors.plan_departments(user).order_by("path")]
    people = [(p.pk, str(p)) for p in selectors.plan_people(user)]
    return PlanForm(data, initial=initial, departments=departments, people=people)


def _set_page(request, *, form=None, import_form=None, settings_form=None, status=200):
    user = request.user
    if not can(user, Action.PLAN_SET):
        raise PermissionDenied(
            _("Only the director, a head of department or a regional manager may set plans.")
        )
    today = timezone.localdate()
    period = _period(request.GET.get("period"), today) or rules.period_containing(
        today, rules.MONTH, _fiscal()
    )
    report_rows = selectors.plans_visible(user=user, period=period)
    may_settings = can(user, Action.PLAN_SETTINGS_EDIT)
    settings = selectors.plan_settings()
    return render(
        request,
        "plans/set.html",
        {
            "nav": "plans",
            "period": period,
            "form": form or _plan_form(user, initial={"period": period.code}),
            "import_form": import_form or PlanImportForm(),
            "settings_form": settings_form
            or (
                PlanSettingsForm(
                    initial={
                        "plans_income": settings.plans_income,
                        "active_min_documents": settings.active_min_documents,
                        "active_min_turnover": settings.active_min_turnover,
                    }
                )
                if may_settings
                else None
            ),
            "plans": report_rows,
            "columns": IMPORT_COLUMNS,
            "currency": company_settings().base_currency,
        },
        status=status,
    )


@login_required
def plan_set_page(request):
    if request.method != "POST":
        return _set_page(request)
    user = request.user
    form = _plan_form(user, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            department = person = None
            if d["level"] == "department":
                if d["department"] is None:
                    raise ValidationError({"department": _("Choose the department.")})
                department = selectors.plan_departments(user).filter(pk=d["department"]).first()
                if department is None:
                    raise Http404(_("Not found."))
            elif d["level"] == "person":
                if d["person"] is None:
                    raise ValidationError({"person": _("Choose the person.")})
                person = visible_people(user).filter(pk=d["person"]).first()
                if person is None:
                    raise Http404(_("Not found."))
            plan = services.plan_set(
                actor=user,
                period=d["period"],
                level=d["level"],
                department=department,
                person=person,
                turnover=d["turnover"],
                income=d["income"],
                active_clients=d["active_clients"],
                new_clients=d["new_clients"],
                confirm_over=d["confirm_over"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if plan.over:
                messages.warning(
                    request,
                    _("Saved, but the split exceeds the parent's plan: %(over)s.")
                    % {
                        "over": ", ".join(
                            f"{reports.measure_label(m)} +{v}" for m, v in plan.over.items()
                        )
                    },
                )
            else:
                messages.success(request, _("Plan saved: %(plan)s.") % {"plan": plan})
            code = rules.Period(plan.kind, plan.starts_on, _fiscal()).code
            return redirect(f"{reverse('plans:set')}?period={code}")
    return _set_page(request, form=form, status=422)


@login_required
@require_POST
def plans_import(request):
    form = PlanImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            n = services.plans_import_xlsx(
                actor=request.user,
                file=form.cleaned_data["file"],
                confirm_over=form.cleaned_data["confirm_over"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)d plans imported.") % {"n": n})
            return redirect("plans:set")
    return _set_page(request, import_form=form, status=422)


@login_required
@require_POST
def plan_settings_edit(request):
    form = PlanSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.plan_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Plan rules saved."))
            return redirect("plans:set")
    return _set_page(request, settings_form=form, status=422)


@login_required
def plans_export(request):
    today = timezone.localdate()
    period = _period(request.GET.get("period"), today)
    if period is None:
        raise Http404(_("No such period."))
    fmt = request.GET.get("format", "xlsx")
    return table_response(
        fmt,
        filename=f"plans-{period.code}",
        header=IMPORT_COLUMNS,
        rows=selectors.plans_export_rows(user=request.user, period=period),
        title=_("Plans"),
    )
