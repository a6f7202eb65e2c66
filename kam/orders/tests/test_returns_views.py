"""The returns pages (OR-4, OR-5): analysis with exports, reasons, acts and their PDF; every
page with the user who may and the one who may not."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from kam.core.selectors import company_settings
from kam.orders.models import DiscrepancyAct, PreventiveAction, Reason
from kam.orders.services_returns import discrepancy_act_create
from kam.orders.tests.returns_fixtures import (
    URLS,
    make_reason,
    make_return,
    shipped_order,
)
from kam.testing import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.urls(URLS)]

SHIPPED = date(2026, 3, 2)


@pytest.fixture
def world(org):
    account = make_account(owner=org.kam_anna, legal_name="Aptieka SIA")
    order, shipment = shipped_order(account=account, created_by=org.kam_anna, on=SHIPPED)
    lines = list(order.lines.order_by("line_number"))
    broken = make_reason(kind="return", code="broken", name="Broken in transit")
    make_return(shipment=shipment, reason=broken, returned_on=SHIPPED, lines=[(lines[0], 2)])
    act = discrepancy_act_create(
        actor=org.kam_anna,
        shipment=shipment,
        kind="shortage",
        found_on=SHIPPED + timedelta(days=1),
        lines=[{"order_line_id": lines[1].pk, "quantity_expected": 4, "quantity_found": 3}],
    )
    return {"account": account, "shipment": shipment, "lines": lines, "act": act, "broken": broken}


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_analysis_page_shows_the_reader_their_own(org, world, login):
    period = "?start=2026-01-01&end=2026-12-31"
    page = login(org.kam_anna).get("/orders/returns/" + period)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Broken in transit" in html and 'id="returns-chart-data"' in html
    assert 'id="action-form"' not in html  # a KAM does not manage reasons
    page = login(org.kam_sigrid).get("/orders/returns/" + period)
    assert "Broken in transit" not in page.content.decode()
    assert 'id="returns-empty"' in page.content.decode()


def test_analysis_filters_answer_the_fragment_to_htmx(org, world, login):
    r = login(org.kam_anna).get(
        "/orders/returns/?start=2026-01-01&end=2026-12-31&group_by=product", HTTP_HX_REQUEST="true"
    )
    html = r.content.decode()
    assert html.lstrip().startswith('<div id="returns-page">')
    assert "Aspirin 100" in html and "<html" not in html


def test_analysis_exports(org, world, login):
    c = login(org.head_north)
    csv = c.get("/orders/returns/?start=2026-01-01&end=2026-12-31&group_by=client&format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "Aptieka SIA" in csv.content.decode("utf-8-sig")
    xlsx = c.get("/orders/returns/?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_head_records_a_preventive_action_from_the_analysis(org, world, login):
    c = login(org.head_north)
    page = c.get("/orders/returns/?start=2026-01-01&end=2026-12-31")
    assert 'id="action-form"' in page.content.decode()
    r = c.post(
        "/orders/returns/actions/new/",
        {"reason": world["broken"].pk, "text": "Pack in double boxes", "owner": org.kam_anna.pk},
    )
    assert r.status_code == 302
    assert PreventiveAction.objects.get().text == "Pack in double boxes"
    page = c.get("/orders/returns/?start=2026-01-01&end=2026-12-31")
    assert "Pack in double boxes" in page.content.decode()
    # a KAM posting the same form is refused with the policy's sentence
    r = login(org.kam_anna).post(
        "/orders/returns/actions/new/", {"reason": world["broken"].pk, "text": "Sneak in"}
    )
    assert r.status_code == 403
    assert "head of department or the director" in r.content.decode()
    assert PreventiveAction.objects.count() == 1


def test_reasons_page_adds_and_refuses(org, login):
    c = login(org.director)
    r = c.post("/orders/returns/reasons/", {"kind": "refusal", "code": "price", "name": "Price"})
    assert r.status_code == 302
    r = c.post("/orders/returns/reasons/", {"kind": "refusal", "code": "price", "name": "Again"})
    assert r.status_code == 400
    assert "exists" in r.content.decode()
    assert Reason.objects.count() == 1
    r = login(org.support_north).post(
        "/orders/returns/reasons/", {"kind": "refusal", "code": "x", "name": "X"}
    )
    assert r.status_code == 403
    assert (
        'id="reason-form"'
        not in login(org.support_north).get("/orders/returns/reasons/").content.decode()
    )


def test_act_pages_are_scoped(org, world, login):
    act = world["act"]
    page = login(org.kam_anna).get(f"/orders/returns/acts/{act.pk}/")
    assert page.status_code == 200 and 'id="resolve-form"' in page.content.decode()
    assert login(org.kam_sigrid).get(f"/orders/returns/acts/{act.pk}/").status_code == 404
    assert login(org.kam_sigrid).get(f"/orders/returns/acts/{act.pk}/pdf/").status_code == 404
    # the credit controller sees the act but may not resolve it
    page = login(org.credit).get(f"/orders/returns/acts/{act.pk}/")
    assert page.status_code == 200 and 'id="resolve-form"' not in page.content.decode()
    r = login(org.credit).post(f"/orders/returns/acts/{act.pk}/", {"resolution": "write_off"})
    assert r.status_code == 403
    listing = login(org.kam_sigrid).get("/orders/returns/acts/")
    assert act.number not in listing.content.decode()
    listing = login(org.kam_anna).get("/orders/returns/acts/?status=open")
    assert act.number in listing.content.decode()
    csv = login(org.kam_anna).get("/orders/returns/acts/?format=csv")
    assert act.number in csv.content.decode("utf-8-sig")


def test_act_list_query_count_is_fixed(org, world, login, django_assert_max_num_queries):
    c = login(org.kam_anna)
    for _ in range(5):
        discrepancy_act_create(
            actor=org.kam_anna,
            shipment=world["shipment"],
            kind="damage",
            found_on=SHIPPED,
            lines=[
                {
                    "order_line_id": world["lines"][0].pk,
                    "quantity_expected": 10,
                    "quantity_found": 1,
                }
            ],
        )
    with django_assert_max_num_queries(12):
        assert c.get("/orders/returns/acts/").status_code == 200


def test_resolve_through_the_page(org, world, login):
    act = world["act"]
    c = login(org.support_north)
    r = c.post(
        f"/orders/returns/acts/{act.pk}/", {"resolution": "redelivery", "resolved_on": "2026-03-01"}
    )
    assert r.status_code == 400
    assert "before it was found" in r.content.decode()
    r = c.post(
        f"/orders/returns/acts/{act.pk}/", {"resolution": "redelivery", "resolved_on": "2026-03-05"}
    )
    assert r.status_code == 302
    act.refresh_from_db()
    assert act.resolution == "redelivery"


def test_create_act_form(org, world, login):
    shipment, lines = world["shipment"], world["lines"]
    url = f"/orders/returns/acts/new/{shipment.pk}/"
    assert login(org.kam_sigrid).get(url).status_code == 404
    assert login(org.credit).get(url).status_code == 403
    c = login(org.kam_anna)
    assert c.get(url).status_code == 200
    data = {"kind": "shortage", "found_on": "2026-03-03", f"line-{lines[0].pk}-expected": "10"}
    r = c.post(url, {**data, f"line-{lines[0].pk}-found": "12"})
    assert r.status_code == 400
    assert "A shortage finds less" in r.content.decode()
    assert DiscrepancyAct.objects.count() == 1
    r = c.post(url, {**data, f"line-{lines[0].pk}-found": "9"})
    assert r.status_code == 302
    assert DiscrepancyAct.objects.count() == 2


def test_act_pdf_in_english_and_latvian(org, world, login):
    settings_row = company_settings()
    settings_row.name = "Pharma Supply SIA"
    settings_row.save()
    act = world["act"]
    c = login(org.kam_anna)
    r = c.get(f"/orders/returns/acts/{act.pk}/pdf/")
    assert r["Content-Type"] == "application/pdf"
    text = _text(r.content)
    for expected in (
        act.number,
        "Pharma Supply SIA",
        "Aptieka SIA",
        world["shipment"].number,
        "Bandage",
        "Client",
        "Product",
    ):
        assert expected in text
    assert text.count("Name, signature") == 2
    lv = _text(c.get(f"/orders/returns/acts/{act.pk}/pdf/?lang=lv").content)
    assert "Klients" in lv and "Produkts" in lv and act.number in lv
    assert "Client" not in lv.replace("Aptieka SIA", "")


def test_reason_page_edits_and_completes_actions(org, world, login):
    reason = world["broken"]
    url = f"/orders/returns/reasons/{reason.pk}/"
    head = login(org.head_north)
    r = head.post(url, {"code": "broken", "name": "Broken on the way", "is_active": "on"})
    assert r.status_code == 302
    reason.refresh_from_db()
    assert reason.name == "Broken on the way"
    # a person outside the head's department cannot be made responsible
    r = head.post(
        "/orders/returns/actions/new/",
        {"reason": reason.pk, "text": "Train the drivers", "owner": org.kam_sigrid.pk, "next": url},
    )
    assert not PreventiveAction.objects.exists()
    head.post(
        "/orders/returns/actions/new/",
        {"reason": reason.pk, "text": "Train the drivers", "owner": org.kam_anna.pk, "next": url},
    )
    action = PreventiveAction.objects.get()
    assert "Train the drivers" in head.get(url).content.decode()
    assert login(org.kam_anna).post(f"/orders/returns/actions/{action.pk}/done/").status_code == 403
    r = login(org.head_north).post(f"/orders/returns/actions/{action.pk}/done/", {"next": url})
    assert r.status_code == 302 and r["Location"] == url
    action.refresh_from_db()
    assert action.done_on is not None
    assert login(org.kam_anna).post(url, {"code": "x", "name": "X"}).status_code == 403
    assert login(org.kam_anna).get("/orders/returns/reasons/999999/").status_code == 404
