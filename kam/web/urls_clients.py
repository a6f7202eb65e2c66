"""The ``clients`` URL namespace: the list and the card (web views, they show sales figures)
and every page ``kam.clients`` itself serves (its ``urls.py``), under one prefix."""

from django.urls import path

from kam.clients import urls as clients_urls
from kam.web import views_clients, views_timeline

app_name = "clients"
urlpatterns = [
    path("", views_clients.account_list_view, name="list"),
    path("<int:pk>/", views_clients.account_detail_view, name="detail"),
    path("<int:pk>/timeline/", views_timeline.client_timeline_view, name="timeline"),
    path(
        "people/<int:pk>/timeline/",
        views_timeline.person_timeline_view,
        name="person_timeline",
    ),
    *clients_urls.urlpatterns,
]
