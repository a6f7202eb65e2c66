"""Writes of events and trainings (issue 11: AC-6, AC-8). Each asks ``activity.record`` on
every client involved (out of sight: 404, nothing written; in sight but not allowed: 403),
validates and names the field it refuses, owns its transaction and is audited.

- ``event_create``, ``event_update``: kind, title, dates (within ``kam.core.bounds``, the end
  not before the start), place, description, the client (required for a training).
- ``event_invite``: the client's people to an event (a training's: its client's staff only).
- ``attendance_record``: came, declined, did not come (came and did not come only once the
  event has started).
- ``presentation_add``: a titled file (PDF, PPTX, DOCX, PNG, JPEG; bounded in size), prepared
  with some of the clients' people.
"""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from kam.activity.models import (
    EVENT_PLACE_LENGTH,
    EVENT_TITLE_LENGTH,
    TEXT_LENGTH,
    Event,
    Invitation,
    Presentation,
)
from kam.activity.selectors_events import may_manage
from kam.clients.models import Account, Contact
from kam.core import bounds
from kam.core.bounds import bounded_text as _text
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.policy import Action, require

__all__ = [
    "attendance_record",
    "event_create",
    "event_invite",
    "event_update",
    "presentation_add",
]

FILE_MAX_MB = int(getattr(settings, "KAM_EVENT_FILE_MAX_MB", 20))
FILE_KINDS = {
    ".pdf": (b"%PDF-",),
    ".pptx": (b"PK\x03\x04",),
    ".docx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
EDITABLE = ("kind", "title", "starts_on", "ends_on", "place", "description", "account")
MAX_INVITES = 500


def _error(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def _pk(value, field: str) -> int:
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise _error(field, _("Choose from the list.")) from None
    if not 0 < pk <= bounds.MAX_ID:
        raise Http404(_("Not found."))
    return pk


def _account(actor, value) -> Account | None:
    """The client (a pk or an Account) on which the actor may record; 404 when out of sight."""
    if value is None or value == "":
        return None
    account = Account.objects.filter(pk=_pk(value, "client")).first()
    if account is None:
        raise Http404(_("Not found."))
    require(actor, Action.ACTIVITY_RECORD, account)
    return account


def _contacts(actor, values, field: str) -> list[Contact]:
    """People (pks or Contacts) of clients the actor may record for; 404 for any other."""
    values = list(values or [])
    if len(values) > MAX_INVITES:
        raise _error(field, _("At most %(n)d people at a time.") % {"n": MAX_INVITES})
    pks = list(dict.fromkeys(_pk(v, field) for v in values))
    found = {c.pk: c for c in Contact.objects.filter(pk__in=pks).select_related("account")}
    people = []
    for pk in pks:
        contact = found.get(pk)
        if contact is None:
            raise Http404(_("Not found."))
        require(actor, Action.ACTIVITY_RECORD, contact.account)
        people.append(contact)
    return people


def _fields(e: Event) -> dict:
    return {
        "kind": e.kind,
        "title": e.title,
        "starts_on": e.starts_on,
        "ends_on": e.ends_on,
        "place": e.place,
        "description": e.description,
        "account": e.account_id,
        "organiser": e.organiser_id,
    }


def _audit(actor, action, instance, summary: str, changes: dict) -> None:
    audit_record(actor=actor, action=action, instance=instance, summary=summary, changes=changes)


def _check(e: Event) -> None:
    if e.kind not in Event.Kind.values:
        raise _error(
            "kind",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": e.kind, "choices": ", ".join(Event.Kind.values)},
        )
    e.title = _text(e.title, "title", EVENT_TITLE_LENGTH, required=True)
    e.place = _text(e.place, "place", EVENT_PLACE_LENGTH)
    e.description = _text(e.description, "description", TEXT_LENGTH)
    bounds.bounded_date(e.starts_on, "starts_on")
    bounds.bounded_date(e.ends_on, "ends_on")
    if e.ends_on < e.starts_on:
        raise _error("ends_on", _("The end comes before the start."))
    if e.kind == Event.Kind.TRAINING and e.account_id is None:
        raise _error("client", _("A training is given to a client's staff: choose the client."))


def _require_manage(actor, event: Event) -> None:
    if not may_manage(actor, event):
        raise PermissionDenied(_("Only the organiser or the client's people may change it."))


@transaction.atomic
def event_create(
    *,
    actor,
    kind: str,
    title: str,
    starts_on: date,
    ends_on: date | None = None,
    place: str = "",
    description: str = "",
    account=None,
) -> Event:
    """A corporate or industry event, or a training for a client's staff (the client
    required), organised by the actor; a one-day event without ``ends_on``."""
    require(actor, Action.ACTIVITY_RECORD)
    e = Event(
        kind=kind,
        title=title,
        starts_on=starts_on,
        ends_on=starts_on if ends_on is None else ends_on,
        place=place,
        description=description,
        organiser=actor,
        account=_account(actor, account),
    )
    _check(e)
    e.full_clean()
    e.save()
    changes = _fields(e)
    _audit(actor, AuditEntry.Action.CREATE, e, f"event {e.pk} created", changes)
    return e


@transaction.atomic
def event_update(*, actor, event: Event, **fields) -> Event:
    """Change the event (its organiser, or a person who may record for its client)."""
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise _error(sorted(unknown)[0], _("This field cannot be changed."))
    e = Event.objects.select_for_update().get(pk=event.pk)
    _require_manage(actor, e)
    old = _fields(e)
    for name, value in fields.items():
        if name == "account":
            e.account = _account(actor, value)
        else:
            setattr(e, name, value)
    _check(e)
    e.full_clean()
    new = _fields(e)
    changes = {k: [old[k], v] for k, v in new.items() if old[k] != v}
    if changes:
        e.save()
        _audit(actor, AuditEntry.Action.UPDATE, e, f"event {e.pk} changed", changes)
    return e


@transaction.atomic
def event_invite(*, actor, event: Event, contacts, invited_on: date | None = None) -> list:
    """Invite people (each of a client the actor may record for, else 404 and nothing
    written; a training's people of its client only). One already invited is kept as is.
    Returns the new invitations."""
    e = Event.objects.select_for_update().get(pk=event.pk)
    _require_manage(actor, e)
    people = _contacts(actor, contacts, "contacts")
    if not people:
        raise _error("contacts", _("Choose the people to invite."))
    if e.kind == Event.Kind.TRAINING:
        strangers = [c for c in people if c.account_id != e.account_id]
        if strangers:
            raise _error(
                "contacts",
                _("A training is for the client's own staff: %(name)s is not.")
                % {"name": f"{strangers[0].first_name} {strangers[0].last_name}"},
            )
    invited_on = timezone.localdate() if invited_on is None else invited_on
    bounds.bounded_date(invited_on, "invited_on")
    already = set(
        Invitation.objects.filter(event=e, contact__in=people).values_list("contact_id", flat=True)
    )
    new = [
        Invitation(event=e, contact=c, invited_on=invited_on, status=Invitation.Status.INVITED)
        for c in people
        if c.pk not in already
    ]
    Invitation.objects.bulk_create(new)
    for inv in new:
        _audit(
            actor,
            AuditEntry.Action.CREATE,
            inv,
            f"contact {inv.contact_id} invited to event {e.pk}",
            {"event": e.pk, "contact": inv.contact_id, "account": inv.contact.account_id},
        )
    return new


@transaction.atomic
def attendance_record(
    *, actor, invitation: Invitation, status: str, as_of: date | None = None
) -> Invitation:
    """Whether the person came, declined or did not come. Came and did not come only once the
    event has started (refused naming ``status``); declined at any time."""
    inv = Invitation.objects.select_for_update().select_related("event", "contact__account")
    inv = inv.get(pk=invitation.pk)
    require(actor, Action.ACTIVITY_RECORD, inv.contact.account)
    allowed = (Invitation.Status.CAME, Invitation.Status.DECLINED, Invitation.Status.NO_SHOW)
    if status not in allowed:
        raise _error(
            "status",
            _("%(value)s is not one of: %(choices)s.")
            % {"value": status, "choices": ", ".join(allowed)},
        )
    today = timezone.localdate() if as_of is None else as_of
    if status != Invitation.Status.DECLINED and inv.event.starts_on > today:
        raise _error(
            "status",
            _("The event starts on %(day)s: who came is known from then.")
            % {"day": inv.event.starts_on.isoformat()},
        )
    old = inv.status
    if old != status:
        inv.status = status
        inv.save(update_fields=["status"])
        _audit(
            actor,
            AuditEntry.Action.UPDATE,
            inv,
            f"attendance of contact {inv.contact_id} at event {inv.event_id}",
            {"status": [old, status], "event": inv.event_id, "account": inv.contact.account_id},
        )
    return inv


def _check_file(upload) -> str:
    """The file's extension, if it is one of FILE_KINDS within the size limit."""
    if upload is None:
        raise _error("file", _("Choose the file."))
    name = getattr(upload, "name", "") or ""
    ext = Path(name).suffix.lower()
    if ext not in FILE_KINDS:
        raise _error(
            "file",
            _("Attach a PDF, PPTX, DOCX, PNG or JPEG file (this one is %(name)s).")
            % {"name": name[-80:] or "?"},
        )
    size = getattr(upload, "size", None) or 0
    if size > FILE_MAX_MB * 1024 * 1024:
        raise _error("file", _("The file is over %(max)d MB.") % {"max": FILE_MAX_MB})
    if size == 0:
        raise _error("file", _("The file is empty."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in FILE_KINDS[ext]):
        raise _error(
            "file", _("The file is not the %(kind)s its name says.") % {"kind": ext[1:].upper()}
        )
    return ext


@transaction.atomic
def presentation_add(*, actor, event: Event, title: str, upload, prepared_with=()) -> Presentation:
    """A presentation for the event, its file stored under MEDIA_ROOT (served only to those
    who see the event), prepared with some of the clients' people (VIPs, KOLs)."""
    e = Event.objects.select_for_update().get(pk=event.pk)
    _require_manage(actor, e)
    title = _text(title, "title", EVENT_TITLE_LENGTH, required=True)
    people = _contacts(actor, prepared_with, "prepared_with")
    ext = _check_file(upload)
    p = Presentation(event=e, title=title, prepared_by=actor)
    stem = get_valid_filename(f"event-{e.pk}-{title}")[:80] or "presentation"
    p.file.save(f"{stem}{ext}", upload, save=False)
    p.save()
    p.prepared_with.set(people)
    name = p.file.name
    _audit(
        actor,
        AuditEntry.Action.CREATE,
        p,
        f"presentation {p.pk} for event {e.pk}",
        {
            "event": e.pk,
            "title": title,
            "file": name,
            "prepared_with": [c.pk for c in people],
            "account": e.account_id,
        },
    )
    return p
