"""Pages of the relationship workspace (mounted at /relations/): a client's people, a person's
profile, the influence map per client and per territory, the information base. Thin: forms
parse, services decide, selectors read scoped (404 for what is out of sight)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kam.clients.models import Contact
from kam.clients.selectors import account_get
from kam.core.forms import add_service_errors
from kam.core.tables import FORMATS, table_response
from kam.org.policy import Action, can
from kam.relations import selectors, services
from kam.relations.forms import (
    CompetitorForm,
    NoteForm,
    NoteSearchForm,
    ProfileForm,
    RelationForm,
    StageForm,
)
from kam.relations.models import Profile, Relation, Stage

EXPORT_NOTES = 50_000  # rows in a notes download


def _yes(value: bool) -> str:
    return _("yes") if value else ""


def people_export_header() -> list[str]:
    return [
        _("Name"),
        _("Position"),
        _("Role in decisions"),
        _("VIP"),
        _("KOL"),
        _("Stage"),
        _("Loyalty to our company"),
        _("Loyalty to our products"),
        _("Specialty"),
        _("Affiliations"),
        _("Publications"),
        _("Speaking"),
    ]


def people_export_row(contact: Contact) -> list:
    """The professional, public part only: the personal part (birthday, family, interests) is
    never exported, whoever downloads (AC-4)."""
    p = selectors.person_row(contact)
    try:
        profile = contact.profile
    except Profile.DoesNotExist:
        profile = None
    return [
        p.name,
        p.position,
        p.decision_role_label,
        _yes(p.is_vip),
        _yes(p.is_kol),
        p.stage_label,
        p.loyalty_company,
        p.loyalty_products,
        p.specialty,
        profile.affiliations if profile else "",
        profile.publications if profile else "",
        profile.speaking if profile else "",
    ]


@login_required
def client_people(request, pk):
    """A client's people with their marks, role and stage; CSV/XLSX with the professional
    part, without the personal part (never exported)."""
    account = account_get(user=request.user, pk=pk)
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        contacts = selectors.visible_people(user=request.user).filter(account=account)
        return table_response(
            fmt,
            filename=f"people-{account.pk}",
            header=people_export_header(),
            rows=(people_export_row(c) for c in contacts.iterator(chunk_size=2000)),
            title=_("People"),
        )
    context = {
        "nav": "clients",
        "account": account,
        "people": selectors.person_list(user=request.user, account=account),
        "may_edit": can(request.user, Action.RELATION_EDIT, account),
    }
    return render(request, "relations/people.html", context)


def _person_context(request, contact, **forms):
    view = selectors.profile_detail(user=request.user, contact=contact)
    may_edit = can(request.user, Action.RELATION_EDIT, contact.account)
    personal = view.personal is not None
    context = {
        "nav": "clients",
        "view": view,
        "contact": contact,
        "account": contact.account,
        "may_edit": may_edit,
        "stages": Stage.choices,
    }
    if may_edit:
        initial = {
            "is_vip": view.person.is_vip,
            "is_kol": view.person.is_kol,
            "decision_role": contact.decision_role,
            "specialty": view.person.specialty,
            "affiliations": view.affiliations,
            "publications": view.publications,
            "speaking": view.speaking,
            "loyalty_company": view.person.loyalty_company,
            "loyalty_products": view.person.loyalty_products,
            **(view.personal or {}),
        }
        context["profile_form"] = forms.get("profile_form") or ProfileForm(
            initial=initial, personal=personal
        )
        context["stage_form"] = forms.get("stage_form") or StageForm(
            initial={"on": timezone.localdate()}
        )
        context["competitor_form"] = forms.get("competitor_form") or CompetitorForm(
            initial={"seen_on": timezone.localdate()}
        )
        context["relation_form"] = forms.get("relation_form") or RelationForm(
            people=selectors.relation_candidates(user=request.user, contact=contact)
        )
    return context


@login_required
def person(request, pk):
    contact = selectors.person_get(user=request.user, pk=pk)
    return render(request, "relations/person.html", _person_context(request, contact))


def _post(request, contact, key, form, call, done):
    """Run a person's form through its service: redirect on success, the page with the errors
    (400) otherwise."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("relations:person", pk=contact.pk)
    context = _person_context(request, contact, **{key: form})
    return render(request, "relations/person.html", context, status=400)


@login_required
@require_POST
def person_edit(request, pk):
    contact = selectors.person_get(user=request.user, pk=pk)
    personal = selectors.may_see_personal(user=request.user, contact=contact)
    form = ProfileForm(request.POST, personal=personal)
    return _post(
        request,
        contact,
        "profile_form",
        form,
        lambda data: services.profile_update(actor=request.user, contact=contact, **data),
        _("The profile is saved."),
    )


@login_required
@require_POST
def person_stage(request, pk):
    contact = selectors.person_get(user=request.user, pk=pk)
    return _post(
        request,
        contact,
        "stage_form",
        StageForm(request.POST),
        lambda data: services.stage_move(actor=request.user, contact=contact, **data),
        _("The stage is moved."),
    )


@login_required
@require_POST
def person_competitor(request, pk):
    contact = selectors.person_get(user=request.user, pk=pk)
    return _post(
        request,
        contact,
        "competitor_form",
        CompetitorForm(request.POST),
        lambda data: services.competitor_activity_record(
            actor=request.user, contact=contact, **data
        ),
        _("The competitor's activity is recorded."),
    )


@login_required
@require_POST
def person_relation_add(request, pk):
    contact = selectors.person_get(user=request.user, pk=pk)
    form = RelationForm(
        request.POST, people=selectors.relation_candidates(user=request.user, contact=contact)
    )

    def call(data):
        other = selectors.person_get(user=request.user, pk=data["to_person"])
        services.relation_add(
            actor=request.user,
            from_person=contact,
            to_person=other,
            kind=data["kind"],
            strength=data["strength"],
        )

    return _post(request, contact, "relation_form", form, call, _("The relation is recorded."))


@login_required
@require_POST
def relation_remove(request, pk):
    relation = selectors.relation_get(user=request.user, pk=pk)
    back = request.POST.get("person", "")
    person_pk = (
        relation.to_person_id if back == str(relation.to_person_id) else relation.from_person_id
    )
    services.relation_remove(actor=request.user, relation=relation)
    messages.success(request, _("The relation is removed."))
    return redirect("relations:person", pk=person_pk)


def _map_context(influence, **extra):
    kinds = dict(Relation.Kind.choices)
    return {
        "nav": "clients",
        "map": influence,
        "map_data": {
            **influence.data,
            "kinds": {k: str(v) for k, v in kinds.items()},
            "leaning": {
                "us": _("leans to us"),
                "competitor": _("leans to competitors"),
                "neutral": _("neutral"),
            },
        },
        "us_pct": round(influence.balance.us_share * 100),
        "competitors_pct": round(influence.balance.competitors_share * 100),
        **extra,
    }


@login_required
def client_map(request, pk):
    account = account_get(user=request.user, pk=pk)
    influence = selectors.client_map(user=request.user, account=account)
    return render(
        request,
        "relations/map.html",
        _map_context(influence, account=account, title=account.legal_name),
    )


@login_required
def territories(request):
    return render(
        request,
        "relations/territories.html",
        {"nav": "clients", "territories": selectors.territory_list(user=request.user)},
    )


@login_required
def territory_map(request, pk):
    territory = selectors.territory_get(pk=pk)
    influence = selectors.territory_map(user=request.user, territory=territory)
    return render(
        request,
        "relations/map.html",
        _map_context(influence, territory=territory, title=territory.name),
    )


def _notes_context(request, *, account=None, note_form=None):
    search = NoteSearchForm(request.GET)
    filters = search.cleaned_data if search.is_valid() else {}
    q, kind, tag = filters.get("q", ""), filters.get("kind", ""), filters.get("tag", "")
    page = selectors.note_page(
        user=request.user, page=request.GET.get("page", 1), account=account, q=q, kind=kind, tag=tag
    )
    may_edit = account is not None and can(request.user, Action.RELATION_EDIT, account)
    if may_edit and note_form is None:
        note_form = NoteForm(initial={"on": timezone.localdate(), "kind": "observation"})
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "nav": "clients",
        "account": account,
        "search": search,
        "page": page,
        "tags": selectors.tag_list(user=request.user, account=account),
        "note_form": note_form if may_edit else None,
        "query": query.urlencode(),
    }


def _notes_export(request, fmt, *, account=None):
    search = NoteSearchForm(request.GET)
    f = search.cleaned_data if search.is_valid() else {}
    qs = selectors.note_list(
        user=request.user,
        account=account,
        q=f.get("q", ""),
        kind=f.get("kind", ""),
        tag=f.get("tag", ""),
    ).prefetch_related("tags")
    header = [_("On"), _("Client"), _("Kind"), _("Note"), _("Tags"), _("By")]
    rows = (
        [
            n.on,
            n.account.legal_name,
            n.get_kind_display(),
            n.text,
            " ".join(t.name for t in n.tags.all()),
            n.written_by.get_full_name() if n.written_by else "",
        ]
        for n in qs[:EXPORT_NOTES]
    )
    name = f"notes-{account.pk}" if account else "notes"
    return table_response(fmt, filename=name, header=header, rows=rows, title=_("Notes"))


@login_required
def notes(request):
    """Every note the user may see: search over text and tags, filter by kind and tag."""
    fmt = request.GET.get("format", "")
    if fmt in FORMATS:
        return _notes_export(request, fmt)
    context = _notes_context(request)
    return render(request, "relations/notes.html", context)


@login_required
def client_notes(request, pk):
    """A client's information base, and (for its KAM and managers) the form to add to it."""
    account = account_get(user=request.user, pk=pk)
    fmt = request.GET.get("format", "")
    if request.method != "POST" and fmt in FORMATS:
        return _notes_export(request, fmt, account=account)
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.note_add(actor=request.user, account=account, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The note is added."))
                return redirect("relations:client_notes", pk=account.pk)
        context = _notes_context(request, account=account, note_form=form)
        # a refused write by someone who may not edit: the service raised 403 already
        return render(request, "relations/notes.html", context, status=400)
    return render(request, "relations/notes.html", _notes_context(request, account=account))


@login_required
def note_edit(request, pk):
    note = selectors.note_get(user=request.user, pk=pk)
    status = 200
    if request.method == "POST":
        form = NoteForm(request.POST)
        if form.is_valid():
            try:
                services.note_update(actor=request.user, note=note, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The note is saved."))
                return redirect("relations:client_notes", pk=note.account_id)
        status = 400
    else:
        if not can(request.user, Action.RELATION_EDIT, note.account):
            raise PermissionDenied(_("Only the client's KAM and their managers may change notes."))
        form = NoteForm(
            initial={
                "kind": note.kind,
                "on": note.on,
                "text": note.text,
                "tags": " ".join(t.name for t in note.tags.all()),
            }
        )
    return render(
        request,
        "relations/note_edit.html",
        {"nav": "clients", "note": note, "form": form},
        status=status,
    )
