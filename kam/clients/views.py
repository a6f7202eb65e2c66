"""HTML views ``kam.clients`` serves itself: the pages that create, edit, reassign and archive a
client, and its ownership history (see ``urls.py``).

The client list and the client card show sales figures, so they are web views
(``kam.web.views_clients``): clients sit below sales in the layers (issue 7 §8)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kam.clients import services
from kam.clients.forms import AccountForm, ReassignForm, add_service_errors
from kam.clients.selectors import (
    account_get,
    account_ownership_history,
)
from kam.org import policy
from kam.org.policy import Action


def _wants_fragment(request) -> bool:
    # A history restore (back button after the cache expired) needs the whole page.
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


# Managing clients (issue 7 §6). Forms parse, the services decide (the API gets the same
# answers); the GET of a page the user may not use answers 403 (404 out of scope), as the
# POST would.


def _require(request, action: Action, account=None) -> None:
    policy.require(request.user, action, account)


def _form_page(request, template: str, context: dict, *, status: int = 200):
    return render(request, template, {"nav": "clients", **context}, status=status)


@login_required
def account_create_view(request):
    _require(request, Action.CLIENT_CREATE)
    form = AccountForm(request.POST or None, user=request.user, creating=True)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        try:
            account = services.account_create(
                actor=request.user, legal_name=data.pop("legal_name"), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Client %(name)s created.") % {"name": account})
            return redirect(account)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, "clients/account_form.html", {"form": form}, status=status)


@login_required
def account_edit_view(request, pk: int):
    account = account_get(user=request.user, pk=pk)
    _require(request, Action.CLIENT_EDIT, account)
    initial = {name: getattr(account, name) for name in AccountForm.base_fields if name != "owner"}
    form = AccountForm(request.POST or None, initial=initial, user=request.user, creating=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_update(actor=request.user, account=account, **form.data_for_service())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(account)
    status = 422 if request.method == "POST" else 200
    return _form_page(
        request, "clients/account_form.html", {"form": form, "account": account}, status=status
    )


@login_required
def account_reassign_view(request, pk: int):
    account = account_get(user=request.user, pk=pk)
    _require(request, Action.CLIENT_REASSIGN, account)
    form = ReassignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_reassign(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(client)s now belongs to %(name)s.")
                % {"client": account, "name": form.cleaned_data["owner"]},
            )
            return redirect(account)
    status = 422 if request.method == "POST" else 200
    return _form_page(
        request,
        "clients/account_reassign.html",
        {"form": form, "account": account},
        status=status,
    )


def _archive_page(request, pk: int, *, archive: bool):
    account = account_get(user=request.user, pk=pk)
    _require(request, Action.CLIENT_ARCHIVE, account)
    error = None
    if request.method == "POST":
        service = services.account_archive if archive else services.account_restore
        try:
            service(actor=request.user, account=account)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            done = _("%(client)s archived.") if archive else _("%(client)s restored.")
            messages.success(request, done % {"client": account})
            return redirect(account)
    return _form_page(
        request,
        "clients/account_archive.html",
        {"account": account, "archive": archive, "error": error},
        status=422 if error else 200,
    )


@login_required
def account_archive_view(request, pk: int):
    return _archive_page(request, pk, archive=True)


@login_required
def account_restore_view(request, pk: int):
    return _archive_page(request, pk, archive=False)


@login_required
def account_ownership_view(request, pk: int):
    """The card's "Ownership history" panel (loaded by htmx) with the management buttons."""
    account = account_get(user=request.user, pk=pk)
    return render(
        request,
        "clients/account_ownership.html",
        {"account": account, "ownerships": account_ownership_history(account=account)},
    )
