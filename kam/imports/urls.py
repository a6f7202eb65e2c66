"""URLs of the import page (issue 8 §4): upload, a run's page (mapping, preview, check,
import, progress), its errors as CSV, and the list of runs."""

from django.urls import path

from kam.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload_view, name="upload"),
    path("runs/", views.run_list_view, name="runs"),
    path("runs/<uuid:run_uuid>/", views.run_view, name="run"),
    path("runs/<uuid:run_uuid>/errors.csv", views.run_errors_csv, name="errors_csv"),
]
