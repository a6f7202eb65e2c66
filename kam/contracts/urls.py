"""Pages of the contracts app, mounted at /contracts/ as ``contracts:``."""

from django.urls import path

from kam.contracts import views

app_name = "contracts"

urlpatterns = [
    path("", views.contract_list_view, name="list"),
    path("export.<str:fmt>", views.contract_export_view, name="export"),
    path("new/", views.contract_create_view, name="create"),
    path("<int:pk>/", views.contract_detail_view, name="detail"),
    path("<int:pk>/edit/", views.contract_edit_view, name="edit"),
    path("<int:pk>/renew/", views.contract_renew_view, name="renew"),
    path("<int:pk>/conclude/", views.contract_conclude_view, name="conclude"),
    path("<int:pk>/terminate/", views.contract_terminate_view, name="terminate"),
    path("<int:pk>/attach/", views.contract_attach_view, name="attach"),
    path("<int:pk>/file/", views.contract_file_view, name="file"),
]
