"""Pages of the schedule (mounted at /schedule/)."""

from django.urls import path

from kam.activity import views

app_name = "activity"

urlpatterns = [
    path("", views.week_view, name="week"),
    path("plan/", views.plan_view, name="plan"),
    path("log/", views.log_view, name="log"),
    path("items/<int:pk>/", views.item_view, name="item"),
    path("items/<int:pk>/complete/", views.complete_view, name="complete"),
    path("items/<int:pk>/cancel/", views.cancel_view, name="cancel"),
    path("clients/<int:pk>/", views.client_view, name="client"),
    path("gone-quiet/", views.quiet_view, name="quiet"),
    path("settings/", views.settings_view, name="settings"),
    path("feed/", views.feed_view, name="feed"),
    path("feed/<str:token>.ics", views.feed_ics, name="feed_ics"),
]
