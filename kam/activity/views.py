"""Pages of the schedule (mounted at /schedule/): the week, planning, the ad-hoc log, an
item with its completion, a client's activities, the key clients gone quiet, the rhythm,
the personal iCal feed and the feed itself (no login: the secret is the key). Thin: forms
parse, the services decide. A client's activities download as CSV or XLSX
(``?format=csv|xlsx``)."""

from datetime import date, datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kam.activity import ical, selectors, services
from kam.activity.forms import (
    AsOfForm,
    CancelForm,
    ClientPickForm,
    CompleteForm,
    LogForm,
    PlanForm,
    RhythmForm,
    WeekForm,
)
from kam.activity.models import Activity
from kam.clients.selectors import account_get
from kam.core.bounds import clamp_date
from kam.core.forms import add_service_errors
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can, require

NAV = "schedule"


def _wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def _as_of(request) -> tuple[date, AsOfForm]:
    form = AsOfForm(request.GET)
    day = form.cleaned_data.get("as_of") if form.is_valid() else None
    return clamp_date(day) if day else timezone.localdate(), form


@login_required
def week_view(request):
    """A person's week, Monday to Sunday: a 7-column grid on a wide screen, a list per day on
    a phone. ``?week=`` any day of the week, ``?person=`` whose (404 if not theirs to see)."""
    form = WeekForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    day = data.get("week") or timezone.localdate()
    wk = selectors.week(user=request.user, owner=data.get("person"), week_start=day)
    people = selectors.schedule_people(user=request.user)
    context = {
        "nav": NAV,
        "week": wk,
        "today": timezone.localdate(),
        "people": people if len(people) > 1 else [],
        "person_param": "" if wk.owner.pk == request.user.pk else f"&person={wk.owner.pk}",
        "may_record": can(request.user, Action.ACTIVITY_RECORD),
    }
    template = "activity/week.html#week" if _wants_fragment(request) else "activity/week.html"
    return render(request, template, context)


def _pick_client(request, title: str, url_name: str):
    accounts = selectors.recordable_accounts(user=request.user)
    form = ClientPickForm(accounts=accounts)
    return render(
        request,
        "activity/pick_client.html",
        {"nav": NAV, "form": form, "title": title, "action": reverse(url_name)},
    )


def _client_of(request):
    """The client named by ``?client=`` (or the form's), on which the user may record."""
    raw = request.POST.get("client") or request.GET.get("client")
    account = account_get(user=request.user, pk=raw)
    require(request.user, Action.ACTIVITY_RECORD, account)
    return account


def _form_page(request, template, context, status=200):
    return render(request, template, {"nav": NAV, **context}, status=status)


@login_required
def plan_view(request):
    """Plan a visit, call, meeting or negotiation (AC-1): first the client, then the rest."""
    require(request.user, Action.ACTIVITY_RECORD)
    if not (request.GET.get("client") or request.POST.get("client")):
        return _pick_client(request, _("Plan an activity"), "activity:plan")
    account = _client_of(request)
    owners = [
        p
        for p in selectors.schedule_people(user=request.user)
        if can(p, Action.ACTIVITY_RECORD, account)
    ]
    initial = {"starts_at": _next_hour(), "kind": Activity.Kind.VISIT, "owner": request.user.pk}
    on = _day(request.GET.get("on"))
    if on is not None:
        initial["starts_at"] = timezone.make_aware(datetime.combine(on, time(9)))
    if request.method == "POST":
        form = PlanForm(request.POST, account=account, owners=owners)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                item = services.activity_plan(
                    actor=request.user,
                    account=account,
                    kind=data["kind"],
                    starts_at=data["starts_at"],
                    ends_at=data.get("ends_at"),
                    purpose=data["purpose"],
                    people=list(data["people"]),
                    owner=data.get("owner"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The activity is on the schedule."))
                return redirect(_week_url(item))
        status = 400
    else:
        form = PlanForm(initial=initial, account=account, owners=owners)
        status = 200
    context = {"form": form, "account": account, "title": _("Plan an activity")}
    return _form_page(request, "activity/form.html", context, status)


def _day(value) -> date | None:
    try:
        return clamp_date(date.fromisoformat(value)) if value else None
    except (TypeError, ValueError):
        return None


def _next_hour():
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=1)


def _week_url(item: Activity) -> str:
    day = timezone.localtime(item.starts_at).date()
    url = f"{reverse('activity:week')}?week={day.isoformat()}"
    return url if item.owner_id == item.created_by_id else f"{url}&person={item.owner_id}"


@login_required
def log_view(request):
    """Log an ad-hoc visit, call, meeting or negotiation that is done (AC-2)."""
    require(request.user, Action.ACTIVITY_RECORD)
    if not (request.GET.get("client") or request.POST.get("client")):
        return _pick_client(request, _("Log an activity"), "activity:log")
    account = _client_of(request)
    if request.method == "POST":
        form = LogForm(request.POST, account=account)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data["people"] = list(data["people"])
            try:
                services.activity_log(actor=request.user, account=account, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The activity is logged."))
                return redirect("activity:client", pk=account.pk)
        status = 400
    else:
        now = timezone.localtime().replace(second=0, microsecond=0)
        form = LogForm(initial={"starts_at": now, "kind": Activity.Kind.CALL}, account=account)
        status = 200
    context = {"form": form, "account": account, "title": _("Log an activity")}
    return _form_page(request, "activity/form.html", context, status)


def _item_context(request, item, *, complete_form=None, cancel_form=None):
    may_change = item.status == Activity.Status.PLANNED and can(
        request.user, Action.ACTIVITY_RECORD, item.account
    )
    if may_change and complete_form is None:
        complete_form = CompleteForm(negotiation=item.kind == Activity.Kind.NEGOTIATION)
    return {
        "nav": NAV,
        "item": item,
        "complete_form": complete_form if may_change else None,
        "cancel_form": (cancel_form or CancelForm()) if may_change else None,
        "follow_ups": list(item.next_items.order_by("starts_at")),
    }


@login_required
def item_view(request, pk):
    item = selectors.activity_get(user=request.user, pk=pk)
    return render(request, "activity/item.html", _item_context(request, item))


@login_required
@require_POST
def complete_view(request, pk):
    item = selectors.activity_get(user=request.user, pk=pk)
    require(request.user, Action.ACTIVITY_RECORD, item.account)
    form = CompleteForm(request.POST, negotiation=item.kind == Activity.Kind.NEGOTIATION)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "") or k == "outcome"}
        try:
            services.activity_complete(actor=request.user, item=item, **data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity is done and logged."))
            return redirect("activity:item", pk=item.pk)
    context = _item_context(request, item, complete_form=form)
    return render(request, "activity/item.html", context, status=400)


@login_required
@require_POST
def cancel_view(request, pk):
    item = selectors.activity_get(user=request.user, pk=pk)
    require(request.user, Action.ACTIVITY_RECORD, item.account)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.activity_cancel(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The activity is cancelled."))
            return redirect("activity:item", pk=item.pk)
    context = _item_context(request, item, cancel_form=form)
    return render(request, "activity/item.html", context, status=400)


def export_header() -> list[str]:
    return [
        _("When"),
        _("Ends at"),
        _("Kind"),
        _("Status"),
        _("KAM"),
        _("People"),
        _("Purpose"),
        _("Outcome"),
        _("Next step"),
        _("Next step on"),
        _("Negotiation topics"),
        _("Agreed"),
    ]


def export_row(item: Activity) -> list:
    """One activity (its people prefetched by ``selectors.client_activities``), times in the
    local time zone as on the page."""
    return [
        timezone.localtime(item.starts_at).replace(tzinfo=None),
        timezone.localtime(item.ends_at).replace(tzinfo=None),
        item.get_kind_display(),
        item.get_status_display(),
        str(item.owner),
        ", ".join(str(p) for p in item.people.all()),
        item.purpose,
        item.outcome,
        item.next_step,
        item.next_step_on,
        ", ".join(item.topic_labels()),
        item.agreed,
    ]


@login_required
def client_view(request, pk):
    """A client's visits, calls, meetings and negotiations, everyone's, newest first;
    ``?format=csv|xlsx`` downloads every one the user sees (the page shows the latest 200)."""
    account = account_get(user=request.user, pk=pk)
    qs = selectors.client_activities(user=request.user, account=account)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return table_response(
            fmt,
            filename=f"activities-{account.pk}",
            header=export_header(),
            rows=(export_row(i) for i in qs.iterator(chunk_size=2000)),
            title=_("Activities"),
        )
    items = qs[:200]
    context = {
        "nav": NAV,
        "account": account,
        "items": items,
        "may_record": can(request.user, Action.ACTIVITY_RECORD, account),
    }
    return render(request, "activity/client.html", context)


@login_required
def quiet_view(request):
    """Key clients with no contact for longer than their rhythm (AC-3)."""
    as_of, form = _as_of(request)
    context = {
        "nav": NAV,
        "as_of": as_of,
        "form": form,
        "rows": selectors.gone_quiet(user=request.user, as_of=as_of),
        "settings": selectors.activity_settings(),
    }
    return render(request, "activity/quiet.html", context)


@login_required
def settings_view(request):
    """The relationship rhythm: everyone signed in reads it; the director or an administrator
    changes it (403 for others)."""
    current = selectors.activity_settings()
    may_edit = can(request.user, Action.ACTIVITY_SETTINGS_EDIT)
    status = 200
    if request.method == "POST":
        require(request.user, Action.ACTIVITY_SETTINGS_EDIT)
        form = RhythmForm(request.POST)
        if form.is_valid():
            try:
                services.activity_settings_update(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The relationship rhythm is saved."))
                return redirect("activity:settings")
        status = 400
    else:
        form = RhythmForm(initial={f: getattr(current, f) for f in services.SETTINGS_FIELDS})
        if not may_edit:
            for f in form.fields.values():
                f.disabled = True
    context = {"nav": NAV, "form": form, "may_edit": may_edit}
    return render(request, "activity/settings.html", context, status=status)


@login_required
def feed_view(request):
    """The personal iCal feed: create (the URL is shown this once) or revoke it."""
    secret_url = None
    if request.method == "POST":
        if request.POST.get("do") == "revoke":
            services.calendar_feed_revoke(actor=request.user)
            messages.success(request, _("The calendar feed is revoked: its URL no longer works."))
            return redirect("activity:feed")
        _feed, token = services.calendar_feed_create(actor=request.user)
        secret_url = request.build_absolute_uri(reverse("activity:feed_ics", args=[token]))
    context = {
        "nav": NAV,
        "feed": selectors.feed_get(user=request.user),
        "secret_url": secret_url,
    }
    return render(request, "activity/feed.html", context)


def _event(item: Activity) -> ical.Event:
    people = ", ".join(str(p) for p in item.people.all())
    lines = [item.purpose]
    if people:
        lines.append(_("People: %(people)s") % {"people": people})
    if item.status == Activity.Status.DONE and item.outcome:
        lines.append(_("Outcome: %(outcome)s") % {"outcome": item.outcome})
    if item.next_step:
        lines.append(_("Next step: %(step)s") % {"step": item.next_step})
    return ical.Event(
        uid=f"activity-{item.pk}@kam",
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        summary=f"{item.get_kind_display()}: {item.account.legal_name}",
        description="\n".join(lines),
        status="CONFIRMED" if item.status == Activity.Status.DONE else "TENTATIVE",
        updated_at=item.updated_at,
    )


@require_safe
def feed_ics(request, token):
    """The feed for a calendar program: no login, the secret in the URL is the key; a wrong
    or revoked secret answers 404."""
    try:
        user, items = selectors.feed_items(token=token)
    except Http404:
        return HttpResponse("Not found.\n", status=404, content_type="text/plain; charset=utf-8")
    text = ical.calendar(
        (_event(i) for i in items),
        name=_("KAM schedule: %(name)s") % {"name": str(user)},
        stamp=timezone.now(),
    )
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="schedule.ics"'
    return response
