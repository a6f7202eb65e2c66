"""Deploy checks (``kam check --deploy``): what would make production answer 500 that Django's own
checks do not see. (Registered by kam.core's app config, the one every deployment loads.)

With ``DEBUG`` off the static files are served from ``STATIC_ROOT`` through a manifest of
fingerprinted names; a page that names a file the manifest lacks fails to render. So the manifest
must exist and list every file the finders see, with the content they see now: otherwise
``collectstatic`` was not run (or failed, or ran before an upgrade).
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin
from django.core import checks
from django.core.files.storage import storages

MANIFEST_MISSING = "kam.E001"
MANIFEST_STALE = "kam.E002"
HINT = "Run `kam collectstatic --noinput` (with the production settings) and look at its errors."
SHOWN = 5  # files named in a message: enough to see what is wrong


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _found_files():
    """(name, absolute path) of every static file the finders see, first finder wins, as
    collectstatic picks them."""
    seen = {}
    for finder in finders.get_finders():
        for name, storage in finder.list(["CVS", ".*", "*~"]):
            name = name.replace("\\", "/")
            if name not in seen:
                seen[name] = Path(storage.path(name))
    return seen


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_manifest_current(app_configs=None, **kwargs):
    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin):
        return []  # the development storage serves files as they are
    root = Path(settings.STATIC_ROOT)
    manifest = root / storage.manifest_name
    try:
        paths = json.loads(manifest.read_text())["paths"]
    except (OSError, ValueError, KeyError):
        return [
            checks.Error(
                f"The static files manifest {manifest} is missing or unreadable: with DEBUG off "
                "every page that loads CSS or JavaScript would answer 500.",
                hint=HINT,
                id=MANIFEST_MISSING,
            )
        ]
    missing, changed = [], []
    for name, source in sorted(_found_files().items()):
        if name not in paths:
            missing.append(name)
            continue
        copy = root / name  # collectstatic keeps the original beside the fingerprinted copy
        if copy.exists() and (
            copy.stat().st_size != source.stat().st_size or _digest(copy) != _digest(source)
        ):
            changed.append(name)
    if not missing and not changed:
        return []
    parts = []
    if missing:
        parts.append(f"not collected: {', '.join(missing[:SHOWN])}")
    if changed:
        parts.append(f"changed since collected: {', '.join(changed[:SHOWN])}")
    more = len(missing) + len(changed) - min(len(missing), SHOWN) - min(len(changed), SHOWN)
    return [
        checks.Error(
            f"The static files in {root} are stale ({'; '.join(parts)}"
            + (f"; and {more} more" if more > 0 else "")
            + ").",
            hint=HINT,
            id=MANIFEST_STALE,
        )
    ]
