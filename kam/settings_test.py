"""Settings for the test suite: KAM's settings with test conveniences (fast hashing, no HTTPS)."""

import os
import tempfile

os.environ["KAM_TESTING"] = "1"

from kam.settings import *  # noqa: F403

# Live-server threads must not keep connections open past a test, or the test database cannot
# be dropped on PostgreSQL.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Imports run in the request in tests, and keep their uploads in a throwaway folder.
KAM_IMPORT_RUNNER = "inline"
KAM_IMPORT_DIR = Path(tempfile.mkdtemp(prefix="kam-imports-"))  # noqa: F405
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kam-media-"))  # noqa: F405
