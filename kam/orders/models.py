"""Orders from key clients to cash (OR-1, OR-3..5): the order and its lines, the discount
approvals it waits for, its timeline, shipments and deliveries, refusals and returns with
reasons from a managed list, discrepancy acts, and the preventive actions against a reason.

A shipment posts into the sales ledger (``kam.sales``) and the client's settlements
(``kam.receivables``) in the same transaction, under the shipment's document number; a return
posts the negative lines the same way. The credit gate (``kam.credit``) is asked at
submission, shipment and invoice."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.contracts.models import Contract
from kam.core.bounds import no_control_characters
from kam.core.models import CurrencyField, MoneyField, TimeStampedModel
from kam.org.selectors import ClientScopedQuerySet
from kam.pricing.models import PriceColumn

QUANTITY = {"max_digits": 14, "decimal_places": 3}


class Reason(TimeStampedModel):
    """A reason from the managed list: why an order (line) was refused, why goods came back,
    what a discrepancy was (OR-4)."""

    class Kind(models.TextChoices):
        REFUSAL = "refusal", _("Refusal")
        RETURN = "return", _("Return")
        DISCREPANCY = "discrepancy", _("Discrepancy")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200, validators=[no_control_characters])
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("reason")
        verbose_name_plural = _("reasons")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="reason_unique")]

    def __str__(self) -> str:
        return self.name


class PreventiveAction(TimeStampedModel):
    """What the company does so that a reason happens less often (OR-4)."""

    reason = models.ForeignKey(
        Reason, verbose_name=_("reason"), on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(_("action"), max_length=500, validators=[no_control_characters])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("preventive action")
        verbose_name_plural = _("preventive actions")
        ordering = ["reason", "-created_at"]

    def __str__(self) -> str:
        return self.text


class Order(TimeStampedModel):
    """A client's order (OR-1). ``version`` counts every change: a write names the version it
    read, and a stale one is refused, so two people cannot silently overwrite each other."""

    ACCOUNT_PATH = "account__"

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting discount approval")
        BLOCKED = "blocked", _("Blocked by credit control")
        SUBMITTED = "submitted", _("Submitted")
        ENTERED = "entered", _("Entered in the ERP")
        CONFIRMED = "confirmed", _("Confirmed")
        PARTLY_SHIPPED = "partly_shipped", _("Partly shipped")
        SHIPPED = "shipped", _("Shipped")
        DELIVERED = "delivered", _("Delivered")
        REFUSED = "refused", _("Refused")
        CANCELLED = "cancelled", _("Cancelled")

    account = models.ForeignKey(
        Account, verbose_name=_("client"), on_delete=models.PROTECT, related_name="orders"
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="orders"
    )
    price_column = models.ForeignKey(
        PriceColumn, verbose_name=_("price column"), on_delete=models.PROTECT, related_name="+"
    )
    currency = CurrencyField()
    requested_on = models.DateField(_("requested delivery date"), null=True, blank=True)
    erp_number = models.CharField(
        _("ERP number"), max_length=64, blank=True, validators=[no_control_characters]
    )
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])
    # Sum of the lines' amounts in the order's currency, and in the base currency.
    total = MoneyField(_("total"))
    total_base = MoneyField(_("total in base currency"))
    version = models.PositiveIntegerField(_("version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Why the order waits (blocked or awaiting approval), in words, and for whom.
    waiting_reason = models.CharField(_("waits because"), max_length=500, blank=True)
    # Who made the last change (the version check names them to whoever read an older one).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The credit gate refused at this stage (submit, ship, invoice); blank: not blocked.
    blocked_stage = models.CharField(_("blocked at"), max_length=8, blank=True)
    # A credit controller's release of a block at shipment or invoice, used by the next one.
    released_stage = models.CharField(_("released for"), max_length=8, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    release_comment = models.CharField(_("release comment"), max_length=500, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["account", "status"], name="order_account_status_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def credit_ref(self) -> str:
        return f"order:{self.pk}"


class OrderLine(models.Model):
    ACCOUNT_PATH = "order__account__"

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    line_number = models.PositiveIntegerField(_("line"))
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    list_price = MoneyField(_("column price"), decimal_places=4)
    discount_percent = models.DecimalField(
        _("discount, %"), max_digits=5, decimal_places=2, default=0
    )
    price = MoneyField(_("price"), decimal_places=4)
    amount = MoneyField(_("amount"))
    requested_on = models.DateField(_("requested date"), null=True, blank=True)
    shipped_quantity = models.DecimalField(_("shipped"), default=0, **QUANTITY)
    refused_quantity = models.DecimalField(_("refused"), default=0, **QUANTITY)
    returned_quantity = models.DecimalField(_("returned"), default=0, **QUANTITY)
    refusal_reason = models.ForeignKey(
        Reason,
        verbose_name=_("refusal reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "line_number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_number"], name="order_line_unique"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_qty"),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0) & models.Q(discount_percent__lte=100),
                name="order_line_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_number}"


class DiscountApproval(TimeStampedModel):
    """A discount beyond the rule for the column and the KAM's role waits for the head (OR-3)."""

    ACCOUNT_PATH = "order__account__"

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="approvals"
    )
    line = models.ForeignKey(
        OrderLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="approvals"
    )
    requested_percent = models.DecimalField(_("discount asked, %"), max_digits=5, decimal_places=2)
    allowed_percent = models.DecimalField(
        _("allowed by the rule, %"), max_digits=5, decimal_places=2
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.CharField(
        _("comment"), max_length=500, blank=True, validators=[no_control_characters]
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("discount approval")
        verbose_name_plural = _("discount approvals")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.line_id} {self.requested_percent}% ({self.status})"


class OrderEvent(models.Model):
    """One entry of an order's timeline: every status change, approval, override, shipment."""

    ACCOUNT_PATH = "order__account__"

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("event"), max_length=32)
    status = models.CharField(_("status after"), max_length=20, choices=Order.Status.choices)
    # English text with %(name)s places, translated when shown (as core.Notification).
    text = models.CharField(_("text"), max_length=500, blank=True)
    params = models.JSONField(_("values"), default=dict, blank=True)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


class Shipment(TimeStampedModel):
    """Goods that left for the client: the document number the ledger and the invoice carry."""

    ACCOUNT_PATH = "order__account__"

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    number = models.CharField(_("document"), max_length=64, unique=True)
    shipped_on = models.DateField(_("shipped on"))
    # The date we promised (the order's requested date) against the date we shipped (CT-3).
    promised_on = models.DateField(_("promised on"), null=True, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice"), max_length=64, blank=True)
    invoiced_on = models.DateField(_("invoiced on"), null=True, blank=True)
    # The shipped lines' amount in the order's currency and in the base currency.
    amount = MoneyField(_("amount"))
    amount_base = MoneyField(_("amount in base currency"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shipped by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["order", "shipped_on", "pk"]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    ACCOUNT_PATH = "shipment__order__account__"

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    line_number = models.PositiveIntegerField(_("line"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    amount = MoneyField(_("amount"))

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "line_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "line_number"], name="shipment_line_unique"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="shipment_line_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id}/{self.line_number}"


class OrderReturn(TimeStampedModel):
    """Goods the client sent back, against a shipment, with a reason (OR-4)."""

    ACCOUNT_PATH = "shipment__order__account__"

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="returns"
    )
    number = models.CharField(_("document"), max_length=64, unique=True)
    returned_on = models.DateField(_("returned on"))
    reason = models.ForeignKey(
        Reason, verbose_name=_("reason"), on_delete=models.PROTECT, related_name="returns"
    )
    note = models.CharField(
        _("note"), max_length=500, blank=True, validators=[no_control_characters]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        ordering = ["-returned_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class ReturnLine(models.Model):
    ACCOUNT_PATH = "order_return__shipment__order__account__"

    order_return = models.ForeignKey(
        OrderReturn, verbose_name=_("return"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    line_number = models.PositiveIntegerField(_("line"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    amount = MoneyField(_("amount"))

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("return line")
        verbose_name_plural = _("return lines")
        constraints = [
            models.UniqueConstraint(
                fields=["order_return", "line_number"], name="return_line_unique"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="return_line_qty"),
        ]

    def __str__(self) -> str:
        return f"{self.order_return_id}/{self.line_number}"


class DiscrepancyAct(TimeStampedModel):
    """An act on shortage, surplus or damage found in a shipment (OR-5), signed on paper from
    its PDF, and how it was resolved."""

    ACCOUNT_PATH = "shipment__order__account__"

    class Kind(models.TextChoices):
        SHORTAGE = "shortage", _("Shortage")
        SURPLUS = "surplus", _("Surplus")
        DAMAGE = "damage", _("Damage")

    class Resolution(models.TextChoices):
        OPEN = "open", _("Open")
        CREDIT_NOTE = "credit_note", _("Credit note")
        REDELIVERY = "redelivery", _("Redelivery")
        WRITE_OFF = "write_off", _("Write-off")

    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.PROTECT, related_name="acts"
    )
    number = models.CharField(_("number"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    found_on = models.DateField(_("found on"))
    reason = models.ForeignKey(
        Reason,
        verbose_name=_("reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="acts",
    )
    resolution = models.CharField(
        _("resolution"), max_length=16, choices=Resolution.choices, default=Resolution.OPEN
    )
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[no_control_characters])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("discrepancy act")
        verbose_name_plural = _("discrepancy acts")
        ordering = ["-found_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class DiscrepancyLine(models.Model):
    ACCOUNT_PATH = "act__shipment__order__account__"

    act = models.ForeignKey(
        DiscrepancyAct, verbose_name=_("act"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="+"
    )
    quantity_expected = models.DecimalField(_("quantity per document"), **QUANTITY)
    quantity_found = models.DecimalField(_("quantity found"), **QUANTITY)

    objects = ClientScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("discrepancy line")
        verbose_name_plural = _("discrepancy lines")

    def __str__(self) -> str:
        return f"{self.act_id} {self.order_line_id}"


class IdempotencyKey(models.Model):
    """The first answer to an API request sent with an ``Idempotency-Key`` header (issue 9 §10):
    a retry with the same key and body gets it again; the same key with another body is
    refused."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"


class OrderNoticePreference(models.Model):
    """Whether a KAM also wants an e-mail for every change of their orders (OR-1); without a
    row: notifications on the home page only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="order_notice",
    )
    email = models.BooleanField(_("e-mail me order changes"), default=False)

    class Meta:
        verbose_name = _("order notice preference")
        verbose_name_plural = _("order notice preferences")

    def __str__(self) -> str:
        return f"{self.user_id} email={self.email}"
