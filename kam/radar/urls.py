"""URLs of the radar pages: portfolio, downloads, criteria, the why-key panel and its forms."""

from django.urls import path

from kam.radar import views

app_name = "radar"
urlpatterns = [
    path("", views.portfolio_view, name="portfolio"),
    path("export.csv", views.export_csv_view, name="export_csv"),
    path("export.xlsx", views.export_xlsx_view, name="export_xlsx"),
    path("settings/", views.settings_view, name="settings"),
    path("why/<int:account_pk>/", views.why_key_panel, name="why"),
    path("why/<int:account_pk>/flags/", views.flag_set_view, name="flag_set"),
    path(
        "why/<int:account_pk>/flags/<str:definition>/clear/",
        views.flag_clear_view,
        name="flag_clear",
    ),
    path("why/<int:account_pk>/wallet/", views.wallet_record_view, name="wallet_record"),
    path("why/<int:account_pk>/cases/", views.reference_case_record_view, name="case_record"),
    path(
        "why/<int:account_pk>/disclosures/",
        views.partner_disclosure_record_view,
        name="partner_record",
    ),
    path(
        "why/<int:account_pk>/consultations/",
        views.consultation_record_view,
        name="consult_record",
    ),
]
