"""URLs of the radar pages; other pages link to ``radar:portfolio`` and ``radar:why``."""

from django.urls import path

from kam.radar import views

app_name = "radar"
urlpatterns = [
    path("", views.portfolio_view, name="portfolio"),
    path("export.csv", views.export_csv_view, name="export_csv"),
    path("export.xlsx", views.export_xlsx_view, name="export_xlsx"),
    path("why/<int:account_pk>/", views.why_key_panel, name="why"),
]
