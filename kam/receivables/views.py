"""Pages of settlements (AR-1) and the ageing (AR-2): thin, over the same selectors and
services as the API and the CLI."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.clients.selectors import account_get
from kam.core.bounds import MAX_ID, clamp_date
from kam.core.tables import CONTENT_TYPES, table_response
from kam.org.policy import Action, can
from kam.receivables import documents, selectors, services
from kam.receivables.ageing import BUCKETS
from kam.receivables.forms import AgeingFilterForm, AllocationForm, PeriodForm, SettlementForm
from kam.receivables.models import SettlementItem


def _account(request, pk: int):
    if not 0 < pk <= MAX_ID:
        raise Http404(_("Not found."))
    return account_get(user=request.user, pk=pk)


def _page(
    request, account, *, record_form=None, allocation_form=None, period_form=None, status=200
):
    today = timezone.localdate()
    user = request.user
    items = selectors.open_items(user=user, account=account, as_of=today)
    invoices = [o for o in items if o.item.kind == SettlementItem.Kind.INVOICE]
    credits = [o for o in items if o.item.kind != SettlementItem.Kind.INVOICE]
    may_record = can(user, Action.SETTLEMENT_RECORD, account)
    rows = selectors.ledger(user=user, account=account)
    context = {
        "nav": "clients",
        "account": account,
        "rows": rows,
        "open_invoices": invoices,
        "open_credits": credits,
        "may_record": may_record,
        "record_form": record_form or SettlementForm(initial={"document_date": today}),
        "allocation_form": allocation_form
        or AllocationForm(credits=credits, invoices=invoices, initial={"on": today}),
        "period_form": period_form
        or PeriodForm(
            initial={"date_from": today.replace(month=1, day=1), "date_to": today, "format": "pdf"}
        ),
        **selectors.client_panel(user=user, account=account, as_of=today),
    }
    return render(request, "receivables/client.html", context, status=status)


@login_required
def client_settlements(request, pk: int):
    return _page(request, _account(request, pk))


def _refusal(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        target = field if field in form.fields else None
        for message in errors:
            form.add_error(target, message)


@login_required
@require_POST
def settlement_record(request, pk: int):
    account = _account(request, pk)
    form = SettlementForm(request.POST)
    if form.is_valid():
        try:
            item = services.settlement_record(
                actor=request.user, account=account, **form.cleaned_data
            )
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("%(item)s recorded.") % {"item": item})
            return redirect("receivables:client", pk=account.pk)
    return _page(request, account, record_form=form, status=422)


@login_required
@require_POST
def allocation_create(request, pk: int):
    account = _account(request, pk)
    today = timezone.localdate()
    items = selectors.open_items(user=request.user, account=account, as_of=today)
    form = AllocationForm(
        request.POST,
        credits=[o for o in items if o.item.kind != SettlementItem.Kind.INVOICE],
        invoices=[o for o in items if o.item.kind == SettlementItem.Kind.INVOICE],
    )
    if form.is_valid():
        d = form.cleaned_data
        try:
            credit = selectors.settlement_item_get(user=request.user, pk=d["credit"])
            invoice = selectors.settlement_item_get(user=request.user, pk=d["invoice"])
            services.payment_allocate(
                actor=request.user, credit=credit, invoice=invoice, amount=d["amount"], on=d["on"]
            )
        except ValidationError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Allocated."))
            return redirect("receivables:client", pk=account.pk)
    return _page(request, account, allocation_form=form, status=422)


@login_required
@require_POST
def allocation_undo(request, pk: int):
    if not 0 < pk <= MAX_ID:
        raise Http404(_("Not found."))
    allocation = selectors.allocation_get(user=request.user, pk=pk)
    services.allocation_undo(actor=request.user, allocation=allocation)
    messages.success(request, _("Allocation undone."))
    return redirect("receivables:client", pk=allocation.debit.account_id)


@login_required
def statement_download(request, pk: int):
    account = _account(request, pk)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _page(request, account, period_form=form, status=422)
    d = form.cleaned_data
    s = selectors.statement(
        user=request.user, account=account, date_from=d["date_from"], date_to=d["date_to"]
    )
    language = d["language"] or None
    if d["format"] == "xlsx":
        body, content_type = documents.statement_xlsx(s, language=language), CONTENT_TYPES["xlsx"]
    else:
        body, content_type = documents.statement_pdf(s, language=language), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    name = f"statement-{account.pk}-{s.date_from}-{s.date_to}.{d['format']}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def ageing(request):
    user = request.user
    level = request.GET.get("level") or selectors.default_level(user)
    if level not in selectors.LEVELS:
        level = "company"
    units = selectors.unit_choices(user=user, level=level)
    form = AgeingFilterForm(request.GET or None, units=units)
    unit, as_of = None, timezone.localdate()
    if form.is_bound and form.is_valid():
        unit = form.cleaned_data["unit"] if level != "company" else None
        as_of = clamp_date(form.cleaned_data["as_of"]) or as_of
    elif form.is_bound and "unit" in form.errors and level != "company":
        raise Http404(_("No such unit."))
    form.initial = {"level": level, "as_of": as_of}
    report = selectors.ageing_report(user=user, level=level, unit_id=unit, as_of=as_of)
    export = request.GET.get("export")
    if export in {"csv", "xlsx"}:
        return table_response(
            export,
            filename=f"ageing-{level}-{as_of}",
            header=documents.report_header(),
            rows=documents.report_rows(report),
            title=_("Ageing"),
        )
    labels = documents.bucket_labels()
    chart = {
        "labels": [r.name for r in report.rows[:30]],
        "series": [
            {
                "name": str(labels[b]),
                "values": [str(r.ageing.buckets()[b]) for r in report.rows[:30]],
            }
            for b in BUCKETS
        ],
    }
    return render(
        request,
        "receivables/ageing.html",
        {
            "nav": "ageing",
            "form": form,
            "report": report,
            "level": level,
            "chart": chart,
            "bucket_names": [labels[b] for b in BUCKETS],
            "rows": [(r, [r.ageing.buckets()[b] for b in BUCKETS]) for r in report.rows],
            "total": [report.total.buckets()[b] for b in BUCKETS],
            "query": request.GET.urlencode(),
        },
    )
