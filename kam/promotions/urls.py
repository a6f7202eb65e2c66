"""Pages of promotions (mounted at /promotions/)."""

from django.urls import path

from kam.promotions import views

app_name = "promotions"

urlpatterns = [
    path("", views.promotion_list, name="list"),
    path("new/", views.promotion_propose, name="propose"),
    path("<int:pk>/", views.promotion_detail, name="detail"),
    path("<int:pk>/edit/", views.promotion_edit, name="edit"),
    path("<int:pk>/approve/", views.promotion_approve, name="approve"),
    path("<int:pk>/refuse/", views.promotion_refuse, name="refuse"),
    path("<int:pk>/cost/", views.promotion_cost, name="cost"),
    path("<int:pk>/close/", views.promotion_close, name="close"),
]
