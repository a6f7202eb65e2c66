"""The order advice page and the client card's panel (OR-2), with the orders flow's "take into
the draft" button. Two users for every page: the client's KAM and another."""

from django.urls import reverse

from kam.orders.tests.test_advice_selectors import AS_OF, build_world


def page(client, account, **query):
    return client.get(reverse("advice:page", args=[account.pk]), {"as_of": AS_OF, **query})


def test_the_clients_kam_sees_the_advice_and_another_kam_gets_404(org, login, settings):
    settings.LANGUAGE_CODE = "en"
    w = build_world(org)
    response = page(login(org.kam_anna), w.client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "bought every 28 days, last 35 days ago" in html
    assert "bought by 4 of 5 similar clients (segment Pharmacies)" in html
    assert "over available credit" in html and "within credit" in html
    assert f"{w.no_price.sku} {w.no_price.name} has no price in the column Key" in html
    # Two groups, each with its suggestion.
    assert response.context["advice"].due[0].product == w.due
    assert response.context["advice"].peers[0].product == w.peer
    assert page(login(org.kam_sigrid), w.client).status_code == 404


def test_without_a_contract_the_page_says_an_order_needs_one(org, login, settings):
    settings.LANGUAGE_CODE = "en"
    w = build_world(org, contract=False)
    response = page(login(org.kam_anna), w.client)
    html = response.content.decode()
    assert "an order needs a contract" in html
    assert "not priced" in html
    assert 'id="advice-credit"' not in html


def test_a_bad_as_of_reads_as_today(org, login):
    w = build_world(org)
    response = page(login(org.kam_anna), w.client, as_of="not-a-date")
    assert response.status_code == 200
    assert response.context["advice"].as_of != AS_OF


def test_the_panel_shows_the_top_suggestions_to_the_kam_only(org, login, settings):
    settings.LANGUAGE_CODE = "en"
    w = build_world(org)
    url = reverse("advice:panel", args=[w.client.pk])
    response = login(org.kam_anna).get(url, {"as_of": AS_OF})
    assert response.status_code == 200
    html = response.content.decode()
    assert "bought every 28 days, last 35 days ago" in html
    assert reverse("advice:page", args=[w.client.pk]) in html
    assert login(org.kam_sigrid).get(url, {"as_of": AS_OF}).status_code == 404


def test_signed_out_goes_to_the_login(org, client):
    w = build_world(org)
    assert page(client, w.client).status_code == 302


class TestTakeIntoTheDraft:
    """Each suggestion posts to the orders flow's "orders:draft_add"."""

    def test_each_suggestion_posts_account_product_and_quantity(self, org, login):
        w = build_world(org)
        response = page(login(org.kam_anna), w.client)
        action = reverse("orders:draft_add")
        assert response.context["draft_url"] == action
        html = response.content.decode()
        assert html.count(f'action="{action}"') == 2  # one per suggestion
        assert f'name="account" value="{w.client.pk}"' in html
        assert f'name="product" value="{w.due.pk}"' in html
        assert f'name="product" value="{w.peer.pk}"' in html
        assert 'name="quantity" value="10' in html
        assert 'name="quantity" value="9' in html

    def test_no_button_for_who_may_not_draft_or_without_a_contract(self, org, login):
        w = build_world(org)
        # The credit controller sees every client but drafts no order.
        response = page(login(org.credit), w.client)
        assert response.status_code == 200 and response.context["draft_url"] is None
        w2 = build_world(org, contract=False)
        assert page(login(org.kam_anna), w2.client).context["draft_url"] is None
