"""Pages of order advice (OR-2), mounted at /orders/advice/."""

from django.urls import path

from kam.orders import views_advice

app_name = "advice"

urlpatterns = [
    path("<int:account_pk>/", views_advice.advice_page, name="page"),
    path("<int:account_pk>/panel/", views_advice.advice_panel, name="panel"),
]
