"""Discrepancy acts (OR-5): recorded against a shipment, bounds-checked line by line, resolved
by a credit note posted into the settlements, a redelivery or a write-off."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.orders.models import DiscrepancyAct, DiscrepancyLine, OrderEvent
from kam.orders.services_returns import discrepancy_act_create, discrepancy_act_resolve
from kam.orders.tests.returns_fixtures import make_invoice, make_reason, shipped_order
from kam.receivables.models import SettlementItem
from kam.testing import make_account

pytestmark = pytest.mark.django_db

SHIPPED = date(2026, 3, 2)


@pytest.fixture
def setup(org):
    account = make_account(owner=org.kam_anna, legal_name="Aptieka SIA")
    order, shipment = shipped_order(account=account, created_by=org.kam_anna, on=SHIPPED)
    lines = list(order.lines.order_by("line_number"))
    return account, order, shipment, lines


def _short(shipment, order_lines, actor, **kw):
    lines = order_lines
    return discrepancy_act_create(
        actor=actor,
        shipment=shipment,
        kind=kw.pop("kind", "shortage"),
        found_on=kw.pop("found_on", SHIPPED + timedelta(days=1)),
        lines=kw.pop(
            "data",
            [
                {"order_line_id": lines[0].pk, "quantity_expected": "10", "quantity_found": "7"},
                {"order_line_id": lines[1].pk, "quantity_expected": "4", "quantity_found": "3"},
            ],
        ),
        **kw,
    )


def test_kam_records_a_shortage_act(org, setup):
    _account, order, shipment, lines = setup
    act = _short(shipment, lines, org.kam_anna)
    assert act.number == f"DA-{SHIPPED.year}-00001"
    assert act.resolution == "open"
    assert [(x.quantity_expected, x.quantity_found) for x in act.lines.order_by("pk")] == [
        (Decimal("10"), Decimal("7")),
        (Decimal("4"), Decimal("3")),
    ]
    assert AuditEntry.objects.filter(entity="orders.discrepancyact").count() == 1
    assert OrderEvent.objects.filter(order=order, kind="discrepancy_act").exists()
    second = _short(shipment, lines, org.support_north)
    assert second.number == f"DA-{SHIPPED.year}-00002"


def test_outsider_gets_404_and_credit_controller_403(org, setup):
    _account, _order, shipment, lines = setup
    with pytest.raises(Http404):
        _short(shipment, lines, org.kam_sigrid)
    with pytest.raises(PermissionDenied, match="record a discrepancy"):
        _short(shipment, lines, org.credit)
    assert not DiscrepancyAct.objects.exists()


def _line(line, expected, found):
    return {"order_line_id": line, "quantity_expected": expected, "quantity_found": found}


@pytest.mark.parametrize(
    ("kind", "raw", "field"),
    [
        ("shortage", [], "lines"),
        ("shortage", [("x", "10", "7")], "lines.0.order_line_id"),
        ("shortage", [(10**9, "10", "7")], "lines.0.order_line_id"),
        ("shortage", [(0, "10", "7"), (0, "10", "8")], "lines.1.order_line_id"),
        ("shortage", [(0, "10", "10")], "lines.0.quantity_found"),
        ("shortage", [(0, "10", "-1")], "lines.0.quantity_found"),
        ("shortage", [(0, "0", "0")], "lines.0.quantity_expected"),
        ("shortage", [(0, "abc", "1")], "lines.0.quantity_expected"),
        ("shortage", [(0, "10", "1.0001")], "lines.0.quantity_found"),
        ("shortage", [(0, "1e20", "1")], "lines.0.quantity_expected"),
        ("shortage", [(0, "NaN", "1")], "lines.0.quantity_expected"),
        ("surplus", [(0, "10", "9")], "lines.0.quantity_found"),
        ("damage", [(0, "10", "11")], "lines.0.quantity_found"),
        ("damage", [(0, "10", "0")], "lines.0.quantity_found"),
        ("missing", [(0, "10", "7")], "kind"),
    ],
)
def test_bad_lines_are_refused_naming_the_field(org, setup, kind, raw, field):
    _account, _order, shipment, lines = setup
    data = [_line(lines[0].pk if ol == 0 else ol, e, f) for ol, e, f in raw]
    with pytest.raises(ValidationError) as exc:
        _short(shipment, lines, org.kam_anna, kind=kind, data=data)
    assert field in exc.value.message_dict
    assert not DiscrepancyAct.objects.exists()
    assert not DiscrepancyLine.objects.exists()
    assert not AuditEntry.objects.filter(entity="orders.discrepancyact").exists()


def test_a_line_of_another_shipment_is_refused(org, setup):
    account, _order, _shipment, lines = setup
    _other_order, other_shipment = shipped_order(account=account, created_by=org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        _short(other_shipment, lines, org.kam_anna)
    assert "lines.0.order_line_id" in exc.value.message_dict
    assert not DiscrepancyAct.objects.exists()


@pytest.mark.parametrize(
    ("found_on", "field"),
    [
        (lambda: SHIPPED - timedelta(days=1), "found_on"),
        # tomorrow when the test runs, not when it was collected (a run may cross midnight)
        (lambda: timezone.localdate() + timedelta(days=1), "found_on"),
    ],
)
def test_dates_out_of_order_are_refused(org, setup, found_on, field):
    _account, _order, shipment, lines = setup
    with pytest.raises(ValidationError) as exc:
        _short(shipment, lines, org.kam_anna, found_on=found_on())
    assert field in exc.value.message_dict
    assert not DiscrepancyAct.objects.exists()


def test_a_return_reason_is_not_a_discrepancy_reason(org, setup):
    _account, _order, shipment, lines = setup
    with pytest.raises(ValidationError) as exc:
        _short(shipment, lines, org.kam_anna, reason=make_reason(kind="return"))
    assert "reason" in exc.value.message_dict
    act = _short(shipment, lines, org.kam_anna, reason=make_reason(kind="discrepancy"))
    assert act.reason.kind == "discrepancy"


def test_credit_note_posts_the_short_quantity_at_the_line_price(org, setup):
    account, _order, shipment, lines = setup
    invoice = make_invoice(
        account=account,
        amount="100.00",
        document_date=SHIPPED,
        due_date=SHIPPED + timedelta(days=30),
        number=shipment.number,
    )
    act = _short(shipment, lines, org.kam_anna)
    resolved_on = SHIPPED + timedelta(days=5)
    discrepancy_act_resolve(
        actor=org.support_north, act=act, resolution="credit_note", resolved_on=resolved_on
    )
    act.refresh_from_db()
    assert (act.resolution, act.resolved_on) == ("credit_note", resolved_on)
    note = SettlementItem.objects.get(kind="credit_note")
    # 3 x 5.00 + 1 x 12.50
    assert note.amount == Decimal("-27.50")
    assert (note.source, note.reference, note.document_number) == (
        "order",
        shipment.number,
        act.number,
    )
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("72.50")
    with pytest.raises(ValidationError) as exc:
        discrepancy_act_resolve(actor=org.support_north, act=act, resolution="write_off")
    assert "resolution" in exc.value.message_dict
    assert SettlementItem.objects.filter(kind="credit_note").count() == 1


def test_damage_credits_the_damaged_units(org, setup):
    _account, _order, shipment, lines = setup
    act = _short(shipment, lines, org.kam_anna, kind="damage", data=[_line(lines[1].pk, "4", "2")])
    discrepancy_act_resolve(
        actor=org.kam_anna,
        act=act,
        resolution="credit_note",
        resolved_on=SHIPPED + timedelta(days=2),
    )
    assert SettlementItem.objects.get(kind="credit_note").amount == Decimal("-25.00")


def test_redelivery_and_write_off_post_nothing(org, setup):
    _account, _order, shipment, lines = setup
    for resolution in ("redelivery", "write_off"):
        act = _short(shipment, lines, org.kam_anna)
        discrepancy_act_resolve(actor=org.kam_anna, act=act, resolution=resolution)
        act.refresh_from_db()
        assert act.resolution == resolution
        assert act.resolved_on == timezone.localdate()
    assert not SettlementItem.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"resolution": "open"}, "resolution"),
        ({"resolution": "refund"}, "resolution"),
        ({"resolution": "write_off", "resolved_on": SHIPPED}, "resolved_on"),
        ({"resolution": "write_off", "resolved_on": date(2999, 1, 1)}, "resolved_on"),
        ({"resolution": "write_off", "note": "bad\x07"}, "note"),
    ],
)
def test_bad_resolutions_are_refused(org, setup, kwargs, field):
    _account, _order, shipment, lines = setup
    act = _short(shipment, lines, org.kam_anna)
    with pytest.raises(ValidationError) as exc:
        discrepancy_act_resolve(actor=org.kam_anna, act=act, **kwargs)
    assert field in exc.value.message_dict
    act.refresh_from_db()
    assert (act.resolution, act.resolved_on) == ("open", None)
    assert not SettlementItem.objects.exists()


def test_a_surplus_is_not_credited(org, setup):
    _account, _order, shipment, lines = setup
    act = _short(
        shipment, lines, org.kam_anna, kind="surplus", data=[_line(lines[0].pk, "10", "12")]
    )
    with pytest.raises(ValidationError) as exc:
        discrepancy_act_resolve(actor=org.kam_anna, act=act, resolution="credit_note")
    assert "resolution" in exc.value.message_dict
    assert not SettlementItem.objects.exists()


def test_resolve_permissions(org, setup):
    _account, _order, shipment, lines = setup
    act = _short(shipment, lines, org.kam_anna)
    with pytest.raises(Http404):
        discrepancy_act_resolve(actor=org.head_south, act=act, resolution="write_off")
    with pytest.raises(PermissionDenied):
        discrepancy_act_resolve(actor=org.regional_north, act=act, resolution="write_off")
    act.refresh_from_db()
    assert act.resolution == "open"
