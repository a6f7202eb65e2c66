"""SE-3: configuration that touches money, changed in the admin, leaves an audit entry."""

from datetime import date
from decimal import Decimal

import pytest

from kam.core.models import AuditEntry, CurrencyRate
from kam.core.services import company_settings
from kam.org.services import user_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = user_create(actor=None, username="root", password="pw-root-123", role="admin")
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    return client, admin


def test_currency_rate_added_in_admin_is_audited(admin_client):
    client, admin = admin_client
    response = client.post(
        "/admin/core/currencyrate/add/",
        {"currency": "RUB", "valid_from": "2026-01-01", "rate": "0.0105"},
    )
    assert response.status_code == 302
    rate = CurrencyRate.objects.get(currency="RUB", valid_from=date(2026, 1, 1))
    assert rate.rate == Decimal("0.0105")
    entry = AuditEntry.objects.get(entity="core.currencyrate", entity_id=str(rate.pk))
    assert entry.actor == admin


def test_company_settings_changed_in_admin_are_audited_with_old_and_new(admin_client):
    client, admin = admin_client
    settings = company_settings()
    response = client.post(
        f"/admin/core/companysettings/{settings.pk}/change/",
        {
            "name": "Baltic Pharma",
            "base_currency": "EUR",
            "fiscal_year_start_month": "4",
            "history_starts_on": "2000-01-01",
        },
    )
    assert response.status_code == 302
    settings.refresh_from_db()
    assert settings.fiscal_year_start_month == 4
    entry = AuditEntry.objects.filter(entity="core.companysettings").latest("at")
    assert entry.actor == admin
    assert entry.changes["fiscal_year_start_month"] == [1, 4]
    assert entry.changes["name"] == ["My company", "Baltic Pharma"]
