"""Pages of the orders app (mounted at /orders/)."""

from django.urls import path

from kam.orders import views

app_name = "orders"

urlpatterns = [
    path("", views.order_list, name="list"),
    path("new/", views.order_new, name="new"),
    path("queue/", views.queue, name="queue"),
    path("approvals/", views.approvals, name="approvals"),
    path("blocked/", views.blocked, name="blocked"),
    path("draft-add/", views.draft_add, name="draft_add"),
    path("notices/", views.notices, name="notices"),
    path("<int:pk>/", views.order_detail, name="detail"),
    path("<int:pk>/lines/", views.line_add, name="line_add"),
    path("<int:pk>/lines/<int:line>/", views.line_update, name="line_update"),
    path("<int:pk>/do/<slug:name>/", views.order_action, name="action"),
    path("shipments/<int:pk>/<slug:name>/", views.shipment_action, name="shipment_action"),
]
