"""Contract pages: the list (scoped, filtered, exported), a contract with its versions and its
signed file, and the forms that prepare, renew, conclude and terminate (shown per ``can``;
the services decide, so a POST by someone who may not is refused like the API's)."""

from datetime import timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.clients.forms import add_service_errors
from kam.clients.selectors import account_get
from kam.contracts import selectors, services
from kam.contracts.forms import (
    AttachForm,
    ContractForm,
    FilterForm,
    RenewForm,
    TerminateForm,
)
from kam.contracts.models import Contract
from kam.core.bounds import clamp_page
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can, require

PAGE_SIZE = 50


def _page(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {"nav": "contracts", **context}, status=status)


def _filtered(request):
    form = FilterForm(request.GET or None)
    contracts = selectors.contract_list(
        user=request.user,
        status=form.value("status", ""),
        account_id=form.value("client"),
        q=(form.value("q", "") or "").strip(),
    )
    return form, contracts


@login_required
def contract_list_view(request):
    form, contracts = _filtered(request)
    paginator = Paginator(contracts, PAGE_SIZE)
    try:
        number = int(request.GET.get("page", 1))
    except (TypeError, ValueError):
        number = 1
    page = paginator.page(clamp_page(number, last_page=paginator.num_pages))
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "contracts/contract_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "may_prepare": can(request.user, Action.CONTRACT_EDIT),
        },
    )


@login_required
def contract_export_view(request, fmt: str):
    if fmt not in FORMATS:
        raise Http404(_("No such format."))
    _form, contracts = _filtered(request)
    header, rows = selectors.contract_table(contracts)
    return table_response(fmt, filename="contracts", header=header, rows=rows, title=_("Contracts"))


def _actions(user, contract: Contract) -> dict:
    draft = contract.status == Contract.Status.DRAFT
    in_force = contract.status in services.IN_FORCE
    edit = can(user, Action.CONTRACT_EDIT, contract.account)
    conclude = can(user, Action.CONTRACT_CONCLUDE, contract.account)
    renewable = contract.status in services.RENEWABLE and not _renewed(contract)
    return {
        "may_edit": edit and draft,
        "may_attach": edit and (draft or in_force),
        "may_renew": edit and renewable,
        "may_conclude": conclude and draft,
        "may_terminate": conclude and in_force,
    }


def _renewed(contract: Contract) -> bool:
    return Contract.objects.filter(previous=contract).exists()


@login_required
def contract_detail_view(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    return _page(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "versions": selectors.contract_versions(contract=contract),
            "attach_form": AttachForm(),
            **_actions(request.user, contract),
        },
    )


def _initial(contract: Contract, names) -> dict:
    out = {}
    for name in names:
        value = getattr(contract, name)
        out[name] = value.pk if name == "price_column" else value
    return out


@login_required
def contract_create_view(request):
    require(request.user, Action.CONTRACT_EDIT)
    initial = {"payment_days": 30, "credit_limit": 0}
    client = request.GET.get("client")
    if client and client.isdigit():
        initial["account"] = account_get(user=request.user, pk=int(client)).pk
    form = ContractForm(request.POST or None, initial=initial, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        account = data.pop("account")
        data["price_column"] = data["price_column"] or 0
        try:
            contract = services.contract_create(actor=request.user, account=account, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contract %(number)s prepared.") % {"number": contract})
            return redirect(contract)
    status = 422 if request.method == "POST" else 200
    return _page(request, "contracts/contract_form.html", {"form": form}, status=status)


@login_required
def contract_edit_view(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, Action.CONTRACT_EDIT, contract.account)
    form = ContractForm(request.POST or None, initial=_initial(contract, services.EDITABLE))
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        data["price_column"] = data["price_column"] or 0
        try:
            services.contract_update(actor=request.user, contract=contract, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(contract)
    status = 422 if request.method == "POST" else 200
    return _page(
        request, "contracts/contract_form.html", {"form": form, "contract": contract}, status=status
    )


@login_required
def contract_renew_view(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, Action.CONTRACT_EDIT, contract.account)
    initial = _initial(contract, services.TERMS)
    if contract.ends_on:
        initial["starts_on"] = contract.ends_on + timedelta(days=1)
    form = RenewForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        data["price_column"] = data["price_column"] or 0
        try:
            renewal = services.contract_renew(actor=request.user, contract=contract, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Renewal %(number)s prepared.") % {"number": renewal})
            return redirect(renewal)
    status = 422 if request.method == "POST" else 200
    return _page(
        request,
        "contracts/contract_form.html",
        {"form": form, "contract": contract, "renewing": True},
        status=status,
    )


@login_required
def contract_conclude_view(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, Action.CONTRACT_CONCLUDE, contract.account)
    error = None
    if request.method == "POST":
        try:
            services.contract_conclude(actor=request.user, contract=contract)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Contract %(number)s concluded.") % {"number": contract})
            return redirect(contract)
    return _page(
        request,
        "contracts/contract_conclude.html",
        {"contract": contract, "error": error},
        status=422 if error else 200,
    )


@login_required
def contract_terminate_view(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    require(request.user, Action.CONTRACT_CONCLUDE, contract.account)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_terminate(actor=request.user, contract=contract, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Contract %(number)s terminated.") % {"number": contract})
            return redirect(contract)
    status = 422 if request.method == "POST" else 200
    return _page(
        request,
        "contracts/contract_terminate.html",
        {"form": form, "contract": contract},
        status=status,
    )


@login_required
@require_POST
def contract_attach_view(request, pk: int):
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = AttachForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.contract_attach(
                actor=request.user, contract=contract, upload=form.cleaned_data["attachment"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Signed file kept."))
            return redirect(contract)
    return _page(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "versions": selectors.contract_versions(contract=contract),
            "attach_form": form,
            **_actions(request.user, contract),
        },
        status=422,
    )


@login_required
def contract_file_view(request, pk: int):
    """The signed file, to those who may see the client only (404 for anyone else, and when
    there is no file)."""
    contract = selectors.contract_get(user=request.user, pk=pk)
    if not contract.attachment:
        raise Http404(_("This contract has no signed file."))
    try:
        handle = contract.attachment.open("rb")
    except FileNotFoundError:
        raise Http404(_("The signed file is missing from the storage.")) from None
    name = f"{contract.number}-v{contract.version}{Path(contract.attachment.name).suffix}"
    return FileResponse(handle, as_attachment=True, filename=name)
