"""The radar's criteria: the company's one settings row (KC-1..KC-4, KC-12).

A read, so it lives with the selectors: the engine and the services both import it from here
(services write the row with ``radar_settings_update``)."""

from kam.core.selectors import single_row
from kam.radar.models import RadarSettings


def radar_settings() -> RadarSettings:
    """The company's one radar settings row, created with defaults on first use."""
    return single_row(RadarSettings)
