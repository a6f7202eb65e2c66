"""Pages of the receivables app."""

from django.urls import path  # noqa: F401

app_name = "receivables"

urlpatterns: list = []
