"""Pages ``kam.clients`` serves itself. The list and the card are web views (they show sales
figures); ``kam.web.urls_clients`` mounts both sets under ``/clients/`` as ``clients:``."""

from django.urls import path

from kam.clients import views

app_name = "clients"
urlpatterns = [
    path("new/", views.account_create_view, name="create"),
    path("<int:pk>/edit/", views.account_edit_view, name="edit"),
    path("<int:pk>/reassign/", views.account_reassign_view, name="reassign"),
    path("<int:pk>/archive/", views.account_archive_view, name="archive"),
    path("<int:pk>/restore/", views.account_restore_view, name="restore"),
    path("<int:pk>/ownership/", views.account_ownership_view, name="ownership"),
]
