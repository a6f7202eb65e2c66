"""Collection (AR-2): the collection list per KAM, promises to pay and their daily check, and
the escalation of old debt to the head of department. Permission tests have two users."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.core.daily import daily_steps
from kam.core.models import AuditEntry, Notification
from kam.receivables.models import CollectionSettings, PaymentPromise
from kam.receivables.selectors_collection import (
    collection_list,
    collection_settings,
    next_reminder_level,
    overdue_by_bucket,
)
from kam.receivables.services_collection import debt_escalate, promise_check, promise_record
from kam.receivables.tests.collection_data import invoice, payment, today
from kam.testing import make_account

pytestmark = pytest.mark.django_db


# --- the collection list ---------------------------------------------------------------------


def test_list_orders_by_amount_times_days_and_skips_what_is_not_overdue(org):
    small_old = make_account(owner=org.kam_anna, legal_name="Small old")
    big_new = make_account(owner=org.kam_anna, legal_name="Big new")
    not_due = make_account(owner=org.kam_anna, legal_name="Not due")
    paid = make_account(owner=org.kam_anna, legal_name="Paid")
    invoice(small_old, "100", days_overdue=90)  # 9 000
    invoice(big_new, "1000", days_overdue=5)  # 5 000
    invoice(big_new, "200", days_overdue=3)
    invoice(not_due, "5000", days_overdue=-10)
    invoice(paid, "300", days_overdue=40)
    payment(paid, "300")

    rows = collection_list(user=org.kam_anna, as_of=today())

    assert [r.account_name for r in rows] == ["Small old", "Big new"]
    big = rows[1]
    assert big.overdue == Decimal("1200.00")
    assert big.days_overdue == 5 and big.invoices == 2
    assert big.priority == Decimal("6000.00")


def test_each_reader_sees_the_clients_in_their_scope(org):
    anna = make_account(owner=org.kam_anna, legal_name="Anna's")
    sigrid = make_account(owner=org.kam_sigrid, legal_name="Sigrid's")
    invoice(anna, "100", days_overdue=10)
    invoice(sigrid, "100", days_overdue=10)

    def names(user):
        return {r.account_name for r in collection_list(user=user, as_of=today())}

    assert names(org.kam_anna) == {"Anna's"}
    assert names(org.kam_sigrid) == {"Sigrid's"}
    assert names(org.head_north) == {"Anna's"}
    assert names(org.credit) == names(org.director) == {"Anna's", "Sigrid's"}
    # Sales support sees the North clients but does not work on debt: nothing to collect.
    assert names(org.support_north) == set()


def test_list_makes_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    for n in range(6):
        account = make_account(owner=org.kam_anna)
        invoice(account, "100", days_overdue=10 + n)
        promise_record(
            actor=org.kam_anna, account=account, promised_on=today() + timedelta(5), amount="50"
        )
    with django_assert_max_num_queries(6):
        rows = collection_list(user=org.kam_anna, as_of=today())
        assert all(r.promise is not None for r in rows)
    assert len(rows) == 6


def test_buckets_split_the_overdue_amount_by_days_past_due(org):
    account = make_account(owner=org.kam_anna)
    for amount, days in (("10", 1), ("20", 30), ("40", 31), ("80", 61), ("160", 91), ("5", 0)):
        invoice(account, amount, days_overdue=days)
    buckets = [amount for _, _, amount in overdue_by_bucket(user=org.kam_anna, as_of=today())]
    assert buckets == [Decimal("30"), Decimal("40"), Decimal("80"), Decimal("160")]
    other = [amount for _, _, amount in overdue_by_bucket(user=org.kam_sigrid, as_of=today())]
    assert other == [0, 0, 0, 0]


# --- promises to pay -------------------------------------------------------------------------


@pytest.fixture
def owing(org):
    account = make_account(owner=org.kam_anna, legal_name="Owing SIA")
    invoice(account, "1000", days_overdue=20)
    return account


def test_promise_is_recorded_and_audited(org, owing):
    promise = promise_record(
        actor=org.kam_anna, account=owing, promised_on=today() + timedelta(7), amount="400"
    )
    assert promise.status == PaymentPromise.Status.OPEN
    assert promise.made_on == today() and promise.recorded_by == org.kam_anna
    assert AuditEntry.objects.filter(
        entity="receivables.paymentpromise", entity_id=str(promise.pk)
    ).exists()


def test_promise_permissions_two_users(org, owing):
    when = today() + timedelta(7)
    # The client's KAM and credit control may; sales support sees the client but may not
    # (403 with a sentence); another department's KAM does not see it (404).
    promise_record(actor=org.credit, account=owing, promised_on=when, amount="10")
    with pytest.raises(PermissionDenied, match="credit control may work on the debt"):
        promise_record(actor=org.support_north, account=owing, promised_on=when, amount="10")
    with pytest.raises(Http404):
        promise_record(actor=org.kam_sigrid, account=owing, promised_on=when, amount="10")
    assert PaymentPromise.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"amount": "0"}, "amount", "more than zero"),
        ({"amount": "-5"}, "amount", "more than zero"),
        ({"amount": "1000.01"}, "amount", "owes 1000.00"),
        ({"amount": "1.001"}, "amount", "decimal places"),
        ({"promised_on": -1}, "promised_on", "before the day the promise was made"),
        ({"promised_on": 91}, "promised_on", "outside the allowed dates"),
        ({"made_on": 1}, "made_on", "outside the allowed dates"),
        ({"note": "bad\x00"}, "note", "Control characters"),
    ],
)
def test_bad_promises_are_refused_naming_the_field(org, owing, data, field, message):
    kwargs = {"promised_on": today() + timedelta(7), "amount": "100"}
    for name in ("promised_on", "made_on"):
        if name in data:
            data[name] = today() + timedelta(data[name])
    kwargs.update(data)
    with pytest.raises(ValidationError) as exc:
        promise_record(actor=org.kam_anna, account=owing, **kwargs)
    assert field in exc.value.message_dict
    assert message in " ".join(exc.value.message_dict[field])
    assert not PaymentPromise.objects.exists()


def test_no_debt_no_promise_and_one_open_promise_at_a_time(org, owing):
    clean = make_account(owner=org.kam_anna)
    when = today() + timedelta(7)
    with pytest.raises(ValidationError, match="owes nothing"):
        promise_record(actor=org.kam_anna, account=clean, promised_on=when, amount="1")
    promise_record(actor=org.kam_anna, account=owing, promised_on=when, amount="100")
    with pytest.raises(ValidationError) as exc:
        promise_record(actor=org.kam_anna, account=owing, promised_on=when, amount="100")
    assert "already promised" in exc.value.message_dict["promised_on"][0]


def _promise(org, account, *, made_days_ago, due_in, amount):
    promise = promise_record(
        actor=org.kam_anna,
        account=account,
        made_on=today() - timedelta(made_days_ago),
        promised_on=today() + timedelta(due_in),
        amount=amount,
    )
    return promise


def test_promise_kept_when_payments_in_the_window_reach_the_amount(org, owing):
    promise = _promise(org, owing, made_days_ago=10, due_in=5, amount="500")
    payment(owing, "100", on=today() - timedelta(11))  # before the promise: does not count
    payment(owing, "300", on=today() - timedelta(8))
    assert promise_check(as_of=today())["kept"] == 0
    payment(owing, "200", on=today() - timedelta(2))
    assert promise_check(as_of=today()) == {"kept": 1, "broken": 0, "notified": 0}
    promise.refresh_from_db()
    assert promise.status == PaymentPromise.Status.KEPT
    assert promise.settled_on == today() - timedelta(2)


def test_promise_broken_after_its_day_notifies_the_kam_once(org, owing):
    promise = _promise(org, owing, made_days_ago=10, due_in=-2, amount="500")
    payment(owing, "200", on=today() - timedelta(5))
    payment(owing, "400", on=today() - timedelta(1))  # after the promised day: too late
    # On the promised day itself it is still open.
    assert promise_check(as_of=today() - timedelta(2)) == {"kept": 0, "broken": 0, "notified": 0}
    assert promise_check(as_of=today()) == {"kept": 0, "broken": 1, "notified": 1}
    assert promise_check(as_of=today() + timedelta(1))["notified"] == 0
    promise.refresh_from_db()
    assert promise.status == PaymentPromise.Status.BROKEN
    notes = Notification.objects.filter(kind=Notification.Kind.PROMISE_BROKEN)
    assert [n.recipient for n in notes] == [org.kam_anna]
    assert "Owing SIA" in notes[0].text() and "200.00" in notes[0].text()
    row = collection_list(user=org.kam_anna, as_of=today())[0]
    assert row.promise_broken and row.promise is None


def test_daily_run_has_the_collection_steps(org):
    names = [s.name for s in daily_steps()]
    assert "collection.promises" in names and "collection.escalation" in names


# --- escalation ------------------------------------------------------------------------------


def test_escalation_after_the_set_days_to_the_head_once(org):
    late = make_account(owner=org.kam_boris, legal_name="Late Pharma")  # North-Pharma: no head
    invoice(late, "700", days_overdue=61)
    recent = make_account(owner=org.kam_anna, legal_name="Recent")
    invoice(recent, "700", days_overdue=60)  # not more than 60 days
    south = make_account(owner=org.kam_sigrid, legal_name="South late")
    invoice(south, "50", days_overdue=100)

    assert debt_escalate(as_of=today()) == {"due": 2, "escalated": 2}
    assert debt_escalate(as_of=today())["escalated"] == 0  # once
    # The next day "Recent" is 61 days overdue: it alone is new.
    assert debt_escalate(as_of=today() + timedelta(1)) == {"due": 3, "escalated": 1}
    Notification.objects.filter(params__client="Recent").delete()

    notes = Notification.objects.filter(kind=Notification.Kind.DEBT_ESCALATED)
    # North-Pharma has no head of its own: the head of North above it gets it.
    assert {(n.recipient.username, n.params["client"]) for n in notes} == {
        ("head_north", "Late Pharma"),
        ("head_south", "South late"),
    }
    assert "61 days" in notes.get(recipient=org.head_north).text()
    rows = {r.account_name: r for r in collection_list(user=org.director, as_of=today())}
    assert rows["Late Pharma"].escalated and not rows["Recent"].escalated


def test_escalation_waits_for_a_live_promise_and_follows_the_setting(org):
    account = make_account(owner=org.kam_anna)
    invoice(account, "700", days_overdue=40)
    CollectionSettings.objects.filter(pk=collection_settings().pk).update(escalate_after_days=30)
    promise = _promise(org, account, made_days_ago=0, due_in=5, amount="100")
    assert debt_escalate(as_of=today())["due"] == 0  # an open promise: being worked on
    PaymentPromise.objects.filter(pk=promise.pk).update(status=PaymentPromise.Status.BROKEN)
    assert debt_escalate(as_of=today()) == {"due": 1, "escalated": 1}


def test_a_new_oldest_invoice_escalates_again(org):
    account = make_account(owner=org.kam_anna)
    invoice(account, "100", days_overdue=90)
    invoice(account, "100", days_overdue=70)
    assert debt_escalate(as_of=today())["escalated"] == 1
    payment(account, "100")  # the oldest is paid; the next is still over 60 days
    assert debt_escalate(as_of=today())["escalated"] == 1
    assert Notification.objects.filter(kind=Notification.Kind.DEBT_ESCALATED).count() == 2


# --- reminder levels -------------------------------------------------------------------------


def test_next_level_climbs_after_the_interval(org):
    from kam.receivables.models import Reminder

    account = make_account(owner=org.kam_anna)
    invoice(account, "100", days_overdue=45)
    assert next_reminder_level(account_id=account.pk, as_of=today()) == 1
    reminder = Reminder.objects.create(
        account=account,
        key="k1",
        level=1,
        language="en",
        to_email="a@b.example",
        subject="s",
        body="b",
        overdue_amount=Decimal("100"),
        status=Reminder.Status.SENT,
    )
    assert next_reminder_level(account_id=account.pk, as_of=today()) == 1
    Reminder.objects.filter(pk=reminder.pk).update(created_at=reminder.created_at - timedelta(14))
    assert next_reminder_level(account_id=account.pk, as_of=today()) == 2
    Reminder.objects.filter(pk=reminder.pk).update(level=3)
    assert next_reminder_level(account_id=account.pk, as_of=today()) == 3
