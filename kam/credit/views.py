"""Pages of credit control: the credit controller's watch list, a client's credit page with
its checks and terms, and the rules (CR-1..3). Thin: forms parse, services decide."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.bounds import clamp_date, clamp_page
from kam.core.forms import add_service_errors
from kam.core.periods import add_months
from kam.core.tables import FORMATS, table_response
from kam.credit import selectors, services
from kam.credit.forms import AsOfForm, CreditCheckForm, CreditSettingsForm, CreditTermsForm
from kam.org.policy import Action, can, require

PAGE_SIZE = 50


def _as_of(request):
    form = AsOfForm(request.GET)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    return clamp_date(day) if day else timezone.localdate(), form


def _flag_words(flags):
    return ", ".join(selectors.flag_label(f) for f in flags)


@login_required
def watchlist(request):
    """Clients near or over their limit, with overdue debt past the threshold, or whose check
    expires (the credit controller's page; everyone sees their own clients on it)."""
    as_of, form = _as_of(request)
    qs = selectors.credit_watchlist(user=request.user, as_of=as_of)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        header = [
            _("Client"),
            _("Registration number"),
            _("KAM"),
            _("Credit limit"),
            _("Exposure"),
            _("Available"),
            _("Used, %"),
            _("Overdue"),
            _("Days overdue"),
            _("Check valid until"),
            _("Why listed"),
        ]
        rows = (
            [
                r.account_name,
                r.registration_number,
                r.owner_name,
                r.limit,
                r.exposure,
                r.available,
                r.utilisation_pct,
                r.overdue,
                r.days_overdue,
                r.check_until,
                _flag_words(r.flags),
            ]
            for r in selectors.watch_rows(qs.iterator(chunk_size=2000), as_of=as_of)
        )
        return table_response(
            fmt,
            filename=f"credit-watchlist-{as_of}",
            header=header,
            rows=rows,
            title=_("Credit watch list"),
        )
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.page(clamp_page(_int(request.GET.get("page")), last_page=paginator.num_pages))
    rows = selectors.watch_rows(page.object_list, as_of=as_of)
    context = {
        "nav": "credit",
        "as_of": as_of,
        "form": form,
        "page": page,
        "rows": [(r, [(f, selectors.flag_label(f)) for f in r.flags]) for r in rows],
        "chart": selectors.exposure_chart(user=request.user, as_of=as_of),
        "overrides": selectors.credit_override_list(user=request.user)[:10],
        "settings": selectors.credit_settings(),
        "may_edit_settings": can(request.user, Action.CREDIT_SETTINGS_EDIT),
    }
    return render(request, "credit/watchlist.html", context)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


def _client_context(request, account, *, check_form=None, terms_form=None):
    as_of, _form = _as_of(request)
    report = selectors.credit_report(user=request.user, account=account, as_of=as_of)
    today = timezone.localdate()
    s = selectors.credit_settings()
    may_check = can(request.user, Action.CREDIT_CHECK_RECORD, account)
    may_limit = can(request.user, Action.CREDIT_LIMIT_SET, account)
    if may_check and check_form is None:
        check_form = CreditCheckForm(
            initial={
                "checked_on": today,
                "next_review_on": add_months(today, s.check_valid_months),
                "method": "agency",
                "result": "approved",
            }
        )
    if may_limit and terms_form is None:
        terms_form = CreditTermsForm(
            initial={"limit": report.limit, "payment_days": report.payment_days}
        )
    return {
        "nav": "credit",
        "account": account,
        "as_of": as_of,
        "credit": report,
        "checks": selectors.credit_check_list(user=request.user, account=account)[:50],
        "overrides": selectors.credit_override_list(user=request.user, account=account)[:20],
        "check_form": check_form if may_check else None,
        "terms_form": terms_form if may_limit else None,
        "history_chart": {
            "labels": [h.month.strftime("%Y-%m") for h in report.history],
            "invoiced": [str(h.invoiced) for h in report.history],
            "paid": [str(h.paid - h.paid_late) for h in report.history],
            "paid_late": [str(h.paid_late) for h in report.history],
            "names": {
                "invoiced": _("Invoiced"),
                "paid": _("Paid on time"),
                "paid_late": _("Paid late"),
            },
        },
        "check_soon": today + timedelta(days=selectors.CHECK_EXPIRY_WARNING_DAYS),
    }


@login_required
def client(request, pk):
    account = selectors.credit_account_get(user=request.user, pk=pk)
    return render(request, "credit/client.html", _client_context(request, account))


@login_required
@require_POST
def check_record(request, pk):
    account = selectors.credit_account_get(user=request.user, pk=pk)
    require(request.user, Action.CREDIT_CHECK_RECORD, account)
    form = CreditCheckForm(request.POST)
    if form.is_valid():
        try:
            services.credit_check_record(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The credit check is recorded."))
            return redirect("credit:client", pk=account.pk)
    context = _client_context(request, account, check_form=form)
    return render(request, "credit/client.html", context, status=400)


@login_required
@require_POST
def limit_set(request, pk):
    account = selectors.credit_account_get(user=request.user, pk=pk)
    require(request.user, Action.CREDIT_LIMIT_SET, account)
    form = CreditTermsForm(request.POST)
    if form.is_valid():
        try:
            services.credit_limit_set(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The credit limit and payment terms are saved."))
            return redirect("credit:client", pk=account.pk)
    context = _client_context(request, account, terms_form=form)
    return render(request, "credit/client.html", context, status=400)


@login_required
@require_POST
def limit_reset(request, pk):
    account = selectors.credit_account_get(user=request.user, pk=pk)
    services.credit_limit_reset_to_contract(actor=request.user, account=account)
    messages.success(request, _("The credit limit and payment terms come from the contract again."))
    return redirect("credit:client", pk=account.pk)


@login_required
def settings_view(request):
    """The credit rules: everyone signed in reads them, a credit controller or the director
    changes them (403 for others)."""
    current = selectors.credit_settings()
    may_edit = can(request.user, Action.CREDIT_SETTINGS_EDIT)
    fields = services.SETTINGS_FIELDS
    status = 200
    if request.method == "POST":
        require(request.user, Action.CREDIT_SETTINGS_EDIT)
        form = CreditSettingsForm(request.POST)
        if form.is_valid():
            try:
                services.credit_settings_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The credit rules are saved."))
                return redirect("credit:settings")
        status = 400
    else:
        form = CreditSettingsForm(initial={f: getattr(current, f) for f in fields})
        if not may_edit:
            for f in form.fields.values():
                f.disabled = True
    context = {"nav": "credit", "form": form, "may_edit": may_edit, "settings": current}
    return render(request, "credit/settings.html", context, status=status)
