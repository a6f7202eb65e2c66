"""HTML views of debt collection (AR-2): the collection list per KAM with its chart and
downloads, and a client's collection page with the promise form and the reminder button.
Thin: the selectors read, the services write and refuse; the policy decides who may."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.bounds import clamp_page
from kam.core.selectors import company_settings
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, require
from kam.receivables import selectors_collection as selectors
from kam.receivables import services_collection as services
from kam.receivables.forms_collection import CollectionFilterForm, PromiseForm, ReminderForm

PAGE_SIZE = 50


def _as_of(request):
    return CollectionFilterForm(request.GET or None).as_of_or(timezone.localdate())


def _bucket_label(first: int, last: int | None) -> str:
    if last is None:
        return _("over %(days)s days") % {"days": first - 1}
    return _("%(first)s-%(last)s days") % {"first": first, "last": last}


def _chart(labels: list[str], amounts: list) -> dict:
    """Bars for kam/static/kam/charts.js (its "income" kind draws one series)."""
    return {
        "labels": labels,
        "income": [str(a) for a in amounts],
        "revenue": [],
        "names": {"income": _("Overdue"), "revenue": ""},
        "currency": company_settings().base_currency,
    }


@login_required
def collection_page(request):
    """The clients with overdue debt the reader works on, what matters most first."""
    require(request.user, Action.COLLECTION_WORK)
    as_of = _as_of(request)
    rows = selectors.collection_list(user=request.user, as_of=as_of)
    paginator = Paginator(rows, PAGE_SIZE)
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = paginator.page(clamp_page(number, last_page=paginator.num_pages))
    buckets = selectors.overdue_by_bucket(user=request.user, as_of=as_of)
    owners = selectors.overdue_by_owner(rows)
    context = {
        "nav": "collection",
        "form": CollectionFilterForm(initial={"as_of": as_of}),
        "as_of": as_of,
        "page": page,
        "rows": page.object_list,
        "total": sum((r.overdue for r in rows), selectors.ZERO),
        "bucket_chart": _chart(
            [_bucket_label(f, t) for f, t, _a in buckets], [a for *_x, a in buckets]
        ),
        # By KAM where the reader sees more than one KAM's clients (a head, credit control).
        "owner_chart": _chart([n for n, _a in owners], [a for _n, a in owners])
        if len(owners) > 1
        else None,
        "query": f"?as_of={as_of.isoformat()}",
    }
    template = "receivables/collection/list.html"
    if getattr(request, "htmx", None) and not request.htmx.history_restore_request:
        template += "#table"
    return render(request, template, context)


def collection_header() -> list[str]:
    return [
        _("Client"),
        _("Registration number"),
        _("Key account manager"),
        _("Department"),
        _("Overdue"),
        _("Currency"),
        _("Overdue invoices"),
        _("Oldest due date"),
        _("Days overdue"),
        _("Amount x days"),
        _("Promised amount"),
        _("Promised by"),
        _("Promise broken"),
        _("Last reminder"),
        _("Last reminder level"),
        _("Escalated"),
    ]


def collection_table_row(row: selectors.CollectionRow, currency: str) -> list:
    yes, no = _("yes"), _("no")
    reminder = row.last_reminder
    return [
        row.account_name,
        row.registration_number,
        row.owner_name,
        row.department_name,
        row.overdue,
        currency,
        row.invoices,
        row.oldest_due,
        row.days_overdue,
        row.priority,
        row.promise.amount if row.promise else None,
        row.promise.promised_on if row.promise else None,
        yes if row.promise_broken else no,
        timezone.localtime(reminder.created_at).date() if reminder else None,
        reminder.level if reminder else None,
        yes if row.escalated else no,
    ]


@login_required
def collection_export(request, fmt: str):
    """The whole collection list as CSV or XLSX (issue 9 §11)."""
    if fmt not in FORMATS:
        raise Http404(_("Download as csv or xlsx."))
    require(request.user, Action.COLLECTION_WORK)
    as_of = _as_of(request)
    rows = selectors.collection_list(user=request.user, as_of=as_of)
    currency = company_settings().base_currency
    return table_response(
        fmt,
        filename=f"collection-{as_of.isoformat()}",
        header=collection_header(),
        rows=(collection_table_row(r, currency) for r in rows),
        title=_("Collection"),
    )


def _client_context(request, account, *, promise_form=None, reminder_form=None) -> dict:
    today = timezone.localdate()
    data = selectors.client_collection(account=account, as_of=today)
    return {
        "nav": "collection",
        "account": account,
        "data": data,
        "promise_form": promise_form or PromiseForm(),
        "reminder_form": reminder_form or ReminderForm(),
    }


def _account_for_work(request, pk):
    """The client (404 when out of sight), if the reader may work on its debt (else 403)."""
    account = selectors.collection_account_get(user=request.user, pk=pk)
    require(request.user, Action.COLLECTION_WORK, account)
    return account


@login_required
def client_page(request, pk: int):
    account = _account_for_work(request, pk)
    return render(request, "receivables/collection/client.html", _client_context(request, account))


def _refused(form, exc: ValidationError) -> None:
    """The service's refusal on the form's fields (a field the form lacks: above the form)."""
    for field, errors in exc.message_dict.items() if hasattr(exc, "message_dict") else []:
        for error in errors:
            form.add_error(field if field in form.fields else None, error)
    if not hasattr(exc, "message_dict"):
        for error in exc.messages:
            form.add_error(None, error)


@login_required
@require_POST
def promise_create(request, pk: int):
    account = _account_for_work(request, pk)
    form = PromiseForm(request.POST)
    if form.is_valid():
        try:
            promise = services.promise_record(
                actor=request.user, account=account, **form.cleaned_data
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            messages.success(
                request,
                _("Promise recorded: %(amount)s by %(date)s.")
                % {"amount": promise.amount, "date": promise.promised_on.isoformat()},
            )
            return redirect("collection:client", pk=account.pk)
    context = _client_context(request, account, promise_form=form)
    return render(request, "receivables/collection/client.html", context, status=422)


@login_required
@require_POST
def reminder_create(request, pk: int):
    account = _account_for_work(request, pk)
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            result = services.reminder_send(
                actor=request.user,
                account=account,
                level=form.cleaned_data["level"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            _refused(form, exc)
        else:
            r = result.reminder
            if result.created:
                messages.success(
                    request,
                    _("Reminder (level %(level)s) queued to %(email)s; it is sent at once.")
                    % {"level": r.level, "email": r.to_email},
                )
            else:
                messages.info(
                    request,
                    _("This reminder (level %(level)s) was already made today: nothing new sent.")
                    % {"level": r.level},
                )
            return redirect("collection:client", pk=account.pk)
    context = _client_context(request, account, reminder_form=form)
    return render(request, "receivables/collection/client.html", context, status=422)
