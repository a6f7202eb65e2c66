"""The order's life end to end (OR-1, OR-3, CR-3): draft, submit, approvals, the gate at
submission, shipment and invoice, overrides, the ledger and the settlements."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kam.core.models import AuditEntry, Notification
from kam.credit.models import CreditOverride, CreditReservation
from kam.orders import services
from kam.orders.models import DiscountApproval, Order, OrderEvent
from kam.receivables.models import SettlementItem
from kam.sales.models import SalesLine

S = Order.Status


def draft(terms, *lines, actor=None):
    actor = actor or terms.org.kam_anna
    return services.order_create(
        actor=actor,
        account=terms.client,
        lines=[{"product": p, "quantity": q, "discount_percent": d} for p, q, d in lines],
    )


def fresh(order):
    return Order.objects.get(pk=order.pk)


def submit(order, actor):
    return services.order_submit(actor=actor, order=order, version=fresh(order).version)


def reservation(order):
    return CreditReservation.objects.get(ref=order.credit_ref)


def test_a_draft_takes_the_contracts_column_and_prices_and_a_unique_number(terms):
    order = draft(terms, (terms.widget, "3", "5"), (terms.gadget, "2", "0"))
    assert order.number.startswith(f"O-{timezone.localdate().year}-")
    assert order.contract == terms.contract and order.price_column == terms.column
    lines = list(order.lines.order_by("line_number"))
    assert [ln.price for ln in lines] == [Decimal("9.5000"), Decimal("25.0000")]
    assert order.total == Decimal("78.50") == order.total_base
    other = draft(terms, (terms.widget, "1", "0"))
    assert other.number != order.number
    assert AuditEntry.objects.filter(entity="orders.order", entity_id=str(order.pk)).exists()


def test_within_the_rule_the_order_is_submitted_and_holds_its_credit(terms):
    order = draft(terms, (terms.widget, "10", "5"))
    order = submit(order, terms.org.kam_anna)
    assert order.status == S.SUBMITTED
    assert reservation(order).amount == Decimal("95.00")
    assert order.events.filter(kind="submitted").exists()


def test_a_discount_beyond_the_rule_waits_for_the_head_who_is_named(terms):
    order = draft(terms, (terms.widget, "1", "0"), (terms.gadget, "2", "12"))
    order = submit(order, terms.org.kam_anna)
    assert order.status == S.AWAITING_APPROVAL
    assert order.waiting_reason == (
        "waits for approval of a 12% discount on line 2 by the head of department (Hugo Head)"
    )
    assert not CreditReservation.objects.filter(ref=order.credit_ref).exists()
    told = Notification.objects.filter(kind=Notification.Kind.APPROVAL_REQUESTED)
    assert list(told.values_list("recipient__username", flat=True)) == ["head_north"]
    approval = DiscountApproval.objects.get(order=order)
    # Hanna heads another department: she does not even see it; Anna may not approve.
    with pytest.raises(Http404):
        services.discount_approve(
            actor=terms.org.head_south, order=order, version=order.version, approval=approval
        )
    with pytest.raises(PermissionDenied):
        services.discount_approve(
            actor=terms.org.kam_anna, order=order, version=order.version, approval=approval
        )
    order = services.discount_approve(
        actor=terms.org.head_north, order=order, version=order.version, approval=approval
    )
    assert order.status == S.SUBMITTED and order.waiting_reason == ""
    assert reservation(order).amount == order.total_base


def test_a_rejection_needs_a_comment_and_returns_the_order_to_draft(terms):
    order = submit(draft(terms, (terms.gadget, "2", "12")), terms.org.kam_anna)
    approval = DiscountApproval.objects.get(order=order)
    with pytest.raises(ValidationError) as exc:
        services.discount_reject(
            actor=terms.org.head_north,
            order=order,
            version=order.version,
            approval=approval,
            comment="  ",
        )
    assert "comment" in exc.value.message_dict
    order = services.discount_reject(
        actor=terms.org.head_north,
        order=order,
        version=order.version,
        approval=approval,
        comment="Too much for this client",
    )
    assert order.status == S.DRAFT
    last = order.events.order_by("-pk").first()
    assert last.kind == "discount_rejected" and "Too much" in last.params["comment"]
    assert Notification.objects.filter(
        recipient=terms.org.kam_anna, kind=Notification.Kind.ORDER_CHANGED
    ).exists()


def test_over_the_limit_the_order_is_blocked_with_reasons_and_credit_control_told(terms):
    order = draft(terms, (terms.gadget, "50", "0"))  # 1250 > 1000
    order = submit(order, terms.org.kam_anna)
    assert order.status == S.BLOCKED and order.blocked_stage == "submit"
    assert "more than the available credit" in order.waiting_reason
    assert order.events.filter(kind="blocked").exists()
    assert Notification.objects.filter(
        recipient=terms.org.credit, kind=Notification.Kind.CREDIT_BLOCKED
    ).exists()
    assert not CreditReservation.objects.filter(ref=order.credit_ref).exists()
    # The KAM cannot release it; the controller can, with a comment.
    with pytest.raises(PermissionDenied):
        services.order_override(
            actor=terms.org.kam_anna, order=order, version=order.version, comment="please"
        )
    with pytest.raises(ValidationError) as exc:
        services.order_override(
            actor=terms.org.credit, order=order, version=order.version, comment=""
        )
    assert "comment" in exc.value.message_dict
    order = services.order_override(
        actor=terms.org.credit, order=order, version=order.version, comment="Paid in advance"
    )
    assert order.status == S.SUBMITTED
    assert CreditOverride.objects.get(ref=order.credit_ref).comment == "Paid in advance"
    assert reservation(order).amount == Decimal("1250.00")


def test_a_stale_version_is_refused_and_names_who_changed_it(terms):
    order = draft(terms, (terms.widget, "1", "0"))
    read_by_anna = fresh(order).version
    read_by_head = fresh(order).version
    services.order_line_add(
        actor=terms.org.kam_anna,
        order=order,
        version=read_by_anna,
        product=terms.gadget,
        quantity="1",
    )
    with pytest.raises(ValidationError) as exc:
        services.order_line_add(
            actor=terms.org.head_north,
            order=order,
            version=read_by_head,
            product=terms.gadget,
            quantity="5",
        )
    message = exc.value.message_dict["version"][0]
    assert "Anna Kam" in message and "reload" in message
    assert fresh(order).lines.count() == 2
    assert fresh(order).version == read_by_anna + 1


def test_a_submitted_orders_lines_cannot_be_edited(terms):
    order = submit(draft(terms, (terms.widget, "1", "0")), terms.org.kam_anna)
    line = order.lines.get()
    with pytest.raises(ValidationError) as exc:
        services.order_line_update(
            actor=terms.org.kam_anna,
            order=order,
            version=order.version,
            line=line,
            discount_percent="50",
        )
    assert "status" in exc.value.message_dict
    assert order.lines.get().discount_percent == 0


def test_a_copy_of_a_blocked_order_is_a_draft_and_blocked_again(terms):
    order = submit(draft(terms, (terms.gadget, "50", "0")), terms.org.kam_anna)
    assert order.status == S.BLOCKED
    copy = services.order_copy(actor=terms.org.kam_anna, order=order)
    assert copy.status == S.DRAFT and copy.number != order.number
    assert copy.total_base == Decimal("1250.00")
    assert submit(copy, terms.org.kam_anna).status == S.BLOCKED


def flow_to_confirmed(terms, *lines):
    org = terms.org
    order = submit(draft(terms, *lines), org.kam_anna)
    order = services.order_enter(
        actor=org.support_north, order=order, version=order.version, erp_number="ERP-77"
    )
    return services.order_confirm(actor=org.support_north, order=order, version=order.version)


def test_ship_in_parts_posts_the_ledger_and_the_invoice_lowers_the_reservation(terms):
    org = terms.org
    order = flow_to_confirmed(terms, (terms.widget, "10", "0"), (terms.gadget, "4", "0"))
    assert order.status == S.CONFIRMED
    w, _g = order.lines.order_by("line_number")
    shipment = services.order_ship(
        actor=org.support_north,
        order=order,
        version=order.version,
        lines=[{"line": w.pk, "quantity": "4"}],
    )
    order = fresh(order)
    assert order.status == S.PARTLY_SHIPPED
    ledger = SalesLine.objects.get(document_number=shipment.number, line_number=1)
    assert (ledger.quantity, ledger.revenue_base, ledger.cost_base) == (
        Decimal("4"),
        Decimal("40.00"),
        Decimal("24.00"),
    )
    services.shipment_invoice(actor=org.support_north, shipment=shipment, version=order.version)
    shipment.refresh_from_db()
    item = SettlementItem.objects.get(document_number=shipment.invoice_number)
    assert item.amount == Decimal("40.00")
    assert item.due_date == shipment.invoiced_on + timedelta(days=terms.contract.payment_days)
    assert reservation(order).amount == Decimal("160.00")  # 200 ordered - 40 invoiced
    # Shipping more than is left is refused, naming the line's field.
    order = fresh(order)
    with pytest.raises(ValidationError) as exc:
        services.order_ship(
            actor=org.support_north,
            order=order,
            version=order.version,
            lines=[{"line": w.pk, "quantity": "7"}],
        )
    assert "lines.0.quantity" in exc.value.message_dict
    rest = services.order_ship(actor=org.support_north, order=order, version=order.version)
    assert fresh(order).status == S.SHIPPED
    services.order_deliver(actor=org.support_north, shipment=shipment, version=fresh(order).version)
    services.order_deliver(actor=org.support_north, shipment=rest, version=fresh(order).version)
    assert fresh(order).status == S.DELIVERED
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds[:5] == ["drafted", "submitted", "entered", "confirmed", "shipped"]


def test_the_gate_at_shipment_blocks_and_a_release_lets_the_next_shipment_pass(terms):
    org = terms.org
    order = flow_to_confirmed(terms, (terms.gadget, "30", "0"))  # 750 of 1000
    # Meanwhile the client ran up debt: 400 invoiced elsewhere and due long ago.
    from kam.receivables.services import settlement_post

    today = timezone.localdate()
    settlement_post(
        actor=None,
        account_id=terms.client.pk,
        kind="invoice",
        document_number="ERP-1",
        document_date=today - timedelta(days=90),
        amount=Decimal("400"),
        currency="EUR",
        due_date=today - timedelta(days=60),
        source="import",
    )
    with pytest.raises(ValidationError) as exc:
        services.order_ship(actor=org.support_north, order=order, version=order.version)
    assert "credit" in exc.value.message_dict
    order = fresh(order)
    assert order.blocked_stage == "ship" and order.status == S.CONFIRMED
    assert not order.shipments.exists()
    assert not SalesLine.objects.filter(account=terms.client).exists()
    order = services.order_override(
        actor=org.credit, order=order, version=order.version, comment="Agreed with CFO"
    )
    shipment = services.order_ship(actor=org.support_north, order=order, version=order.version)
    assert shipment.lines.count() == 1
    assert CreditOverride.objects.filter(ref=order.credit_ref, stage="ship").count() == 2


def test_a_refusal_releases_the_refused_part(terms):
    org = terms.org
    order = flow_to_confirmed(terms, (terms.widget, "10", "0"), (terms.gadget, "4", "0"))
    g = order.lines.get(line_number=2)
    order = services.order_refuse(
        actor=org.support_north,
        order=order,
        version=order.version,
        reason=terms.refusal,
        lines=[{"line": g.pk, "quantity": "4"}],
    )
    assert order.status == S.CONFIRMED
    assert reservation(order).amount == Decimal("100.00")
    order = services.order_refuse(
        actor=org.support_north, order=order, version=order.version, reason=terms.refusal
    )
    assert order.status == S.REFUSED
    assert reservation(order).released_at is not None
    # A return reason is not a refusal reason.
    with pytest.raises(ValidationError) as exc:
        services.order_refuse(
            actor=org.support_north,
            order=order,
            version=order.version,
            reason=terms.return_reason,
        )
    assert exc.value.message_dict


def test_a_return_posts_negative_ledger_lines_and_a_return_item_never_above_shipped(terms):
    org = terms.org
    order = flow_to_confirmed(terms, (terms.widget, "10", "0"))
    shipment = services.order_ship(actor=org.support_north, order=order, version=order.version)
    services.shipment_invoice(
        actor=org.support_north, shipment=shipment, version=fresh(order).version
    )
    line = order.lines.get()
    with pytest.raises(ValidationError) as exc:
        services.order_return(
            actor=org.support_north,
            shipment=shipment,
            version=fresh(order).version,
            reason=terms.return_reason,
            lines=[{"line": line.pk, "quantity": "11"}],
        )
    assert "lines.0.quantity" in exc.value.message_dict
    back = services.order_return(
        actor=org.support_north,
        shipment=shipment,
        version=fresh(order).version,
        reason=terms.return_reason,
        lines=[{"line": line.pk, "quantity": "3"}],
    )
    ledger = SalesLine.objects.get(document_number=back.number)
    assert (ledger.quantity, ledger.revenue_base) == (Decimal("-3"), Decimal("-30.00"))
    item = SettlementItem.objects.get(document_number=back.number)
    assert item.kind == "return" and item.amount == Decimal("-30.00")
    # Sigrid's support is not Sam: Sam may not touch a South order; the KAM may not return.
    with pytest.raises(PermissionDenied):
        services.order_return(
            actor=org.kam_anna,
            shipment=shipment,
            version=fresh(order).version,
            reason=terms.return_reason,
            lines=[{"line": line.pk, "quantity": "1"}],
        )


def test_support_of_another_department_does_not_see_the_order(terms):
    org = terms.org
    order = services.order_create(actor=org.kam_sigrid, account=terms.other)
    with pytest.raises(Http404):
        services.order_enter(
            actor=org.support_north, order=order, version=order.version, erp_number="X"
        )
    # A draft is not in the queue yet: even the director cannot enter it.
    with pytest.raises(ValidationError):
        services.order_enter(actor=org.director, order=order, version=order.version, erp_number="X")


def test_a_cancel_frees_the_reservation(terms):
    order = submit(draft(terms, (terms.widget, "10", "0")), terms.org.kam_anna)
    services.order_cancel(actor=terms.org.kam_anna, order=order, version=order.version)
    assert fresh(order).status == S.CANCELLED
    assert reservation(order).released_at is not None


def test_a_blocked_order_asks_the_gate_again_once_the_limit_allows(terms):
    from kam.credit.models import CreditAccount

    order = submit(draft(terms, (terms.gadget, "50", "0")), terms.org.kam_anna)
    assert submit(order, terms.org.kam_anna).status == S.BLOCKED  # still over
    CreditAccount.objects.update_or_create(
        account=terms.client,
        defaults={"limit": Decimal("5000"), "source": CreditAccount.Source.CONTROLLER},
    )
    order = submit(order, terms.org.kam_anna)
    assert order.status == S.SUBMITTED and order.waiting_reason == ""


def test_a_blocked_order_partly_refused_asks_the_gate_for_what_is_left(terms):
    org = terms.org
    order = submit(
        draft(terms, (terms.gadget, "36", "0"), (terms.widget, "10", "0")), org.kam_anna
    )  # 900 + 100 = 1000 of 1000, and the check is valid: it fits...
    assert order.status == S.SUBMITTED
    services.order_cancel(actor=org.kam_anna, order=order, version=order.version)
    order = submit(
        draft(terms, (terms.gadget, "40", "0"), (terms.widget, "10", "0")), org.kam_anna
    )  # 1100: blocked
    assert order.status == S.BLOCKED
    order = services.order_refuse(
        actor=org.support_north,
        order=order,
        version=order.version,
        reason=terms.refusal,
        lines=[{"line": order.lines.get(line_number=2).pk, "quantity": "10"}],
    )
    assert order.status == S.BLOCKED
    order = submit(order, org.kam_anna)  # 1000 left: fits
    assert order.status == S.SUBMITTED
    assert reservation(order).amount == Decimal("1000.00")
