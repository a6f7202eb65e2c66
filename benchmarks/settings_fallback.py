"""KAM's settings with static files unhashed: ``benchmarks/web.py`` uses it only when
``kam collectstatic`` fails with the hashed storage (issue 7 §1: the vendored Chart.js names a
source map that is not shipped), so the pages can still be timed. Pages are the same."""

from kam.settings import *  # noqa: F403
from kam.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
