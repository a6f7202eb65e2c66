"""Pages of debt collection (AR-2): the collection list, a client's collection page, its
promise form and reminder button, and the list's downloads."""

from django.urls import path

from kam.receivables import views_collection as views

app_name = "collection"

urlpatterns = [
    path("", views.collection_page, name="list"),
    path("export.<str:fmt>", views.collection_export, name="export"),
    path("clients/<int:pk>/", views.client_page, name="client"),
    path("clients/<int:pk>/promises/", views.promise_create, name="promise_create"),
    path("clients/<int:pk>/reminders/", views.reminder_create, name="reminder_create"),
]
