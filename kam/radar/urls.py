from django.urls import path

from kam.radar import views

app_name = "radar"
urlpatterns = [
    path("", views.portfolio_view, name="portfolio"),
    path("why/<int:account_pk>/", views.why_key_panel, name="why"),
]
