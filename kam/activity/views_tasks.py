"""Pages of tasks (mounted at /schedule/tasks/, AC-10): the list with its tabs (to me, given
by me and my team, overdue), a new task, one task with its comments and history, its status,
a comment and the giver's change. Thin: forms parse, the services decide. The list downloads
as CSV or XLSX (``?format=csv|xlsx``) with the tab and status it shows."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.activity import selectors_tasks as selectors
from kam.activity import services_tasks as services
from kam.activity.forms_tasks import TaskCommentForm, TaskForm, TaskListForm, TaskStatusForm
from kam.activity.models import TASK_OPEN, Task, TaskComment
from kam.core.forms import add_service_errors
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can, require

NAV = "schedule"


def _wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _name(user) -> str:
    return str(user) if user else ""


def export_header() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Client"),
        _("Registration number"),
        _("Given by"),
        _("Assigned to"),
        _("Given on"),
        _("Due on"),
        _("Status"),
        _("Done on"),
        _("Overdue"),
        _("Last comment"),
    ]


def export_row(t: Task, *, today) -> list:
    """One task; ``t.last_comment`` is annotated by ``_with_last_comment``."""
    done = t.status == Task.Status.DONE and t.closed_at is not None
    return [
        t.pk,
        t.title,
        t.account.legal_name if t.account_id else "",
        t.account.registration_number if t.account_id else "",
        _name(t.assigned_by),
        _name(t.assignee),
        timezone.localtime(t.created_at).date(),
        t.due_on,
        t.get_status_display(),
        timezone.localtime(t.closed_at).date() if done else None,
        _("yes") if t.is_overdue(today) else _("no"),
        t.last_comment or "",
    ]


def _with_last_comment(qs):
    """Each task's latest comment, in the same query (the download makes one query)."""
    latest = TaskComment.objects.filter(task=OuterRef("pk")).order_by("-at", "-pk")
    return qs.annotate(last_comment=Subquery(latest.values("text")[:1]))


@login_required
def task_list_view(request):
    """Tasks: to me, given by me (and my team), overdue; ``?format=csv|xlsx`` downloads the
    tab with its status filter (every row, not only the first 500 the page shows)."""
    form = TaskListForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    tab = data.get("tab") or "mine"
    today = timezone.localdate()
    qs = selectors.task_list(user=request.user, tab=tab, as_of=today, status=data.get("status"))
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return table_response(
            fmt,
            filename=f"tasks-{tab}-{today}",
            header=export_header(),
            rows=(
                export_row(t, today=today) for t in _with_last_comment(qs).iterator(chunk_size=2000)
            ),
            title=_("Tasks"),
        )
    tasks = list(qs[:500])
    context = {
        "nav": NAV,
        "tab": tab,
        "form": form,
        "rows": [(t, t.is_overdue(today)) for t in tasks],
        "today": today,
        "may_assign": can(request.user, Action.TASK_ASSIGN),
    }
    template = (
        "activity/tasks/list.html#tasks" if _wants_fragment(request) else "activity/tasks/list.html"
    )
    return render(request, template, context)


@login_required
def task_new_view(request):
    """Give one of your people a task (director, head, regional manager; 403 for others)."""
    require(request.user, Action.TASK_ASSIGN)
    people = selectors.assignable_people(user=request.user)
    accounts = selectors.task_accounts(user=request.user)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, people=people, accounts=accounts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                task = services.task_assign(
                    actor=request.user,
                    assignee=data["assignee"],
                    title=data["title"],
                    description=data["description"],
                    due_on=data["due_on"],
                    account=data.get("client"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The task is given."))
                return redirect("activity:task", pk=task.pk)
        status = 400
    else:
        initial = {}
        if request.GET.get("client"):
            initial["client"] = request.GET["client"]
        if request.GET.get("to"):
            initial["assignee"] = request.GET["to"]
        form = TaskForm(initial=initial, people=people, accounts=accounts)
    context = {"nav": NAV, "form": form, "title": _("New task")}
    return render(request, "activity/tasks/form.html", context, status=status)


def _detail(request, task, *, status_form=None, comment_form=None, status=200):
    user = request.user
    is_assignee = task.assignee_id == user.pk
    is_giver = task.assigned_by_id == user.pk
    if is_assignee and task.status != Task.Status.CANCELLED:
        choices = [
            c for c in Task.Status.choices if c[0] != Task.Status.CANCELLED and c[0] != task.status
        ]
    else:
        choices = []
    if choices:
        status_form = status_form or TaskStatusForm()
        status_form.fields["status"].choices = choices
    context = {
        "nav": NAV,
        "task": task,
        "today": timezone.localdate(),
        "overdue": task.is_overdue(timezone.localdate()),
        "status_form": status_form if choices else None,
        "may_cancel": is_giver and task.status in TASK_OPEN,
        "may_edit": is_giver and task.status in TASK_OPEN,
        "comment_form": (comment_form or TaskCommentForm()) if is_assignee or is_giver else None,
    }
    return render(request, "activity/tasks/detail.html", context, status=status)


@login_required
def task_view(request, pk):
    task = selectors.task_get(user=request.user, pk=pk)
    return _detail(request, task)


@login_required
@require_POST
def task_status_view(request, pk):
    """The assignee moves the task; the giver cancels it (``status=cancelled``)."""
    task = selectors.task_get(user=request.user, pk=pk)
    form = TaskStatusForm(request.POST)
    if form.is_valid():
        try:
            services.task_status(actor=request.user, task=task, status=form.cleaned_data["status"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The task's status is changed."))
            return redirect("activity:task", pk=task.pk)
    return _detail(request, task, status_form=form, status=400)


@login_required
@require_POST
def task_comment_view(request, pk):
    task = selectors.task_get(user=request.user, pk=pk)
    form = TaskCommentForm(request.POST)
    if form.is_valid():
        try:
            services.task_comment(actor=request.user, task=task, text=form.cleaned_data["text"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The comment is added."))
            return redirect("activity:task", pk=task.pk)
    return _detail(
        request, selectors.task_get(user=request.user, pk=pk), comment_form=form, status=400
    )


@login_required
def task_edit_view(request, pk):
    """The person who gave the task changes it (403 for anyone else who sees it)."""
    task = selectors.task_get(user=request.user, pk=pk)
    accounts = selectors.task_accounts(user=request.user)
    status = 200
    if request.method == "POST":
        form = TaskForm(request.POST, accounts=accounts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.task_update(
                    actor=request.user,
                    task=task,
                    title=data["title"],
                    description=data["description"],
                    due_on=data["due_on"],
                    account=data.get("client"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The task is changed."))
                return redirect("activity:task", pk=task.pk)
        status = 400
    else:
        if task.assigned_by_id != request.user.pk:
            raise PermissionDenied(_("Only the person who gave the task may change it."))
        form = TaskForm(
            initial={
                "title": task.title,
                "description": task.description,
                "due_on": task.due_on,
                "client": task.account_id,
            },
            accounts=accounts,
        )
    context = {"nav": NAV, "form": form, "title": _("Change the task"), "task": task}
    return render(request, "activity/tasks/form.html", context, status=status)
