"""The radar's criteria: the company's one settings row (KC-1..KC-4, KC-12).

A read, so it lives with the selectors: the engine and the services both import it from here
(services write the row with ``radar_settings_update``)."""

from kam.radar.models import RadarSettings


def radar_settings() -> RadarSettings:
    """The company's one radar settings row, created with defaults on first use."""
    obj = RadarSettings.objects.order_by("pk").first()
    if obj is None:
        obj, _created = RadarSettings.objects.get_or_create(pk=1)
        obj.refresh_from_db()  # the database's decimals, the same as every later read
    return obj
