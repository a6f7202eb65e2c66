"""Reads of settlements and receivables, scoped by what the user may see (SE-1).

Open items *as of a day* D: the items dated up to D, each open by its amount less the
allocations made up to D (``Allocation.allocated_on``). The stored ``open_amount`` is the open
amount today, so as of D an item is ``open_amount`` plus what allocations after D took from it:
for D = today (the usual question) nothing is added and only the open items are read (the
partial index ``settlement_open_due_idx``). The ageing is one aggregate statement per level
over those items (``_ageing_rows``), never a loop over items in Python."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.clients.selectors import account_get
from kam.core.money import db_sum
from kam.core.selectors import company_settings
from kam.org.models import Department, Role, User
from kam.org.policy import Action, can
from kam.org.selectors import acting_for, visible_people
from kam.receivables import ageing as ageing_rules
from kam.receivables import statement as statement_rules
from kam.receivables.ageing import BUCKETS, Ageing
from kam.receivables.models import Allocation, SettlementItem

ZERO = Decimal("0")
CENT = Decimal("0.01")
LEVELS = ("company", "department", "manager")
Kind = SettlementItem.Kind


# --- the credit gate's read (AR-3) -----------------------------------------------------------


@dataclass(frozen=True)
class DebtPosition:
    """A client's debt as of a day (base currency): what the credit gate reads (AR-3, CR-2)."""

    balance: Decimal  # sum of every open item: invoices owed minus unallocated credits
    open_invoices: Decimal  # the invoices' open amounts alone
    overdue: Decimal  # open invoice amounts past their due date
    days_overdue: int  # the oldest overdue invoice's days past due (0: none overdue)


def debt_position(*, account_id: int, as_of: date) -> DebtPosition:
    """The client's open items as of ``as_of`` (items dated up to that day, allocations made
    up to that day). One query."""
    a = _client_ageing(account_id=account_id, as_of=as_of)
    overdue_since = a.oldest_due if a.overdue > 0 else None
    return DebtPosition(
        balance=a.balance,
        open_invoices=a.total,
        overdue=a.overdue,
        days_overdue=(as_of - overdue_since).days if overdue_since else 0,
    )


# --- open items as of a day ------------------------------------------------------------------


def _items_sql(as_of: date, accounts: tuple[str, list] | None) -> tuple[str, list]:
    """SQL of the open items as of ``as_of`` (columns id, account_id, kind, due_date,
    open_amount), for the accounts of the subquery ``accounts`` (None: every client). An item
    without a due date (a credit; an invoice an import left without one) is due on its date."""
    s = SettlementItem._meta.db_table
    a = Allocation._meta.db_table
    later = (
        "SELECT item_id, SUM(amt) AS amt FROM ("
        f" SELECT debit_id AS item_id, amount AS amt FROM {a} WHERE allocated_on > %s"
        " UNION ALL"
        f" SELECT credit_id AS item_id, -amount AS amt FROM {a} WHERE allocated_on > %s"
        ") moved GROUP BY item_id"
    )
    where, extra = "", []
    if accounts is not None:
        where, extra = f" AND s.account_id IN ({accounts[0]})", list(accounts[1])
    sql = (
        "SELECT s.id, s.account_id, s.kind, COALESCE(s.due_date, s.document_date) AS due_date,"
        " s.open_amount + COALESCE(l.amt, 0) AS open_amount"
        f" FROM {s} s LEFT JOIN ({later}) l ON l.item_id = s.id"
        f" WHERE s.open_amount <> 0 AND s.document_date <= %s{where}"
        " UNION ALL"
        " SELECT s.id, s.account_id, s.kind, COALESCE(s.due_date, s.document_date) AS due_date,"
        " l.amt AS open_amount"
        f" FROM {s} s JOIN ({later}) l ON l.item_id = s.id"
        f" WHERE s.open_amount = 0 AND s.document_date <= %s{where}"
    )
    return sql, [as_of, as_of, as_of, *extra, as_of, as_of, as_of, *extra]


def _contributions_sql(as_of: date, accounts: tuple[str, list] | None) -> tuple[str, list]:
    """What each item contributes to the open amounts as of ``as_of`` (columns account_id,
    kind, due_date, open_amount), for the accounts of the subquery ``accounts`` (None: every
    client): its open amount today, plus back what each allocation after ``as_of`` took from it.

    Several rows per item, but the ageing only sums them per unit and bucket (and an item's
    bucket is its own), so no per-item grouping is needed: three scans appended, the last two
    empty for ``as_of`` today. Every item seen is open as of the day (an invoice's open
    amount only falls over time, a credit's only rises towards zero)."""
    s = SettlementItem._meta.db_table
    a = Allocation._meta.db_table
    where, extra = "", []
    if accounts is not None:
        where, extra = f" AND s.account_id IN ({accounts[0]})", list(accounts[1])
    due = "COALESCE(s.due_date, s.document_date)"
    sql = (
        f"SELECT s.account_id, s.kind, {due} AS due_date, s.open_amount FROM {s} s"
        f" WHERE s.open_amount <> 0 AND s.document_date <= %s{where}"
        " UNION ALL"
        f" SELECT s.account_id, s.kind, {due} AS due_date, x.amount AS open_amount"
        f" FROM {a} x JOIN {s} s ON s.id = x.debit_id"
        f" WHERE x.allocated_on > %s AND s.document_date <= %s{where}"
        " UNION ALL"
        f" SELECT s.account_id, s.kind, {due} AS due_date, -x.amount AS open_amount"
        f" FROM {a} x JOIN {s} s ON s.id = x.credit_id"
        f" WHERE x.allocated_on > %s AND s.document_date <= %s{where}"
    )
    return sql, [as_of, *extra, as_of, as_of, *extra, as_of, as_of, *extra]


def _bucket_case(as_of: date) -> tuple[str, list]:
    """The bucket of an item as a number: 0..4 the positions in ``ageing.BUCKETS`` (by the due
    date against ``ageing.bucket_bounds``), 5 an unallocated credit. One CASE per item, so the
    statement groups by (unit, bucket) and sums once."""
    b0, b30, b60, b90 = ageing_rules.bucket_bounds(as_of)
    sql = (
        "CASE WHEN i.kind <> 'invoice' THEN 5 WHEN i.due_date >= %s THEN 0"
        " WHEN i.due_date >= %s THEN 1 WHEN i.due_date >= %s THEN 2"
        " WHEN i.due_date >= %s THEN 3 ELSE 4 END"
    )
    return sql, [b0, b30, b60, b90]


def _to_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _ageing_of(cells: list[tuple[int, object, object]]) -> Ageing:
    """An Ageing from (bucket number, sum, oldest due date) cells of one unit."""
    out = Ageing()
    for bucket, total, oldest in cells:
        if bucket == 5:
            out.credits = db_sum(total)
            continue
        setattr(out, BUCKETS[bucket], db_sum(total))
        oldest = _to_date(oldest)
        if oldest is not None and (out.oldest_due is None or oldest < out.oldest_due):
            out.oldest_due = oldest
    return out


def ageing_sql(*, as_of: date, accounts: tuple[str, list] | None, group: str) -> tuple[str, list]:
    """The ageing statement: open items as of ``as_of`` of the accounts of the subquery
    ``accounts`` (None: every client), per ``group``: "client", "owner", "department" (the
    account's own), "subtree" (every department over the account's, so a department's row is
    its subtree) or "all" (key NULL); a row per unit and bucket (``_bucket_case``) with the
    sum and the oldest due date. Plain SQL that PostgreSQL, SQLite and DuckDB
    run alike (benchmarks/ageing.py runs it in DuckDB)."""
    items, item_params = _contributions_sql(as_of, accounts)
    case, case_params = _bucket_case(as_of)
    account = Account._meta.db_table
    dept = Department._meta.db_table
    joins = ""
    key = {
        "client": "i.account_id",
        "owner": "a.owner_id",
        "department": "a.department_id",
        "subtree": "u.id",
        "all": "NULL",
    }[group]
    if group in {"owner", "department"}:
        joins = f" JOIN {account} a ON a.id = i.account_id"
    elif group == "subtree":
        joins = (
            f" JOIN {account} a ON a.id = i.account_id"
            f" JOIN {dept} ad ON ad.id = a.department_id"
            f" JOIN {dept} u ON SUBSTR(ad.path, 1, LENGTH(u.path)) = u.path"
        )
    sql = (
        f"SELECT k, b, SUM(open_amount), MIN(due_date) FROM ("
        f"SELECT {key} AS k, {case} AS b, i.open_amount, i.due_date"
        f" FROM ({items}) i{joins}) cells GROUP BY k, b"
    )
    return sql, [*case_params, *item_params]


def _ageing_rows(*, as_of: date, accounts: QuerySet | None, group: str) -> dict[int | None, Ageing]:
    """One aggregate statement (``ageing_sql``) over ``accounts`` (None: every client): a
    row per unit and bucket, folded into an Ageing per unit here."""
    acc = None
    if accounts is not None:
        acc = accounts.order_by().values("pk").query.sql_with_params()
    sql, params = ageing_sql(as_of=as_of, accounts=acc, group=group)
    cells: dict[int | None, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for key, bucket, total, oldest in cursor.fetchall():
            cells.setdefault(key, []).append((bucket, total, oldest))
    return {key: _ageing_of(c) for key, c in cells.items()}


def _client_ageing(*, account_id: int, as_of: date) -> Ageing:
    rows = _ageing_rows(as_of=as_of, accounts=Account.objects.filter(pk=account_id), group="all")
    return rows.get(None) or Ageing()


@dataclass(frozen=True)
class OpenItem:
    item: SettlementItem
    open_amount: Decimal  # as of the day asked
    days_past_due: int  # 0 or less: not due yet; 0 for credits


def open_items(*, user, account: Account, as_of: date) -> list[OpenItem]:
    """The client's items open as of ``as_of``: invoices oldest due first, then credits."""
    account = account_get(user=user, pk=account.pk)
    sql, params = _items_sql(as_of, ("%s", [account.pk]))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT i.id, i.open_amount FROM ({sql}) i", params)
        amounts = {pk: db_sum(v) for pk, v in cursor.fetchall()}
    items = SettlementItem.objects.filter(pk__in=[pk for pk, v in amounts.items() if v != 0])
    out = []
    for item in items:
        days = ageing_rules.days_past_due(item.due_date, as_of) if item.due_date else 0
        if item.kind != Kind.INVOICE:
            days = 0
        out.append(OpenItem(item, amounts[item.pk], days))
    out.sort(
        key=lambda o: (
            o.item.kind != Kind.INVOICE,
            o.item.due_date or o.item.document_date,
            o.item.pk,
        )
    )
    return out


def client_ageing(*, user, account: Account, as_of: date) -> Ageing:
    """One client's ageing as of ``as_of`` (404 for a client out of sight)."""
    account = account_get(user=user, pk=account.pk)
    return _client_ageing(account_id=account.pk, as_of=as_of)


def settlement_item_get(*, user, pk: int) -> SettlementItem:
    try:
        return SettlementItem.objects.visible_to(user).select_related("account").get(pk=pk)
    except (SettlementItem.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such settlement item.") from None


def allocation_get(*, user, pk: int) -> Allocation:
    try:
        q = Allocation.objects.select_related("debit", "credit", "debit__account")
        visible = SettlementItem.objects.visible_to(user).values("pk")
        return q.filter(debit__in=visible).get(pk=pk)
    except (Allocation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such allocation.") from None


def account_by_registration(*, user, registration_number: str) -> Account:
    """The client with this registration number that the user may see (404 otherwise)."""
    found = list(
        Account.objects.visible_to(user).filter(registration_number=registration_number)[:2]
    )
    if len(found) != 1:
        raise Http404("No such client.")
    return found[0]


# --- the ledger and the statement (AR-1) -----------------------------------------------------


@dataclass(frozen=True)
class LedgerRow:
    item: SettlementItem
    balance: Decimal  # after this item
    allocated: list[Allocation] = field(default_factory=list)


def ledger(*, user, account: Account) -> list[LedgerRow]:
    """Every item of the client in date order with the running balance, and each item's
    allocations (two queries)."""
    account = account_get(user=user, pk=account.pk)
    items = list(SettlementItem.objects.filter(account=account).order_by("document_date", "pk"))
    by_item: dict[int, list[Allocation]] = {i.pk: [] for i in items}
    allocations = Allocation.objects.filter(debit__account=account).select_related(
        "debit", "credit"
    )
    for a in allocations.order_by("allocated_on", "pk"):
        by_item[a.debit_id].append(a)
        by_item[a.credit_id].append(a)
    balance = ZERO
    out = []
    for item in items:
        balance += item.amount
        out.append(LedgerRow(item, balance, by_item[item.pk]))
    return out


def statement(
    *, user, account: Account, date_from: date, date_to: date
) -> statement_rules.Statement:
    """Opening balance (everything dated before ``date_from``), every movement in the period
    with the running balance, closing balance. Dates out of order answer ValueError."""
    account = account_get(user=user, pk=account.pk)
    if date_to < date_from:
        raise ValueError("date_to before date_from")
    items = SettlementItem.objects.filter(account=account)
    opening = db_sum(items.filter(document_date__lt=date_from).aggregate(s=Sum("amount"))["s"])
    labels = dict(Kind.choices)
    rows = (
        (i.document_date, i.kind, str(labels[i.kind]), i.document_number, i.reference, i.amount)
        for i in items.filter(document_date__gte=date_from, document_date__lte=date_to).order_by(
            "document_date", "pk"
        )
    )
    movements, closing = statement_rules.running_balance(opening, rows)
    return statement_rules.Statement(
        account_id=account.pk,
        account_name=account.legal_name,
        registration_number=account.registration_number,
        date_from=date_from,
        date_to=date_to,
        currency=company_settings().base_currency,
        opening=opening,
        movements=movements,
        closing=closing,
    )


# --- ageing per unit ---------------------------------------------------------------------------


def default_level(user) -> str:
    if user.sees_everything:
        return "company"
    if user.role in {Role.HEAD, Role.SUPPORT}:
        return "department"
    return "manager"


def department_units(user) -> QuerySet[Department]:
    if user.sees_everything:
        return Department.objects.all()
    q = Q(pk__in=[])
    for person in acting_for(user):
        if person.department_id:
            q |= Q(path__startswith=person.department.path)
    return Department.objects.filter(q)


def unit_choices(*, user, level: str) -> list[tuple[int, str]]:
    if level == "department":
        return [(d.pk, d.name) for d in department_units(user).order_by("path")]
    if level == "manager":
        people = visible_people(user).filter(
            pk__in=Account.objects.visible_to(user).values("owner_id")
        )
        return [(p.pk, str(p)) for p in people.order_by("last_name", "first_name", "username")]
    return []


@dataclass(frozen=True)
class AgeingRow:
    key: str  # "department", "manager" or "client"
    id: int | None
    name: str
    ageing: Ageing


@dataclass(frozen=True)
class AgeingReport:
    level: str
    unit_id: int | None
    unit_name: str
    as_of: date
    currency: str
    total: Ageing
    rows: list[AgeingRow]


def ageing_report(*, user, level: str, unit_id: int | None, as_of: date) -> AgeingReport:
    """The ageing as of ``as_of`` of the clients the user sees, at ``level``:

    - company: the total, and a row per department (the clients it holds directly);
    - department: a row per department, each its whole subtree; ``unit_id`` narrows to one
      department's subtree (the total) and its departments;
    - manager: a row per KAM; ``unit_id`` narrows to one KAM (the total) and gives a row per
      client.

    Http404 for a unit the user may not pick; ValueError for an unknown level."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    accounts = Account.objects.visible_to(user)
    unit_name = str(_("Company"))
    if level == "company":
        unit_id = None
        group, key = "department", "department"
    elif level == "department":
        group, key = "subtree", "department"
        if unit_id is not None:
            dept = department_units(user).filter(pk=unit_id).first()
            if dept is None:
                raise Http404("No such department.")
            accounts = accounts.filter(department__path__startswith=dept.path)
            unit_name = dept.name
    else:
        group, key = "owner", "manager"
        if unit_id is not None:
            person = visible_people(user).filter(pk=unit_id).first()
            if person is None:
                raise Http404("No such key account manager.")
            accounts = accounts.filter(owner=person)
            unit_name = str(person)
            group, key = "client", "client"
    everyone = accounts if (unit_id is not None or not user.sees_everything) else None
    found = _ageing_rows(as_of=as_of, accounts=everyone, group=group)
    if group == "subtree":  # nested rows overlap: the total is a statement of its own
        total = _ageing_rows(as_of=as_of, accounts=everyone, group="all").get(None) or Ageing()
    else:  # each client is in exactly one row: the total is their sum
        total = Ageing()
        for a in found.values():
            total = total.add(a)
    if group == "subtree" and unit_id is not None:
        inside = set(
            Department.objects.filter(path__startswith=dept.path).values_list("pk", flat=True)
        )
        found = {k: v for k, v in found.items() if k in inside}
    names = _names(key, [k for k in found if k is not None])
    rows = [
        AgeingRow(key, k, names.get(k, "") if k is not None else str(_("(none)")), a)
        for k, a in found.items()
        if a.total or a.credits
    ]
    rows.sort(key=lambda r: (-r.ageing.overdue, -r.ageing.total, r.name))
    return AgeingReport(
        level, unit_id, unit_name, as_of, company_settings().base_currency, total, rows
    )


def _names(key: str, ids: list[int]) -> dict[int, str]:
    if key == "department":
        return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))
    if key == "manager":
        return {u.pk: str(u) for u in User.objects.filter(pk__in=ids)}
    return dict(Account.objects.filter(pk__in=ids).values_list("pk", "legal_name"))


# --- the client card's panel -----------------------------------------------------------------


def client_panel(*, user, account: Account, as_of: date) -> dict:
    """Context of ``receivables/_client_panel.html``: the balance, the overdue amount and the
    client's ageing as of ``as_of``; ``can_record`` for the link to record a payment."""
    a = client_ageing(user=user, account=account, as_of=as_of)
    last = SettlementItem.objects.filter(account=account).aggregate(last=Max("document_date"))
    return {
        "account": account,
        "as_of": as_of,
        "ageing": a,
        "buckets": [(b, a.buckets()[b]) for b in BUCKETS],
        "days_overdue": (as_of - a.oldest_due).days if a.overdue > 0 and a.oldest_due else 0,
        "last_movement": last["last"],
        "currency": company_settings().base_currency,
        "can_record": can(user, Action.SETTLEMENT_RECORD, account),
    }
