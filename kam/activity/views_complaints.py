"""Pages of complaints (mounted at /schedule/complaints/, AC-11): the list with its filters,
statistics and chart (and its CSV/XLSX download), a new complaint (first the client), one
complaint with its owner and reopening, and its resolution. Thin: forms parse, the services
decide."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.activity import selectors_complaints as selectors
from kam.activity import services_complaints as services
from kam.activity.forms import ClientPickForm
from kam.activity.forms_tasks import (
    ComplaintAssignForm,
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintReopenForm,
    ComplaintResolveForm,
)
from kam.activity.models import Complaint
from kam.clients.selectors import account_get
from kam.core.bounds import clamp_date
from kam.core.forms import add_service_errors
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can, require

NAV = "schedule"
PAGE_SIZE = 50


def _wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def export_header() -> list[str]:
    return [
        _("Number"),
        _("Received on"),
        _("Client"),
        _("Registration number"),
        _("Order"),
        _("Category"),
        _("Status"),
        _("Owner"),
        _("Description"),
        _("Resolution"),
        _("Resolved on"),
        _("Days to resolve"),
    ]


def export_row(c: Complaint) -> list:
    return [
        c.pk,
        c.received_on,
        c.account.legal_name,
        c.account.registration_number,
        c.order.number if c.order_id else "",
        c.get_category_display(),
        c.get_status_display(),
        str(c.owner) if c.owner_id else "",
        c.description,
        c.resolution,
        c.resolved_on,
        c.days_to_resolve,
    ]


@login_required
def complaint_list_view(request):
    """Complaints of the clients the user sees, filtered by status, category and client, with
    their statistics and a chart per category; ``?format=csv|xlsx`` downloads the list."""
    form = ComplaintFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    account = account_get(user=request.user, pk=data["client"]) if data.get("client") else None
    as_of = clamp_date(data["as_of"]) if data.get("as_of") else timezone.localdate()
    qs = selectors.complaint_list(
        user=request.user,
        status=data.get("status") or None,
        category=data.get("category") or None,
        account=account,
    )
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return table_response(
            fmt,
            filename=f"complaints-{as_of}",
            header=export_header(),
            rows=(export_row(c) for c in qs.iterator(chunk_size=2000)),
            title=_("Complaints"),
        )
    stats = selectors.complaint_statistics(qs, as_of=as_of)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": NAV,
        "form": form,
        "account": account,
        "page": page,
        "stats": stats,
        "chart": selectors.complaint_chart(stats),
        "as_of": as_of,
        "may_record": can(request.user, Action.COMPLAINT_RECORD),
    }
    template = (
        "activity/complaints/list.html#complaints"
        if _wants_fragment(request)
        else "activity/complaints/list.html"
    )
    return render(request, template, context)


@login_required
def complaint_new_view(request):
    """Register a complaint: first the client (one the user may record for), then the rest."""
    require(request.user, Action.COMPLAINT_RECORD)
    raw = request.POST.get("client") or request.GET.get("client")
    if not raw:
        form = ClientPickForm(accounts=selectors.recording_accounts(user=request.user))
        return render(
            request,
            "activity/pick_client.html",
            {
                "nav": NAV,
                "form": form,
                "title": _("Record a complaint"),
                "action": reverse("activity:complaint_new"),
            },
        )
    account = account_get(user=request.user, pk=raw)
    require(request.user, Action.COMPLAINT_RECORD, account)
    owners = selectors.possible_owners(account=account)
    status = 200
    if request.method == "POST":
        form = ComplaintForm(request.POST, owners=owners)
        if form.is_valid():
            try:
                c = services.complaint_record(
                    actor=request.user, account=account, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The complaint is recorded."))
                return redirect("activity:complaint", pk=c.pk)
        status = 400
    else:
        form = ComplaintForm(initial={"received_on": timezone.localdate()}, owners=owners)
    context = {"nav": NAV, "form": form, "account": account, "title": _("Record a complaint")}
    return render(request, "activity/complaints/form.html", context, status=status)


def _detail(request, c, *, assign_form=None, reopen_form=None, status=200):
    may_work = can(request.user, Action.COMPLAINT_RECORD, c.account)
    is_open = c.status == Complaint.Status.OPEN
    owners = selectors.possible_owners(account=c.account) if may_work and is_open else []
    if owners and assign_form is None:
        assign_form = ComplaintAssignForm(initial={"owner": c.owner_id}, owners=owners)
    context = {
        "nav": NAV,
        "complaint": c,
        "may_work": may_work,
        "assign_form": assign_form if owners else None,
        "reopen_form": (reopen_form or ComplaintReopenForm()) if may_work and not is_open else None,
        "as_of": timezone.localdate(),
    }
    return render(request, "activity/complaints/detail.html", context, status=status)


@login_required
def complaint_view(request, pk):
    return _detail(request, selectors.complaint_get(user=request.user, pk=pk))


@login_required
def complaint_resolve_view(request, pk):
    """Close the complaint with its resolution (required), resolved or rejected."""
    c = selectors.complaint_get(user=request.user, pk=pk)
    require(request.user, Action.COMPLAINT_RECORD, c.account)
    status = 200
    if request.method == "POST":
        form = ComplaintResolveForm(request.POST)
        if form.is_valid():
            try:
                services.complaint_resolve(actor=request.user, complaint=c, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The complaint is closed."))
                return redirect("activity:complaint", pk=c.pk)
        status = 400
    else:
        form = ComplaintResolveForm(initial={"resolved_on": timezone.localdate()})
    context = {"nav": NAV, "form": form, "complaint": c}
    return render(request, "activity/complaints/resolve.html", context, status=status)


@login_required
@require_POST
def complaint_assign_view(request, pk):
    c = selectors.complaint_get(user=request.user, pk=pk)
    require(request.user, Action.COMPLAINT_RECORD, c.account)
    form = ComplaintAssignForm(request.POST, owners=selectors.possible_owners(account=c.account))
    if form.is_valid():
        try:
            services.complaint_assign(
                actor=request.user, complaint=c, owner=form.cleaned_data["owner"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The complaint has a new owner."))
            return redirect("activity:complaint", pk=c.pk)
    return _detail(request, c, assign_form=form, status=400)


@login_required
@require_POST
def complaint_reopen_view(request, pk):
    c = selectors.complaint_get(user=request.user, pk=pk)
    require(request.user, Action.COMPLAINT_RECORD, c.account)
    form = ComplaintReopenForm(request.POST)
    if form.is_valid():
        try:
            services.complaint_reopen(
                actor=request.user, complaint=c, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The complaint is open again."))
            return redirect("activity:complaint", pk=c.pk)
    return _detail(request, c, reopen_form=form, status=400)
