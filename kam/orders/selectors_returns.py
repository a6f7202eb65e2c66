"""Reads of returns, refusals and discrepancy acts (OR-4, OR-5): the analysis by reason,
product, client or KAM month by month (SQL aggregates over what the reader may see), the
managed reasons with their preventive actions, and the acts.

Refusals are dated by the order's submission (its creation when it never was submitted):
lines carry no date of their own. Returns are dated by the return's date. Amounts are the
quantity x the line's price, in the base currency (the order's base/document ratio)."""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kam.core.periods import add_months, month_last_day, month_of, month_range
from kam.core.selectors import company_settings
from kam.orders.models import (
    DiscrepancyAct,
    DiscrepancyLine,
    OrderLine,
    PreventiveAction,
    Reason,
    ReturnLine,
    Shipment,
    ShipmentLine,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
GROUP_BY = {
    "reason": _("Reason"),
    "product": _("Product"),
    "client": _("Client"),
    "kam": _("Key account manager"),
}
DEFAULT_GROUP = "reason"
AMOUNT = DecimalField(max_digits=24, decimal_places=6)

# Per group, the lookups (id, then the label's parts) from a refused order line / a return line.
_REFUSAL_KEYS = {
    "reason": ("refusal_reason_id", "refusal_reason__name"),
    "product": ("product_id", "product__name", "product__sku"),
    "client": ("order__account_id", "order__account__legal_name"),
    "kam": (
        "order__account__owner_id",
        "order__account__owner__first_name",
        "order__account__owner__last_name",
        "order__account__owner__username",
    ),
}
_RETURN_KEYS = {
    "reason": ("order_return__reason_id", "order_return__reason__name"),
    "product": ("order_line__product_id", "order_line__product__name", "order_line__product__sku"),
    "client": ("order_line__order__account_id", "order_line__order__account__legal_name"),
    "kam": (
        "order_line__order__account__owner_id",
        "order_line__order__account__owner__first_name",
        "order_line__order__account__owner__last_name",
        "order_line__order__account__owner__username",
    ),
}


def _base_amount(quantity: str, order: str) -> ExpressionWrapper:
    """quantity x price, converted to the base currency by the order's own ratio."""
    ratio = Case(
        When(**{f"{order}total": 0}, then=Value(Decimal("1"))),
        default=F(f"{order}total_base") / F(f"{order}total"),
        output_field=AMOUNT,
    )
    price = order.removesuffix("order__") + "price"
    return ExpressionWrapper(F(quantity) * F(price) * ratio, output_field=AMOUNT)


@dataclass
class AnalysisRow:
    key: int | None
    label: str
    refused_quantity: Decimal = ZERO
    refused_amount: Decimal = ZERO
    returned_quantity: Decimal = ZERO
    returned_amount: Decimal = ZERO
    lines: int = 0

    @property
    def amount(self) -> Decimal:
        return self.refused_amount + self.returned_amount


@dataclass
class MonthPoint:
    month: date
    refused_amount: Decimal = ZERO
    returned_amount: Decimal = ZERO
    refused_quantity: Decimal = ZERO
    returned_quantity: Decimal = ZERO


@dataclass
class Analysis:
    start: date
    end: date
    group_by: str
    currency: str
    rows: list[AnalysisRow] = field(default_factory=list)
    months: list[MonthPoint] = field(default_factory=list)

    @property
    def total(self) -> AnalysisRow:
        t = AnalysisRow(key=None, label=str(_("Total")))
        for r in self.rows:
            t.refused_quantity += r.refused_quantity
            t.refused_amount += r.refused_amount
            t.returned_quantity += r.returned_quantity
            t.returned_amount += r.returned_amount
            t.lines += r.lines
        return t

    def chart(self) -> dict:
        """The monthly series in the shape kam/static/kam/charts.js draws (two bar series)."""
        return {
            "labels": [m.month.strftime("%Y-%m") for m in self.months],
            "revenue": [str(m.refused_amount) for m in self.months],
            "income": [str(m.returned_amount) for m in self.months],
            "names": {"revenue": str(_("Refused")), "income": str(_("Returned"))},
            "currency": self.currency,
        }


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 months up to today's month, whole months."""
    today = today or timezone.localdate()
    return add_months(today, -11), month_last_day(month_of(today))


def _label(key: str, values: dict, lookups: tuple) -> str:
    parts = [values[lookup] for lookup in lookups[1:]]
    if key == "kam":
        first, last, username = parts
        name = f"{first or ''} {last or ''}".strip() or (username or "")
        return name or str(_("No KAM"))
    if key == "product":
        name, sku = parts
        return f"{name} ({sku})" if name else str(_("Unknown"))
    if key == "reason":
        return parts[0] or str(_("No reason given"))
    return parts[0] or str(_("Unknown"))


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(CENT, ROUND_HALF_UP)


def returns_analysis(
    *, user, start: date | None = None, end: date | None = None, group_by: str = DEFAULT_GROUP
) -> Analysis:
    """Refusals and returns the user may see, from ``start`` to ``end`` (whole months), by
    ``group_by`` (reason, product, client, kam) and by month: two aggregate queries."""
    if group_by not in GROUP_BY:
        group_by = DEFAULT_GROUP
    default_start, default_end = default_period()
    start = month_of(start or default_start)
    end = month_last_day(month_of(end or default_end))
    if end < start:
        start, end = month_of(end), month_last_day(month_of(start))
    analysis = Analysis(
        start=start, end=end, group_by=group_by, currency=company_settings().base_currency
    )
    months = {m: MonthPoint(month=m) for m in month_range(start, end)}
    rows: dict = {}

    def add(values, lookups, kind):
        key = values[lookups[0]]
        row = rows.get(key)
        if row is None:
            row = rows[key] = AnalysisRow(key=key, label=_label(group_by, values, lookups))
        qty, amount = Decimal(values["qty"] or 0), _cents(values["amount"])
        month = values["month"]
        month = month.date() if hasattr(month, "date") else month
        point = months.setdefault(month_of(month), MonthPoint(month=month_of(month)))
        if kind == "refusal":
            row.refused_quantity += qty
            row.refused_amount += amount
            point.refused_quantity += qty
            point.refused_amount += amount
        else:
            row.returned_quantity += qty
            row.returned_amount += amount
            point.returned_quantity += qty
            point.returned_amount += amount
        row.lines += values["n"]

    lookups = _REFUSAL_KEYS[group_by]
    refused_day = Coalesce("order__submitted_at", "order__created_at")
    refusals = (
        OrderLine.objects.visible_to(user)
        .filter(refused_quantity__gt=0)
        .annotate(day=TruncDate(refused_day))
        .filter(day__gte=start, day__lte=end)
        .annotate(month=TruncMonth("day", output_field=DateField()))
        .values(*lookups, "month")
        .annotate(
            qty=Sum("refused_quantity"),
            amount=Sum(_base_amount("refused_quantity", "order__")),
            n=Count("pk"),
        )
        .order_by()
    )
    for values in refusals:
        add(values, lookups, "refusal")

    lookups = _RETURN_KEYS[group_by]
    returns = (
        ReturnLine.objects.visible_to(user)
        .filter(order_return__returned_on__gte=start, order_return__returned_on__lte=end)
        .annotate(month=TruncMonth("order_return__returned_on", output_field=DateField()))
        .values(*lookups, "month")
        .annotate(
            qty=Sum("quantity"),
            amount=Sum(_base_amount("quantity", "order_line__order__")),
            n=Count("pk"),
        )
        .order_by()
    )
    for values in returns:
        add(values, lookups, "return")

    analysis.rows = sorted(rows.values(), key=lambda r: (-r.amount, r.label))
    analysis.months = [months[m] for m in sorted(months)]
    return analysis


def analysis_table(analysis: Analysis) -> tuple[list[str], list[list]]:
    """The analysis as a header and rows for the page's export (kam/core/tables.py)."""
    header = [
        str(GROUP_BY[analysis.group_by]),
        str(_("Refused, quantity")),
        str(_("Refused, amount")),
        str(_("Returned, quantity")),
        str(_("Returned, amount")),
        str(_("Total amount")),
        str(_("Lines")),
    ]
    rows = [
        [
            r.label,
            r.refused_quantity,
            r.refused_amount,
            r.returned_quantity,
            r.returned_amount,
            r.amount,
            r.lines,
        ]
        for r in analysis.rows
    ]
    return header, rows


# --- reasons and preventive actions -----------------------------------------------------------


def reason_list(*, kind: str | None = None, active_only: bool = False) -> QuerySet[Reason]:
    """The managed list (no client in it: everyone signed in reads it), each with its
    preventive actions, open ones first."""
    qs = Reason.objects.all()
    if kind in Reason.Kind.values:
        qs = qs.filter(kind=kind)
    if active_only:
        qs = qs.filter(is_active=True)
    actions = PreventiveAction.objects.select_related("owner").order_by(
        F("done_on").asc(nulls_first=True), "due_on", "-created_at"
    )
    return (
        qs.annotate(open_actions=Count("actions", filter=Q(actions__done_on__isnull=True)))
        .prefetch_related(Prefetch("actions", queryset=actions))
        .order_by("kind", "name")
    )


def reason_get(*, pk) -> Reason:
    try:
        return reason_list().get(pk=pk)
    except (Reason.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such reason.")) from None


def preventive_action_get(*, pk) -> PreventiveAction:
    try:
        return PreventiveAction.objects.select_related("reason", "owner").get(pk=pk)
    except (PreventiveAction.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such preventive action.")) from None


def actions_by_reason(rows: list[AnalysisRow]) -> dict[int, list[PreventiveAction]]:
    """The preventive actions against the reasons of an analysis by reason (one query)."""
    ids = [r.key for r in rows if r.key is not None]
    out: dict[int, list[PreventiveAction]] = {i: [] for i in ids}
    for action in PreventiveAction.objects.filter(reason_id__in=ids).select_related("owner"):
        out[action.reason_id].append(action)
    return out


# --- discrepancy acts -------------------------------------------------------------------------

ACT_STATUSES = ("open", "resolved")


def act_list(
    *, user, status: str = "", account_id: int | None = None, shipment_id: int | None = None
) -> QuerySet[DiscrepancyAct]:
    qs = DiscrepancyAct.objects.visible_to(user).select_related(
        "shipment__order__account__owner", "reason", "created_by"
    )
    if status == "open":
        qs = qs.filter(resolution=DiscrepancyAct.Resolution.OPEN)
    elif status == "resolved":
        qs = qs.exclude(resolution=DiscrepancyAct.Resolution.OPEN)
    if account_id is not None:
        qs = qs.filter(shipment__order__account_id=account_id)
    if shipment_id is not None:
        qs = qs.filter(shipment_id=shipment_id)
    return qs.annotate(line_count=Count("lines")).order_by("-found_on", "-pk")


def act_get(*, user, pk) -> DiscrepancyAct:
    """One act the user may see with its lines; 404 alike for missing and not yours."""
    lines = DiscrepancyLine.objects.select_related("order_line__product").order_by(
        "order_line__line_number", "pk"
    )
    try:
        return (
            DiscrepancyAct.objects.visible_to(user)
            .select_related("shipment__order__account__owner", "reason", "created_by")
            .prefetch_related(Prefetch("lines", queryset=lines))
            .get(pk=pk)
        )
    except (DiscrepancyAct.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such act.")) from None


@dataclass
class ActLineRow:
    line_number: int
    product: str
    sku: str
    expected: Decimal
    found: Decimal
    difference: Decimal
    price: Decimal


def act_lines(act: DiscrepancyAct) -> list[ActLineRow]:
    """The act's lines with the difference found (found - per document; for damage, the
    damaged units as a negative difference)."""
    out = []
    for line in act.lines.all():
        ol = line.order_line
        if act.kind == DiscrepancyAct.Kind.DAMAGE:
            diff = -line.quantity_found
        else:
            diff = line.quantity_found - line.quantity_expected
        out.append(
            ActLineRow(
                line_number=ol.line_number,
                product=ol.product.name,
                sku=ol.product.sku,
                expected=line.quantity_expected,
                found=line.quantity_found,
                difference=diff,
                price=ol.price,
            )
        )
    return out


def shipment_get(*, user, pk) -> Shipment:
    """A shipment the user may see (an act is recorded against it); 404 alike otherwise."""
    try:
        return Shipment.objects.visible_to(user).select_related("order__account__owner").get(pk=pk)
    except (Shipment.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such shipment.")) from None


def shipment_lines(shipment: Shipment) -> list[ShipmentLine]:
    return list(
        ShipmentLine.objects.filter(shipment=shipment)
        .select_related("order_line__product")
        .order_by("line_number")
    )


def acts_table(acts) -> tuple[list[str], list[list]]:
    header = [
        str(_("Number")),
        str(_("Found on")),
        str(_("Kind")),
        str(_("Client")),
        str(_("Shipment")),
        str(_("Lines")),
        str(_("Resolution")),
        str(_("Resolved on")),
    ]
    rows = [
        [
            a.number,
            a.found_on,
            a.get_kind_display(),
            a.shipment.order.account.legal_name,
            a.shipment.number,
            a.line_count,
            a.get_resolution_display(),
            a.resolved_on,
        ]
        for a in acts
    ]
    return header, rows


def line_difference(kind: str, expected: Decimal, found: Decimal) -> Decimal:
    """The units an act is about: missing (shortage), extra (surplus), damaged (damage)."""
    if kind == DiscrepancyAct.Kind.DAMAGE:
        return found
    return abs(expected - found)


def act_credit_amounts(act: DiscrepancyAct) -> tuple[Decimal, Decimal]:
    """What a credit note for ``act`` comes to: (in the order's currency, in the base currency),
    the short or damaged quantity x the line's price, each rounded to the cent."""
    order = act.shipment.order
    document = Decimal("0")
    for line in act.lines.select_related("order_line"):
        units = line_difference(act.kind, line.quantity_expected, line.quantity_found)
        document += units * line.order_line.price
    document = document.quantize(CENT, ROUND_HALF_UP)
    if order.total and order.total != order.total_base:
        base = (document * order.total_base / order.total).quantize(CENT, ROUND_HALF_UP)
    else:
        base = document
    return document, base


# --- the act as a document --------------------------------------------------------------------

ACT_TEMPLATE = "orders/returns/act_pdf.html"


def act_language(requested: str | None) -> str:
    """The act's language: one of the site's languages if asked for, else the company's."""
    from django.conf import settings

    codes = [code for code, _name in settings.LANGUAGES]
    return requested if requested in codes else settings.LANGUAGE_CODE


def act_document(*, act: DiscrepancyAct, language: str | None = None) -> bytes:
    """The act as a PDF to sign, in ``language`` (the company's by default)."""
    from kam.core.documents import pdf_from_template

    context = {
        "act": act,
        "lines": act_lines(act),
        "company": company_settings(),
        "shipment": act.shipment,
        "account": act.shipment.order.account,
    }
    return pdf_from_template(ACT_TEMPLATE, context, language=act_language(language))
