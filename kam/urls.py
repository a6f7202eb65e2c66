"""URL map: HTML pages per app, the HTTP API under /api/, the admin, the language switch."""

from django.contrib import admin
from django.urls import include, path

from kam.api import api

urlpatterns = [
    path("", include("kam.web.urls")),
    path("clients/", include("kam.web.urls_clients")),
    path("radar/", include("kam.radar.urls")),
    path("imports/", include("kam.imports.urls")),
    path("prices/", include("kam.pricing.urls")),
    path("contracts/", include("kam.contracts.urls")),
    path("orders/advice/", include("kam.orders.urls_advice")),
    path("orders/returns/", include("kam.orders.urls_returns")),
    path("orders/", include("kam.orders.urls")),
    path("credit/", include("kam.credit.urls")),
    path("settlements/", include("kam.receivables.urls")),
    path("collection/", include("kam.receivables.urls_collection")),
    path("plans/", include("kam.plans.urls")),
    path("pay/", include("kam.pay.urls")),
    path("promotions/", include("kam.promotions.urls")),
    path("schedule/", include("kam.activity.urls")),
    path("relations/", include("kam.relations.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
