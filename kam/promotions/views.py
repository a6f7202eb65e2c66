"""Pages of promotions (SP-4): the list, a programme with its effect and chart, the proposal
form, and the director's decisions. Thin: forms parse, services decide, selectors scope."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.core.bounds import as_of_or_today, clamp_page
from kam.core.forms import add_service_errors
from kam.org.policy import Action, can, require
from kam.promotions import selectors, services
from kam.promotions.forms import AsOfForm, CostForm, DecisionForm, PromotionForm
from kam.promotions.models import Promotion

PAGE_SIZE = 50


def _int(value, default=1):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


@login_required
def promotion_list(request):
    status = request.GET.get("status", "")
    if status not in Promotion.Status.values:
        status = ""
    qs = selectors.promotion_list(user=request.user, status=status or None)
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.page(clamp_page(_int(request.GET.get("page")), last_page=paginator.num_pages))
    context = {
        "nav": "promotions",
        "page": page,
        "status": status,
        "statuses": Promotion.Status.choices,
        "may_propose": can(request.user, Action.PROMOTION_PROPOSE),
    }
    return render(request, "promotions/list.html", context)


def effect_chart(effect: selectors.Effect) -> dict:
    """The chart's data: programme clients, baseline and control group per month (amounts as
    strings, null where there is none)."""

    def s(v):
        return None if v is None else str(v)

    return {
        "labels": [date_format(m.month, "M Y") for m in effect.series],
        "actual": [s(m.actual) for m in effect.series],
        "baseline": [s(m.baseline) for m in effect.series],
        "control": [s(m.control) for m in effect.series],
        "start": len(effect.pre_months),
        "currency": effect.currency,
        "names": {
            "actual": _("Programme clients"),
            "baseline": _("Baseline (their trend)"),
            "control": _("Control group (scaled)"),
        },
    }


def _detail_context(request, promotion, *, decision_form=None, cost_form=None, status=200):
    form = AsOfForm(request.GET)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    effect = selectors.promotion_effect(
        user=request.user, promotion=promotion, as_of=as_of_or_today(day)
    )
    may_decide = can(request.user, Action.PROMOTION_APPROVE)
    proposed = promotion.status == Promotion.Status.PROPOSED
    return {
        "nav": "promotions",
        "promotion": promotion,
        "effect": effect,
        "chart": effect_chart(effect),
        "measures": [(_("Turnover"), effect.turnover), (_("Income"), effect.income)],
        "as_of_form": form,
        "clients": [a for a in promotion.accounts.all() if a.pk in set(effect.client_ids)],
        "may_decide": may_decide and proposed,
        "may_edit": proposed
        and can(request.user, Action.PROMOTION_PROPOSE)
        and (promotion.proposed_by_id == request.user.pk or may_decide),
        "may_cost": may_decide
        and promotion.status in (Promotion.Status.APPROVED, Promotion.Status.CLOSED),
        "may_close": may_decide and promotion.status == Promotion.Status.APPROVED,
        "decision_form": decision_form or DecisionForm(),
        "cost_form": cost_form or CostForm(initial={"cost": promotion.cost}),
    }


@login_required
def promotion_detail(request, pk):
    promotion = selectors.promotion_get(user=request.user, pk=pk)
    return render(request, "promotions/detail.html", _detail_context(request, promotion))


def _form_page(request, form, promotion=None, status=200):
    context = {"nav": "promotions", "form": form, "promotion": promotion}
    return render(request, "promotions/form.html", context, status=status)


@login_required
def promotion_propose(request):
    require(request.user, Action.PROMOTION_PROPOSE)
    if request.method != "POST":
        return _form_page(request, PromotionForm(user=request.user))
    form = PromotionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            promotion = services.promotion_propose(actor=request.user, **form.service_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The promotion is proposed for approval."))
            return redirect(promotion)
    return _form_page(request, form, status=400)


@login_required
def promotion_edit(request, pk):
    promotion = selectors.promotion_get(user=request.user, pk=pk)
    require(request.user, Action.PROMOTION_PROPOSE)
    if request.method != "POST":
        initial = {
            f: getattr(promotion, f)
            for f in ("name", "kind", "starts_on", "ends_on", "budget", "discount_percent", "note")
        }
        for f in ("products", "categories", "accounts", "segments"):
            initial[f] = list(getattr(promotion, f).all())
        return _form_page(request, PromotionForm(user=request.user, initial=initial), promotion)
    form = PromotionForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.promotion_update(
                actor=request.user, promotion=promotion, **form.service_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The promotion is saved."))
            return redirect(promotion)
    return _form_page(request, form, promotion, status=400)


def _decide(request, pk, service, done: str):
    promotion = selectors.promotion_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, promotion=promotion, note=form.cleaned_data["note"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(promotion)
    context = _detail_context(request, promotion, decision_form=form)
    return render(request, "promotions/detail.html", context, status=400)


@login_required
@require_POST
def promotion_approve(request, pk):
    return _decide(request, pk, services.promotion_approve, _("The promotion is approved."))


@login_required
@require_POST
def promotion_refuse(request, pk):
    return _decide(request, pk, services.promotion_refuse, _("The promotion is refused."))


@login_required
@require_POST
def promotion_cost(request, pk):
    promotion = selectors.promotion_get(user=request.user, pk=pk)
    form = CostForm(request.POST)
    if form.is_valid():
        try:
            services.promotion_record_cost(
                actor=request.user, promotion=promotion, cost=form.cleaned_data["cost"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The cost is recorded."))
            return redirect(promotion)
    context = _detail_context(request, promotion, cost_form=form)
    return render(request, "promotions/detail.html", context, status=400)


@login_required
@require_POST
def promotion_close(request, pk):
    promotion = selectors.promotion_get(user=request.user, pk=pk)
    try:
        services.promotion_close(actor=request.user, promotion=promotion)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The promotion is closed."))
    return redirect(promotion)
