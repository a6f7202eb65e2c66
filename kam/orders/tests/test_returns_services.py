"""Reasons and preventive actions (OR-4): who may manage them, what is refused, the audit."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.orders.models import PreventiveAction, Reason
from kam.orders.services_returns import (
    preventive_action_complete,
    preventive_action_create,
    reason_create,
    reason_deactivate,
    reason_update,
)

pytestmark = pytest.mark.django_db


def test_head_creates_a_reason_and_it_is_audited(org):
    reason = reason_create(actor=org.head_north, kind="return", code="damaged", name="Damaged")
    assert (reason.kind, reason.code, reason.name, reason.is_active) == (
        "return",
        "damaged",
        "Damaged",
        True,
    )
    entry = AuditEntry.objects.get(entity="orders.reason", entity_id=str(reason.pk))
    assert entry.actor == org.head_north


def test_a_kam_may_not_manage_reasons(org):
    with pytest.raises(PermissionDenied, match="head of department or the director"):
        reason_create(actor=org.kam_anna, kind="return", code="x", name="X")
    assert not Reason.objects.exists()


def test_code_is_unique_per_kind_only(org):
    reason_create(actor=org.director, kind="return", code="late", name="Late")
    reason_create(actor=org.director, kind="refusal", code="late", name="Late order")
    with pytest.raises(ValidationError) as exc:
        reason_create(actor=org.director, kind="return", code="late", name="Late again")
    assert "code" in exc.value.message_dict
    assert Reason.objects.count() == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "other", "code": "a", "name": "A"}, "kind"),
        ({"kind": "return", "code": "", "name": "A"}, "code"),
        ({"kind": "return", "code": "Not A Slug", "name": "A"}, "code"),
        ({"kind": "return", "code": "a" * 33, "name": "A"}, "code"),
        ({"kind": "return", "code": "a", "name": "  "}, "name"),
        ({"kind": "return", "code": "a", "name": "A\x00"}, "name"),
        ({"kind": "return", "code": "a", "name": "A" * 201}, "name"),
    ],
)
def test_bad_reason_input_names_the_field_and_writes_nothing(org, data, field):
    with pytest.raises(ValidationError) as exc:
        reason_create(actor=org.director, **data)
    assert field in exc.value.message_dict
    assert not Reason.objects.exists()
    assert not AuditEntry.objects.filter(entity="orders.reason").exists()


def test_update_and_deactivate(org):
    reason = reason_create(actor=org.director, kind="return", code="a", name="A")
    other = reason_create(actor=org.director, kind="return", code="b", name="B")
    reason_update(actor=org.head_south, reason=reason, name="Arrived broken")
    reason.refresh_from_db()
    assert reason.name == "Arrived broken"
    with pytest.raises(ValidationError) as exc:
        reason_update(actor=org.director, reason=reason, code=other.code)
    assert "code" in exc.value.message_dict
    reason_deactivate(actor=org.director, reason=reason)
    reason.refresh_from_db()
    assert reason.is_active is False
    with pytest.raises(PermissionDenied):
        reason_deactivate(actor=org.support_north, reason=other)
    other.refresh_from_db()
    assert other.is_active is True


def test_preventive_action_lifecycle(org):
    reason = reason_create(actor=org.director, kind="refusal", code="price", name="Price")
    due = timezone.localdate() + timedelta(days=30)
    action = preventive_action_create(
        actor=org.head_north,
        reason=reason,
        text="Review the key column's prices",
        owner=org.kam_anna,
        due_on=due,
    )
    assert (action.owner, action.due_on, action.done_on) == (org.kam_anna, due, None)
    preventive_action_complete(actor=org.head_north, action=action)
    action.refresh_from_db()
    assert action.done_on == timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        preventive_action_complete(actor=org.head_north, action=action)
    assert "done_on" in exc.value.message_dict
    assert AuditEntry.objects.filter(entity="orders.preventiveaction").count() == 2


def test_preventive_action_refusals(org):
    reason = reason_create(actor=org.director, kind="refusal", code="price", name="Price")
    with pytest.raises(PermissionDenied):
        preventive_action_create(actor=org.kam_anna, reason=reason, text="Do it")
    for kwargs, field in [
        ({"text": " "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "ok", "due_on": date(1900, 1, 1)}, "due_on"),
    ]:
        with pytest.raises(ValidationError) as exc:
            preventive_action_create(actor=org.director, reason=reason, **kwargs)
        assert field in exc.value.message_dict
    assert not PreventiveAction.objects.exists()
