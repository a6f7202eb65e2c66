"""The orders pages, each with the person allowed and one who must not see (SE-1): 404 out of
scope, the same page for a missing order."""

from decimal import Decimal

import pytest
from django.urls import reverse

from kam.orders import services
from kam.orders.models import Order, OrderNoticePreference
from kam.orders.selectors import client_panel

S = Order.Status


@pytest.fixture
def order(terms):
    return services.order_create(
        actor=terms.org.kam_anna,
        account=terms.client,
        lines=[{"product": terms.widget, "quantity": "2", "discount_percent": "0"}],
    )


def test_the_kams_orders_list_and_exports(terms, order, login):
    page = login(terms.org.kam_anna).get(reverse("orders:list"))
    assert page.status_code == 200 and order.number in page.content.decode()
    csv = login(terms.org.kam_anna).get(reverse("orders:list") + "?format=csv")
    assert order.number in csv.content.decode()
    xlsx = login(terms.org.kam_anna).get(reverse("orders:list") + "?format=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    other = login(terms.org.kam_sigrid).get(reverse("orders:list"))
    assert order.number not in other.content.decode()


def test_the_order_page_in_scope_and_out(terms, order, login):
    url = reverse("orders:detail", args=[order.pk])
    page = login(terms.org.kam_anna).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Submit" in text and "Add the line" in text
    assert login(terms.org.kam_sigrid).get(url).status_code == 404
    assert login(terms.org.kam_anna).get(reverse("orders:detail", args=[999999])).status_code == 404


def test_a_line_added_with_htmx_answers_the_lines_partial(terms, order, login):
    client = login(terms.org.kam_anna)
    url = reverse("orders:line_add", args=[order.pk])
    answer = client.post(
        url,
        {"version": order.version, "product": terms.gadget.pk, "quantity": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert answer.status_code == 200
    assert "<html" not in answer.content.decode() and "G-1" in answer.content.decode()
    assert Order.objects.get(pk=order.pk).total == Decimal("45.00")
    # A product outside the column is refused with its field named; nothing changes.
    answer = client.post(
        url,
        {"version": order.version + 1, "product": terms.stray.pk, "quantity": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert "not in the client&#x27;s price column" in answer.content.decode()
    assert Order.objects.get(pk=order.pk).lines.count() == 2
    # Sigrid cannot add to Anna's order.
    assert (
        login(terms.org.kam_sigrid)
        .post(url, {"version": order.version + 1, "product": terms.widget.pk, "quantity": "1"})
        .status_code
        == 404
    )


def test_submit_from_the_page_and_a_stale_form_is_told_to_reload(terms, order, login):
    client = login(terms.org.kam_anna)
    url = reverse("orders:action", args=[order.pk, "submit"])
    stale = client.post(url, {"version": order.version - 1}, follow=True)
    assert "reload" in stale.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.DRAFT
    client.post(url, {"version": order.version})
    assert Order.objects.get(pk=order.pk).status == S.SUBMITTED


def test_the_queue_for_support_and_not_for_a_kam(terms, order, login):
    order = services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version)
    page = login(terms.org.support_north).get(reverse("orders:queue"))
    assert page.status_code == 200 and order.number in page.content.decode()
    refused = login(terms.org.kam_anna).get(reverse("orders:queue"))
    assert refused.status_code == 403
    assert "Only sales support may enter" in refused.content.decode()
    assert (
        order.number
        in login(terms.org.support_north)
        .get(reverse("orders:queue") + "?format=csv")
        .content.decode()
    )


def test_support_enters_from_the_page_a_kam_is_refused_in_words(terms, order, login):
    order = services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version)
    url = reverse("orders:action", args=[order.pk, "enter"])
    refused = login(terms.org.kam_anna).post(url, {"version": order.version, "erp_number": "E-1"})
    assert refused.status_code == 403
    assert "Only sales support may enter" in refused.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.SUBMITTED
    login(terms.org.support_north).post(url, {"version": order.version, "erp_number": "E-1"})
    assert Order.objects.get(pk=order.pk).erp_number == "E-1"


def test_the_heads_approvals_page(terms, login):
    order = services.order_create(
        actor=terms.org.kam_anna,
        account=terms.client,
        lines=[{"product": terms.gadget, "quantity": "1", "discount_percent": "12"}],
    )
    order = services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version)
    page = login(terms.org.head_north).get(reverse("orders:approvals"))
    assert page.status_code == 200 and order.number in page.content.decode()
    south = login(terms.org.head_south).get(reverse("orders:approvals"))
    assert order.number not in south.content.decode()
    assert login(terms.org.kam_anna).get(reverse("orders:approvals")).status_code == 403
    approval = order.approvals.get()
    login(terms.org.head_north).post(
        reverse("orders:action", args=[order.pk, "approve"]),
        {"version": order.version, "approval": approval.pk, "next": "orders:approvals"},
    )
    assert Order.objects.get(pk=order.pk).status == S.SUBMITTED


def test_blocked_orders_for_credit_control(terms, login):
    order = services.order_create(
        actor=terms.org.kam_anna,
        account=terms.client,
        lines=[{"product": terms.gadget, "quantity": "100", "discount_percent": "0"}],
    )
    order = services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version)
    assert order.status == S.BLOCKED
    page = login(terms.org.credit).get(reverse("orders:blocked"))
    assert page.status_code == 200 and order.number in page.content.decode()
    assert login(terms.org.support_north).get(reverse("orders:blocked")).status_code == 403
    detail = login(terms.org.kam_anna).get(reverse("orders:detail", args=[order.pk]))
    assert "more than the available credit" in detail.content.decode()
    login(terms.org.credit).post(
        reverse("orders:action", args=[order.pk, "override"]),
        {"version": order.version, "comment": "Prepaid", "next": "orders:blocked"},
    )
    detail = login(terms.org.kam_anna).get(reverse("orders:detail", args=[order.pk]))
    assert "Prepaid" in detail.content.decode()
    assert Order.objects.get(pk=order.pk).status == S.SUBMITTED


def test_draft_add_takes_a_product_into_the_open_draft(terms, login):
    client = login(terms.org.kam_anna)
    url = reverse("orders:draft_add")
    first = client.post(
        url, {"account": terms.client.pk, "product": terms.widget.pk, "quantity": "2"}
    )
    order = Order.objects.get(account=terms.client)
    assert first.url == reverse("orders:detail", args=[order.pk])
    client.post(url, {"account": terms.client.pk, "product": terms.widget.pk, "quantity": "3"})
    client.post(url, {"account": terms.client.pk, "product": terms.gadget.pk, "quantity": "1"})
    assert Order.objects.filter(account=terms.client).count() == 1
    assert [ln.quantity for ln in order.lines.order_by("line_number")] == [5, 1]
    other = login(terms.org.kam_sigrid).post(
        url, {"account": terms.client.pk, "product": terms.widget.pk, "quantity": "2"}
    )
    assert other.status_code == 404


def test_the_email_toggle_is_the_users_own(terms, login):
    login(terms.org.kam_anna).post(reverse("orders:notices"), {"email": "on"})
    assert OrderNoticePreference.objects.get(user=terms.org.kam_anna).email
    assert not OrderNoticePreference.objects.filter(user=terms.org.kam_sigrid).exists()


def test_the_kam_gets_an_email_after_commit_when_asked(
    terms, order, mailoutbox, django_capture_on_commit_callbacks
):
    services.notice_preference_set(actor=terms.org.kam_anna, email=True)
    terms.org.kam_anna.email = "anna@example.com"
    terms.org.kam_anna.save()
    order = services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_enter(
            actor=terms.org.support_north, order=order, version=order.version, erp_number="E-9"
        )
    assert len(mailoutbox) == 1 and "E-9" in mailoutbox[0].body


def test_client_panel_shows_open_orders_to_who_sees_the_client(terms, order, org):
    assert client_panel(user=org.kam_anna, account=terms.client)["orders"] == [order]
    assert client_panel(user=org.kam_sigrid, account=terms.client)["orders"] == []
    from django.template.loader import render_to_string

    html = render_to_string(
        "orders/_client_panel.html", client_panel(user=org.kam_anna, account=terms.client)
    )
    assert order.number in html


def test_the_list_costs_the_same_for_many_orders(terms, login, django_assert_max_num_queries):
    for _ in range(15):
        services.order_create(actor=terms.org.kam_anna, account=terms.client)
    client = login(terms.org.kam_anna)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("orders:list")).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get(reverse("orders:list") + "?format=csv").status_code == 200


def test_the_admin_shows_orders_read_only(terms, order, client):
    admin_user = terms.org.director
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    assert client.get(reverse("admin:orders_order_changelist")).status_code == 200
    assert client.get(reverse("admin:orders_order_add")).status_code == 403


def test_a_line_edit_from_the_page_by_the_kam_not_by_another(terms, order, login):
    line = order.lines.get()
    url = reverse("orders:line_update", args=[order.pk, line.pk])
    assert (
        login(terms.org.kam_sigrid)
        .post(url, {"version": order.version, "quantity": "9"})
        .status_code
        == 404
    )
    login(terms.org.kam_anna).post(url, {"version": order.version, "quantity": "9"})
    assert order.lines.get().quantity == 9
    login(terms.org.kam_anna).post(url, {"version": order.version + 1, "remove": "1"})
    assert not order.lines.exists()


def test_shipment_steps_from_the_page_for_support_only(terms, order, login):
    org = terms.org
    order = services.order_submit(actor=org.kam_anna, order=order, version=order.version)
    order = services.order_enter(
        actor=org.support_north, order=order, version=order.version, erp_number="E"
    )
    order = services.order_confirm(actor=org.support_north, order=order, version=order.version)
    ship = reverse("orders:action", args=[order.pk, "ship"])
    assert login(org.kam_anna).post(ship, {"version": order.version}).status_code == 403
    login(org.support_north).post(ship, {"version": order.version})
    order = Order.objects.get(pk=order.pk)
    shipment = order.shipments.get()
    page = login(org.support_north).get(reverse("orders:detail", args=[order.pk]))
    assert shipment.number in page.content.decode() and "Invoice" in page.content.decode()
    invoice = reverse("orders:shipment_action", args=[shipment.pk, "invoice"])
    assert login(org.kam_anna).post(invoice, {"version": order.version}).status_code == 403
    assert login(org.kam_sigrid).post(invoice, {"version": order.version}).status_code == 404
    login(org.support_north).post(invoice, {"version": order.version})
    shipment.refresh_from_db()
    assert shipment.invoice_number
    order = Order.objects.get(pk=order.pk)
    back = reverse("orders:shipment_action", args=[shipment.pk, "return"])
    line = order.lines.get()
    login(org.support_north).post(
        back,
        {"version": order.version, "reason": terms.return_reason.pk, f"ret_{line.pk}": "1"},
    )
    assert shipment.returns.count() == 1
    deliver = reverse("orders:shipment_action", args=[shipment.pk, "deliver"])
    login(org.support_north).post(deliver, {"version": Order.objects.get(pk=order.pk).version})
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED
    timeline = login(org.kam_anna).get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "delivered on" in timeline and shipment.invoice_number in timeline


def test_home_panel_by_role(terms, org):
    from django.template.loader import render_to_string

    from kam.orders.selectors import home_panel

    big = services.order_create(
        actor=org.kam_anna,
        account=terms.client,
        lines=[{"product": terms.gadget, "quantity": "1", "discount_percent": "20"}],
    )
    services.order_submit(actor=org.kam_anna, order=big, version=big.version)
    anna = home_panel(user=org.kam_anna)
    assert [o.pk for o in anna["waiting"]] == [big.pk]
    assert anna["approval_count"] is None and anna["queue_count"] is None
    assert home_panel(user=org.head_north)["approval_count"] == 1
    assert home_panel(user=org.head_south)["approval_count"] == 0
    assert home_panel(user=org.kam_sigrid)["waiting"] == []
    html = render_to_string("orders/_home_panel.html", anna)
    assert big.number in html and "head of department" in html


def test_no_email_without_the_preference(
    terms, order, mailoutbox, django_capture_on_commit_callbacks
):
    terms.org.kam_anna.email = "anna@example.com"
    terms.org.kam_anna.save()
    order = services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_enter(
            actor=terms.org.support_north, order=order, version=order.version, erp_number="E-9"
        )
    assert mailoutbox == []
