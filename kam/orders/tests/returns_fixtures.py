"""Orders, shipments, refusals and returns for the returns/acts/obligations tests, written
straight to the tables (the order flow's services were built in parallel). Once
``kam.orders.services`` has ``order_ship``, ``order_refuse`` and ``order_return``, these should
be rebuilt on them, so that audit rows and the ledger postings hold as in production."""

from datetime import date, datetime
from decimal import Decimal
from itertools import count

from django.utils import timezone

from kam.orders.models import (
    Order,
    OrderLine,
    OrderReturn,
    Reason,
    ReturnLine,
    Shipment,
    ShipmentLine,
)
from kam.receivables.models import Allocation, SettlementItem
from kam.testing import make_contract, make_price_column, make_product

_seq = count(1)


def make_reason(*, kind=Reason.Kind.RETURN, code=None, name=None) -> Reason:
    n = next(_seq)
    return Reason.objects.create(kind=kind, code=code or f"r{n}", name=name or f"Reason {n}")


def make_order(*, account, created_by, lines, on=date(2026, 3, 2), column=None, currency="EUR"):
    """An order with ``lines`` = [(product, quantity, price)], confirmed on ``on``."""
    column = column or make_price_column(code=f"col{next(_seq)}")
    contract = make_contract(account=account, column=column)
    total = sum((Decimal(q) * Decimal(p) for _, q, p in lines), Decimal("0"))
    order = Order.objects.create(
        account=account,
        number=f"ORD-{next(_seq):06d}",
        status=Order.Status.CONFIRMED,
        contract=contract,
        price_column=column,
        currency=currency,
        requested_on=on,
        total=total,
        total_base=total,
        created_by=created_by,
        submitted_at=timezone.make_aware(datetime(on.year, on.month, on.day, 10)),
    )
    for i, (product, quantity, price) in enumerate(lines, start=1):
        OrderLine.objects.create(
            order=order,
            line_number=i,
            product=product,
            quantity=Decimal(quantity),
            list_price=Decimal(price),
            price=Decimal(price),
            amount=Decimal(quantity) * Decimal(price),
        )
    return order


def make_shipment(*, order, shipped_on, promised_on=None, quantities=None, number=None):
    """Ship every line of ``order`` (or ``quantities`` = {line_number: qty})."""
    shipment = Shipment.objects.create(
        order=order,
        number=number or f"SH-{next(_seq):06d}",
        shipped_on=shipped_on,
        promised_on=promised_on,
    )
    for line in order.lines.all():
        qty = Decimal((quantities or {}).get(line.line_number, line.quantity))
        ShipmentLine.objects.create(
            shipment=shipment, order_line=line, line_number=line.line_number, quantity=qty
        )
        line.shipped_quantity += qty
        line.save(update_fields=["shipped_quantity"])
    return shipment


def refuse_line(*, line, quantity, reason):
    line.refused_quantity = Decimal(quantity)
    line.refusal_reason = reason
    line.save(update_fields=["refused_quantity", "refusal_reason"])
    return line


def make_return(*, shipment, reason, returned_on, lines):
    """``lines`` = [(order_line, quantity)]."""
    ret = OrderReturn.objects.create(
        shipment=shipment,
        number=f"RET-{next(_seq):06d}",
        returned_on=returned_on,
        reason=reason,
    )
    for i, (line, qty) in enumerate(lines, start=1):
        ReturnLine.objects.create(
            order_return=ret, order_line=line, line_number=i, quantity=Decimal(qty)
        )
        line.returned_quantity += Decimal(qty)
        line.save(update_fields=["returned_quantity"])
    return ret


def make_invoice(*, account, amount, document_date, due_date, number=None):
    amount = Decimal(amount)
    return SettlementItem.objects.create(
        account=account,
        kind=SettlementItem.Kind.INVOICE,
        document_number=number or f"INV-{next(_seq):06d}",
        document_date=document_date,
        due_date=due_date,
        amount=amount,
        open_amount=amount,
        currency="EUR",
        document_amount=amount,
        source=SettlementItem.Source.IMPORT,
    )


def pay(*, invoice, amount, on):
    """A payment of ``amount`` allocated to ``invoice`` on ``on``."""
    amount = Decimal(amount)
    payment = SettlementItem.objects.create(
        account=invoice.account,
        kind=SettlementItem.Kind.PAYMENT,
        document_number=f"PAY-{next(_seq):06d}",
        document_date=on,
        amount=-amount,
        open_amount=Decimal("0"),
        currency="EUR",
        document_amount=-amount,
        source=SettlementItem.Source.IMPORT,
    )
    Allocation.objects.create(debit=invoice, credit=payment, amount=amount, allocated_on=on)
    invoice.open_amount -= amount
    invoice.save(update_fields=["open_amount"])
    return payment


def shipped_order(*, account, created_by, on=date(2026, 3, 2), lines=None):
    """An order of two products (10 x 5.00 and 4 x 12.50) shipped in full on ``on``."""
    if lines is None:
        lines = [
            (make_product(name="Aspirin 100"), "10", "5.00"),
            (make_product(name="Bandage"), "4", "12.50"),
        ]
    order = make_order(account=account, created_by=created_by, lines=lines, on=on)
    shipment = make_shipment(order=order, shipped_on=on, promised_on=on)
    return order, shipment


URLS = "kam.urls"
