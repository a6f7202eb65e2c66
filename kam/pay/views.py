"""Pages of pay (mounted at /pay/): the statements one may see, a statement with its lines,
plan results and cuts (prepare, approve, lock by the policy), its PDF and XLSX, the schemes
and their assignment. Thin: forms parse, services decide, selectors scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kam.core.bounds import clamp_page
from kam.core.forms import add_service_errors
from kam.core.selectors import company_settings
from kam.core.tables import CONTENT_TYPES
from kam.org.policy import Action, can, require
from kam.org.selectors import visible_people
from kam.pay import documents, selectors, services
from kam.pay.forms import AssignmentForm, PrepareForm, SchemeForm, StatementFilterForm
from kam.pay.models import PayStatement
from kam.plans.rules import Period

PAGE_SIZE = 50


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def _prepare_form(request, data=None):
    if not can(request.user, Action.PAY_STATEMENT_PREPARE):
        return None
    return PrepareForm(
        data,
        people=visible_people(request.user).order_by("last_name", "first_name"),
        fiscal_start_month=company_settings().fiscal_year_start_month,
    )


def _list_context(request, prepare_form=None):
    filters = StatementFilterForm(request.GET)
    f = filters.cleaned_data if filters.is_valid() else {}
    qs = selectors.statement_list(
        user=request.user, period_code=f.get("period") or None, status=f.get("status") or None
    )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.page(clamp_page(_int(request.GET.get("page")), last_page=paginator.num_pages))
    return {
        "nav": "pay",
        "filters": filters,
        "page": page,
        "prepare_form": prepare_form or _prepare_form(request),
        "may_see_schemes": selectors.may_see_all_schemes(request.user),
    }


@login_required
def statement_list(request):
    """A KAM sees their own statements, a head their team's, the director everyone's."""
    return render(request, "pay/statements.html", _list_context(request))


@login_required
@require_POST
def statement_prepare(request):
    require(request.user, Action.PAY_STATEMENT_PREPARE)
    form = _prepare_form(request, request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["person"] is None:
                return _prepare_everyone(request, d["period"], d["as_of"])
            s = services.statement_prepare(
                actor=request.user, person=d["person"], period=d["period"], as_of=d["as_of"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The statement is computed."))
            return redirect(s.get_absolute_url())
    return render(request, "pay/statements.html", _list_context(request, form), status=400)


def _prepare_everyone(request, period, as_of):
    """Everyone the user sees who is paid by a scheme in the period, in one transaction."""
    people = selectors.people_with_scheme(user=request.user, period=period)
    done, skipped = services.statements_prepare(
        actor=request.user, people=people, period=period, as_of=as_of
    )
    messages.success(
        request,
        ngettext("%(n)d statement is computed.", "%(n)d statements are computed.", len(done))
        % {"n": len(done)},
    )
    for person, why in skipped:
        messages.warning(request, f"{person!s}: {why}")
    return redirect(f"{reverse('pay:statements')}?period={period.code}")


def _detail_context(request, s: PayStatement, *, error: ValidationError | None = None):
    user = request.user
    own = s.person_id == user.pk
    return {
        "nav": "pay",
        "s": s,
        "lines": list(selectors.statement_lines(statement=s)),
        "plan": documents.plan_rows(s),
        "may_prepare": s.status != PayStatement.Status.LOCKED
        and can(user, Action.PAY_STATEMENT_PREPARE),
        "may_approve": s.status == PayStatement.Status.DRAFT
        and not own
        and can(user, Action.PAY_STATEMENT_APPROVE),
        "may_lock": s.status == PayStatement.Status.APPROVED
        and can(user, Action.PAY_STATEMENT_LOCK),
        "period_open": s.as_of <= s.ends_on,
        "errors": [m for ms in error.message_dict.values() for m in ms] if error else [],
    }


@login_required
def statement_detail(request, pk):
    s = selectors.statement_get(user=request.user, pk=pk)
    return render(request, "pay/statement.html", _detail_context(request, s))


def _act(request, pk, fn, done: str):
    s = selectors.statement_get(user=request.user, pk=pk)
    try:
        fn(s)
    except ValidationError as exc:
        s.refresh_from_db()
        return render(
            request, "pay/statement.html", _detail_context(request, s, error=exc), status=400
        )
    messages.success(request, done)
    return redirect(s.get_absolute_url())


@login_required
@require_POST
def statement_recompute(request, pk):
    def fn(s):
        services.statement_prepare(
            actor=request.user,
            person=s.person,
            period=Period(s.period_kind, s.starts_on, company_settings().fiscal_year_start_month),
        )

    return _act(request, pk, fn, _("The statement is computed again."))


@login_required
@require_POST
def statement_approve(request, pk):
    return _act(
        request,
        pk,
        lambda s: services.statement_approve(actor=request.user, statement=s),
        _("The statement is approved."),
    )


@login_required
@require_POST
def statement_lock(request, pk):
    return _act(
        request,
        pk,
        lambda s: services.statement_lock(actor=request.user, statement=s),
        _("The statement is locked."),
    )


@login_required
def statement_download(request, pk, fmt):
    s = selectors.statement_get(user=request.user, pk=pk)
    if fmt == "pdf":
        body, content_type = documents.statement_pdf(s), "application/pdf"
    elif fmt == "xlsx":
        body, content_type = documents.statement_xlsx(s), CONTENT_TYPES["xlsx"]
    else:
        raise Http404(_("Not found."))
    response = HttpResponse(body, content_type=content_type)
    name = f"pay-{s.person.username}-{s.period_code}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def scheme_list(request):
    schemes = selectors.scheme_list(user=request.user)
    context = {
        "nav": "pay",
        "schemes": schemes,
        "assignments": selectors.assignment_list(user=request.user),
        "may_manage": can(request.user, Action.PAY_SCHEME_MANAGE),
    }
    return render(request, "pay/schemes.html", context)


def _scheme_form(request, scheme=None):
    require(request.user, Action.PAY_SCHEME_MANAGE)
    status = 200
    if request.method == "POST":
        form = SchemeForm(request.POST)
        if form.is_valid():
            try:
                if scheme is None:
                    scheme = services.scheme_create(actor=request.user, **form.cleaned_data)
                else:
                    services.scheme_update(actor=request.user, scheme=scheme, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The scheme is saved."))
                return redirect("pay:schemes")
        status = 400
    else:
        form = SchemeForm(
            initial=SchemeForm.initial_for(scheme)
            if scheme
            else {"bands": "50000 12\n* 5", "basis": "turnover", "earned_on": "invoiced"}
        )
    return render(
        request,
        "pay/scheme_form.html",
        {"nav": "pay", "form": form, "scheme": scheme},
        status=status,
    )


@login_required
def scheme_create(request):
    return _scheme_form(request)


@login_required
def scheme_edit(request, pk):
    return _scheme_form(request, selectors.scheme_get(user=request.user, pk=pk))


@login_required
def assignment_create(request):
    require(request.user, Action.PAY_SCHEME_MANAGE)
    people = visible_people(request.user).order_by("last_name", "first_name")
    status = 200
    if request.method == "POST":
        form = AssignmentForm(request.POST, people=people)
        if form.is_valid():
            try:
                services.scheme_assign(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The scheme is assigned."))
                return redirect("pay:schemes")
        status = 400
    else:
        form = AssignmentForm(people=people, initial={"scheme": request.GET.get("scheme")})
    return render(request, "pay/assignment_form.html", {"nav": "pay", "form": form}, status=status)
