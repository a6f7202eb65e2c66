from django.contrib.auth import views as auth_views
from django.urls import include, path

from kam.web import auth, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth.sign_in, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", include("kam.web.notifications")),
]
