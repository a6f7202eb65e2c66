from django.urls import path

from kam.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.account_list_view, name="list"),
    path("new/", views.account_create_view, name="create"),
    path("<int:pk>/", views.account_detail_view, name="detail"),
    path("<int:pk>/edit/", views.account_edit_view, name="edit"),
    path("<int:pk>/reassign/", views.account_reassign_view, name="reassign"),
    path("<int:pk>/archive/", views.account_archive_view, name="archive"),
    path("<int:pk>/restore/", views.account_restore_view, name="restore"),
    path("<int:pk>/ownership/", views.account_ownership_view, name="ownership"),
]
