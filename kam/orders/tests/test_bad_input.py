"""Bad input gets a clear answer, and nothing changes (issue 9): each refusal names its field
and leaves every table as it was."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from kam.core.models import AuditEntry, Notification
from kam.orders import services
from kam.orders.models import Order, OrderEvent, OrderLine
from kam.sales.models import SalesLine
from kam.testing import make_account


def snapshot():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        OrderEvent.objects.count(),
        AuditEntry.objects.count(),
        Notification.objects.count(),
        SalesLine.objects.count(),
        list(Order.objects.values_list("pk", "version", "status", "total")),
    )


def refused(call, field: str) -> str:
    before = snapshot()
    with pytest.raises(ValidationError) as exc:
        call()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert snapshot() == before
    return exc.value.message_dict[field][0]


def line(terms, **kw):
    return {"product": terms.widget, "quantity": "1", "discount_percent": "0", **kw}


@pytest.mark.parametrize(
    ("kw", "field", "words"),
    [
        ({"quantity": "0"}, "lines.0.quantity", "more than zero"),
        ({"quantity": "-3"}, "lines.0.quantity", "more than zero"),
        ({"quantity": "abc"}, "lines.0.quantity", "not a number"),
        ({"quantity": "0.0001"}, "lines.0.quantity", "3 decimal places"),
        ({"discount_percent": "100.5"}, "lines.0.discount_percent", "between 0 and 100"),
        ({"discount_percent": "-1"}, "lines.0.discount_percent", "between 0 and 100"),
    ],
)
def test_a_bad_line_is_refused_naming_its_field(terms, kw, field, words):
    message = refused(
        lambda: services.order_create(
            actor=terms.org.kam_anna, account=terms.client, lines=[line(terms, **kw)]
        ),
        field,
    )
    assert words in message


def test_a_product_not_in_the_clients_column(terms):
    message = refused(
        lambda: services.order_create(
            actor=terms.org.kam_anna,
            account=terms.client,
            lines=[line(terms, product=terms.stray)],
        ),
        "lines.0.product",
    )
    assert "X-1 is not in the client's price column" in message


def test_no_active_contract_says_one_must_be_prepared(terms):
    bare = make_account(owner=terms.org.kam_anna)
    message = refused(
        lambda: services.order_create(actor=terms.org.kam_anna, account=bare), "account"
    )
    assert "no active contract" in message and "prepared" in message


def test_a_requested_date_before_today(terms):
    yesterday = timezone.localdate() - timedelta(days=1)
    refused(
        lambda: services.order_create(
            actor=terms.org.kam_anna, account=terms.client, requested_on=yesterday
        ),
        "requested_on",
    )
    refused(
        lambda: services.order_create(
            actor=terms.org.kam_anna,
            account=terms.client,
            lines=[line(terms, requested_on=yesterday)],
        ),
        "lines.0.requested_on",
    )


def test_a_client_out_of_scope_is_404_and_nothing_is_written(terms, login):
    before = snapshot()
    with pytest.raises(Http404):
        services.order_create(actor=terms.org.kam_sigrid, account=terms.client)
    answer = login(terms.org.kam_sigrid).post(reverse("orders:new"), {"account": terms.client.pk})
    assert answer.status_code == 404
    answer = login(terms.org.kam_anna).post(reverse("orders:new"), {"account": 987654})
    assert answer.status_code == 404
    assert snapshot() == before


def test_dates_out_of_order_at_shipment_delivery_and_invoice(terms):
    org = terms.org
    order = services.order_create(actor=org.kam_anna, account=terms.client, lines=[line(terms)])
    order = services.order_submit(actor=org.kam_anna, order=order, version=order.version)
    order = services.order_enter(
        actor=org.support_north, order=order, version=order.version, erp_number="E"
    )
    order = services.order_confirm(actor=org.support_north, order=order, version=order.version)
    tomorrow = timezone.localdate() + timedelta(days=1)
    refused(
        lambda: services.order_ship(
            actor=org.support_north, order=order, version=order.version, shipped_on=tomorrow
        ),
        "shipped_on",
    )
    last_year = timezone.localdate() - timedelta(days=365)
    refused(
        lambda: services.order_ship(
            actor=org.support_north, order=order, version=order.version, shipped_on=last_year
        ),
        "shipped_on",
    )
    shipment = services.order_ship(actor=org.support_north, order=order, version=order.version)
    version = Order.objects.get(pk=order.pk).version
    before_shipping = shipment.shipped_on - timedelta(days=1)
    refused(
        lambda: services.order_deliver(
            actor=org.support_north,
            shipment=shipment,
            version=version,
            delivered_on=before_shipping,
        ),
        "delivered_on",
    )
    refused(
        lambda: services.shipment_invoice(
            actor=org.support_north,
            shipment=shipment,
            version=version,
            invoiced_on=before_shipping,
        ),
        "invoiced_on",
    )


def test_an_empty_erp_number_and_an_unknown_reason(terms):
    org = terms.org
    order = services.order_create(actor=org.kam_anna, account=terms.client, lines=[line(terms)])
    order = services.order_submit(actor=org.kam_anna, order=order, version=order.version)
    refused(
        lambda: services.order_enter(
            actor=org.support_north, order=order, version=order.version, erp_number="  "
        ),
        "erp_number",
    )
    refused(
        lambda: services.order_refuse(
            actor=org.support_north, order=order, version=order.version, reason=424242
        ),
        "reason",
    )


def test_submitting_an_empty_draft(terms):
    order = services.order_create(actor=terms.org.kam_anna, account=terms.client)
    refused(
        lambda: services.order_submit(actor=terms.org.kam_anna, order=order, version=order.version),
        "lines",
    )
