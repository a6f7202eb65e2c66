"""Mutual settlements per client (AR-1) and the collection of what is owed (AR-2).

One ledger per client: ``SettlementItem`` rows are invoices (+), payments, credit notes and
returns (-), in the company's base currency (the document's own currency and amount kept
beside). Payments are allocated to invoices by ``Allocation`` rows, which move value between
items and change no balance: the balance of a client is the sum of its items' ``amount`` and
always equals the sum of their ``open_amount`` (tested with Hypothesis).

Receivables sit below credit and orders (docs/architecture.md): they read the ledger and their
own rows, never orders."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.clients.models import Account
from kam.core.bounds import no_control_characters
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet


class SettlementItem(TimeStampedModel):
    class Kind(models.TextChoices):
        INVOICE = "invoice", _("Invoice")
        PAYMENT = "payment", _("Payment")
        CREDIT_NOTE = "credit_note", _("Credit note")
        RETURN = "return", _("Return")

    class Source(models.TextChoices):
        ORDER = "order", _("Order")
        IMPORT = "import", _("ERP import")
        MANUAL = "manual", _("Entered by hand")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="settlements"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    document_number = models.CharField(
        _("document"), max_length=64, validators=[no_control_characters]
    )
    document_date = models.DateField(_("document date"))
    # Invoices only: the day the client must have paid by (document date + payment deferral).
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # Signed, in the base currency: an invoice is positive, the others negative.
    amount = MoneyField(_("amount"))
    # What is still open of ``amount``, same sign (an invoice's unpaid part, a payment's
    # unallocated part).
    open_amount = MoneyField(_("open amount"))
    currency = CurrencyField(_("document currency"))
    document_amount = MoneyField(_("amount in document currency"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    # The document an item refers to: the shipment an invoice bills, the invoice a credit note
    # or a return reduces.
    reference = models.CharField(
        _("reference"), max_length=64, blank=True, validators=[no_control_characters]
    )
    note = models.CharField(
        _("note"), max_length=300, blank=True, validators=[no_control_characters]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("settlement item")
        verbose_name_plural = _("settlement items")
        ordering = ["account", "document_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "document_number"], name="settlement_document_unique"
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="invoice") & models.Q(amount__gte=0))
                | (~models.Q(kind="invoice") & models.Q(amount__lte=0)),
                name="settlement_amount_sign",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(amount__gte=0)
                    & models.Q(open_amount__gte=0)
                    & models.Q(open_amount__lte=models.F("amount"))
                )
                | (
                    models.Q(amount__lte=0)
                    & models.Q(open_amount__lte=0)
                    & models.Q(open_amount__gte=models.F("amount"))
                ),
                name="settlement_open_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "document_date"], name="settlement_account_idx"),
            # Ageing: the open items as of a date, by due date.
            models.Index(
                fields=["due_date"],
                condition=~models.Q(open_amount=0),
                name="settlement_open_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.document_number}"


class Allocation(models.Model):
    """``amount`` (positive, base currency) of a payment, credit note or return (``credit``)
    settles part of an invoice (``debit``), on ``allocated_on``."""

    debit = models.ForeignKey(
        SettlementItem,
        verbose_name=_("invoice"),
        on_delete=models.CASCADE,
        related_name="allocations_in",
    )
    credit = models.ForeignKey(
        SettlementItem,
        verbose_name=_("payment or credit"),
        on_delete=models.CASCADE,
        related_name="allocations_out",
    )
    amount = MoneyField(_("amount"))
    allocated_on = models.DateField(_("allocated on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="allocation_positive"),
        ]
        indexes = [
            # Open items as of a past day add back the allocations made after it; as of today
            # there are none, and the index finds that without reading the table.
            models.Index(fields=["allocated_on"], name="allocation_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.credit_id} -> {self.debit_id}: {self.amount}"


class PaymentPromise(TimeStampedModel):
    """The client promised to pay ``amount`` by ``promised_on`` (AR-2). Kept when payments of at
    least the amount came in by then; broken otherwise (the daily run flags it)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT = "kept", _("Kept")
        BROKEN = "broken", _("Broken")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="promises"
    )
    made_on = models.DateField(_("made on"))
    promised_on = models.DateField(_("promised to pay by"))
    amount = MoneyField(_("amount"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    settled_on = models.DateField(_("kept or broken on"), null=True, blank=True)
    note = models.CharField(
        _("note"), max_length=300, blank=True, validators=[no_control_characters]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise to pay")
        verbose_name_plural = _("promises to pay")
        ordering = ["-promised_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="promise_positive"),
            models.CheckConstraint(
                condition=models.Q(promised_on__gte=models.F("made_on")),
                name="promise_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount} by {self.promised_on}"


class Reminder(TimeStampedModel):
    """A payment reminder to a client, rendered from a template in the client's language and
    sent after the transaction commits. ``key`` (client, level, day) makes it once only: a
    second request for the same reminder finds the first (AR-2)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="reminders"
    )
    key = models.CharField(_("key"), max_length=100, unique=True)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    language = models.CharField(_("language"), max_length=8)
    to_email = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("text"))
    overdue_amount = MoneyField(_("overdue amount"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.account_id} level {self.level} ({self.status})"


class CollectionSettings(TimeStampedModel):
    """One row: how the collection of overdue debt runs (AR-2). Read with
    ``kam.receivables.selectors_collection.collection_settings``."""

    # A client whose oldest open invoice is overdue by more than this is escalated to the head
    # of the client's department (once per client and invoice).
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate overdue debt after, days"), default=60
    )
    # A reminder without a level asked for climbs one level when the last one is this old.
    reminder_interval_days = models.PositiveSmallIntegerField(
        _("days between reminder levels"), default=14
    )
    # How far ahead of the day it is made a promise to pay may lie.
    promise_max_days = models.PositiveSmallIntegerField(
        _("longest promise to pay, days"), default=90
    )

    class Meta:
        verbose_name = _("collection settings")
        verbose_name_plural = _("collection settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(escalate_after_days__gte=1)
                & models.Q(reminder_interval_days__gte=1)
                & models.Q(promise_max_days__gte=1),
                name="collection_settings_positive",
            )
        ]

    def __str__(self) -> str:
        return "collection settings"
