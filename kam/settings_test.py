"""Settings for the test suite: KAM's settings with test conveniences (fast hashing, no HTTPS)."""

import os

os.environ["KAM_TESTING"] = "1"

from kam.settings import *  # noqa: F403
