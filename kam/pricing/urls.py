"""Pages of the pricing app, mounted at /prices/ as ``pricing:``."""

from django.urls import path

from kam.pricing import views

app_name = "pricing"

urlpatterns = [
    path("", views.price_list_index_view, name="index"),
    path("new/", views.price_list_create_view, name="create"),
    path("<int:pk>/", views.price_list_detail_view, name="detail"),
    path("<int:pk>/edit/", views.price_list_edit_view, name="edit"),
    path("<int:pk>/export.<str:fmt>", views.price_matrix_export_view, name="export"),
    path("<int:pk>/columns/new/", views.price_column_create_view, name="column_create"),
    path("columns/<int:pk>/base/", views.price_column_base_view, name="column_base"),
    path("<int:pk>/prices/set/", views.price_set_view, name="price_set"),
    path("prices/<int:pk>/delete/", views.price_delete_view, name="price_delete"),
    path("<int:pk>/rules/set/", views.discount_rule_set_view, name="rule_set"),
]
