"""A shipment is in the sales ledger under its own document and line numbers, so the ERP's
sales export of the same document and line later replaces the line instead of counting it twice
(OR-1, issue 9 §4)."""

from decimal import Decimal

from django.db.models import Sum

from kam.imports.services import import_sales
from kam.orders import services
from kam.orders.models import Order
from kam.sales.models import ClientMonth, SalesLine


def test_the_erps_export_of_a_shipped_line_replaces_it(terms, tmp_path):
    org = terms.org
    order = services.order_create(
        actor=org.kam_anna,
        account=terms.client,
        lines=[{"product": terms.widget, "quantity": "10", "discount_percent": "0"}],
    )
    order = services.order_submit(actor=org.kam_anna, order=order, version=order.version)
    order = services.order_enter(
        actor=org.support_north, order=order, version=order.version, erp_number="E-1"
    )
    order = services.order_confirm(actor=org.support_north, order=order, version=order.version)
    shipment = services.order_ship(actor=org.support_north, order=order, version=order.version)
    assert SalesLine.objects.filter(account=terms.client).count() == 1
    # The ERP's export: the same document and line, its own (slightly different) cost.
    path = tmp_path / "sales.csv"
    path.write_text(
        "document_number,line_number,date,client,sku,quantity,revenue,cost,currency\n"
        f"{shipment.number},1,{shipment.shipped_on.isoformat()},"
        f"{terms.client.registration_number},W-1,10,100.00,58.50,EUR\n"
    )
    result = import_sales(source=path, actor=org.support_north)
    assert result.ok, result.errors
    lines = SalesLine.objects.filter(account=terms.client)
    assert lines.count() == 1
    assert lines.get().cost_base == Decimal("58.50")
    month = ClientMonth.objects.filter(account=terms.client).aggregate(r=Sum("revenue"))
    assert month["r"] == Decimal("100.00")
    assert Order.objects.get(pk=order.pk).status == Order.Status.SHIPPED
