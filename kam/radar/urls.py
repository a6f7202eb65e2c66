from django.urls import path

from kam.radar import views

app_name = "radar"
urlpatterns = [
    path("", views.portfolio_view, name="portfolio"),
]
