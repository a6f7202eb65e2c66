"""Import runs as a user may read them (issue 8 §4).

Imports are company-wide (``Action.IMPORT_RUN``): who may import sees every run, whoever
started it, as they may use every saved mapping; anyone else sees none, and a run's uuid is
"not found" for them exactly as a missing one is. ``user=None`` is the system (the CLI).
"""

import uuid

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from kam.imports.models import ImportRun
from kam.org.policy import Action, can


def runs_for(user) -> QuerySet[ImportRun]:
    """The runs ``user`` may see, newest first, with who started them and their mapping."""
    runs = ImportRun.objects.select_related("actor", "mapping").order_by("-created_at", "-id")
    if user is None or can(user, Action.IMPORT_RUN):
        return runs
    return runs.none()


def run_get(user, run_uuid) -> ImportRun:
    """The run ``run_uuid``; Http404 when there is none or ``user`` may not see it."""
    try:
        key = run_uuid if isinstance(run_uuid, uuid.UUID) else uuid.UUID(str(run_uuid))
    except ValueError:
        key = None
    found = runs_for(user).filter(uuid=key).first() if key is not None else None
    if found is None:
        raise Http404(gettext("No such import run."))
    return found
