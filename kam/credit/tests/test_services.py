"""Writes of credit control (CR-1, CR-2): checks, limits, the rules. Bad input is refused
naming the field and changes nothing; every permission is tried by the allowed user and by one
who must not (404 out of scope, 403 in scope but not allowed)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.credit.models import CreditAccount, CreditCheck
from kam.credit.selectors import credit_limit, credit_settings, payment_terms
from kam.credit.services import (
    credit_check_record,
    credit_limit_reset_to_contract,
    credit_limit_set,
    credit_settings_update,
)

pytestmark = pytest.mark.django_db

GOOD_CHECK = {
    "method": "agency",
    "result": "approved",
    "checked_on": date(2025, 6, 1),
    "next_review_on": date(2026, 6, 1),
    "score": "A2",
    "notes": "Rating agency report no. 77.",
}


def audits(entity):
    return AuditEntry.objects.filter(entity=entity).order_by("pk")


# --- credit_check_record (CR-1) ------------------------------------------------------------------


def test_credit_controller_records_a_check_and_it_is_audited(org, book):
    check = credit_check_record(actor=org.credit, account=book.anna, **GOOD_CHECK)
    assert (check.account, check.result, check.score, check.checked_by) == (
        book.anna,
        "approved",
        "A2",
        org.credit,
    )
    entry = audits("credit.creditcheck").get()
    assert entry.actor == org.credit
    assert entry.changes["next_review_on"] == "2026-06-01"


def test_a_kam_may_not_record_a_check_on_own_client(org, book):
    with pytest.raises(PermissionDenied, match="credit controller"):
        credit_check_record(actor=org.kam_anna, account=book.anna, **GOOD_CHECK)
    assert CreditCheck.objects.filter(account=book.anna).count() == 1  # the fixture's


def test_a_head_out_of_scope_gets_not_found_for_check(org, book):
    # head_south holds no credit.check.record and does not see Anna's client: 404, not 403.
    with pytest.raises(Http404):
        credit_check_record(actor=org.head_south, account=book.anna, **GOOD_CHECK)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"method": "astrology"}, "method"),
        ({"result": "maybe"}, "result"),
        # "tomorrow" when the test runs, not when it was collected (a run may cross midnight)
        ({"checked_on": lambda: timezone.localdate() + timedelta(days=1)}, "checked_on"),
        ({"checked_on": date(1990, 1, 1)}, "checked_on"),
        ({"next_review_on": date(2025, 6, 1)}, "next_review_on"),  # the same day
        ({"next_review_on": date(2025, 5, 1)}, "next_review_on"),  # before
        ({"next_review_on": date(2999, 1, 1)}, "next_review_on"),
        ({"score": "x" * 51}, "score"),
        ({"notes": "bad\x00text"}, "notes"),
    ],
)
def test_a_bad_check_is_refused_naming_the_field(org, book, change, field):
    change = {k: v() if callable(v) else v for k, v in change.items()}
    before = CreditCheck.objects.count()
    with pytest.raises(ValidationError) as exc:
        credit_check_record(actor=org.credit, account=book.anna, **{**GOOD_CHECK, **change})
    assert field in exc.value.message_dict
    assert CreditCheck.objects.count() == before
    assert not audits("credit.creditcheck").exists()


# --- credit_limit_set, credit_limit_reset_to_contract (CR-2) -----------------------------------


def test_controller_sets_a_limit_over_the_contract_and_it_is_audited(org, book):
    today = timezone.localdate()
    assert credit_limit(account_id=book.anna.pk, on=today) == Decimal("10000")
    acc = credit_limit_set(
        actor=org.credit, account=book.anna, limit=Decimal("2500.50"), payment_days=14
    )
    assert acc.source == CreditAccount.Source.CONTROLLER and acc.set_by == org.credit
    assert credit_limit(account_id=book.anna.pk, on=today) == Decimal("2500.50")
    assert payment_terms(account_id=book.anna.pk, on=today) == 14
    entry = audits("credit.creditaccount").get()
    assert entry.actor == org.credit
    assert entry.changes["limit"] == ["10000.00", "2500.50"]
    assert entry.changes["payment_days"] == [30, 14]
    assert entry.changes["source"] == ["contract", "controller"]


def test_reset_to_contract_takes_the_contracts_terms_again(org, book):
    today = timezone.localdate()
    credit_limit_set(actor=org.credit, account=book.anna, limit=Decimal("1"), payment_days=5)
    acc = credit_limit_reset_to_contract(actor=org.credit, account=book.anna)
    assert acc.source == CreditAccount.Source.CONTRACT
    assert credit_limit(account_id=book.anna.pk, on=today) == Decimal("10000")
    assert payment_terms(account_id=book.anna.pk, on=today) == 30
    entry = audits("credit.creditaccount").last()
    assert entry.changes["limit"] == ["1.00", "10000.00"]


def test_a_kam_may_not_set_the_limit_and_out_of_scope_is_not_found(org, book):
    with pytest.raises(PermissionDenied):
        credit_limit_set(actor=org.kam_anna, account=book.anna, limit=Decimal("1"), payment_days=1)
    with pytest.raises(PermissionDenied):
        credit_limit_reset_to_contract(actor=org.kam_anna, account=book.anna)
    with pytest.raises(Http404):
        credit_limit_set(
            actor=org.kam_anna, account=book.sigrid, limit=Decimal("1"), payment_days=1
        )
    assert not CreditAccount.objects.exists()
    assert not audits("credit.creditaccount").exists()


@pytest.mark.parametrize(
    ("limit", "days", "field"),
    [
        (Decimal("-1"), 30, "limit"),
        (Decimal("1000000000"), 30, "limit"),
        (Decimal("1.001"), 30, "limit"),
        ("lots", 30, "limit"),
        (None, 30, "limit"),
        (Decimal("100"), -1, "payment_days"),
        (Decimal("100"), 366, "payment_days"),
        (Decimal("100"), "soon", "payment_days"),
    ],
)
def test_a_bad_limit_is_refused_naming_the_field(org, book, limit, days, field):
    with pytest.raises(ValidationError) as exc:
        credit_limit_set(actor=org.credit, account=book.anna, limit=limit, payment_days=days)
    assert field in exc.value.message_dict
    assert not CreditAccount.objects.exists()
    assert credit_limit(account_id=book.anna.pk, on=timezone.localdate()) == Decimal("10000")


def test_limit_bounds_are_inclusive(org, book):
    credit_limit_set(actor=org.credit, account=book.anna, limit=Decimal("0"), payment_days=0)
    credit_limit_set(
        actor=org.credit, account=book.anna, limit=Decimal("999999999.99"), payment_days=365
    )
    assert CreditAccount.objects.get().payment_days == 365


# --- credit_settings_update ---------------------------------------------------------------------


def test_controller_changes_the_rules_audited_old_and_new(org):
    s = credit_settings_update(
        actor=org.credit,
        overdue_amount_threshold=Decimal("250"),
        overdue_days_threshold=15,
        check_required=False,
        near_limit_percent=90,
        check_valid_months=6,
    )
    assert (s.overdue_amount_threshold, s.overdue_days_threshold, s.check_required) == (
        Decimal("250"),
        15,
        False,
    )
    assert credit_settings().near_limit_percent == 90
    entry = audits("credit.creditsettings").get()
    assert entry.changes["overdue_days_threshold"] == [30, 15]
    assert entry.changes["check_valid_months"] == [12, 6]


def test_a_head_may_not_change_the_rules(org):
    with pytest.raises(PermissionDenied):
        credit_settings_update(actor=org.head_north, overdue_days_threshold=1)
    assert credit_settings().overdue_days_threshold == 30


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"overdue_amount_threshold": Decimal("-1")}, "overdue_amount_threshold"),
        ({"overdue_amount_threshold": None}, "overdue_amount_threshold"),
        ({"overdue_days_threshold": -5}, "overdue_days_threshold"),
        ({"overdue_days_threshold": 4000}, "overdue_days_threshold"),
        ({"near_limit_percent": 0}, "near_limit_percent"),
        ({"near_limit_percent": 101}, "near_limit_percent"),
        ({"check_valid_months": 0}, "check_valid_months"),
        ({"check_required": "yes"}, "check_required"),
        ({"near_limit_percent": 70, "colour": "red"}, "colour"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(org, data, field):
    with pytest.raises(ValidationError) as exc:
        credit_settings_update(actor=org.credit, **data)
    assert field in exc.value.message_dict
    s = credit_settings()
    assert (s.near_limit_percent, s.overdue_amount_threshold) == (80, Decimal("100"))
    assert not audits("credit.creditsettings").exists()
