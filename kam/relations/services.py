"""Writes of the relationship workspace (issue 11: AC-4, AC-5, AC-7, AC-9).

Every write asks the policy for ``relation.edit`` on the person's client (the personal part of
a profile needs ``relation.personal.view`` as well), validates (bounded text without control
characters, dates within ``kam.core.bounds``, scales 1..5), refuses naming the field with
nothing changed, and is audited. The personal part never reaches the audit log: only the names
of the personal fields that changed are kept, never their values.
"""

import re
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.clients.models import Account, Contact
from kam.clients.services import contact_update
from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.services import audit_record, model_changes
from kam.org.policy import RULES, Action, can, require
from kam.relations.models import (
    SCALE,
    STAGE_ORDER,
    CompetitorActivity,
    Note,
    Profile,
    Relation,
    Stage,
    StageChange,
    Tag,
)

__all__ = [
    "competitor_activity_record",
    "note_add",
    "note_update",
    "profile_update",
    "relation_add",
    "relation_remove",
    "stage_move",
    "tags_parse",
]

SHORT_TEXT = 200
LONG_TEXT = 5000
NOTE_TEXT = 10_000
TAG_LENGTH = 40
MAX_TAGS = 10
EARLIEST_BIRTHDAY = date(1900, 1, 1)
PROFESSIONAL = {"is_vip", "is_kol", "loyalty_company", "loyalty_products"} | set(
    Profile.PROFESSIONAL_FIELDS
)
PERSONAL = set(Profile.PERSONAL_FIELDS)
TAG_SPLIT = re.compile(r"[,\s]+")


def _today() -> date:
    return timezone.localdate()


def _require(actor, action: Action, account: Account) -> None:
    if actor is not None:
        require(actor, action, account)


def _text(value, *, field: str, limit: int, required: bool = False) -> str:
    value = "" if value is None else str(value)
    bounds.check_text(value, field=field)
    value = value.strip()
    if required and not value:
        raise ValidationError({field: _("Enter a value.")})
    if len(value) > limit:
        raise ValidationError({field: _("Use at most %(limit)d characters.") % {"limit": limit}})
    return value


def _scale(value, *, field: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not SCALE[0] <= number <= SCALE[1]:
        raise ValidationError(
            {
                field: _("Give a number from %(low)d to %(high)d.")
                % {"low": SCALE[0], "high": SCALE[1]}
            }
        )
    return number


def _day(value: date | None, *, field: str) -> date:
    """A day something happened: from the history's start to today; none given: today."""
    if value is None:
        return _today()
    return bounds.check_date(value, field=field, latest=_today())


def _profile(contact: Contact) -> Profile:
    profile, _created = Profile.objects.get_or_create(contact=contact)
    return profile


def _contact_label(contact: Contact) -> str:
    return f"{contact} ({contact.account})"


@transaction.atomic
def profile_update(*, actor, contact: Contact, **data) -> Profile:
    """Change what is known about ``contact``: marks, the professional part, loyalty, the
    role in decisions; the personal part (birthday, family, interests) only with
    ``relation.personal.view``. The audit keeps the personal fields' names, never values."""
    _require(actor, Action.RELATION_EDIT, contact.account)
    unknown = set(data) - PROFESSIONAL - PERSONAL - {"decision_role"}
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    if (
        PERSONAL & set(data)
        and actor is not None
        and not can(actor, Action.PERSONAL_VIEW, contact.account)
    ):
        raise PermissionDenied(RULES[Action.PERSONAL_VIEW].denied)
    clean = {}
    for name in ("is_vip", "is_kol"):
        if name in data:
            if not isinstance(data[name], bool):
                raise ValidationError({name: _("Give true or false.")})
            clean[name] = data[name]
    for name in ("loyalty_company", "loyalty_products"):
        if name in data:
            clean[name] = _scale(data[name], field=name)
    for name in (*Profile.PROFESSIONAL_FIELDS, "family", "interests"):
        if name in data:
            limit = SHORT_TEXT if name == "specialty" else LONG_TEXT
            clean[name] = _text(data[name], field=name, limit=limit)
    if "birthday" in data:
        clean["birthday"] = (
            None
            if data["birthday"] is None
            else bounds.check_date(
                data["birthday"], field="birthday", earliest=EARLIEST_BIRTHDAY, latest=_today()
            )
        )
    if "decision_role" in data and data["decision_role"] != contact.decision_role:
        if data["decision_role"] not in Contact.DecisionRole.values:
            raise ValidationError({"decision_role": _("Choose one of the roles in decisions.")})
        contact_update(actor=actor, contact=contact, decision_role=data["decision_role"])
    profile = _profile(contact)
    changes = model_changes(profile, clean)
    if changes:
        profile.full_clean()
        profile.save()
        personal = sorted(PERSONAL & set(changes))
        shown = {k: v for k, v in changes.items() if k not in PERSONAL}
        if personal:
            shown["personal"] = personal  # which personal fields changed; never the values
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=profile,
            summary=f"profile of {_contact_label(contact)}",
            changes=shown,
        )
    return profile


@transaction.atomic
def stage_move(
    *, actor, contact: Contact, to_stage: str, on: date | None = None, reason: str = ""
) -> StageChange:
    """Move the relationship with ``contact`` to ``to_stage`` (history: who, when, why). A step
    back (to an earlier stage) needs a reason."""
    _require(actor, Action.RELATION_EDIT, contact.account)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": _("Choose one of the stages.")})
    on = _day(on, field="on")
    reason = _text(reason, field="reason", limit=LONG_TEXT)
    profile = _profile(contact)
    current = profile.stage
    if to_stage == current:
        raise ValidationError({"to_stage": _("The relationship is at this stage already.")})
    if STAGE_ORDER[to_stage] < STAGE_ORDER[current] and not reason:
        raise ValidationError({"reason": _("A step back to an earlier stage needs a reason.")})
    change = StageChange.objects.create(
        profile=profile,
        from_stage=current,
        to_stage=to_stage,
        by=actor if getattr(actor, "pk", None) else None,
        on=on,
        reason=reason,
    )
    profile.stage = to_stage
    profile.save(update_fields=["stage", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=profile,
        summary=f"stage of {_contact_label(contact)}",
        changes={"stage": [current, to_stage], "on": on},
    )
    return change


@transaction.atomic
def competitor_activity_record(
    *, actor, contact: Contact, competitor: str, what: str, seen_on: date | None = None
) -> CompetitorActivity:
    """Record what a competitor was seen doing with ``contact`` (AC-7)."""
    _require(actor, Action.RELATION_EDIT, contact.account)
    competitor = _text(competitor, field="competitor", limit=SHORT_TEXT, required=True)
    what = _text(what, field="what", limit=LONG_TEXT, required=True)
    seen_on = _day(seen_on, field="seen_on")
    item = CompetitorActivity.objects.create(
        profile=_profile(contact),
        competitor=competitor,
        what=what,
        seen_on=seen_on,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=item,
        summary=f"competitor {competitor} with {_contact_label(contact)}",
        changes={"seen_on": seen_on},
    )
    return item


@transaction.atomic
def relation_add(
    *, actor, from_person: Contact, to_person: Contact, kind: str, strength: int = 3
) -> Relation:
    """``from_person`` reports to / influences / allies with / rivals with ``to_person``. Both
    must be people at clients the actor may edit; no one is related to themself, and a
    relation of one kind between the same two people is recorded once."""
    _require(actor, Action.RELATION_EDIT, from_person.account)
    _require(actor, Action.RELATION_EDIT, to_person.account)
    if from_person.pk == to_person.pk:
        raise ValidationError({"to_person": _("A person cannot be related to themself.")})
    if kind not in Relation.Kind.values:
        raise ValidationError({"kind": _("Choose one of the kinds of relation.")})
    strength = _scale(strength, field="strength")
    if strength is None:
        raise ValidationError({"strength": _("Enter a value.")})
    if Relation.objects.filter(from_person=from_person, to_person=to_person, kind=kind).exists():
        raise ValidationError(
            {"kind": _("This relation between these two people is recorded already.")}
        )
    try:
        with transaction.atomic():
            relation = Relation.objects.create(
                from_person=from_person,
                to_person=to_person,
                kind=kind,
                strength=strength,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:  # a concurrent twin won the race
        raise ValidationError(
            {"kind": _("This relation between these two people is recorded already.")}
        ) from None
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=relation,
        summary=f"{_contact_label(from_person)} {kind} {_contact_label(to_person)}",
        changes={"strength": strength},
    )
    return relation


@transaction.atomic
def relation_remove(*, actor, relation: Relation) -> None:
    """Forget a relation (both people's clients must be the actor's to edit)."""
    _require(actor, Action.RELATION_EDIT, relation.from_person.account)
    _require(actor, Action.RELATION_EDIT, relation.to_person.account)
    pk = relation.pk
    summary = (
        f"{_contact_label(relation.from_person)} {relation.kind} "
        f"{_contact_label(relation.to_person)}"
    )
    relation.delete()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        entity=Relation._meta.label_lower,
        entity_id=pk,
        summary=summary,
    )


def tags_parse(value: str | Iterable[str] | None) -> list[str]:
    """Tags from "a, b c" or a list: lower case, no commas or spaces, each once, in order."""
    if value is None:
        return []
    parts = TAG_SPLIT.split(value) if isinstance(value, str) else list(value)
    out: list[str] = []
    for part in parts:
        bounds.check_text(str(part), field="tags")
        for word in TAG_SPLIT.split(str(part).strip().lower()):
            word = word.strip("#")
            if not word:
                continue
            if len(word) > TAG_LENGTH:
                raise ValidationError(
                    {"tags": _("A tag has at most %(limit)d characters.") % {"limit": TAG_LENGTH}}
                )
            if word not in out:
                out.append(word)
    if len(out) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(n)d tags.") % {"n": MAX_TAGS}})
    return out


def _set_tags(note: Note, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    note.tags.set([existing[n] for n in names])


@transaction.atomic
def note_add(
    *,
    actor,
    account: Account,
    kind: str,
    text: str,
    on: date | None = None,
    tags: str | Iterable[str] | None = None,
) -> Note:
    """A dated note in ``account``'s information base (AC-9)."""
    _require(actor, Action.RELATION_EDIT, account)
    if kind not in Note.Kind.values:
        raise ValidationError({"kind": _("Choose one of the kinds of note.")})
    text = _text(text, field="text", limit=NOTE_TEXT, required=True)
    on = _day(on, field="on")
    names = tags_parse(tags)
    note = Note.objects.create(
        account=account,
        written_by=actor if getattr(actor, "pk", None) else None,
        on=on,
        kind=kind,
        text=text,
    )
    _set_tags(note, names)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=note,
        summary=f"note ({kind}) on {account}",
        changes={"on": on, "tags": names},
    )
    return note


@transaction.atomic
def note_update(
    *,
    actor,
    note: Note,
    kind: str | None = None,
    text: str | None = None,
    on: date | None = None,
    tags: str | Iterable[str] | None = None,
) -> Note:
    """Change a note's kind, text, day or tags (what is not given stays)."""
    _require(actor, Action.RELATION_EDIT, note.account)
    clean: dict = {}
    if kind is not None:
        if kind not in Note.Kind.values:
            raise ValidationError({"kind": _("Choose one of the kinds of note.")})
        clean["kind"] = kind
    if text is not None:
        clean["text"] = _text(text, field="text", limit=NOTE_TEXT, required=True)
    if on is not None:
        clean["on"] = _day(on, field="on")
    names = tags_parse(tags) if tags is not None else None
    changes = model_changes(note, clean)
    if "text" in changes:
        changes["text"] = ["…", "…"]  # the text itself stays out of the log
    if changes:
        note.full_clean()
        note.save()
    if names is not None:
        old = sorted(note.tags.values_list("name", flat=True))
        if old != sorted(names):
            _set_tags(note, names)
            changes["tags"] = [old, names]
    if changes:
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=note,
            summary=f"note on {note.account}",
            changes=changes,
        )
    return note
