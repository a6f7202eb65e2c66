"""A URL conf for the advice page's tests with a stand-in "orders:draft_add" (the orders
flow's view, built beside the advice). No tests of its own."""

from django.urls import include, path

from kam.orders.tests.test_advice_views import _base, draft_add

urlpatterns = [
    path("orders/advice/", include("kam.orders.urls_advice")),
    path("orders/", include(([path("draft/add/", draft_add, name="draft_add")], "orders"))),
    *_base,
]
