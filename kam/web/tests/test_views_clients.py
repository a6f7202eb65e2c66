"""The client list and card (SE-1): who sees which rows, filters, htmx fragment, query count."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from kam.clients.models import Account
from kam.clients.services import contact_create
from kam.sales.selectors import add_months
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db

LIST = reverse("clients:list")


def card(account) -> str:
    return reverse("clients:detail", args=[account.pk])


def rows(response) -> set[str]:
    """Client names shown in the list's table (page objects, not the HTML)."""
    return {a.legal_name for a in response.context["page"].object_list}


@pytest.fixture
def book(org):
    product = make_product(name="Amoxicillin 500")
    anna = make_account(
        owner=org.kam_anna,
        legal_name="Aurora Pharmacy SIA",
        registration_number="40003000001",
        vat_number="LV40003000001",
        industry="Pharmacy",
    )
    anna_lost = make_account(
        owner=org.kam_anna, legal_name="Baltic Retail AS", status=Account.Status.LOST
    )
    boris = make_account(owner=org.kam_boris, legal_name="Clinic North SIA", industry="Clinic")
    sigrid = make_account(
        owner=org.kam_sigrid, legal_name="Southern Star SIA", registration_number="40009999999"
    )
    # Aurora earns, Baltic loses money (income < 0), Southern Star is big but not Anna's.
    make_sale(account=anna, product=product, on=date(2025, 3, 5), revenue="1000", cost="600")
    make_sale(account=anna, product=product, on=date(2025, 4, 5), revenue="500", cost="300")
    make_sale(account=anna_lost, product=product, on=date(2025, 4, 9), revenue="200", cost="260")
    make_sale(account=sigrid, product=product, on=date(2025, 4, 1), revenue="9000", cost="1000")
    contact_create(
        actor=None, account=anna, first_name="Inese", last_name="Ozola", position="Buyer"
    )
    return {"anna": anna, "anna_lost": anna_lost, "boris": boris, "sigrid": sigrid}


def test_list_needs_login(client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_kam_sees_own_clients_not_another_kams(org, book, login):
    # SE-1: Anna sees her two clients; Sigrid's is neither listed nor found by search.
    response = login(org.kam_anna).get(LIST)
    assert response.status_code == 200
    assert rows(response) == {"Aurora Pharmacy SIA", "Baltic Retail AS"}
    assert "Southern Star" not in response.content.decode()

    found = login(org.kam_anna).get(LIST, {"q": "Southern"})
    assert rows(found) == set()
    found = login(org.kam_anna).get(LIST, {"q": "40009999999"})
    assert rows(found) == set()


def test_other_kam_sees_own_client_and_finds_it(org, book, login):
    response = login(org.kam_sigrid).get(LIST, {"q": "southern"})
    assert rows(response) == {"Southern Star SIA"}


def test_head_sees_department_subtree_not_other_department(org, book, login):
    north = login(org.head_north).get(LIST)
    assert rows(north) == {"Aurora Pharmacy SIA", "Baltic Retail AS", "Clinic North SIA"}
    south = login(org.head_south).get(LIST)
    assert rows(south) == {"Southern Star SIA"}


def test_search_by_name_registration_and_vat_number(org, book, login):
    c = login(org.director)
    assert rows(c.get(LIST, {"q": "aurora"})) == {"Aurora Pharmacy SIA"}
    assert rows(c.get(LIST, {"q": "40003000001"})) == {"Aurora Pharmacy SIA"}
    assert rows(c.get(LIST, {"q": "LV4000300"})) == {"Aurora Pharmacy SIA"}


def test_filters_status_owner_department_industry(org, book, login):
    c = login(org.head_north)
    assert rows(c.get(LIST, {"status": "lost"})) == {"Baltic Retail AS"}
    assert rows(c.get(LIST, {"owner": org.kam_boris.pk})) == {"Clinic North SIA"}
    assert rows(c.get(LIST, {"department": org.north_pharma.pk})) == {"Clinic North SIA"}
    assert rows(c.get(LIST, {"industry": "Pharmacy"})) == {"Aurora Pharmacy SIA"}


def test_owner_filter_offers_only_visible_people(org, book, login):
    response = login(org.kam_anna).get(LIST)
    owners = set(response.context["form"].fields["owner"].queryset)
    assert org.kam_anna in owners
    assert org.kam_sigrid not in owners
    # An owner outside the scope is refused as a choice and still shows nothing of theirs.
    response = login(org.kam_anna).get(LIST, {"owner": org.kam_sigrid.pk})
    assert "Southern Star" not in response.content.decode()


def test_twelve_month_totals_and_loss_marked(org, book, login):
    response = login(org.kam_anna).get(LIST, {"sort": "-income"})
    accounts = list(response.context["page"].object_list)
    assert [a.legal_name for a in accounts] == ["Aurora Pharmacy SIA", "Baltic Retail AS"]
    assert accounts[0].revenue_12m == Decimal("1500")
    assert accounts[0].income_12m == Decimal("600")
    assert accounts[1].income_12m == Decimal("-60")
    assert '<span class="kam-neg">&minus;60&nbsp;EUR</span>' in response.content.decode()


def test_sort_by_income_ascending_and_by_name_descending(org, book, login):
    c = login(org.kam_anna)
    by_income = [a.legal_name for a in c.get(LIST, {"sort": "income"}).context["page"]]
    assert by_income == ["Baltic Retail AS", "Aurora Pharmacy SIA"]
    by_name = [a.legal_name for a in c.get(LIST, {"sort": "-name"}).context["page"]]
    assert by_name == ["Baltic Retail AS", "Aurora Pharmacy SIA"]


def test_htmx_request_gets_only_the_table(org, book, login):
    response = login(org.kam_anna).get(LIST, {"q": "aurora"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "<table" in html
    assert "Aurora Pharmacy SIA" in html
    assert "Baltic Retail AS" not in html
    assert "HX-Request" in response["Vary"]


def test_full_page_has_htmx_wiring(org, book, login):
    html = login(org.kam_anna).get(LIST).content.decode()
    assert "<html" in html
    assert 'hx-get="/clients/"' in html
    assert 'hx-target="#account-table"' in html
    assert 'hx-push-url="true"' in html


def test_pagination_and_page_size(org, login):
    for i in range(30):
        make_account(owner=org.kam_anna, legal_name=f"Paged {i:02d} SIA")
    c = login(org.kam_anna)
    first = c.get(LIST)
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].num_pages == 2
    second = c.get(LIST, {"page": 2})
    assert len(second.context["page"].object_list) == 5
    wide = c.get(LIST, {"per_page": 50})
    assert len(wide.context["page"].object_list) == 30


def _list_queries(client, per_page, django_assert_max_num_queries, limit):
    from django.core.cache import cache

    cache.clear()  # both measured cold: the filter choices and pages are cached
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(LIST, {"per_page": per_page})
    assert len(response.context["page"].object_list) == per_page
    return len(captured)


def test_query_count_does_not_grow_with_page_size(org, login, django_assert_max_num_queries):
    product = make_product()
    for i in range(100):
        account = make_account(owner=org.kam_boris, legal_name=f"Bulk {i:03d} SIA")
        if i % 10 == 0:
            make_sale(account=account, product=product, on=date(2025, 1, 3), revenue="10", cost="5")
    c = login(org.head_north)
    # 21: the "New client" button asks the policy (issue 7 §6) - one query, whatever the size.
    small = _list_queries(c, 25, django_assert_max_num_queries, 21)
    large = _list_queries(c, 100, django_assert_max_num_queries, 21)
    assert small == large


def test_card_shows_details_contacts_kpis_and_chart(org, book, login):
    response = login(org.kam_anna).get(card(book["anna"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Aurora Pharmacy SIA" in html
    assert "Inese Ozola" in html
    assert "Amoxicillin 500" in html
    assert response.context["revenue_12m"] == Decimal("1500")
    assert response.context["income_12m"] == Decimal("600")
    assert "40,0" in html or "40.0" in html  # margin 600 / 1500
    assert 'id="account-chart-data"' in html
    assert "<canvas" in html
    data = json.loads(
        html.split('id="account-chart-data" type="application/json">')[1].split("</script>")[0]
    )
    assert len(data["labels"]) == 24
    # The chart ends at the last month with sales the user can see (April 2025).
    assert data["revenue"][-1] == "500.00"
    assert data["revenue"][-2] == "1000.00"
    assert reverse("radar:why", args=[book["anna"].pk]) in html
    assert 'hx-trigger="load"' in html


def test_card_marks_loss_making_client(org, book, login):
    html = login(org.kam_anna).get(card(book["anna_lost"])).content.decode()
    assert 'class="kam-neg"' in html


def test_card_of_another_kams_client_is_404_like_a_missing_one(org, book, login):
    assert login(org.kam_sigrid).get(card(book["sigrid"])).status_code == 200
    c = login(org.kam_anna)
    other = c.get(card(book["sigrid"]))
    missing = c.get(reverse("clients:detail", args=[999_999]))
    assert other.status_code == 404
    assert missing.status_code == 404


def test_head_opens_card_in_department_not_in_another(org, book, login):
    assert login(org.head_north).get(card(book["boris"])).status_code == 200
    assert login(org.head_south).get(card(book["boris"])).status_code == 404


def test_chart_window_follows_reporting_month(org, book, login):
    response = login(org.kam_anna).get(card(book["anna"]))
    window = response.context["window"]
    assert window.last == date(2025, 4, 1)
    assert window.first == add_months(date(2025, 4, 1), -11)


def test_card_shows_who_changed_the_client_and_another_kam_gets_404(org, login):  # SE-3
    from kam.clients.services import account_update, contact_create
    from kam.testing import make_account

    account = make_account(owner=org.kam_anna, legal_name="Audit Trail SIA")
    account_update(actor=org.head_north, account=account, industry="Hospital")
    contact_create(actor=org.kam_anna, account=account, first_name="Ilze", last_name="Ozola")

    page = login(org.kam_anna).get(f"/clients/{account.pk}/").content.decode()
    assert "Change history" in page
    assert "Hugo Head" in page and "Hospital" in page  # who, and the new value
    assert "Ilze Ozola" in page  # the contact's creation is part of the client's trail


def test_change_history_of_a_client_is_not_shown_to_another_kam(org, client):
    from kam.clients.services import account_update
    from kam.testing import PASSWORD, make_account

    account = make_account(owner=org.kam_anna, legal_name="Secret Trail SIA")
    account_update(actor=org.kam_anna, account=account, industry="Clinic")
    assert client.login(username=org.kam_sigrid.username, password=PASSWORD)
    assert client.get(f"/clients/{account.pk}/").status_code == 404


# --- issue 7 §3 and §8 -------------------------------------------------------------------------


def test_clients_app_imports_neither_sales_nor_web():
    """§8: clients sit below sales and web; the pages that show sales figures live in web."""
    import ast
    from pathlib import Path

    import kam.clients

    root = Path(kam.clients.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            offenders += [
                f"{path.name}: {n}" for n in names if n.startswith(("kam.sales", "kam.web"))
            ]
    assert offenders == []


def test_every_client_url_resolves_in_the_clients_namespace(org, book, login):
    """The list and the card moved to web; their URLs and names did not change, and every
    page kam.clients serves itself still resolves under the same namespace."""
    from django.urls import resolve

    from kam.clients import urls as clients_urls

    assert LIST == "/clients/"
    assert card(book["anna"]) == f"/clients/{book['anna'].pk}/"
    assert resolve(LIST).view_name == "clients:list"
    assert resolve(card(book["anna"])).view_name == "clients:detail"
    for pattern in clients_urls.urlpatterns:
        assert pattern.name is None or reverse(
            f"clients:{pattern.name}", kwargs={k: 1 for k in pattern.pattern.converters}
        )
    c = login(org.kam_anna)
    assert c.get(LIST).status_code == 200
    assert c.get(card(book["anna"])).status_code == 200


def test_a_long_list_counts_up_to_a_cap_and_still_pages_past_it(org, login, monkeypatch):
    """§3: a list of 100 000 clients is not counted row by row: the count stops at a cap
    ("more than 10,000 clients") and a page past the cap still opens."""
    from kam.core import paging

    monkeypatch.setattr(paging, "COUNT_CAP", 30)
    for i in range(60):
        make_account(owner=org.kam_anna, legal_name=f"Many {i:02d} SIA")
    c = login(org.kam_anna)
    first = c.get(LIST, {"per_page": 25})
    assert "more than 30 clients" in first.content.decode()
    assert first.context["page"].has_next()
    third = c.get(LIST, {"per_page": 25, "page": 3})
    assert [a.legal_name for a in third.context["page"]] == [
        f"Many {i:02d} SIA" for i in range(50, 60)
    ]
    # Past the end: the last page, not an error.
    far = c.get(LIST, {"per_page": 25, "page": 9999})
    assert far.status_code == 200
    assert far.context["page"].number == 3


def test_cached_list_pages_follow_a_write_and_a_scope(org, book, login):
    """The list's pages and filter choices are cached: a new client shows at once, and a
    KAM's cached page never serves another KAM."""
    c = login(org.kam_anna)
    assert "Zeta New SIA" not in rows(c.get(LIST))
    make_account(owner=org.kam_anna, legal_name="Zeta New SIA", industry="Optics")
    response = c.get(LIST)
    assert "Zeta New SIA" in rows(response)
    assert "Optics" in response.content.decode()
    other = login(org.kam_sigrid).get(LIST)
    assert "Zeta New SIA" not in rows(other)
    assert "Optics" not in other.content.decode()
