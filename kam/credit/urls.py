"""Pages of the credit app (mounted at /credit/)."""

from django.urls import path

from kam.credit import views

app_name = "credit"

urlpatterns = [
    path("", views.watchlist, name="watchlist"),
    path("settings/", views.settings_view, name="settings"),
    path("clients/<int:pk>/", views.client, name="client"),
    path("clients/<int:pk>/check/", views.check_record, name="check_record"),
    path("clients/<int:pk>/limit/", views.limit_set, name="limit_set"),
    path("clients/<int:pk>/limit/reset/", views.limit_reset, name="limit_reset"),
]
