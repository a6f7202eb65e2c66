"""Pages of the pricing app."""

from django.urls import path  # noqa: F401

app_name = "pricing"

urlpatterns: list = []
