"""Reads of credit: the company's rules, a client's position (limit, exposure, debt quality),
the credit report behind the client's credit page, the CLI and the API, and the credit
controller's watch list (CR-1..3, AR-3)."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.contracts.models import Contract
from kam.contracts.selectors import IN_FORCE, contract_active
from kam.core.money import db_sum
from kam.core.periods import add_months, month_of
from kam.core.selectors import company_settings, single_row
from kam.credit.models import (
    CreditAccount,
    CreditCheck,
    CreditOverride,
    CreditReservation,
    CreditSettings,
)
from kam.credit.rules import Block, Position, Thresholds, blocks
from kam.org.policy import Action, can
from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.selectors import debt_position

ZERO = Decimal("0")
# An order of one cent: a client is "blocked for new orders" when even that would not pass.
ONE_CENT = Decimal("0.01")
CENT = ONE_CENT
# The controller's page lists checks whose next review falls within this many days.
CHECK_EXPIRY_WARNING_DAYS = 30
# Payment terms when neither a controller nor a contract set them.
DEFAULT_PAYMENT_DAYS = 30
HISTORY_MONTHS = 12
MONEY = DecimalField(max_digits=18, decimal_places=2)


def credit_settings() -> CreditSettings:
    return single_row(CreditSettings)


def thresholds() -> Thresholds:
    s = credit_settings()
    return Thresholds(s.overdue_amount_threshold, s.overdue_days_threshold, s.check_required)


def _controller_terms(account_id: int) -> tuple[Decimal, int] | None:
    row = (
        CreditAccount.objects.filter(account_id=account_id, source=CreditAccount.Source.CONTROLLER)
        .values_list("limit", "payment_days")
        .first()
    )
    return row


def credit_limit(*, account_id: int, on: date) -> Decimal:
    """The client's credit limit on ``on``: the credit controller's, when one set it; otherwise
    the active contract's; no contract and no controller's limit: 0 (CR-2)."""
    own = _controller_terms(account_id)
    if own is not None:
        return own[0]
    contract = contract_active(account_id=account_id, on=on)
    return contract.credit_limit if contract else ZERO


def payment_terms(*, account_id: int, on: date) -> int:
    """The client's payment terms in days: the controller's, else the active contract's
    deferral, else ``DEFAULT_PAYMENT_DAYS`` (CR-2)."""
    own = _controller_terms(account_id)
    if own is not None:
        return own[1]
    contract = contract_active(account_id=account_id, on=on)
    return contract.payment_days if contract else DEFAULT_PAYMENT_DAYS


def last_check(*, account_id: int, as_of: date) -> CreditCheck | None:
    """The latest check made on or before ``as_of``."""
    return (
        CreditCheck.objects.filter(account_id=account_id, checked_on__lte=as_of)
        .select_related("checked_by")
        .order_by("-checked_on", "-pk")
        .first()
    )


def _contract_limit(on: date):
    """The limit of the contract in force on ``on`` for the outer query's client, as
    ``contract_active`` picks it (concluded, between its dates, the latest version)."""
    return (
        Contract.objects.filter(account=OuterRef("pk"), status__in=IN_FORCE, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .order_by("-starts_on", "-version")
        .values("credit_limit")[:1]
    )


def _gate_sql() -> str:
    q = connection.ops.quote_name
    ca, ct = CreditAccount._meta.db_table, Contract._meta.db_table
    res, item = CreditReservation._meta.db_table, SettlementItem._meta.db_table
    chk, rules = CreditCheck._meta.db_table, CreditSettings._meta.db_table
    overdue = (
        f"FROM {item} WHERE account_id = %(a)s AND document_date <= %(d)s AND kind = %(inv)s"
        " AND due_date < %(d)s AND open_amount > 0"
    )
    last_check = (
        f"FROM {chk} WHERE account_id = %(a)s AND checked_on <= %(d)s"
        " ORDER BY checked_on DESC, id DESC LIMIT 1"
    )
    return (
        "SELECT"
        f" (SELECT {q('limit')} FROM {ca} WHERE account_id = %(a)s AND source = %(ctl)s),"
        f" (SELECT credit_limit FROM {ct} WHERE account_id = %(a)s"
        "   AND status IN (%(s1)s, %(s2)s) AND starts_on <= %(d)s"
        "   AND (ends_on IS NULL OR ends_on >= %(d)s)"
        "   ORDER BY starts_on DESC, version DESC LIMIT 1),"
        f" (SELECT SUM(amount) FROM {res} WHERE account_id = %(a)s AND released_at IS NULL"
        "   AND ref <> %(ref)s),"
        f" (SELECT SUM(open_amount) FROM {item} WHERE account_id = %(a)s"
        "   AND document_date <= %(d)s),"
        f" (SELECT SUM(open_amount) {overdue}),"
        f" (SELECT MIN(due_date) {overdue}),"
        f" (SELECT next_review_on {last_check}),"
        f" (SELECT result {last_check}),"
        f" (SELECT overdue_amount_threshold FROM {rules} ORDER BY id LIMIT 1),"
        f" (SELECT overdue_days_threshold FROM {rules} ORDER BY id LIMIT 1),"
        f" (SELECT check_required FROM {rules} ORDER BY id LIMIT 1)"
    )


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def position_with_rules(
    *, account_id: int, as_of: date, leave_out: str = ""
) -> tuple[Position, Thresholds]:
    """``credit_position`` and ``thresholds`` in one statement: what the gate reads under its
    lock. Plain SQL on purpose: building the same eleven subqueries with the ORM cost more
    Python time per order than the database took (issue 9 §13, benchmarks/credit_gate.py).
    The debt figures are those of ``kam.receivables.selectors.debt_position`` and the limit
    that of ``credit_limit`` (tests hold them equal).

    Under the lock this must be a statement of its own, after the one that took the lock:
    PostgreSQL's READ COMMITTED gives each statement a snapshot taken when it starts, so a
    read in the locking statement itself would miss what the previous lock holder wrote."""
    params = {
        "a": account_id,
        "d": as_of,
        "ref": leave_out,
        "ctl": CreditAccount.Source.CONTROLLER.value,
        "s1": IN_FORCE[0].value,
        "s2": IN_FORCE[1].value,
        "inv": SettlementItem.Kind.INVOICE.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_gate_sql(), params)
        (
            own,
            contract,
            reserved,
            balance,
            overdue,
            oldest,
            until,
            result,
            r_amount,
            r_days,
            r_check,
        ) = cursor.fetchone()
    limit = own if own is not None else contract
    oldest = _day(oldest)
    position = Position(
        limit=db_sum(limit),
        receivables=max(db_sum(balance), ZERO),
        reserved=db_sum(reserved),
        overdue=db_sum(overdue),
        days_overdue=(as_of - oldest).days if oldest else 0,
        check_valid_until=_day(until),
        check_rejected=result == CreditCheck.Result.REJECTED,
    )
    defaults = CreditSettings()
    rules = Thresholds(
        db_sum(r_amount) if r_amount is not None else Decimal(defaults.overdue_amount_threshold),
        r_days if r_days is not None else defaults.overdue_days_threshold,
        bool(r_check) if r_check is not None else defaults.check_required,
    )
    return position, rules


def credit_position(*, account_id: int, as_of: date, leave_out: str = "") -> Position:
    """The client's limit, exposure and debt quality on ``as_of``; ``leave_out`` a reservation
    (the order being checked) from the open orders. One query."""
    return position_with_rules(account_id=account_id, as_of=as_of, leave_out=leave_out)[0]


# --- the words of the gate ----------------------------------------------------------------------


def money_text(amount: Decimal) -> str:
    """An amount in the base currency for a sentence: two places, grouped per the language."""
    number = number_format(Decimal(amount).quantize(Decimal("0.01")), 2, force_grouping=True)
    return f"{number} {company_settings().base_currency}"


def block_text(block: Block) -> str:
    """The reason in words (the active language)."""
    v = block.values
    if block.code == "over_limit":
        return _(
            "The order (%(amount)s) is more than the available credit (%(available)s of a "
            "limit of %(limit)s)."
        ) % {k: money_text(v[k]) for k in ("amount", "available", "limit")}
    if block.code == "overdue":
        return _("The client has %(overdue)s overdue, %(days)d days past due.") % {
            "overdue": money_text(v["overdue"]),
            "days": v["days"],
        }
    if block.code == "check_missing":
        return _("The client has no credit check.")
    if block.code == "check_rejected":
        return _("The client's last credit check was rejected.")
    if block.code == "check_expired":
        return _("The client's credit check expired on %(since)s.") % {
            "since": v["since"].isoformat()
        }
    return block.code


def new_order_block_text(block: Block) -> str:
    """Why a client may take no new order at all, in words: as ``block_text``, but the limit
    reason speaks of the client, not of one order."""
    if block.code == "over_limit":
        return _("The credit limit is used up (%(available)s available of %(limit)s).") % {
            k: money_text(block.values[k]) for k in ("available", "limit")
        }
    return block_text(block)


# --- one client's report -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonthHistory:
    month: date  # the first day of the month
    invoiced: Decimal  # invoices dated in the month
    paid: Decimal  # allocated to the client's invoices in the month
    paid_late: Decimal  # of which after the invoice's due date


@dataclass(frozen=True)
class CreditReport:
    account_id: int
    account_name: str
    registration_number: str
    as_of: date
    currency: str
    limit: Decimal
    limit_source: str  # "controller" | "contract" | "none"
    payment_days: int
    exposure: Decimal
    receivables: Decimal  # open receivables (never below 0: a credit balance holds no credit)
    open_orders: int  # open reservations
    open_orders_amount: Decimal
    available: Decimal
    overdue: Decimal
    days_overdue: int
    open_invoices: Decimal
    overdue_share_pct: Decimal  # share of the open invoices that is overdue
    utilisation_pct: Decimal | None  # exposure / limit (None: no limit)
    history: list[MonthHistory]
    last_check: CreditCheck | None
    check_valid: bool
    blocked: bool
    block_codes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def cents(amount: Decimal) -> Decimal:
    """Money as two places, whatever scale the database's sum came back in (SQLite drops it)."""
    return Decimal(amount).quantize(CENT)


def _percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if whole <= 0:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"))


def payment_history(*, account_id: int, as_of: date, months: int = HISTORY_MONTHS):
    """Per month of the ``months`` ending with ``as_of``'s month: invoiced, paid, paid late
    (an allocation to an invoice after its due date). Two queries."""
    last = month_of(as_of)
    first = add_months(last, -(months - 1))
    firsts = [add_months(first, i) for i in range(months)]
    invoiced = dict.fromkeys(firsts, ZERO)
    paid = dict.fromkeys(firsts, ZERO)
    late = dict.fromkeys(firsts, ZERO)
    for day, amount in SettlementItem.objects.filter(
        account_id=account_id,
        kind=SettlementItem.Kind.INVOICE,
        document_date__gte=first,
        document_date__lte=as_of,
    ).values_list("document_date", "amount"):
        invoiced[month_of(day)] += amount
    for day, due, amount in Allocation.objects.filter(
        debit__account_id=account_id, allocated_on__gte=first, allocated_on__lte=as_of
    ).values_list("allocated_on", "debit__due_date", "amount"):
        paid[month_of(day)] += amount
        if due is not None and day > due:
            late[month_of(day)] += amount
    return [MonthHistory(m, cents(invoiced[m]), cents(paid[m]), cents(late[m])) for m in firsts]


def _limit_source(account_id: int, on: date) -> str:
    if _controller_terms(account_id) is not None:
        return CreditAccount.Source.CONTROLLER.value
    return (
        CreditAccount.Source.CONTRACT.value
        if contract_active(account_id=account_id, on=on)
        else "none"
    )


def credit_account_get(*, user, pk) -> Account:
    """A client the user may see (for its credit pages); 404 alike for missing and not yours."""
    try:
        return Account.objects.visible_to(user).get(pk=pk)
    except (Account.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such client.")) from None


def credit_report(*, user, account: Account, as_of: date) -> CreditReport:
    """The client's credit on ``as_of`` as the credit page, ``kam credit`` and the API show it
    (CR-1..3). 404 for a client out of the user's sight."""
    if not can(user, Action.CLIENT_VIEW, account):
        raise Http404(_("No such client."))
    position = credit_position(account_id=account.pk, as_of=as_of)
    debt = debt_position(account_id=account.pk, as_of=as_of)
    reservations = CreditReservation.objects.filter(
        account_id=account.pk, released_at__isnull=True
    ).aggregate(n=Sum(Value(1)), s=Sum("amount"))
    check = last_check(account_id=account.pk, as_of=as_of)
    found = blocks(position, ONE_CENT, thresholds(), as_of)
    share = _percent(debt.overdue, debt.open_invoices) or Decimal("0.0")
    return CreditReport(
        account_id=account.pk,
        account_name=account.legal_name,
        registration_number=account.registration_number,
        as_of=as_of,
        currency=company_settings().base_currency,
        limit=cents(position.limit),
        limit_source=_limit_source(account.pk, as_of),
        payment_days=payment_terms(account_id=account.pk, on=as_of),
        exposure=cents(position.exposure),
        receivables=cents(position.receivables),
        open_orders=reservations["n"] or 0,
        open_orders_amount=cents(reservations["s"] or ZERO),
        available=cents(position.available),
        overdue=cents(position.overdue),
        days_overdue=position.days_overdue,
        open_invoices=cents(debt.open_invoices),
        overdue_share_pct=share,
        utilisation_pct=_percent(position.exposure, position.limit),
        history=payment_history(account_id=account.pk, as_of=as_of),
        last_check=check,
        check_valid=bool(check and check.valid_on(as_of)),
        blocked=bool(found),
        block_codes=[b.code for b in found],
        reasons=[new_order_block_text(b) for b in found],
    )


def credit_check_list(*, user, account: Account) -> QuerySet[CreditCheck]:
    """The client's checks, newest first (CR-1)."""
    return (
        CreditCheck.objects.visible_to(user)
        .filter(account=account)
        .select_related("checked_by")
        .order_by("-checked_on", "-pk")
    )


def credit_override_list(*, user, account: Account | None = None) -> QuerySet[CreditOverride]:
    """Orders released past the gate, newest first (CR-3), scoped."""
    qs = CreditOverride.objects.visible_to(user).select_related("account", "by")
    if account is not None:
        qs = qs.filter(account=account)
    return qs.order_by("-at", "-pk")


# --- the credit controller's watch list ----------------------------------------------------------


@dataclass(frozen=True)
class WatchRow:
    account_id: int
    account_name: str
    registration_number: str
    owner_name: str
    limit: Decimal
    receivables: Decimal
    reserved: Decimal
    exposure: Decimal
    available: Decimal
    utilisation_pct: Decimal | None
    overdue: Decimal
    days_overdue: int
    check_until: date | None
    check_result: str
    flags: list[str]  # over_limit, near_limit, overdue, check_expired, check_expiring, ...


FLAG_LABELS = {
    "over_limit": "Over the limit",
    "near_limit": "Near the limit",
    "overdue": "Overdue debt",
    "check_rejected": "Check rejected",
    "check_expired": "Check expired",
    "check_expiring": "Check expires soon",
    "check_missing": "No check",
}


def flag_label(flag: str) -> str:
    return _(FLAG_LABELS.get(flag, flag))


def credit_annotated(*, user, as_of: date) -> QuerySet[Account]:
    """The clients the user may see, each with its limit, receivables, reservations, overdue
    debt and last check as of ``as_of``, computed in SQL (one query whatever the count)."""
    controller = CreditAccount.objects.filter(
        account=OuterRef("pk"), source=CreditAccount.Source.CONTROLLER
    ).values("limit")[:1]
    contract = _contract_limit(as_of)
    items = SettlementItem.objects.filter(account=OuterRef("pk"), document_date__lte=as_of)
    balance = items.values("account").annotate(s=Sum("open_amount")).values("s")
    overdue_items = items.filter(
        kind=SettlementItem.Kind.INVOICE, due_date__lt=as_of, open_amount__gt=0
    )
    overdue = overdue_items.values("account").annotate(s=Sum("open_amount")).values("s")
    oldest_due = overdue_items.order_by("due_date").values("due_date")[:1]
    reserved = (
        CreditReservation.objects.filter(account=OuterRef("pk"), released_at__isnull=True)
        .values("account")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    check = CreditCheck.objects.filter(account=OuterRef("pk"), checked_on__lte=as_of).order_by(
        "-checked_on", "-pk"
    )
    zero = Value(ZERO, output_field=MONEY)
    return (
        Account.objects.visible_to(user)
        .filter(archived_at__isnull=True)
        .annotate(
            credit_limit=Coalesce(
                Subquery(controller, output_field=MONEY),
                Subquery(contract, output_field=MONEY),
                zero,
            ),
            receivables=Greatest(Coalesce(Subquery(balance, output_field=MONEY), zero), zero),
            reserved=Coalesce(Subquery(reserved, output_field=MONEY), zero),
            overdue=Coalesce(Subquery(overdue, output_field=MONEY), zero),
            oldest_due=Subquery(oldest_due, output_field=DateField()),
            check_until=Subquery(check.values("next_review_on")[:1], output_field=DateField()),
            check_result=Subquery(check.values("result")[:1]),
        )
        .annotate(exposure=ExpressionWrapper(F("receivables") + F("reserved"), output_field=MONEY))
    )


def credit_watchlist(*, user, as_of: date) -> QuerySet[Account]:
    """The clients the credit controller should look at on ``as_of``: near
    (>= ``near_limit_percent``) or over their limit, with overdue debt past both thresholds,
    or whose last check expired, was rejected or expires within 30 days (or, when a check is
    required, who trade on credit without one). Scoped; filtered and ordered in SQL, the worst
    first (most over the limit)."""
    s = credit_settings()
    soon = as_of + timedelta(days=CHECK_EXPIRY_WARNING_DAYS)
    qs = credit_annotated(user=user, as_of=as_of)
    trades = Q(credit_limit__gt=0) | Q(exposure__gt=0)
    near = Q(exposure__gt=0) & Q(exposure__gte=F("credit_limit") * s.near_limit_percent / 100)
    overdue = Q(overdue__gt=s.overdue_amount_threshold) & Q(
        oldest_due__lt=as_of - timedelta(days=s.overdue_days_threshold)
    )
    checks = trades & (Q(check_until__lte=soon) | Q(check_result=CreditCheck.Result.REJECTED))
    if s.check_required:
        checks |= trades & Q(check_until__isnull=True)
    return (
        qs.filter(near | overdue | checks)
        .select_related("owner")
        .annotate(over_by=ExpressionWrapper(F("exposure") - F("credit_limit"), output_field=MONEY))
        .order_by("-over_by", "-overdue", "legal_name", "pk")
    )


def watch_row(account: Account, *, as_of: date, settings: CreditSettings) -> WatchRow:
    """One annotated client (``credit_annotated``) as a row of the watch list, with its flags."""
    limit, exposure = account.credit_limit, account.exposure
    days = (as_of - account.oldest_due).days if account.oldest_due else 0
    flags = []
    if exposure > limit:
        flags.append("over_limit")
    elif exposure > 0 and exposure * 100 >= limit * settings.near_limit_percent:
        flags.append("near_limit")
    if (
        account.overdue > settings.overdue_amount_threshold
        and days > settings.overdue_days_threshold
    ):
        flags.append("overdue")
    if account.check_until is None:
        if settings.check_required:
            flags.append("check_missing")
    elif account.check_result == CreditCheck.Result.REJECTED:
        flags.append("check_rejected")
    elif account.check_until < as_of:
        flags.append("check_expired")
    elif account.check_until <= as_of + timedelta(days=CHECK_EXPIRY_WARNING_DAYS):
        flags.append("check_expiring")
    owner = account.owner
    return WatchRow(
        account_id=account.pk,
        account_name=account.legal_name,
        registration_number=account.registration_number,
        owner_name=str(owner) if owner else "",
        limit=cents(limit),
        receivables=cents(account.receivables),
        reserved=cents(account.reserved),
        exposure=cents(exposure),
        available=cents(limit - exposure),
        utilisation_pct=_percent(exposure, limit),
        overdue=cents(account.overdue),
        days_overdue=days,
        check_until=account.check_until,
        check_result=account.check_result or "",
        flags=flags,
    )


def watch_rows(accounts, *, as_of: date, settings: CreditSettings | None = None) -> list[WatchRow]:
    s = settings or credit_settings()
    return [watch_row(a, as_of=as_of, settings=s) for a in accounts]


def exposure_chart(*, user, as_of: date, top: int = 10) -> dict:
    """Exposure against limit for the ``top`` clients by exposure (the controller's chart)."""
    rows = list(
        credit_annotated(user=user, as_of=as_of)
        .filter(exposure__gt=0)
        .order_by("-exposure", "pk")
        .values("legal_name", "credit_limit", "exposure")[:top]
    )
    return {
        "labels": [r["legal_name"][:30] for r in rows],
        "limit": [str(cents(r["credit_limit"])) for r in rows],
        "exposure": [str(cents(r["exposure"])) for r in rows],
        "names": {"limit": _("Credit limit"), "exposure": _("Exposure")},
    }


# --- the client card's panel ---------------------------------------------------------------------


def client_panel(*, user, account: Account, as_of: date | None = None) -> dict:
    """The context of ``credit/_client_panel.html`` on the client card: the report in brief
    and what the user may do there."""
    as_of = as_of or timezone.localdate()
    report = credit_report(user=user, account=account, as_of=as_of)
    return {
        "credit": report,
        "credit_can_check": can(user, Action.CREDIT_CHECK_RECORD, account),
        "credit_can_limit": can(user, Action.CREDIT_LIMIT_SET, account),
    }
