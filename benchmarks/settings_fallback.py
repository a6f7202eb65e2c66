"""KAM's settings with static files unhashed: ``benchmarks/web.py`` uses it only when
``kam collectstatic`` fails with the hashed storage (issue 7 §1: the vendored Chart.js names a
source map that is not shipped), so the pages can still be timed. Pages are the same."""

from kam.settings import *  # noqa: F403
from kam.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Until the production settings read REDIS_URL themselves, the benchmark's servers share the
# page cache through Redis as production's app servers do (kam.core.cache_versions).
import os  # noqa: E402

_backend = globals().get("CACHES", {}).get("default", {}).get("BACKEND", "LocMemCache")
if os.environ.get("REDIS_URL") and _backend.endswith("LocMemCache"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
