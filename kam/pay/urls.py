"""Pages of pay (mounted at /pay/)."""

from django.urls import path

from kam.pay import views

app_name = "pay"

urlpatterns = [
    path("", views.statement_list, name="statements"),
    path("prepare/", views.statement_prepare, name="prepare"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("statements/<int:pk>/prepare/", views.statement_recompute, name="recompute"),
    path("statements/<int:pk>/approve/", views.statement_approve, name="approve"),
    path("statements/<int:pk>/lock/", views.statement_lock, name="lock"),
    path("statements/<int:pk>/download/<str:fmt>/", views.statement_download, name="download"),
    path("schemes/", views.scheme_list, name="schemes"),
    path("schemes/new/", views.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views.scheme_edit, name="scheme_edit"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
]
