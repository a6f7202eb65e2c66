"""Pages of account plans (mounted at /relations/account-plans/): the list, a plan with its goals,
actions, budget, health and pending changes, and the forms. Thin: forms parse, services decide
(what the KAM's level lets them change alone, what waits for the manager), selectors read scoped
(404 for a plan out of sight). The list downloads as CSV or XLSX (``?format=csv|xlsx``) with
its filters."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.clients.models import Account, Contact
from kam.clients.selectors import account_get
from kam.core.forms import add_service_errors
from kam.core.money import quantize
from kam.core.tables import FORMATS, table_response
from kam.org.policy import RULES, Action, can, scope
from kam.org.selectors import visible_people
from kam.relations import selectors_plans as selectors
from kam.relations import services_plans as services
from kam.relations.forms_plans import (
    ActionForm,
    BudgetForm,
    DecisionForm,
    GoalForm,
    LevelForm,
    PlanCreateForm,
    PlanFilterForm,
    PlanForm,
    ReviewForm,
)
from kam.relations.models import AccountPlan, PlanAction

MAX_CHOICES = 500
MAX_OWNERS = 50  # people offered as an action's owner
EXPORT_CHUNK = 2000  # plans per database round trip in a download


def _said(request, result: services.PlanChange, done: str) -> None:
    """Tell what became of a change: applied, waiting for the manager, or both."""
    if result.status == "pending":
        messages.info(
            request,
            _("Your level on this plan does not cover this change: it waits for your manager."),
        )
    elif result.status == "partly":
        messages.info(
            request,
            _("Saved what your level allows; the rest waits for your manager's approval."),
        )
    elif result.status == "applied":
        messages.success(request, done)
    else:
        messages.info(request, _("Nothing changed."))
    for warning in result.warnings:
        messages.warning(request, warning)


def _owners(user, plan):
    """Who may own an action: the plan's KAM, the client's, the user, the KAM's managers and
    the client's department, among the people the user's work covers, who see the client."""
    account = plan.account
    named = [plan.owner_id, account.owner_id, user.pk, plan.owner.manager_id]
    near = Q(pk__in=[pk for pk in named if pk])
    if account.department_id:
        near |= Q(department=account.department_id)
    people = list(visible_people(user).filter(near).order_by("last_name", "pk")[:MAX_OWNERS])
    if plan.owner not in people:
        people.insert(0, plan.owner)
    return [u for u in people if can(u, Action.CLIENT_VIEW, account)]


def _people(account):
    return list(Contact.objects.filter(account=account).order_by("last_name", "first_name", "pk"))


def _action_form(request, plan, data=None, *, adding=False, initial=None):
    return ActionForm(
        data,
        initial=initial,
        goals=plan.goals.all(),
        people=_owners(request.user, plan),
        adding=adding,
    )


def _detail(request, plan, status=200, **forms):
    view = selectors.plan_detail(user=request.user, plan=plan)
    today = timezone.localdate()
    context = {"nav": "clients", "view": view, "plan": plan, "account": plan.account}
    if view.may_edit:
        context["goal_form"] = forms.get("goal_form") or GoalForm(initial={"due_on": plan.ends_on})
        context["action_form"] = forms.get("action_form") or _action_form(
            request, plan, adding=True, initial={"due_on": today, "owner": plan.owner_id}
        )
        context["budget_form"] = forms.get("budget_form") or BudgetForm(
            initial={"budget": plan.budget}
        )
    if view.may_approve:
        context["level_form"] = forms.get("level_form") or LevelForm(initial={"level": plan.level})
        context["review_form"] = forms.get("review_form") or ReviewForm(initial={"on": today})
    return render(request, "relations/account_plans/detail.html", context, status=status)


def _run(request, plan, key, form, call, done):
    """A plan's form through its service: back to the plan on success, the page with the
    errors (400) otherwise."""
    if form.is_valid():
        try:
            result = call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if isinstance(result, services.PlanChange):
                _said(request, result, done)
            else:
                messages.success(request, done)
            return redirect("relations:plan_detail", pk=plan.pk)
    return _detail(request, plan, status=400, **{key: form})


def export_header() -> list[str]:
    return [
        _("Client"),
        _("Registration number"),
        _("Title"),
        _("VIP/KOL project"),
        _("From"),
        _("To"),
        _("KAM"),
        _("Development level"),
        _("Status"),
        _("Next review"),
        _("Budget"),
        _("Currency"),
        _("Committed"),
        _("Goals"),
        _("Actions overdue"),
        _("Health"),
    ]


def export_row(plan: AccountPlan, *, score: int | None) -> list:
    """One plan of ``selectors.plan_list`` (its counts annotated) with ``committed`` from
    ``_with_committed`` and its health score."""
    return [
        plan.account.legal_name,
        plan.account.registration_number,
        plan.title,
        str(plan.person) if plan.person_id else "",
        plan.starts_on,
        plan.ends_on,
        str(plan.owner),
        plan.level,
        plan.get_status_display(),
        plan.next_review_on,
        plan.budget,
        plan.currency,
        quantize(plan.committed),  # a sum over SQLite comes back without its trailing zeros
        plan.goals_total,
        plan.actions_overdue,
        score,
    ]


def _with_committed(qs):
    """The actions' cost summed in a subquery (a sum beside ``plan_list``'s joins would count
    each action once per goal)."""
    money = DecimalField(max_digits=16, decimal_places=2)
    cost = (
        PlanAction.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(total=Sum("cost"))
        .values("total")
    )
    return qs.annotate(
        committed=Coalesce(
            Subquery(cost, output_field=money), Value(Decimal(0)), output_field=money
        )
    )


def _export_rows(qs, *, user, as_of):
    """Rows in chunks: per chunk one query for the plans and the fixed reads of their scores."""

    def rows(chunk):
        scores = selectors.list_scores(user=user, plans=chunk, as_of=as_of)
        for plan in chunk:
            yield export_row(plan, score=scores[plan.pk])

    chunk = []
    for plan in _with_committed(qs).iterator(chunk_size=EXPORT_CHUNK):
        chunk.append(plan)
        if len(chunk) == EXPORT_CHUNK:
            yield from rows(chunk)
            chunk = []
    yield from rows(chunk)


@login_required
def plan_list(request):
    """The plans the user may see: filter by status, level, review due; ``?format=csv|xlsx``
    downloads every plan the filters keep (the page shows the first 500)."""
    form = PlanFilterForm(request.GET)
    f = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    qs = selectors.plan_list(
        user=request.user,
        status=f.get("status", ""),
        level=f.get("level", ""),
        review_due=f.get("review_due", False),
        as_of=today,
    )
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return table_response(
            fmt,
            filename=f"account-plans-{today}",
            header=export_header(),
            rows=_export_rows(qs, user=request.user, as_of=today),
            title=_("Account plans"),
        )
    plans = qs[:MAX_CHOICES]
    context = {
        "nav": "clients",
        "form": form,
        "plans": plans,
        "today": timezone.localdate(),
        "may_create": can(request.user, Action.ACCOUNT_PLAN_EDIT),
        "may_approve": can(request.user, Action.ACCOUNT_PLAN_APPROVE),
    }
    return render(request, "relations/account_plans/list.html", context)


def _editable_clients(user):
    q = scope(user, Action.ACCOUNT_PLAN_EDIT)
    qs = Account.objects.filter(archived_at__isnull=True)
    if q is not None:
        qs = qs.filter(q)
    return list(qs.order_by("legal_name")[:MAX_CHOICES])


@login_required
def plan_create(request):
    """A new plan for a client the user may edit (``?client=`` picks it)."""
    if not can(request.user, Action.ACCOUNT_PLAN_EDIT):
        raise PermissionDenied(RULES[Action.ACCOUNT_PLAN_EDIT].denied)
    account = None
    wanted = request.POST.get("client") or request.GET.get("client")
    if wanted:
        account = account_get(user=request.user, pk=wanted)
    clients = [account] if account else _editable_clients(request.user)
    people = _people(account) if account else []
    status = 200
    if request.method == "POST":
        form = PlanCreateForm(request.POST, clients=clients, people=people)
        if form.is_valid():
            d = form.cleaned_data
            try:
                result = services.account_plan_create(
                    actor=request.user,
                    account=account_get(user=request.user, pk=d["client"]),
                    title=d["title"],
                    person=d["person"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    review_every_days=d["review_every_days"],
                    status=d["status"],
                    budget=d["budget"] or 0,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _said(request, result, _("The account plan is created."))
                return redirect("relations:plan_detail", pk=result.obj.pk)
        status = 400
    else:
        today = timezone.localdate()
        form = PlanCreateForm(
            initial={
                "client": account.pk if account else None,
                "starts_on": today,
                "ends_on": today.replace(month=12, day=31),
                "status": "draft",
            },
            clients=clients,
            people=people,
        )
    return render(
        request,
        "relations/account_plans/form.html",
        {"nav": "clients", "form": form, "title": _("New account plan"), "account": account},
        status=status,
    )


@login_required
def plan_detail(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return _detail(request, plan)


def _form_page(request, *, plan, form, title, status=200):
    return render(
        request,
        "relations/account_plans/form.html",
        {"nav": "clients", "form": form, "title": title, "plan": plan, "account": plan.account},
        status=status,
    )


def _require_edit_page(request, plan):
    if not can(request.user, Action.ACCOUNT_PLAN_EDIT, plan.account):
        raise PermissionDenied(RULES[Action.ACCOUNT_PLAN_EDIT].denied)


@login_required
def plan_edit(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    _require_edit_page(request, plan)
    people = _people(plan.account)
    if request.method == "POST":
        form = PlanForm(request.POST, people=people)
        if form.is_valid():
            try:
                result = services.account_plan_update(
                    actor=request.user, plan=plan, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _said(request, result, _("The plan is saved."))
                return redirect("relations:plan_detail", pk=plan.pk)
        return _form_page(request, plan=plan, form=form, title=_("Change the plan"), status=400)
    form = PlanForm(
        initial={
            "title": plan.title,
            "person": plan.person_id,
            "starts_on": plan.starts_on,
            "ends_on": plan.ends_on,
            "review_every_days": plan.review_every_days,
            "status": plan.status,
        },
        people=people,
    )
    return _form_page(request, plan=plan, form=form, title=_("Change the plan"))


@login_required
@require_POST
def plan_budget(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return _run(
        request,
        plan,
        "budget_form",
        BudgetForm(request.POST),
        lambda d: services.budget_set(actor=request.user, plan=plan, budget=d["budget"]),
        _("The budget is set."),
    )


@login_required
@require_POST
def goal_add(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return _run(
        request,
        plan,
        "goal_form",
        GoalForm(request.POST),
        lambda d: services.goal_add(actor=request.user, plan=plan, **d),
        _("The goal is added."),
    )


@login_required
def goal_edit(request, pk):
    goal = selectors.goal_get(user=request.user, pk=pk)
    plan = goal.plan
    _require_edit_page(request, plan)
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                result = services.goal_update(actor=request.user, goal=goal, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _said(request, result, _("The goal is saved."))
                return redirect("relations:plan_detail", pk=plan.pk)
        return _form_page(request, plan=plan, form=form, title=_("Change a goal"), status=400)
    form = GoalForm(
        initial={
            "text": goal.text,
            "measure": goal.measure,
            "target_value": goal.target_value,
            "current_value": goal.current_value,
            "due_on": goal.due_on,
            "status": goal.status,
        }
    )
    return _form_page(request, plan=plan, form=form, title=_("Change a goal"))


@login_required
@require_POST
def action_add(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return _run(
        request,
        plan,
        "action_form",
        _action_form(request, plan, request.POST, adding=True),
        lambda d: services.action_add(actor=request.user, plan=plan, **d),
        _("The action is added."),
    )


@login_required
def action_edit(request, pk):
    item = selectors.action_get(user=request.user, pk=pk)
    plan = item.plan
    _require_edit_page(request, plan)
    if request.method == "POST":
        form = _action_form(request, plan, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            if data.get("progress") is None:
                data.pop("progress", None)
            try:
                result = services.action_update(actor=request.user, action=item, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _said(request, result, _("The action is saved."))
                return redirect("relations:plan_detail", pk=plan.pk)
        return _form_page(request, plan=plan, form=form, title=_("Change an action"), status=400)
    form = _action_form(
        request,
        plan,
        initial={
            "text": item.text,
            "goal": item.goal_id,
            "owner": item.owner_id,
            "due_on": item.due_on,
            "cost": item.cost,
            "progress": item.progress,
            "done_on": item.done_on,
        },
    )
    return _form_page(request, plan=plan, form=form, title=_("Change an action"))


@login_required
@require_POST
def action_done(request, pk):
    item = selectors.action_get(user=request.user, pk=pk)
    try:
        result = services.action_done(actor=request.user, action=item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, item.plan, status=400)
    _said(request, result, _("The action is done."))
    return redirect("relations:plan_detail", pk=item.plan_id)


@login_required
def plan_level(request, pk):
    """The manager sets the KAM's development level on the plan."""
    plan = selectors.plan_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = LevelForm(request.POST)
        if form.is_valid():
            try:
                services.account_plan_level_set(actor=request.user, plan=plan, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The development level is set."))
                return redirect("relations:plan_detail", pk=plan.pk)
        return _form_page(request, plan=plan, form=form, title=_("Development level"), status=400)
    if not selectors.may_approve(user=request.user, plan=plan):
        raise PermissionDenied(RULES[Action.ACCOUNT_PLAN_APPROVE].denied)
    form = LevelForm(initial={"level": plan.level})
    return _form_page(request, plan=plan, form=form, title=_("Development level"))


@login_required
@require_POST
def plan_review(request, pk):
    plan = selectors.plan_get(user=request.user, pk=pk)
    return _run(
        request,
        plan,
        "review_form",
        ReviewForm(request.POST),
        lambda d: services.review_record(actor=request.user, plan=plan, **d),
        _("The review is recorded."),
    )


@login_required
def pending_list(request):
    """The changes waiting for the user's decision (a manager's)."""
    if not can(request.user, Action.ACCOUNT_PLAN_APPROVE):
        raise PermissionDenied(RULES[Action.ACCOUNT_PLAN_APPROVE].denied)
    changes = selectors.with_rows(selectors.pending_for(user=request.user)[:MAX_CHOICES])
    return render(
        request,
        "relations/account_plans/pending.html",
        {"nav": "clients", "changes": changes},
    )


def _decide(request, pk, call, done):
    change = selectors.pending_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        result = call(change, note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, change.plan, status=400)
    messages.success(request, done)
    for warning in getattr(result, "warnings", []):
        messages.warning(request, warning)
    back = request.POST.get("next")
    if back == "pending":
        return redirect("relations:plan_pending")
    return redirect("relations:plan_detail", pk=change.plan_id)


@login_required
@require_POST
def pending_approve(request, pk):
    return _decide(
        request,
        pk,
        lambda change, note: services.pending_approve(actor=request.user, change=change, note=note),
        _("The change is approved and applied."),
    )


@login_required
@require_POST
def pending_refuse(request, pk):
    return _decide(
        request,
        pk,
        lambda change, note: services.pending_refuse(actor=request.user, change=change, note=note),
        _("The change is refused: nothing of it is applied."),
    )
