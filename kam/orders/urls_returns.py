"""Pages of returns, refusals and discrepancy acts (mounted at /orders/returns/)."""

from django.urls import path

from kam.orders import views_returns as views

app_name = "returns"

urlpatterns = [
    path("", views.analysis, name="analysis"),
    path("reasons/", views.reasons, name="reasons"),
    path("reasons/<int:pk>/", views.reason_detail, name="reason"),
    path("actions/new/", views.action_create, name="action-create"),
    path("actions/<int:pk>/done/", views.action_done, name="action-done"),
    path("acts/", views.acts, name="acts"),
    path("acts/<int:pk>/", views.act_detail, name="act"),
    path("acts/<int:pk>/pdf/", views.act_pdf, name="act-pdf"),
    path("acts/new/<int:shipment_pk>/", views.act_create, name="act-create"),
]
