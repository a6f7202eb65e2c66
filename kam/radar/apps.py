from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RadarConfig(AppConfig):
    name = "kam.radar"
    label = "radar"
    verbose_name = _("Key-account radar")
