"""Pages, the API and ``kam pay statement``: who sees what (SE-1: the allowed user and the
one who must not see), 200/403/404, and the answers' figures."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kam.org.services import api_token_create
from kam.pay import services
from kam.pay.models import PayScheme, PayStatement
from kam.pay.tests.conftest import assign, prepare, sale
from kam.testing import make_account, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna_october(org, scheme):
    assign(org, org.kam_anna, scheme)
    client = make_account(owner=org.kam_anna, legal_name="Aurora SIA")
    sale(client, make_product(), date(2026, 10, 5), "60000", "D-1")
    return prepare(org, org.kam_anna, "2026-10")


def test_anna_sees_her_statement_and_boris_gets_404(org, login, anna_october):
    url = f"/pay/statements/{anna_october.pk}/"
    page = login(org.kam_anna).get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Aurora SIA" in body and "D-1" in body and "12 % to 50000; 5 % above" in body
    assert f'action="/pay/statements/{anna_october.pk}/approve/"' not in body  # not hers to
    client = login(org.kam_boris)
    assert client.get(url).status_code == 404
    assert client.get(f"/pay/statements/{anna_october.pk}/download/pdf/").status_code == 404
    assert "Anna" not in client.get("/pay/").content.decode()


def test_the_head_sees_the_team_and_approves_the_director_locks(org, login, anna_october):
    client = login(org.head_north)
    listing = client.get("/pay/").content.decode()
    assert "Anna Kam" in listing and "2026-10" in listing
    page = client.get(f"/pay/statements/{anna_october.pk}/").content.decode()
    assert f"/pay/statements/{anna_october.pk}/approve/" in page
    assert client.post(f"/pay/statements/{anna_october.pk}/approve/").status_code == 302
    assert client.post(f"/pay/statements/{anna_october.pk}/lock/").status_code == 403
    assert PayStatement.objects.get(pk=anna_october.pk).status == "approved"
    director = login(org.director)
    assert director.post(f"/pay/statements/{anna_october.pk}/lock/").status_code == 302
    assert PayStatement.objects.get(pk=anna_october.pk).status == "locked"
    # Computing a locked statement again answers 400 with the reason, nothing changes.
    again = director.post(f"/pay/statements/{anna_october.pk}/prepare/")
    assert again.status_code == 400 and "is locked" in again.content.decode()


def test_head_south_gets_404_for_a_north_statement(org, login, anna_october):
    client = login(org.head_south)
    assert client.get(f"/pay/statements/{anna_october.pk}/").status_code == 404
    assert client.post(f"/pay/statements/{anna_october.pk}/approve/").status_code == 404


def test_a_kam_may_not_prepare(org, login, anna_october):
    r = login(org.kam_anna).post("/pay/prepare/", {"person": org.kam_anna.pk, "period": "2026-10"})
    assert r.status_code == 403


def test_prepare_from_the_list_page(org, login, scheme):
    assign(org, org.kam_boris, scheme)
    client = login(org.head_north)
    r = client.post(
        "/pay/prepare/", {"person": org.kam_boris.pk, "period": "2026-10", "as_of": "2026-11-05"}
    )
    assert r.status_code == 302
    s = PayStatement.objects.get(person=org.kam_boris)
    assert (s.period_code, s.total, s.as_of) == ("2026-10", Decimal("1500"), date(2026, 11, 5))
    bad = client.post("/pay/prepare/", {"person": org.kam_boris.pk, "period": "2026-13"})
    assert bad.status_code == 400 and "there is no month 13" in bad.content.decode()


def test_downloads(org, login, anna_october):
    client = login(org.kam_anna)
    pdf = client.get(f"/pay/statements/{anna_october.pk}/download/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xlsx = client.get(f"/pay/statements/{anna_october.pk}/download/xlsx/")
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert client.get(f"/pay/statements/{anna_october.pk}/download/doc/").status_code == 404


def test_scheme_pages_are_the_directors(org, login, scheme):
    director = login(org.director)
    assert "Key accounts" in director.get("/pay/schemes/").content.decode()
    r = director.post(
        "/pay/schemes/new/",
        {
            "name": "Income",
            "fixed_amount": "900",
            "basis": "income",
            "earned_on": "paid",
            "bands": "20000 15\n* 8",
            "cuts": "turnover 90 30\nactive_clients 95 10",
        },
    )
    assert r.status_code == 302
    s = PayScheme.objects.get(name="Income")
    assert (s.bands, s.cuts["active_clients"]) == ([["20000", "15"], [None, "8"]], [["95", "10"]])
    bad = director.post(
        "/pay/schemes/new/",
        {
            "name": "Bad",
            "fixed_amount": "0",
            "basis": "turnover",
            "earned_on": "invoiced",
            "bands": "* 5",
            "cuts": "turnover 80 10\nturnover 90 30",
        },
    )
    assert bad.status_code == 400 and "may not cut less" in bad.content.decode()
    assert not PayScheme.objects.filter(name="Bad").exists()
    assert login(org.head_north).get("/pay/schemes/new/").status_code == 403


def test_assignment_page_refuses_an_overlap(org, login, scheme):
    director = login(org.director)
    ok = director.post(
        "/pay/assignments/new/",
        {"person": org.kam_anna.pk, "scheme": scheme.pk, "starts": "2026-01"},
    )
    assert ok.status_code == 302
    again = director.post(
        "/pay/assignments/new/",
        {"person": org.kam_anna.pk, "scheme": scheme.pk, "starts": "2026-05"},
    )
    assert again.status_code == 400 and "may not overlap" in again.content.decode()


# --- the API --------------------------------------------------------------------------------


def _api(client, user):
    token = api_token_create(actor=user, user=user, name="t")[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_api_scoping_and_actions(org, client, anna_october):
    anna = _api(client, org.kam_anna)
    boris = _api(client, org.kam_boris)
    head = _api(client, org.head_north)
    r = client.get(f"/api/pay/statements/{anna_october.pk}", **anna)
    assert r.status_code == 200
    data = r.json()
    assert (data["total"], data["lines"][0]["commission"]) == ("8000.00", "6500.00")
    assert client.get(f"/api/pay/statements/{anna_october.pk}", **boris).status_code == 404
    assert client.get("/api/pay/statements", **boris).json()["count"] == 0
    assert client.get("/api/pay/statements", **head).json()["count"] == 1
    assert client.post(f"/api/pay/statements/{anna_october.pk}/approve", **anna).status_code == 403
    approved = client.post(f"/api/pay/statements/{anna_october.pk}/approve", **head)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert client.post(f"/api/pay/statements/{anna_october.pk}/lock", **head).status_code == 403
    bad = client.post(
        "/api/pay/statements",
        data={"person_id": org.kam_anna.pk, "period": "2026-13"},
        content_type="application/json",
        **head,
    )
    assert bad.status_code == 422 and "period" in json.dumps(bad.json())
    outside = client.post(
        "/api/pay/statements",
        data={"person_id": org.kam_sigrid.pk, "period": "2026-10"},
        content_type="application/json",
        **head,
    )
    assert outside.status_code == 404


def test_api_own_approval_refused_422(org, client, scheme):
    assign(org, org.head_north, scheme)
    s = prepare(org, org.head_north, "2026-10")
    head = _api(client, org.head_north)
    r = client.post(f"/api/pay/statements/{s.pk}/approve", **head)
    assert r.status_code == 422 and "own pay statement" in json.dumps(r.json())


def test_api_schemes(org, client, scheme):
    director = _api(client, org.director)
    assert [s["name"] for s in client.get("/api/pay/schemes", **director).json()] == [
        "Key accounts"
    ]
    assert client.get("/api/pay/schemes", **_api(client, org.kam_boris)).json() == []
    r = client.post(
        "/api/pay/schemes",
        data={"name": "Flat", "bands": [[None, 7]], "cuts": {"turnover": [[90, 10], [95, 20]]}},
        content_type="application/json",
        **director,
    )
    assert r.status_code == 422


# --- the command ----------------------------------------------------------------------------


def test_kam_pay_statement_json(org, anna_october):
    out = StringIO()
    call_command(
        "pay", "statement", "kam_anna", "--period", "2026-10", "--user", "head_north", stdout=out
    )
    data = json.loads(out.getvalue())
    assert (data["id"], data["status"], data["total"], data["commission"]) == (
        anna_october.pk,
        "draft",
        "8000.00",
        "6500.00",
    )
    assert data["lines"][0]["band"] == "12 % to 50000; 5 % above"


def test_kam_pay_statement_preview_keeps_nothing(org, scheme):
    assign(org, org.kam_boris, scheme)
    out = StringIO()
    call_command(
        "pay", "statement", "kam_boris", "--period", "2026-10", "--as-of", "2026-11-02", stdout=out
    )
    data = json.loads(out.getvalue())
    assert (data["preview"], data["id"], data["total"]) == (True, None, "1500.00")
    assert not PayStatement.objects.exists()


def test_kam_pay_statement_errors_are_one_line(org, anna_october):
    with pytest.raises(
        CommandError, match="no person named 'kam_anna' whose pay kam_boris may see"
    ):
        call_command("pay", "statement", "kam_anna", "--period", "2026-10", "--user", "kam_boris")
    with pytest.raises(CommandError, match="not a period"):
        call_command("pay", "statement", "kam_anna", "--period", "Oct")


def test_kam_pay_statement_pdf_to_a_file(org, anna_october, tmp_path):
    out = StringIO()
    target = tmp_path / "s.pdf"
    call_command(
        "pay",
        "statement",
        "kam_anna",
        "--period",
        "2026-10",
        "--format",
        "pdf",
        "--output",
        str(target),
        stdout=out,
    )
    assert target.read_bytes().startswith(b"%PDF")


def test_services_keep_the_audit(org, anna_october):
    from kam.core.models import AuditEntry

    services.statement_approve(actor=org.head_north, statement=anna_october)
    entries = AuditEntry.objects.filter(entity="pay.paystatement", entity_id=str(anna_october.pk))
    assert {e.summary for e in entries} >= {"pay statement 2026-10 approved"}


def test_prepare_everyone_in_sight_from_the_list_page(org, login, scheme):
    assign(org, org.kam_anna, scheme)
    assign(org, org.kam_boris, scheme)
    assign(org, org.kam_sigrid, scheme)  # South: not Hugo's
    r = login(org.head_north).post("/pay/prepare/", {"period": "2026-10", "as_of": "2026-11-05"})
    assert r.status_code == 302 and r["Location"] == "/pay/?period=2026-10"
    assert sorted(PayStatement.objects.values_list("person__username", flat=True)) == [
        "kam_anna",
        "kam_boris",
    ]


def test_the_list_page_makes_a_fixed_number_of_queries(
    org, login, scheme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for person in (org.kam_anna, org.kam_boris, org.regional_north):
        assign(org, person, scheme)
    prepare(org, org.kam_anna, "2026-10")
    client = login(org.head_north)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/pay/").status_code == 200
    for code in ("2026-08", "2026-09"):
        for person in (org.kam_anna, org.kam_boris, org.regional_north):
            prepare(org, person, code)
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get("/pay/")
    assert page.content.decode().count('href="/pay/statements/') == 7


def test_an_id_past_64_bits_is_404(org, login):
    client = login(org.director)
    assert client.get(f"/pay/statements/{2**70}/").status_code == 404
    assert client.get(f"/pay/schemes/{2**70}/").status_code == 404


def test_forms_answer_400_to_an_id_past_64_bits(org, login, scheme):
    client = login(org.director)
    r = client.post("/pay/prepare/", {"person": str(2**70), "period": "2026-10"})
    assert r.status_code == 400
    r = client.post(
        "/pay/assignments/new/",
        {"person": org.kam_anna.pk, "scheme": str(2**70), "starts": "2026-01"},
    )
    assert r.status_code == 400
