"""Pages of events and trainings (mounted at /schedule/events/ and /schedule/trainings/,
AC-6, AC-8): the list, one event with its invitations (attendance buttons) and presentations
(download), the create and edit forms, the invitation form, the presentation upload and its
file. Thin: forms parse, the services decide. The lists download as CSV or XLSX
(``?format=csv|xlsx``) with the kind they show."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.activity import selectors_events as selectors
from kam.activity import services_events as services
from kam.activity.forms_events import (
    AttendanceForm,
    EventFilterForm,
    EventForm,
    InviteForm,
    PresentationForm,
)
from kam.activity.models import Event, Invitation, Presentation
from kam.clients.models import Account
from kam.core.forms import add_service_errors
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can, require

NAV = "schedule"
PAGE_SIZE = 50


def _wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request


def export_header() -> list[str]:
    return [
        _("Number"),
        _("Kind"),
        _("Title"),
        _("Starts on"),
        _("Ends on"),
        _("Place"),
        _("Organiser"),
        _("Client"),
        _("Registration number"),
        _("Clients of the invited"),
        _("Invited"),
        _("Came"),
        _("Presentations"),
    ]


def export_row(e: Event) -> list:
    """One event; ``e.seen_invitations`` and ``e.presentations_count`` come from
    ``_for_export``."""
    invited = e.seen_invitations
    clients = sorted({i.contact.account.legal_name for i in invited})
    return [
        e.pk,
        e.get_kind_display(),
        e.title,
        e.starts_on,
        e.ends_on,
        e.place,
        str(e.organiser),
        e.account.legal_name if e.account_id else "",
        e.account.registration_number if e.account_id else "",
        "; ".join(clients),
        len(invited),
        sum(i.status == Invitation.Status.CAME for i in invited),
        e.presentations_count,
    ]


def _for_export(qs, *, user):
    """The invitations of people whose client the user sees (as the event's page shows them)
    and the presentations counted: a fixed number of queries per chunk of rows."""
    seen = Account.objects.visible_to(user).values("pk")
    invitations = Invitation.objects.filter(contact__account__in=seen).select_related(
        "contact__account"
    )
    presentations = (
        Presentation.objects.filter(event=OuterRef("pk"))
        .order_by()
        .values("event")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.prefetch_related(
        Prefetch("invitations", queryset=invitations, to_attr="seen_invitations")
    ).annotate(
        presentations_count=Coalesce(Subquery(presentations, output_field=IntegerField()), Value(0))
    )


def _list(request, *, kind=None):
    form = EventFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    kind = kind or data.get("kind") or None
    qs = selectors.event_list(user=request.user, kind=kind)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        trainings = kind == Event.Kind.TRAINING
        return table_response(
            fmt,
            filename=f"{'trainings' if trainings else 'events'}-{timezone.localdate()}",
            header=export_header(),
            rows=(
                export_row(e) for e in _for_export(qs, user=request.user).iterator(chunk_size=2000)
            ),
            title=_("Trainings") if trainings else _("Events"),
        )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": NAV,
        "form": form,
        "page": page,
        "kind": kind,
        "trainings": kind == Event.Kind.TRAINING,
        "today": timezone.localdate(),
        "may_record": can(request.user, Action.ACTIVITY_RECORD),
    }
    template = (
        "activity/events/list.html#events"
        if _wants_fragment(request)
        else "activity/events/list.html"
    )
    return render(request, template, context)


@login_required
def event_list_view(request):
    """Events the user organised or whose clients they see, newest first (``?kind=``);
    ``?format=csv|xlsx`` downloads them, one row per event."""
    return _list(request)


@login_required
def training_list_view(request):
    """Trainings given to client staff."""
    return _list(request, kind=Event.Kind.TRAINING)


@login_required
def event_new_view(request):
    require(request.user, Action.ACTIVITY_RECORD)
    accounts = selectors.recording_accounts(user=request.user)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, accounts=accounts)
        if form.is_valid():
            try:
                e = services.event_create(actor=request.user, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The event is saved."))
                return redirect("activity:event", pk=e.pk)
        status = 400
    else:
        initial = {"starts_on": timezone.localdate()}
        if request.GET.get("kind") in Event.Kind.values:
            initial["kind"] = request.GET["kind"]
        if request.GET.get("client", "").isdigit():
            initial["client"] = int(request.GET["client"])
        form = EventForm(initial=initial, accounts=accounts)
    context = {"nav": NAV, "form": form, "title": _("New event")}
    return render(request, "activity/events/form.html", context, status=status)


def _manageable(request, pk) -> Event:
    """The event, for its organiser or a person who may record for its client (403 for
    others who see it, 404 for the rest)."""
    e = selectors.event_get(user=request.user, pk=pk)
    if not selectors.may_manage(request.user, e):
        raise PermissionDenied(_("Only the organiser or the client's people may change it."))
    return e


@login_required
def event_edit_view(request, pk):
    e = _manageable(request, pk)
    accounts = selectors.recording_accounts(user=request.user)
    status = 200
    if request.method == "POST":
        form = EventForm(request.POST, accounts=accounts)
        if form.is_valid():
            try:
                services.event_update(actor=request.user, event=e, **form.service_kwargs())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The event is saved."))
                return redirect("activity:event", pk=e.pk)
        status = 400
    else:
        form = EventForm(
            initial={
                "kind": e.kind,
                "title": e.title,
                "starts_on": e.starts_on,
                "ends_on": e.ends_on,
                "place": e.place,
                "description": e.description,
                "client": e.account_id,
            },
            accounts=accounts,
        )
    context = {"nav": NAV, "form": form, "event": e, "title": _("Change the event")}
    return render(request, "activity/events/form.html", context, status=status)


def _contacts(request, e: Event):
    return selectors.recording_contacts(
        user=request.user, account=e.account if e.kind == Event.Kind.TRAINING else None
    )


def _detail(request, e: Event, *, presentation_form=None, error=None, status=200):
    may_manage = selectors.may_manage(request.user, e)
    if may_manage and presentation_form is None:
        presentation_form = PresentationForm(contacts=_contacts(request, e))
    context = {
        "nav": NAV,
        "event": e,
        "invitations": selectors.event_invitations(user=request.user, event=e),
        "presentations": selectors.event_presentations(event=e),
        "may_manage": may_manage,
        "may_record": can(request.user, Action.ACTIVITY_RECORD),
        "started": e.starts_on <= timezone.localdate(),
        "presentation_form": presentation_form if may_manage else None,
        "error": error,
    }
    return render(request, "activity/events/detail.html", context, status=status)


@login_required
def event_view(request, pk):
    return _detail(request, selectors.event_get(user=request.user, pk=pk))


@login_required
def event_invite_view(request, pk):
    e = _manageable(request, pk)
    contacts = _contacts(request, e)
    status = 200
    if request.method == "POST":
        form = InviteForm(request.POST, contacts=contacts)
        if form.is_valid():
            try:
                new = services.event_invite(
                    actor=request.user,
                    event=e,
                    contacts=form.cleaned_data["contacts"],
                    invited_on=form.cleaned_data["invited_on"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Invited: %(n)d.") % {"n": len(new)})
                return redirect("activity:event", pk=e.pk)
        status = 400
    else:
        form = InviteForm(initial={"invited_on": timezone.localdate()}, contacts=contacts)
    context = {"nav": NAV, "form": form, "event": e}
    return render(request, "activity/events/invite.html", context, status=status)


@login_required
@require_POST
def attendance_view(request, pk, invitation_pk):
    e = selectors.event_get(user=request.user, pk=pk)
    try:
        inv = selectors.event_invitations(user=request.user, event=e).get(pk=invitation_pk)
    except (Invitation.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    form = AttendanceForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.attendance_record(
                actor=request.user, invitation=inv, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            error = " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        else:
            messages.success(request, _("The attendance is recorded."))
            return redirect("activity:event", pk=e.pk)
    else:
        error = _("Choose came, declined or did not come.")
    return _detail(request, e, error=error, status=400)


@login_required
@require_POST
def presentation_add_view(request, pk):
    e = _manageable(request, pk)
    form = PresentationForm(request.POST, request.FILES, contacts=_contacts(request, e))
    if form.is_valid():
        try:
            services.presentation_add(
                actor=request.user,
                event=e,
                title=form.cleaned_data["title"],
                upload=form.cleaned_data["file"],
                prepared_with=form.cleaned_data["prepared_with"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The presentation is attached."))
            return redirect("activity:event", pk=e.pk)
    return _detail(request, e, presentation_form=form, status=400)


@login_required
def presentation_file_view(request, pk):
    """The presentation's file, to those who see its event only (404 for anyone else)."""
    p = selectors.presentation_get(user=request.user, pk=pk)
    if not p.file:
        raise Http404(_("This presentation has no file."))
    try:
        handle = p.file.open("rb")
    except FileNotFoundError:
        raise Http404(_("The file is missing from the storage.")) from None
    name = f"event-{p.event_id}-presentation-{p.pk}{Path(p.file.name).suffix}"
    return FileResponse(handle, as_attachment=True, filename=name)
