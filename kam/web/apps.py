from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebConfig(AppConfig):
    name = "kam.web"
    label = "web"
    verbose_name = _("Web interface")

    def ready(self):
        # The admin's sign-in form checks passwords as well: it shares the sign-in throttle.
        from django.contrib import admin

        from kam.web.auth import AdminSignInForm

        admin.site.login_form = AdminSignInForm
