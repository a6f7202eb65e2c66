"""Saved column mappings as a user may read them (issue 8 §1).

Who may import may use every saved mapping (``Action.IMPORT_RUN`` is company-wide); anyone
else sees none, and a named one is "not found" for them exactly as a missing one is.
``user=None`` is the system (the operator at ``kam import-mapping``), as for the importers.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from kam.imports.mapping import Mapping
from kam.imports.models import ImportMapping
from kam.org.policy import Action, can


def mappings_for(user) -> QuerySet[ImportMapping]:
    """The saved mappings ``user`` may use, by name."""
    mappings = ImportMapping.objects.select_related("created_by").order_by("name")
    if user is None or can(user, Action.IMPORT_RUN):
        return mappings
    return mappings.none()


def mapping_get(user, name: str) -> ImportMapping:
    """The saved mapping ``name``; Http404 when there is none or ``user`` may not use it."""
    found = mappings_for(user).filter(name=name).first() if isinstance(name, str) else None
    if found is None:
        raise Http404(gettext('no saved mapping named "%s"') % name)
    return found


def mapping_load(user, name: str) -> Mapping:
    """The saved mapping ``name`` ready to apply (read again, so the stored JSON is checked)."""
    saved = mapping_get(user, name)
    return Mapping.from_dict(saved.spec, kind=saved.kind)
