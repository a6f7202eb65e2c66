"""Managing clients through the pages and the API (issue 7 §6): the same refusals from both,
buttons only for those allowed, 403 seen-but-not-allowed, 404 out of scope, 422 with fields."""

import pytest
from django.urls import reverse

from kam.clients.models import Account, AccountOwnership
from kam.clients.services import account_archive
from kam.testing import make_account

pytestmark = pytest.mark.django_db


def card(account):
    return reverse("clients:detail", args=[account.pk])


# The same bad input through the web and the API: both refuse it, on the same field.
BAD = [
    ({"legal_name": ""}, "legal_name"),
    ({"legal_name": "A\x00B"}, "legal_name"),
    ({"legal_name": "Ok SIA", "website": "nope"}, "website"),
    ({"legal_name": "Ok SIA", "registration_number": "40001"}, "registration_number"),
]


@pytest.mark.parametrize(("data", "field"), BAD)
def test_web_and_api_refuse_the_same_bad_client(org, login, data, field):
    make_account(owner=org.kam_sigrid, registration_number="40001")
    client = login(org.kam_anna)
    web = client.post(reverse("clients:create"), {**data, "status": "active"})
    if any("\x00" in v for v in data.values()):
        # A NUL never reaches the form: the request guard refuses the post, naming the field.
        assert web.status_code == 400 and field in web.content.decode()
    else:
        assert web.status_code == 422
        assert web.context["form"].errors[field]
    api = client.post("/api/clients/", data, content_type="application/json")
    assert api.status_code == 422, api.content
    assert field in {e["field"] for e in api.json()["errors"]}
    assert Account.objects.count() == 1


def test_web_and_api_refuse_an_owner_outside_the_actors_department(org, login):
    client = login(org.head_north)
    web = client.post(
        reverse("clients:create"),
        {"legal_name": "Pushed SIA", "status": "active", "owner": org.kam_sigrid.pk},
    )
    assert web.status_code == 422 and web.context["form"].errors["owner"]
    api = client.post(
        "/api/clients/",
        {"legal_name": "Pushed SIA", "owner_id": org.kam_sigrid.pk},
        content_type="application/json",
    )
    assert api.status_code == 422
    assert [e["field"] for e in api.json()["errors"]] == ["owner"]
    assert not Account.objects.filter(legal_name="Pushed SIA").exists()


def test_a_kam_creates_a_client_on_the_page_a_credit_controller_gets_403(org, login):
    response = login(org.kam_anna).post(
        reverse("clients:create"),
        {"legal_name": "Rīgas Piens", "status": "active", "owner": org.kam_anna.pk},
    )
    account = Account.objects.get(legal_name="Rīgas Piens")
    assert response.status_code == 302 and response["Location"] == card(account)
    assert account.owner == org.kam_anna
    assert AccountOwnership.objects.filter(account=account, ended_on=None).count() == 1
    assert login(org.credit).get(reverse("clients:create")).status_code == 403


def test_the_create_form_offers_only_the_kams_the_actor_may_choose(org, login):
    form = login(org.head_north).get(reverse("clients:create")).context["form"]
    offered = {value for value, _ in form.fields["owner"].widget.choices if value}
    assert offered == {org.kam_anna.pk, org.kam_boris.pk, org.regional_north.pk}


def test_edit_page_saves_through_the_service(org, login):
    account = make_account(owner=org.kam_anna, city="Rīga")
    response = login(org.kam_anna).post(
        reverse("clients:edit", args=[account.pk]),
        {"legal_name": account.legal_name, "status": "lost", "city": "Cēsis"},
    )
    assert response.status_code == 302
    account.refresh_from_db()
    assert (account.city, account.status, account.owner) == ("Cēsis", "lost", org.kam_anna)


def test_edit_page_403_for_the_credit_controller_404_out_of_scope(org, login):
    account = make_account(owner=org.kam_anna)
    assert login(org.credit).get(reverse("clients:edit", args=[account.pk])).status_code == 403
    assert login(org.kam_sigrid).get(reverse("clients:edit", args=[account.pk])).status_code == 404


def test_reassign_page_head_only_with_kams_of_the_department(org, login):
    account = make_account(owner=org.kam_anna)
    url = reverse("clients:reassign", args=[account.pk])
    assert login(org.kam_anna).get(url).status_code == 403
    client = login(org.head_north)
    form = client.get(url).context["form"]
    offered = {value for value, _ in form.fields["owner"].widget.choices if value}
    assert org.kam_boris.pk in offered and org.kam_sigrid.pk not in offered
    response = client.post(url, {"owner": org.kam_boris.pk})
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).owner == org.kam_boris
    refused = client.post(url, {"owner": org.kam_sigrid.pk})
    assert refused.status_code in {404, 422}  # Boris's client is still Hugo's to see


def test_archive_needs_a_post_and_the_right(org, login):
    account = make_account(owner=org.kam_anna)
    url = reverse("clients:archive", args=[account.pk])
    assert login(org.kam_anna).post(url).status_code == 403
    client = login(org.head_north)
    assert client.get(url).status_code == 200  # the confirmation
    assert Account.objects.get(pk=account.pk).archived_at is None
    assert client.post(url).status_code == 302
    assert Account.objects.get(pk=account.pk).archived_at is not None
    # Archived: the card still opens, and offers a restore.
    html = client.get(card(account)).content.decode()
    assert reverse("clients:restore", args=[account.pk]) in html
    assert client.post(reverse("clients:restore", args=[account.pk])).status_code == 302
    assert Account.objects.get(pk=account.pk).archived_at is None


def test_card_buttons_follow_the_policy(org, login):
    account = make_account(owner=org.kam_anna)
    edit = reverse("clients:edit", args=[account.pk])
    reassign = reverse("clients:reassign", args=[account.pk])
    archive = reverse("clients:archive", args=[account.pk])
    kam = login(org.kam_anna).get(card(account)).content.decode()
    assert edit in kam and reassign not in kam and archive not in kam
    credit = login(org.credit).get(card(account)).content.decode()
    assert edit not in credit and reassign not in credit
    head = login(org.head_north).get(card(account)).content.decode()
    assert edit in head and reassign in head and archive in head


def test_ownership_panel_lists_the_history(org, login):
    from kam.clients.services import account_reassign

    account = make_account(owner=org.kam_anna)
    account_reassign(actor=org.head_north, account=account, owner=org.kam_boris)
    html = login(org.head_north).get(reverse("clients:ownership", args=[account.pk]))
    text = html.content.decode()
    assert "Anna Kam" in text and "Boris Kam" in text
    assert (
        login(org.kam_sigrid).get(reverse("clients:ownership", args=[account.pk])).status_code
        == 404
    )


def test_list_hides_archived_clients_unless_asked(org, login):
    kept = make_account(owner=org.kam_anna, legal_name="Kept SIA")
    gone = make_account(owner=org.kam_anna, legal_name="Gone SIA")
    account_archive(actor=org.head_north, account=gone)
    client = login(org.kam_anna)
    shown = {a.pk for a in client.get(reverse("clients:list")).context["page"].object_list}
    assert shown == {kept.pk}
    asked = client.get(reverse("clients:list"), {"archived": "only"}).context["page"]
    assert {a.pk for a in asked.object_list} == {gone.pk}


# --- API --------------------------------------------------------------------------------


def test_api_create_returns_the_client_and_its_ownership(org, login):
    client = login(org.kam_anna)
    response = client.post(
        "/api/clients/",
        {"legal_name": "Rīgas Piens", "owner_id": org.kam_anna.pk, "city": "Rīga"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"]["name"] == "Anna Kam" and body["department"]["name"] == "North"
    assert body["archived_at"] is None
    history = client.get(f"/api/clients/{body['id']}/ownership").json()
    assert [(h["owner"]["name"], h["ended_on"]) for h in history] == [("Anna Kam", None)]
    assert (
        login(org.credit)
        .post("/api/clients/", {"legal_name": "X"}, content_type="application/json")
        .status_code
        == 403
    )


def test_api_patch_403_404_and_unknown_fields(org, login):
    account = make_account(owner=org.kam_anna)
    url = f"/api/clients/{account.pk}"
    ok = login(org.kam_anna).patch(url, {"city": "Cēsis"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["city"] == "Cēsis"
    assert (
        login(org.credit).patch(url, {"city": "X"}, content_type="application/json").status_code
        == 403
    )
    assert (
        login(org.kam_sigrid).patch(url, {"city": "X"}, content_type="application/json").status_code
        == 404
    )
    moved = login(org.kam_anna).patch(url, {"owner_id": 1}, content_type="application/json")
    assert moved.status_code == 422  # the owner changes by /reassign only
    account.refresh_from_db()
    assert account.city == "Cēsis" and account.owner == org.kam_anna


def test_api_reassign_by_the_head_not_the_kam(org, login):
    account = make_account(owner=org.kam_anna)
    url = f"/api/clients/{account.pk}/reassign"
    body = {"owner_id": org.kam_boris.pk}
    assert login(org.kam_anna).post(url, body, content_type="application/json").status_code == 403
    response = login(org.head_north).post(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["name"] == "Boris Kam"
    history = login(org.head_north).get(f"/api/clients/{account.pk}/ownership").json()
    assert [h["owner"]["name"] for h in history] == ["Boris Kam", "Anna Kam"]
    bad_day = login(org.head_north).post(
        url,
        {"owner_id": org.kam_anna.pk, "on": "2999-01-01"},
        content_type="application/json",
    )
    assert bad_day.status_code == 422
    assert [e["field"] for e in bad_day.json()["errors"]] == ["on"]
    unknown = login(org.head_north).post(url, {"owner_id": 999999}, content_type="application/json")
    assert unknown.status_code == 422


def test_api_archive_and_restore(org, login):
    account = make_account(owner=org.kam_anna)
    assert login(org.kam_anna).post(f"/api/clients/{account.pk}/archive").status_code == 403
    head = login(org.head_north)
    archived = head.post(f"/api/clients/{account.pk}/archive")
    assert archived.status_code == 200 and archived.json()["archived_at"]
    assert head.post(f"/api/clients/{account.pk}/archive").status_code == 422
    listed = {r["id"] for r in head.get("/api/clients/").json()["items"]}
    assert account.pk not in listed
    found = head.get("/api/clients/", {"archived": "only"}).json()["items"]
    assert [r["id"] for r in found] == [account.pk]
    assert head.post(f"/api/clients/{account.pk}/restore").json()["archived_at"] is None


def test_api_search_without_diacritics(org, login):
    make_account(owner=org.kam_anna, legal_name="Rīgas Piens")
    rows = login(org.kam_anna).get("/api/clients/", {"q": "rigas"}).json()["items"]
    assert [r["legal_name"] for r in rows] == ["Rīgas Piens"]


def test_the_form_and_the_api_name_every_bad_field_at_once(org, login):
    client = login(org.director)
    bad = {"legal_name": "Bad\x07 SIA", "website": "nope", "country": "LVA"}
    web = client.post(reverse("clients:create"), {**bad, "status": "active"})
    assert {"legal_name", "website", "country"} <= set(web.context["form"].errors)
    api = client.post("/api/clients/", bad, content_type="application/json")
    assert {e["field"] for e in api.json()["errors"]} == {"legal_name", "website", "country"}


@pytest.mark.parametrize(
    "body",
    [
        {"owner_id": 10**30},
        {"owner_id": -1},
        {"owner_id": "x"},
        {"owner_id": None},
        {"owner_id": "boris", "on": "0001-01-01"},
        {"owner_id": "boris", "department_id": 10**30},
    ],
)
def test_api_reassign_answers_bad_input_with_422_never_500(org, login, body):
    if body["owner_id"] == "boris":
        body = {**body, "owner_id": org.kam_boris.pk}
    account = make_account(owner=org.kam_anna)
    response = login(org.director).post(
        f"/api/clients/{account.pk}/reassign", body, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    assert Account.objects.get(pk=account.pk).owner == org.kam_anna
