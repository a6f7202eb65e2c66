"""Price pages (OR-3): the price lists, a list's matrix of products x columns as of a day (with
CSV/XLSX export), its discount rules, and the forms that change them for whoever may
(``price.manage``: director, administrator); everyone else reads. Each form posts to its own
URL; a refusal shows the list's page again with the form's errors (422)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.clients.forms import add_service_errors
from kam.core.bounds import clamp_date, clamp_page
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can, require
from kam.pricing import selectors, services
from kam.pricing.forms import AsOfForm, ColumnForm, PriceForm, PriceListForm, RuleForm

MATRIX_PAGE = 100


def _may_manage(user) -> bool:
    return can(user, Action.PRICE_MANAGE)


@login_required
def price_list_index_view(request, form=None, status=200):
    lists = list(selectors.price_list_list())
    return render(
        request,
        "pricing/price_list_index.html",
        {
            "nav": "prices",
            "lists": lists,
            "may_manage": _may_manage(request.user),
            "form": form or PriceListForm(),
        },
        status=status,
    )


@login_required
@require_POST
def price_list_create_view(request):
    require(request.user, Action.PRICE_MANAGE)
    form = PriceListForm(request.POST)
    if form.is_valid():
        try:
            price_list = services.price_list_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Price list %(name)s created.") % {"name": price_list})
            return redirect("pricing:detail", pk=price_list.pk)
    return price_list_index_view(request, form=form, status=422)


def _as_of(request):
    form = AsOfForm(request.GET or None)
    on = clamp_date(form.value("on")) or timezone.localdate()
    return form, on, (form.value("q", "") or "").strip()


def _detail(request, price_list, *, status: int = 200, **forms):
    as_of_form, on, q = _as_of(request)
    matrix = selectors.price_matrix(price_list=price_list, on=on, q=q)
    paginator = Paginator(matrix.rows, MATRIX_PAGE)
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        number = 1
    page = paginator.page(clamp_page(number, last_page=paginator.num_pages))
    may_manage = _may_manage(request.user)
    context = {
        "nav": "prices",
        "price_list": price_list,
        "matrix": matrix,
        "page": page,
        "as_of_form": as_of_form,
        "on": on,
        "query": f"on={on.isoformat()}&q={q}",
        "rules": list(selectors.discount_rules(price_list=price_list)),
        "may_manage": may_manage,
    }
    if may_manage:
        context.update(
            list_form=forms.get("list_form")
            or PriceListForm(
                initial={
                    "name": price_list.name,
                    "currency": price_list.currency,
                    "is_active": price_list.is_active,
                }
            ),
            column_form=forms.get("column_form") or ColumnForm(),
            price_form=forms.get("price_form")
            or PriceForm(price_list=price_list, initial={"valid_from": on}),
            rule_form=forms.get("rule_form") or RuleForm(price_list=price_list),
        )
    return render(request, "pricing/price_list_detail.html", context, status=status)


@login_required
def price_list_detail_view(request, pk: int):
    return _detail(request, selectors.price_list_get(pk=pk))


@login_required
def price_matrix_export_view(request, pk: int, fmt: str):
    if fmt not in FORMATS:
        raise Http404(_("No such format."))
    price_list = selectors.price_list_get(pk=pk)
    _form, on, q = _as_of(request)
    header, rows = selectors.matrix_table(selectors.price_matrix(price_list=price_list, on=on, q=q))
    return table_response(
        fmt,
        filename=f"prices-{on.isoformat()}",
        header=header,
        rows=rows,
        title=price_list.name,
    )


def _back(price_list):
    return redirect(reverse("pricing:detail", args=[price_list.pk]))


@login_required
@require_POST
def price_list_edit_view(request, pk: int):
    price_list = selectors.price_list_get(pk=pk)
    require(request.user, Action.PRICE_MANAGE)
    form = PriceListForm(request.POST)
    if form.is_valid():
        try:
            services.price_list_update(
                actor=request.user, price_list=price_list, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return _back(price_list)
    return _detail(request, price_list, status=422, list_form=form)


@login_required
@require_POST
def price_column_create_view(request, pk: int):
    price_list = selectors.price_list_get(pk=pk)
    require(request.user, Action.PRICE_MANAGE)
    form = ColumnForm(request.POST)
    if form.is_valid():
        try:
            services.price_column_create(
                actor=request.user, price_list=price_list, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Column added."))
            return _back(price_list)
    return _detail(request, price_list, status=422, column_form=form)


@login_required
@require_POST
def price_column_base_view(request, pk: int):
    column = selectors.price_column_get(pk=pk)
    require(request.user, Action.PRICE_MANAGE)
    services.price_column_update(actor=request.user, column=column, is_base=True)
    messages.success(request, _("%(name)s is now the base column.") % {"name": column.name})
    return _back(column.price_list)


@login_required
@require_POST
def price_set_view(request, pk: int):
    price_list = selectors.price_list_get(pk=pk)
    require(request.user, Action.PRICE_MANAGE)
    form = PriceForm(request.POST, price_list=price_list)
    if form.is_valid():
        try:
            services.price_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Price saved."))
            return _back(price_list)
    return _detail(request, price_list, status=422, price_form=form)


@login_required
@require_POST
def price_delete_view(request, pk: int):
    price = selectors.price_get(pk=pk)
    require(request.user, Action.PRICE_MANAGE)
    services.price_delete(actor=request.user, price=price)
    messages.success(request, _("Price removed."))
    return _back(price.column.price_list)


@login_required
@require_POST
def discount_rule_set_view(request, pk: int):
    price_list = selectors.price_list_get(pk=pk)
    require(request.user, Action.PRICE_MANAGE)
    form = RuleForm(request.POST, price_list=price_list)
    if form.is_valid():
        try:
            services.discount_rule_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Discount rule saved."))
            return _back(price_list)
    return _detail(request, price_list, status=422, rule_form=form)
