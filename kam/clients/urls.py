from django.urls import path

from kam.clients import views

app_name = "clients"
urlpatterns = [
    path("", views.account_list_view, name="list"),
    path("<int:pk>/", views.account_detail_view, name="detail"),
]
