"""Settings for the test suite: KAM's settings with test conveniences (fast hashing, no HTTPS)."""

import os

os.environ["KAM_TESTING"] = "1"

from kam.settings import *  # noqa: F403

# Live-server threads must not keep connections open past a test, or the test database cannot
# be dropped on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
