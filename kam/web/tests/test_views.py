"""The shell: login and logout, the home dashboard scoped to the user (SE-1), languages."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kam.testing import PASSWORD, make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

HOME = reverse("home")


@pytest.fixture
def book(org):
    product = make_product()
    anna = make_account(owner=org.kam_anna, legal_name="Aurora Pharmacy SIA")
    boris = make_account(owner=org.kam_boris, legal_name="Clinic North SIA")
    sigrid = make_account(owner=org.kam_sigrid, legal_name="Southern Star SIA")
    make_sale(account=anna, product=product, on=date(2025, 5, 2), revenue="1000", cost="700")
    make_sale(account=boris, product=product, on=date(2025, 4, 2), revenue="500", cost="100")
    make_sale(account=sigrid, product=product, on=date(2025, 6, 2), revenue="5000", cost="1000")
    return {"anna": anna, "boris": boris, "sigrid": sigrid}


def chart_data(response) -> dict:
    html = response.content.decode()
    return json.loads(
        html.split('id="scope-chart-data" type="application/json">')[1].split("</script>")[0]
    )


def test_home_needs_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_then_logout(org, client):
    response = client.post(
        reverse("login"), {"username": "kam_anna", "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert response.context["user"] == org.kam_anna
    client.post(reverse("logout"))
    assert client.get(HOME).status_code == 302


def test_wrong_password_is_refused(org, client):
    response = client.post(reverse("login"), {"username": "kam_anna", "password": "nope"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert 'role="alert"' in response.content.decode()


def test_home_shows_only_the_kams_scope(org, book, login):
    response = login(org.kam_anna).get(HOME)
    assert response.context["account_count"] == 1
    assert response.context["totals"].revenue == Decimal("1000")
    assert response.context["totals"].income == Decimal("300")
    assert [a.legal_name for a in response.context["top_accounts"]] == ["Aurora Pharmacy SIA"]
    html = response.content.decode()
    assert "Southern Star" not in html
    data = chart_data(response)
    assert len(data["labels"]) == 24
    # Anna's last month with sales is May 2025: the chart ends there, not at Sigrid's June.
    assert data["income"][-1] == "300.00"


def test_home_of_head_covers_department_not_other(org, book, login):
    north = login(org.head_north).get(HOME)
    assert north.context["account_count"] == 2
    assert north.context["totals"].income == Decimal("700")
    top = [a.legal_name for a in north.context["top_accounts"]]
    assert top == ["Clinic North SIA", "Aurora Pharmacy SIA"]  # 400 before 300
    south = login(org.head_south).get(HOME)
    assert [a.legal_name for a in south.context["top_accounts"]] == ["Southern Star SIA"]
    assert "Aurora" not in south.content.decode()


def test_director_sees_company_totals(org, book, login):
    response = login(org.director).get(HOME)
    assert response.context["account_count"] == 3
    assert response.context["totals"].revenue == Decimal("6500")


def test_navigation_links(org, login):
    html = login(org.kam_anna).get(HOME).content.decode()
    assert f'href="{reverse("clients:list")}"' in html
    assert f'href="{reverse("radar:portfolio")}"' in html


@pytest.mark.parametrize(
    ("language", "expected", "english"),
    [("lv", "Klienti", "Clients</a>"), ("ru", "Клиенты", "Clients</a>")],
)
def test_language_switch(org, book, login, language, expected, english):
    c = login(org.kam_anna)
    assert english in c.get(reverse("clients:list")).content.decode()
    response = c.post(reverse("set_language"), {"language": language, "next": HOME})
    assert response.status_code == 302
    html = c.get(reverse("clients:list")).content.decode()
    assert f'<html lang="{language}">' in html
    assert expected in html
    assert english not in html


def test_login_page_translated(client):
    client.post(reverse("set_language"), {"language": "lv", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert "Pieteikties" in html


def test_healthz(client, db):
    assert client.get(reverse("healthz")).content == b"ok"


# --- issue 7 §7: the key-accounts card counts and alerts --------------------------------------


def _radar_counts(client) -> tuple[int, int]:
    """Key accounts and review/dependency alerts as the radar page (default view) shows them."""
    response = client.get(reverse("radar:portfolio"), {"only_key": "on"})
    portfolio = response.context["portfolio"]
    alerts = [a for a in portfolio.alerts if a.kind in {"review_due", "mono", "critical"}]
    return portfolio.count, len(alerts)


def test_key_accounts_card_counts_the_radar_of_the_users_scope(org, book, login):
    from django.core.cache import cache

    cache.clear()
    director = login(org.director)
    home = director.get(HOME)
    card = home.context["key_card"]
    keys, alerts = _radar_counts(director)
    assert keys > 0 and alerts > 0  # Southern Star is most of the company's income
    assert (card.key_accounts, card.alerts) == (keys, alerts)
    html = home.content.decode()
    assert f'id="kpi-key-accounts">{keys}<' in html
    assert f"{alerts} alert" in html
    assert reverse("radar:portfolio") in html.split('id="key-accounts-card"')[1]

    anna = login(org.kam_anna)
    card = anna.get(HOME).context["key_card"]
    assert (card.key_accounts, card.alerts) == _radar_counts(anna)
    assert card.key_accounts <= 1  # her one client, never the company's


def test_home_is_cached_per_scope_and_follows_a_write(
    org, book, login, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    director = login(org.director)
    before = director.get(HOME).context["totals"].revenue
    anna_before = login(org.kam_anna).get(HOME).context["totals"].revenue
    assert anna_before < before  # not the director's entry
    with django_capture_on_commit_callbacks(execute=True):
        make_sale(
            account=book["anna"],
            product=make_product(),
            on=date(2025, 6, 3),
            revenue="10",
            cost="1",
        )
    assert login(org.director).get(HOME).context["totals"].revenue == before + 10
