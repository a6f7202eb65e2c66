"""Pages of returns, refusals and discrepancy acts (OR-4, OR-5): the analysis with its chart
and exports, the managed reasons and their preventive actions, the acts with their PDF."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.bounds import clamp_date, clamp_page
from kam.core.forms import add_service_errors
from kam.core.tables import table_response
from kam.orders import selectors_returns as selectors
from kam.orders import services_returns as services
from kam.orders.forms_returns import (
    ActFilterForm,
    ActForm,
    AnalysisForm,
    PreventiveActionForm,
    ReasonEditForm,
    ReasonForm,
    ResolveForm,
)
from kam.orders.models import Reason
from kam.org.policy import Action, can, require
from kam.org.selectors import visible_people

PER_PAGE = 50


def _people(user):
    """Whom a preventive action may be given to: the people the manager sees (SE-1)."""
    return visible_people(user).order_by("first_name", "last_name", "username")


@login_required
def analysis(request):
    form = AnalysisForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    result = selectors.returns_analysis(
        user=request.user,
        start=clamp_date(data.get("start")),
        end=clamp_date(data.get("end")),
        group_by=data.get("group_by") or selectors.DEFAULT_GROUP,
    )
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header, rows = selectors.analysis_table(result)
        return table_response(fmt, filename=f"returns-{result.group_by}", header=header, rows=rows)
    manage = can(request.user, Action.REASON_MANAGE)
    actions = selectors.actions_by_reason(result.rows) if result.group_by == "reason" else {}
    context = {
        "form": form,
        "analysis": result,
        "chart": result.chart(),
        "lines": [(row, actions.get(row.key, [])) for row in result.rows],
        "group_label": str(selectors.GROUP_BY[result.group_by]).lower(),
        "can_manage": manage,
        "action_form": PreventiveActionForm(
            reasons=Reason.objects.filter(is_active=True), people=_people(request.user)
        )
        if manage
        else None,
        "nav": "returns",
    }
    template = "orders/returns/analysis.html"
    if request.htmx:
        template += "#page"  # the filters swap the chart and the table only
    return render(request, template, context)


@login_required
def reasons(request):
    manage = can(request.user, Action.REASON_MANAGE)
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        require(request.user, Action.REASON_MANAGE)
        if form.is_valid():
            try:
                reason = services.reason_create(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Reason %(name)s added.") % {"name": reason.name})
                return redirect("returns:reasons")
    context = {
        "reasons": selectors.reason_list(),
        "form": form if manage else None,
        "can_manage": manage,
        "nav": "returns",
    }
    return render(
        request, "orders/returns/reasons.html", context, status=400 if form.errors else 200
    )


@login_required
def reason_detail(request, pk: int):
    reason = selectors.reason_get(pk=pk)
    manage = can(request.user, Action.REASON_MANAGE)
    form = ReasonEditForm(
        request.POST or None,
        initial={"code": reason.code, "name": reason.name, "is_active": reason.is_active},
    )
    if request.method == "POST":
        require(request.user, Action.REASON_MANAGE)
        if form.is_valid():
            try:
                services.reason_update(actor=request.user, reason=reason, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Reason saved."))
                return redirect("returns:reason", reason.pk)
    action_form = (
        PreventiveActionForm(
            initial={"reason": reason.pk},
            reasons=Reason.objects.filter(pk=reason.pk),
            people=_people(request.user),
        )
        if manage
        else None
    )
    context = {
        "reason": reason,
        "form": form if manage else None,
        "action_form": action_form,
        "can_manage": manage,
        "nav": "returns",
    }
    return render(
        request, "orders/returns/reason.html", context, status=400 if form.errors else 200
    )


def _back(request, fallback: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback)


@login_required
@require_POST
def action_create(request):
    require(request.user, Action.REASON_MANAGE)
    form = PreventiveActionForm(
        request.POST, reasons=Reason.objects.all(), people=_people(request.user)
    )
    if form.is_valid():
        try:
            services.preventive_action_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Preventive action recorded."))
            return _back(request, "returns:analysis")
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    return _back(request, "returns:analysis")


@login_required
@require_POST
def action_done(request, pk: int):
    action = selectors.preventive_action_get(pk=pk)
    try:
        services.preventive_action_complete(actor=request.user, action=action)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Preventive action done."))
    return _back(request, "returns:reasons")


@login_required
def acts(request):
    form = ActFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    qs = selectors.act_list(user=request.user, status=status)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header, rows = selectors.acts_table(qs)
        return table_response(fmt, filename="discrepancy-acts", header=header, rows=rows)
    paginator = Paginator(qs, PER_PAGE)
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = paginator.page(clamp_page(number, last_page=paginator.num_pages))
    return render(
        request,
        "orders/returns/acts.html",
        {"form": form, "page": page, "status": status, "nav": "returns"},
    )


def _act_context(request, act, resolve_form=None):
    may_record = can(request.user, Action.DISCREPANCY_RECORD, act.shipment.order.account)
    open_act = act.resolution == act.Resolution.OPEN
    if resolve_form is None and may_record and open_act:
        resolve_form = ResolveForm(initial={"resolved_on": timezone.localdate()})
    _document, base = selectors.act_credit_amounts(act)
    return {
        "act": act,
        "lines": selectors.act_lines(act),
        "account": act.shipment.order.account,
        "resolve_form": resolve_form if may_record and open_act else None,
        "credit_amount": base,
        "languages": [("en", "English"), ("lv", "Latviešu"), ("ru", "Русский")],
        "nav": "returns",
    }


@login_required
def act_detail(request, pk: int):
    act = selectors.act_get(user=request.user, pk=pk)
    if request.method == "POST":
        require(request.user, Action.DISCREPANCY_RECORD, act.shipment.order.account)
        form = ResolveForm(request.POST)
        if form.is_valid():
            try:
                services.discrepancy_act_resolve(actor=request.user, act=act, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Act %(number)s resolved.") % {"number": act.number})
                return redirect("returns:act", act.pk)
        return render(
            request, "orders/returns/act.html", _act_context(request, act, form), status=400
        )
    return render(request, "orders/returns/act.html", _act_context(request, act))


@login_required
def act_pdf(request, pk: int):
    act = selectors.act_get(user=request.user, pk=pk)
    language = selectors.act_language(request.GET.get("lang"))
    body = selectors.act_document(act=act, language=language)
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{act.number}-{language}.pdf"'
    return response


@login_required
def act_create(request, shipment_pk: int):
    shipment = selectors.shipment_get(user=request.user, pk=shipment_pk)
    require(request.user, Action.DISCREPANCY_RECORD, shipment.order.account)
    lines = selectors.shipment_lines(shipment)
    form = ActForm(
        request.POST or None,
        shipment_lines=lines,
        initial={"found_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            act = services.discrepancy_act_create(
                actor=request.user,
                shipment=shipment,
                kind=form.cleaned_data["kind"],
                found_on=form.cleaned_data["found_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                lines=form.lines(),
            )
        except ValidationError as exc:
            _add_act_errors(form, exc)
        else:
            messages.success(request, _("Act %(number)s recorded.") % {"number": act.number})
            return redirect("returns:act", act.pk)
    context = {
        "form": form,
        "shipment": shipment,
        "account": shipment.order.account,
        "nav": "returns",
    }
    return render(
        request, "orders/returns/act_form.html", context, status=400 if form.errors else 200
    )


def _add_act_errors(form, exc: ValidationError) -> None:
    """The service names a line's field as ``lines.<i>.<name>``: put it on that line's input."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    filled = [row for row in form.line_fields if form.cleaned_data.get(row[2]) is not None]
    for name, errors in exc.error_dict.items():
        target = name if name in form.fields else None
        if name.startswith("lines."):
            parts = name.split(".")
            try:
                _sl, expected, found = filled[int(parts[1])]
                target = expected if parts[-1] == "quantity_expected" else found
            except (IndexError, ValueError):
                target = None
        form.add_error(target, errors)
