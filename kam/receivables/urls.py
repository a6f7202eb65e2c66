"""Pages of settlements and receivables (mounted at /settlements/)."""

from django.urls import path

from kam.receivables import views

app_name = "receivables"

urlpatterns = [
    path("ageing/", views.ageing, name="ageing"),
    path("clients/<int:pk>/", views.client_settlements, name="client"),
    path("clients/<int:pk>/record/", views.settlement_record, name="record"),
    path("clients/<int:pk>/allocate/", views.allocation_create, name="allocate"),
    path("clients/<int:pk>/statement/", views.statement_download, name="statement"),
    path("allocations/<int:pk>/undo/", views.allocation_undo, name="undo"),
]
