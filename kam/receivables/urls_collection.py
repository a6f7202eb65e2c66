"""Pages of debt collection (AR-2): the collection list, promises, reminders."""

from django.urls import path  # noqa: F401

app_name = "collection"

urlpatterns: list = []
