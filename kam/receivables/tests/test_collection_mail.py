"""Reminders by e-mail (AR-2, issue 9 §8) against a real SMTP server on localhost (aiosmtpd),
not Django's in-memory outbox: sent after the transaction commits, in the language asked for,
never twice for one reminder, nothing at all when the transaction rolls back."""

import email
import email.policy
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.test import override_settings

from kam.receivables.models import Reminder
from kam.receivables.services_collection import reminder_deliver, reminder_send
from kam.receivables.tests.collection_data import contact, invoice, today
from kam.testing import make_account

pytestmark = pytest.mark.django_db(transaction=True)


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                envelope.rcpt_tos,
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smtp_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
        DEFAULT_FROM_EMAIL="credit@kam.example",
    )


@pytest.fixture
def smtp():
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            yield inbox
    finally:
        controller.stop()


@pytest.fixture
def owing(org):
    account = make_account(owner=org.kam_anna, legal_name="Baltic Pharma SIA")
    invoice(account, "1234.50", days_overdue=15, number="INV-7001")
    invoice(account, "100", days_overdue=3, number="INV-7002")
    invoice(account, "999", days_overdue=-5, number="INV-7003")  # not due yet: not listed
    contact(account, email="pay@baltic.example")
    return account


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("Payment reminder", "Invoice INV-7001", "15 days overdue")),
        ("lv", ("Atgādinājums par apmaksu", "Rēķins INV-7001", "kavējums 15 d.")),
        ("ru", ("Напоминание об оплате", "Счёт INV-7001", "просрочка 15 дн.")),  # noqa: RUF001
    ],
)
def test_reminder_arrives_once_in_the_language_after_commit(org, owing, smtp, language, words):
    subject_word, line, days = words
    result = reminder_send(actor=org.kam_anna, account=owing, language=language)

    assert result.created
    assert len(smtp.messages) == 1
    rcpt, message = smtp.messages[0]
    assert rcpt == ["pay@baltic.example"]
    assert message["From"] == "credit@kam.example"
    assert message["Content-Language"] == language
    subject = str(message["Subject"]).strip()  # an encoded header decodes with a fold's space
    assert subject.startswith(subject_word) and "Baltic Pharma SIA" in subject
    body = message.get_content()
    assert line in body and days in body
    assert "INV-7002" in body and "INV-7003" not in body
    reminder = Reminder.objects.get()
    assert reminder.status == Reminder.Status.SENT and reminder.sent_at is not None
    assert reminder.language == language and reminder.level == 1
    assert reminder.subject == subject


def test_rolled_back_transaction_sends_nothing(org, owing, smtp):
    with pytest.raises(RuntimeError), transaction.atomic():
        reminder_send(actor=org.kam_anna, account=owing)
        assert smtp.messages == []  # not before the commit either
        raise RuntimeError("the caller's work failed")
    assert smtp.messages == []
    assert not Reminder.objects.exists()


def test_retry_of_the_same_reminder_sends_nothing_more(org, owing, smtp):
    first = reminder_send(actor=org.kam_anna, account=owing, level=2)
    again = reminder_send(actor=org.kam_anna, account=owing, level=2)
    auto = reminder_send(actor=org.credit, account=owing)  # next level: the same one today

    assert first.created and not again.created and not auto.created
    assert again.reminder.pk == first.reminder.pk == auto.reminder.pk
    reminder_deliver(reminder_id=first.reminder.pk)  # a late worker: finds it sent
    assert len(smtp.messages) == 1
    assert str(smtp.messages[0][1]["Subject"]).strip().startswith("Second payment reminder")
    assert Reminder.objects.count() == 1


def test_a_server_that_is_down_fails_the_reminder_and_a_retry_sends_it(org, owing):
    port = free_port()  # nothing listens there
    with smtp_settings(port):
        result = reminder_send(actor=org.kam_anna, account=owing)  # no exception for the caller
    reminder = Reminder.objects.get(pk=result.reminder.pk)
    assert reminder.status == Reminder.Status.FAILED
    assert "Connection" in reminder.error or "refused" in reminder.error.lower()

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with smtp_settings(port):
            retry = reminder_send(actor=org.kam_anna, account=owing)
            reminder_send(actor=org.kam_anna, account=owing)
    finally:
        controller.stop()
    assert not retry.created and retry.reminder.pk == reminder.pk
    assert len(inbox.messages) == 1
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SENT and reminder.error == ""


def test_reminder_permissions_two_users(org, owing, smtp):
    with pytest.raises(PermissionDenied, match="credit control may work on the debt"):
        reminder_send(actor=org.support_north, account=owing)  # sees the client, may not
    with pytest.raises(Http404):
        reminder_send(actor=org.kam_sigrid, account=owing)  # does not see it
    assert smtp.messages == [] and not Reminder.objects.exists()
    reminder_send(actor=org.head_north, account=owing)
    assert len(smtp.messages) == 1


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"language": "de"}, "language", "en, lv, ru"),
        ({"level": 4}, "level", "1, 2 or 3"),
        ({"level": 0}, "level", "1, 2 or 3"),
    ],
)
def test_bad_reminder_requests_are_refused_naming_the_field(
    org, owing, smtp, kwargs, field, message
):
    with pytest.raises(ValidationError) as exc:
        reminder_send(actor=org.kam_anna, account=owing, **kwargs)
    assert message in exc.value.message_dict[field][0]
    assert smtp.messages == [] and not Reminder.objects.exists()


def test_no_contact_with_an_email_or_nothing_overdue_is_refused(org, smtp):
    silent = make_account(owner=org.kam_anna, legal_name="Silent SIA")
    invoice(silent, "50", days_overdue=10)
    contact(silent, email="")
    with pytest.raises(ValidationError) as exc:
        reminder_send(actor=org.kam_anna, account=silent)
    assert "no contact person with an e-mail" in exc.value.message_dict["contact"][0]

    paying = make_account(owner=org.kam_anna, legal_name="Paying SIA")
    invoice(paying, "50", days_overdue=-1)
    contact(paying)
    with pytest.raises(ValidationError) as exc:
        reminder_send(actor=org.kam_anna, account=paying)
    assert "no overdue invoices" in exc.value.message_dict["account"][0]
    assert smtp.messages == [] and not Reminder.objects.exists()


def test_another_day_is_another_reminder(org, owing, smtp):
    reminder_send(actor=org.kam_anna, account=owing, as_of=today() - timedelta(1))
    reminder_send(actor=org.kam_anna, account=owing)
    assert len(smtp.messages) == 2
    assert Reminder.objects.count() == 2
