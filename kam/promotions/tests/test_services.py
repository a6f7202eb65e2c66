"""Proposing, approving, refusing and costing promotions: who may, and bad input refused with
the field named and nothing changed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kam.core.models import AuditEntry
from kam.promotions.models import Promotion
from kam.promotions.services import (
    promotion_approve,
    promotion_record_cost,
    promotion_refuse,
    promotion_update,
)
from kam.promotions.tests.conftest import propose

D = Decimal


def _state():
    return (
        list(Promotion.objects.values_list("pk", "status", "name", "budget", "cost")),
        AuditEntry.objects.filter(entity="promotions.promotion").count(),
    )


def test_a_heads_proposal_is_approved_by_the_director(org, book):
    promotion = propose(org.head_north, book)
    assert promotion.status == "proposed"
    assert promotion.proposed_by == org.head_north
    assert promotion.currency == "EUR"
    assert sorted(promotion.accounts.values_list("pk", flat=True)) == sorted(
        [book.a1.pk, book.a2.pk]
    )
    promotion_approve(actor=org.director, promotion=promotion, note="Go")
    promotion.refresh_from_db()
    assert (promotion.status, promotion.approved_by) == ("approved", org.director)
    assert promotion.approved_at is not None
    actions = list(
        AuditEntry.objects.filter(entity="promotions.promotion", entity_id=str(promotion.pk))
        .order_by("id")
        .values_list("changes__status", flat=True)
    )
    assert actions[-1] == ["proposed", "approved"]


def test_a_head_cannot_approve_and_nothing_changes(org, book):
    promotion = propose(org.head_north, book)
    before = _state()
    for head in (org.head_north, org.head_south):
        with pytest.raises(PermissionDenied):
            promotion_approve(actor=head, promotion=promotion)
        with pytest.raises(PermissionDenied):
            promotion_refuse(actor=head, promotion=promotion)
    assert _state() == before


def test_a_kam_cannot_propose(org, book):
    with pytest.raises(PermissionDenied):
        propose(org.kam_anna, book)
    assert _state() == ([], 0)


def test_the_director_never_approves_their_own_proposal_but_may_withdraw_it(org, book):
    promotion = propose(org.director, book)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        promotion_approve(actor=org.director, promotion=promotion)
    assert "proposed_by" in exc.value.message_dict
    assert _state() == before
    promotion_refuse(actor=org.director, promotion=promotion)
    promotion.refresh_from_db()
    assert promotion.status == "refused"


def test_a_decided_promotion_is_not_decided_again_nor_changed(org, book):
    promotion = propose(org.head_north, book)
    promotion_refuse(actor=org.director, promotion=promotion)
    before = _state()
    with pytest.raises(ValidationError) as exc:
        promotion_approve(actor=org.director, promotion=promotion)
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        promotion_update(actor=org.head_north, promotion=promotion, name="Other")
    assert "status" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        promotion_record_cost(actor=org.director, promotion=promotion, cost=D("5"))
    assert "cost" in exc.value.message_dict
    assert _state() == before


def test_update_while_proposed(org, book):
    promotion = propose(org.head_north, book)
    promotion_update(
        actor=org.head_north, promotion=promotion, budget=D("2000"), accounts=[book.a1.pk]
    )
    promotion.refresh_from_db()
    assert promotion.budget == D("2000")
    assert list(promotion.accounts.values_list("pk", flat=True)) == [book.a1.pk]
    entry = AuditEntry.objects.filter(entity="promotions.promotion").order_by("-id").first()
    assert entry.changes["budget"] == ["1000.00", "2000"]
    # Another head may not change it.
    with pytest.raises(ValidationError) as exc:
        promotion_update(actor=org.head_south, promotion=promotion, budget=D("1"))
    assert "proposed_by" in exc.value.message_dict


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"ends_on": date(2025, 2, 28)}, "ends_on"),
        ({"starts_on": date(1999, 12, 31)}, "starts_on"),
        ({"ends_on": date(2099, 1, 1)}, "ends_on"),
        ({"budget": D("-1")}, "budget"),
        ({"budget": D("1000000000")}, "budget"),
        ({"budget": D("1.001")}, "budget"),
        ({"budget": None}, "budget"),
        ({"products": []}, "products"),
        ({"products": [999999]}, "products"),
        ({"accounts": []}, "accounts"),
        ({"name": "Spring\x00"}, "name"),
        ({"name": "  "}, "name"),
        ({"note": "a\x1bb"}, "note"),
        ({"kind": "free_lunch"}, "kind"),
        ({"kind": "bonus_goods", "discount_percent": D("5")}, "discount_percent"),
        ({"discount_percent": D("100")}, "discount_percent"),
        ({"segments": ["x"]}, "segments"),
    ],
)
def test_bad_input_is_refused_naming_the_field(org, book, over, field):
    with pytest.raises(ValidationError) as exc:
        propose(org.head_north, book, **over)
    assert field in exc.value.message_dict
    assert _state() == ([], 0)


def test_a_client_out_of_sight_is_unknown(org, book):
    # Hugo (North) does not see Sigrid's client: it is refused as unknown, not added.
    with pytest.raises(ValidationError) as exc:
        propose(org.head_north, book, accounts=[book.s1.pk])
    assert "accounts" in exc.value.message_dict
    assert _state() == ([], 0)


def test_cost_is_recorded_and_bounded(org, book):
    promotion = propose(org.head_north, book)
    promotion_approve(actor=org.director, promotion=promotion)
    before = _state()
    for bad in (D("-0.01"), D("1000000000"), None):
        with pytest.raises(ValidationError) as exc:
            promotion_record_cost(actor=org.director, promotion=promotion, cost=bad)
        assert "cost" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        promotion_record_cost(actor=org.head_north, promotion=promotion, cost=D("1"))
    assert _state() == before
    promotion_record_cost(actor=org.director, promotion=promotion, cost=D("40.50"))
    promotion.refresh_from_db()
    assert promotion.cost == D("40.50")
