"""Pages of plans (mounted at /plans/)."""

from django.urls import path

from kam.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_fact, name="fact"),
    path("clients/", views.plan_fact_clients, name="clients"),
    path("set/", views.plan_set_page, name="set"),
    path("import/", views.plans_import, name="import"),
    path("settings/", views.plan_settings_edit, name="settings"),
    path("export/", views.plans_export, name="export"),
]
