"""Saving and deleting named column mappings (issue 8 §1), audited, for who may import."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.imports.mapping import Mapping
from kam.imports.models import ImportMapping
from kam.imports.selectors.mappings import mapping_get
from kam.imports.services.common import require_import

NAME_LENGTH = 64


def clean_mapping_name(name: object) -> str:
    """The name trimmed; ValidationError unless it is 1 to 64 printable characters."""
    value = name.strip() if isinstance(name, str) else ""
    if not value or len(value) > NAME_LENGTH or not value.isprintable():
        raise ValidationError(
            {
                "name": gettext(
                    "a mapping's name is 1 to %(max)s printable characters (no control "
                    "characters), e.g. erp-nightly"
                )
                % {"max": NAME_LENGTH}
            }
        )
    return value


@transaction.atomic
def mapping_save(*, actor, name: str, mapping: Mapping) -> ImportMapping:
    """Save ``mapping`` as ``name``, replacing a saved one of that name (audited)."""
    require_import(actor)
    name = clean_mapping_name(name)
    spec = Mapping.from_dict(mapping.to_dict()).to_dict()  # a mapping built in code is checked too
    saved = ImportMapping.objects.select_for_update().filter(name=name).first()
    if saved is None:
        saved = ImportMapping.objects.create(
            name=name, kind=mapping.kind, spec=spec, created_by=actor
        )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=saved,
            summary=gettext("mapping %(name)s saved") % {"name": name},
            changes={"kind": mapping.kind, "spec": spec},
        )
        return saved
    old = {"kind": saved.kind, "spec": saved.spec}
    saved.kind = mapping.kind
    saved.spec = spec
    saved.save(update_fields=["kind", "spec", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=saved,
        summary=gettext("mapping %(name)s replaced") % {"name": name},
        changes={"kind": [old["kind"], saved.kind], "spec": [old["spec"], spec]},
    )
    return saved


@transaction.atomic
def mapping_delete(*, actor, name: str) -> None:
    """Delete the saved mapping ``name`` (audited); runs that used it keep their copy."""
    require_import(actor)
    saved = mapping_get(actor, name)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=saved,
        summary=gettext("mapping %(name)s deleted") % {"name": saved.name},
        changes={"kind": saved.kind, "spec": saved.spec},
    )
    saved.delete()
