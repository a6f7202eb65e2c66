"""Writes of the sales ledger. Lines come in bulk (imports, the demo); each batch keeps the
derived tables current for the clients it touched, in the same transaction: the monthly
roll-up (``ClientMonth``), the running totals (``ClientRunningTotal``) and the first purchases
(``FirstPurchase``)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.core.selectors import rate_table
from kam.core.services import audit_record
from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine
from kam.sales.selectors import as_date

BATCH = 5000
# Above this many touched clients one full rebuild beats many IN (...) lists.
FULL_REFRESH_OVER = 2000


@dataclass(frozen=True)
class LedgerLine:
    """One ledger line as an importer or the demo produces it (amounts in ``currency``)."""

    date: date
    account_id: int
    product_id: int
    quantity: Decimal
    revenue: Decimal
    cost: Decimal
    currency: str
    document_number: str
    line_number: int


def month_of(day: date) -> date:
    return day.replace(day=1)


_LEDGER_COLUMNS = (
    "date",
    "month",
    "account_id",
    "product_id",
    "quantity",
    "revenue",
    "cost",
    "currency",
    "revenue_base",
    "cost_base",
    "document_number",
    "line_number",
)
# One prepared upsert run with executemany: Django's bulk_create caps SQLite statements at 999
# parameters (83 ledger rows), which made writes several times slower. ON CONFLICT ... excluded
# is the same SQL on SQLite (3.24+) and PostgreSQL.
_UPSERT_SQL = (
    f"INSERT INTO {SalesLine._meta.db_table} ({', '.join(_LEDGER_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_LEDGER_COLUMNS))}) "
    "ON CONFLICT (document_number, line_number) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _LEDGER_COLUMNS[:10])
)


def sales_lines_write(
    *,
    actor,
    lines: Sequence[LedgerLine],
    source: str = "",
    audit: bool = True,
    refresh: bool = True,
) -> int:
    """Insert lines, or replace those whose (document, line) already exist: a re-import of the
    same file changes nothing. Converts to the base currency once, here. Returns lines written.

    ``refresh=False`` leaves the monthly roll-up to the caller, who must then call
    ``client_month_refresh`` for the touched clients before its transaction ends (a large
    import writes many chunks and rebuilds once)."""
    if not lines:
        return 0
    rates = rate_table()
    ops = connection.ops
    with transaction.atomic(), connection.cursor() as cur:
        touched: set[int] = set()
        for start in range(0, len(lines), BATCH):
            rows = []
            for ln in lines[start : start + BATCH]:
                touched.add(ln.account_id)
                rows.append(
                    (
                        ops.adapt_datefield_value(ln.date),
                        ops.adapt_datefield_value(month_of(ln.date)),
                        ln.account_id,
                        ln.product_id,
                        ln.quantity,
                        ln.revenue,
                        ln.cost,
                        ln.currency.upper(),
                        rates.convert(ln.revenue, ln.currency, ln.date),
                        rates.convert(ln.cost, ln.currency, ln.date),
                        ln.document_number,
                        ln.line_number,
                    )
                )
            cur.executemany(_UPSERT_SQL, rows)
        if refresh:
            client_month_refresh(account_ids=touched)
        if audit:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.IMPORT,
                entity="sales.salesline",
                entity_id=source[:64],
                summary=f"{len(lines)} ledger lines for {len(touched)} clients from {source}",
            )
    return len(lines)


def client_month_refresh(*, account_ids: Iterable[int] | None = None) -> None:
    """Rebuild the ledger's derived tables from the ledger, for some clients or (None) all:
    the monthly roll-up, then the running totals from it, then the first purchases.

    Per table one DELETE and one INSERT ... SELECT: the database does the sums, no Python
    loop over ledger rows. A client whose re-imported lines moved to another client is covered,
    because a replaced line's old client is rebuilt only if it is in ``account_ids``; callers
    that move lines between clients pass both.

    Concurrency (PostgreSQL): two writers refreshing the same client would each delete the
    rows the other cannot see yet and then both insert, breaking the unique (client, month)
    or keeping one writer's sums only. So a refresh first locks its clients' rows, in id order
    (no deadlock between refreshes); a full rebuild locks the roll-up table against every other
    refresh. The lock lasts until the caller's transaction ends, when its lines are visible.
    SQLite needs nothing: its write lock already serialises writers.
    """
    ids = None if account_ids is None else sorted(set(account_ids))
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cur:
        if ids is None or len(ids) > FULL_REFRESH_OVER:
            if postgres:
                cur.execute(f"LOCK TABLE {_CM} IN SHARE ROW EXCLUSIVE MODE")
            for table in (_CM, _RT, _FP):
                cur.execute(f"DELETE FROM {table}")
            _rebuild(cur, "", [])
            return
        if postgres and _opens_a_month(cur):
            # This write carries every client forward (see _running_rebuild): take that table
            # lock before any client's row lock, so two writers cannot wait on each other.
            cur.execute(f"LOCK TABLE {_RT} IN SHARE ROW EXCLUSIVE MODE")
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            if postgres:
                cur.execute(
                    f"SELECT id FROM {Account._meta.db_table} WHERE id IN ({marks}) "
                    "ORDER BY id FOR NO KEY UPDATE",
                    part,
                )
            for table in (_CM, _RT, _FP):
                cur.execute(f"DELETE FROM {table} WHERE account_id IN ({marks})", part)
            _rebuild(cur, f"account_id IN ({marks})", part)


_CM = ClientMonth._meta.db_table
_RT = ClientRunningTotal._meta.db_table
_FP = FirstPurchase._meta.db_table
_SL = SalesLine._meta.db_table


def _rebuild(cur, where: str, params: list) -> None:
    """INSERT the derived rows of the clients ``where`` selects (every client when empty)."""
    cond = f"WHERE {where}" if where else ""
    also = f"AND {where}" if where else ""
    cur.execute(
        f"INSERT INTO {_CM} (account_id, month, revenue, cost, quantity, lines) "
        f"SELECT account_id, month, SUM(revenue_base), SUM(cost_base), SUM(quantity), COUNT(*) "
        f"FROM {_SL} {cond} GROUP BY account_id, month",
        params,
    )
    _running_rebuild(cur, cond, params)
    cur.execute(
        f"INSERT INTO {_FP} (account_id, product_id, first_date) "
        f"SELECT account_id, product_id, MIN(date) FROM {_SL} WHERE quantity > 0 {also} "
        f"GROUP BY account_id, product_id",
        params,
    )


def _opens_a_month(cur) -> bool:
    """Does the ledger reach a month the running totals do not have yet?"""
    cur.execute(f"SELECT MAX(date) FROM {_SL}")
    (latest,) = cur.fetchone()
    cur.execute(f"SELECT MAX(month) FROM {_RT}")
    (reached,) = cur.fetchone()
    return latest is not None and (reached is None or month_of(as_date(latest)) > as_date(reached))


def _running_rebuild(cur, cond: str, params: list) -> None:
    """The running totals of the clients ``cond`` selects, dense from each one's first month to
    the horizon; then, when this write opened a new month, every other client is carried
    forward to it (see ``ClientRunningTotal``)."""
    cur.execute(f"SELECT MIN(month) FROM {_CM} {cond}", params)
    (first,) = cur.fetchone()
    cur.execute(f"SELECT MAX(month) FROM {_CM}")
    (horizon,) = cur.fetchone()
    cur.execute(f"SELECT MAX(month) FROM {_RT}")
    (reached,) = cur.fetchone()
    if horizon is None:
        return
    horizon = as_date(horizon)
    reached = as_date(reached) if reached is not None else None
    # The horizon never moves back: rows already there stay readable (their totals hold).
    horizon = max(horizon, reached) if reached else horizon
    adapt = connection.ops.adapt_datefield_value
    if first is not None:
        months = _months(as_date(first), horizon)
        calendar = ", ".join(["(%s)"] * len(months))
        # A calendar joined to each client's first month..horizon, the cumulative sums as
        # window sums over the client's months, in cents.
        cur.execute(
            f"WITH cal (month) AS (VALUES {calendar}), "
            f"span AS (SELECT account_id, MIN(month) AS first_month FROM {_CM} {cond} "
            f"GROUP BY account_id), "
            f"cents AS (SELECT account_id, month, "
            f"CAST(ROUND(revenue * 100) AS BIGINT) AS rc, CAST(ROUND(cost * 100) AS BIGINT) AS cc "
            f"FROM {_CM} {cond}) "
            f"INSERT INTO {_RT} (account_id, month, revenue_cents, cost_cents) "
            f"SELECT span.account_id, cal.month, "
            f"SUM(COALESCE(cents.rc, 0)) OVER w, SUM(COALESCE(cents.cc, 0)) OVER w "
            f"FROM span JOIN cal ON cal.month >= span.first_month "
            f"LEFT JOIN cents ON cents.account_id = span.account_id AND cents.month = cal.month "
            f"WINDOW w AS (PARTITION BY span.account_id ORDER BY cal.month "
            f"ROWS UNBOUNDED PRECEDING)",
            [adapt(m) for m in months] + params + params,
        )
    if reached is not None and reached < horizon:
        # A new month: carry every client's totals at the old horizon forward. Under a table
        # lock (PostgreSQL), so no other writer's client rows change underneath; once a month.
        if connection.vendor == "postgresql":
            cur.execute(f"LOCK TABLE {_RT} IN SHARE ROW EXCLUSIVE MODE")
        months = _months(reached, horizon)[1:]
        calendar = ", ".join(["(%s)"] * len(months))
        cur.execute(
            f"WITH cal (month) AS (VALUES {calendar}) "
            f"INSERT INTO {_RT} (account_id, month, revenue_cents, cost_cents) "
            f"SELECT r.account_id, cal.month, r.revenue_cents, r.cost_cents "
            f"FROM {_RT} r CROSS JOIN cal WHERE r.month = %s "
            f"ON CONFLICT (account_id, month) DO NOTHING",
            [adapt(m) for m in months] + [adapt(reached)],
        )


def _months(first: date, last: date) -> list[date]:
    out, m = [], first.replace(day=1)
    while m <= last:
        out.append(m)
        m = date(m.year + m.month // 12, m.month % 12 + 1, 1)
    return out
