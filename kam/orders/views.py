"""Pages of the orders app (OR-1, OR-3, CR-3): the KAM's orders, one order, sales support's
queue, the head's approvals, credit control's blocked orders, and the one-click draft line from
order advice. Every write is a POST to one service; a refusal comes back as a message naming
the field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.bounds import clamp_page
from kam.core.tables import table_response
from kam.orders import selectors, services
from kam.orders.forms import DraftAddForm, LineForm, NewOrderForm, OrderFilterForm
from kam.orders.models import DiscountApproval, Order, OrderNoticePreference, Reason
from kam.orders.services.drafting import CANCELLABLE
from kam.orders.services.fulfilment import REFUSABLE, SHIPPABLE
from kam.org.policy import Action, can, require, scope

PAGE_SIZE = 50


def _fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _say(request, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for field, texts in exc.message_dict.items():
            label = "" if field == "__all__" else f"{field}: "
            messages.error(request, label + " ".join(texts))
    else:
        messages.error(request, " ".join(exc.messages))


def _page(request, qs):
    try:
        number = clamp_page(int(request.GET.get("page") or 1))
    except ValueError:
        number = 1
    paginator = Paginator(qs, PAGE_SIZE)
    return paginator.get_page(min(number, paginator.num_pages))


def _export(request, qs, filename: str):
    header = [
        _("Number"),
        _("Client"),
        _("Status"),
        _("Total"),
        _("Currency"),
        _("Total in base currency"),
        _("ERP number"),
        _("Drafted"),
        _("Submitted"),
        _("Waits because"),
    ]
    rows = (
        [
            o.number,
            o.account.legal_name,
            o.get_status_display(),
            o.total,
            o.currency,
            o.total_base,
            o.erp_number,
            o.created_at.date(),
            o.submitted_at.date() if o.submitted_at else "",
            o.waiting_reason,
        ]
        for o in qs.iterator(chunk_size=2000)
    )
    return table_response(
        request.GET.get("format", "csv"), filename=filename, header=header, rows=rows
    )


def _draftable_accounts(user):
    q = scope(user, Action.ORDER_DRAFT)
    qs = Account.objects.visible_to(user).filter(status=Account.Status.ACTIVE)
    return (qs if q is None else qs.filter(q)).order_by("legal_name")[:500]


@login_required
@require_GET
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.order_list(
        user=request.user,
        filters=selectors.OrderFilters(status=data.get("status", ""), q=data.get("q", "")),
    )
    if request.GET.get("format"):
        return _export(request, qs, "orders")
    pref = OrderNoticePreference.objects.filter(user=request.user).first()
    context = {
        "nav": "orders",
        "form": form,
        "page": _page(request, qs),
        "accounts": _draftable_accounts(request.user)
        if can(request.user, Action.ORDER_DRAFT)
        else [],
        "email_notices": bool(pref and pref.email),
    }
    template = "orders/order_list.html#table" if _fragment(request) else "orders/order_list.html"
    return render(request, template, context)


@login_required
@require_POST
def order_new(request):
    form = NewOrderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a client."))
        return redirect("orders:list")
    account = selectors.account_for_order(user=request.user, pk=form.cleaned_data["account"])
    try:
        order = services.order_create(
            actor=request.user,
            account=account,
            requested_on=form.cleaned_data["requested_on"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as exc:
        _say(request, exc)
        return redirect("orders:list")
    return redirect("orders:detail", order.pk)


def _detail_context(request, order: Order) -> dict:
    user = request.user
    may_draft = can(user, Action.ORDER_DRAFT, order.account)
    may_process = can(user, Action.ORDER_PROCESS, order.account)
    return {
        "nav": "orders",
        "order": order,
        "lines": list(selectors.order_lines(order)),
        "shipments": list(selectors.order_shipments(order)),
        "approvals": list(selectors.order_pending_approvals(order)),
        "overrides": list(selectors.order_overrides(order)),
        "timeline": selectors.order_timeline(order),
        "editable": may_draft and order.status == Order.Status.DRAFT,
        "cancellable": order.status in CANCELLABLE,
        "shippable": order.status in SHIPPABLE,
        "refusable": order.status in REFUSABLE,
        "may_draft": may_draft,
        "may_process": may_process,
        "may_approve": can(user, Action.DISCOUNT_APPROVE, order.account),
        "may_override": can(user, Action.CREDIT_OVERRIDE, order.account),
        "products": Product.objects.filter(prices__column=order.price_column_id)
        .distinct()
        .order_by("sku")[:500]
        if may_draft and order.status == Order.Status.DRAFT
        else [],
        "refusal_reasons": selectors.reasons(Reason.Kind.REFUSAL) if may_process else [],
        "return_reasons": selectors.reasons(Reason.Kind.RETURN) if may_process else [],
    }


@login_required
@require_GET
def order_detail(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk)
    return render(request, "orders/order_detail.html", _detail_context(request, order))


def _lines_answer(request, order: Order):
    """The lines again: the partial for htmx, the page otherwise."""
    order = selectors.order_get(user=request.user, pk=order.pk)
    if _fragment(request):
        return render(request, "orders/order_detail.html#lines", _detail_context(request, order))
    return redirect("orders:detail", order.pk)


def _product(value) -> Product:
    product = Product.objects.filter(pk=value).first() if value else None
    if product is None:
        raise ValidationError({"product": _("Choose a product.")})
    return product


@login_required
@require_POST
def line_add(request, pk: int):
    order = selectors.order_get(user=request.user, pk=pk)
    form = LineForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.order_line_add(
            actor=request.user,
            order=order,
            version=request.POST.get("version"),
            product=_product(data.get("product")),
            quantity=data.get("quantity") or "",
            discount_percent=data.get("discount_percent") or None,
            requested_on=data.get("requested_on"),
        )
    except ValidationError as exc:
        _say(request, exc)
    return _lines_answer(request, order)


@login_required
@require_POST
def line_update(request, pk: int, line: int):
    order = selectors.order_get(user=request.user, pk=pk)
    form = LineForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        if request.POST.get("remove"):
            services.order_line_remove(
                actor=request.user, order=order, version=request.POST.get("version"), line=line
            )
        else:
            services.order_line_update(
                actor=request.user,
                order=order,
                version=request.POST.get("version"),
                line=line,
                quantity=data.get("quantity") or None,
                discount_percent=data.get("discount_percent") or None,
                requested_on=data.get("requested_on"),
            )
    except ValidationError as exc:
        _say(request, exc)
    return _lines_answer(request, order)


def _picked(post, prefix: str = "qty_"):
    """{line id: quantity} from fields named qty_<line id>; none given: None (all of it)."""
    lines = [
        {"line": key.removeprefix(prefix), "quantity": value.strip()}
        for key, value in post.items()
        if key.startswith(prefix) and value.strip()
    ]
    return lines or None


def _date(value):
    from django.utils.dateparse import parse_date

    try:
        return parse_date(value) if value else None
    except ValueError:
        return None


def _run(request, order: Order, name: str):
    post, user, version = request.POST, request.user, request.POST.get("version")
    comment = post.get("comment", "")
    if name == "submit":
        return services.order_submit(actor=user, order=order, version=version)
    if name == "cancel":
        return services.order_cancel(actor=user, order=order, version=version, comment=comment)
    if name == "copy":
        return services.order_copy(actor=user, order=order)
    if name == "note":
        return services.order_update(
            actor=user,
            order=order,
            version=version,
            note=post.get("note", ""),
            requested_on=_date(post.get("requested_on")),
        )
    if name == "override":
        return services.order_override(actor=user, order=order, version=version, comment=comment)
    if name == "enter":
        return services.order_enter(
            actor=user, order=order, version=version, erp_number=post.get("erp_number", "")
        )
    if name == "confirm":
        return services.order_confirm(actor=user, order=order, version=version)
    if name == "ship":
        return services.order_ship(
            actor=user,
            order=order,
            version=version,
            lines=_picked(post),
            shipped_on=_date(post.get("on")),
        )
    if name == "refuse":
        return services.order_refuse(
            actor=user,
            order=order,
            version=version,
            reason=post.get("reason"),
            lines=_picked(post),
            comment=comment,
        )
    if name in ("approve", "reject"):
        approval = post.get("approval")
        if name == "approve":
            return services.discount_approve(
                actor=user, order=order, version=version, approval=approval, comment=comment
            )
        return services.discount_reject(
            actor=user, order=order, version=version, approval=approval, comment=comment
        )
    raise Http404(_("Not found."))


ACTIONS = {
    "submit",
    "cancel",
    "copy",
    "note",
    "override",
    "enter",
    "confirm",
    "ship",
    "refuse",
    "approve",
    "reject",
}


@login_required
@require_POST
def order_action(request, pk: int, name: str):
    if name not in ACTIONS:
        raise Http404(_("Not found."))
    order = selectors.order_get(user=request.user, pk=pk)
    try:
        result = _run(request, order, name)
    except ValidationError as exc:
        _say(request, exc)
        return redirect("orders:detail", order.pk)
    if isinstance(result, Order) and result.pk != order.pk:  # a copy
        return redirect("orders:detail", result.pk)
    back = request.POST.get("next")
    if back in ("orders:approvals", "orders:blocked", "orders:queue"):
        return redirect(back)
    return redirect("orders:detail", order.pk)


@login_required
@require_POST
def shipment_action(request, pk: int, name: str):
    shipment = selectors.shipment_get(user=request.user, pk=pk)
    post, user, version = request.POST, request.user, request.POST.get("version")
    try:
        if name == "invoice":
            services.shipment_invoice(
                actor=user, shipment=shipment, version=version, invoiced_on=_date(post.get("on"))
            )
        elif name == "deliver":
            services.order_deliver(
                actor=user, shipment=shipment, version=version, delivered_on=_date(post.get("on"))
            )
        elif name == "return":
            services.order_return(
                actor=user,
                shipment=shipment,
                version=version,
                reason=post.get("reason"),
                lines=_picked(post, "ret_") or [],
                returned_on=_date(post.get("on")),
                note=post.get("note", ""),
            )
        else:
            raise Http404(_("Not found."))
    except ValidationError as exc:
        _say(request, exc)
    return redirect("orders:detail", shipment.order_id)


@login_required
@require_GET
def queue(request):
    """Sales support's queue: their department's submitted orders until shipped."""
    require(request.user, Action.ORDER_PROCESS)  # 403 with the policy's sentence
    qs = selectors.support_queue(user=request.user, status=request.GET.get("status", ""))
    if request.GET.get("format"):
        return _export(request, qs, "order-queue")
    return render(
        request,
        "orders/queue.html",
        {
            "nav": "orders",
            "page": _page(request, qs),
            "statuses": [(s, Order.Status(s).label) for s in selectors.QUEUE],
        },
    )


@login_required
@require_GET
def approvals(request):
    """The head's approvals: discounts waiting, and blocked orders they may release."""
    may_approve = can(request.user, Action.DISCOUNT_APPROVE)
    may_override = can(request.user, Action.CREDIT_OVERRIDE)
    if not (may_approve or may_override):
        require(request.user, Action.DISCOUNT_APPROVE)  # 403 with the policy's sentence
    pending = (
        selectors.approvals_pending(user=request.user)
        if may_approve
        else DiscountApproval.objects.none()
    )
    blocked = selectors.blocked_orders(user=request.user) if may_override else Order.objects.none()
    if request.GET.get("format"):
        header = [
            _("Order"),
            _("Client"),
            _("Line"),
            _("Product"),
            _("Discount asked, %"),
            _("Allowed, %"),
            _("Asked by"),
        ]
        rows = (
            [
                a.order.number,
                a.order.account.legal_name,
                a.line.line_number,
                a.line.product.sku,
                a.requested_percent,
                a.allowed_percent,
                str(a.requested_by),
            ]
            for a in pending
        )
        return table_response(
            request.GET["format"], filename="discount-approvals", header=header, rows=rows
        )
    return render(
        request,
        "orders/approvals.html",
        {"nav": "orders", "pending": list(pending[:200]), "blocked": list(blocked[:200])},
    )


@login_required
@require_GET
def blocked(request):
    """Credit control's page: orders the gate stopped, to release with a comment."""
    require(request.user, Action.CREDIT_OVERRIDE)  # 403 with the policy's sentence
    qs = selectors.blocked_orders(user=request.user)
    if request.GET.get("format"):
        return _export(request, qs, "blocked-orders")
    return render(request, "orders/blocked.html", {"nav": "orders", "page": _page(request, qs)})


@login_required
@require_POST
def draft_add(request):
    """Order advice's one click: the product into the client's open draft by this user."""
    form = DraftAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a client, a product and a quantity."))
        return redirect("orders:list")
    account = selectors.account_for_order(user=request.user, pk=form.cleaned_data["account"])
    try:
        order = services.draft_add(
            actor=request.user,
            account=account,
            product=_product(form.cleaned_data["product"]),
            quantity=form.cleaned_data["quantity"],
        )
    except ValidationError as exc:
        _say(request, exc)
        return redirect("orders:list")
    return redirect("orders:detail", order.pk)


@login_required
@require_POST
def notices(request):
    """The KAM's own choice: e-mail for every change of their orders, or not."""
    services.notice_preference_set(actor=request.user, email=request.POST.get("email") == "on")
    return redirect("orders:list")
