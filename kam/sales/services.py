"""Writes of the sales ledger. Lines come in bulk (imports, the demo); each batch keeps the
derived tables current for the clients it touched, in the same transaction: the monthly
roll-up (``ClientMonth``), the running totals (``ClientRunningTotal``) and the first purchases
(``FirstPurchase``).

Issue 8 §3: a line without a known cost (``cost_known=False``, cost 0) is revenue whose income
is unknown: the roll-up and the running totals carry its revenue apart (``revenue_uncosted``,
``uncosted_cents``) so that income is (revenue - uncosted) - cost. A service line (a product
with ``is_service``: postage, freight) is revenue but makes no first purchase.

Every line keeps the ledger's bounds (issue 7 §2, ``LedgerBounds``) whoever writes it, the
importer, the demo or a future order module: a date from the company's history start to a month
ahead, amounts within what the radar's integer arithmetic holds, and a line that is a sale, a
return or an amount correction, never nothing:

- a sale has quantity > 0 and revenue >= 0 (a free line has revenue 0);
- a return has quantity < 0 and revenue <= 0;
- an amount correction (a rebate, a price correction on a credit note) has quantity 0 and a
  revenue of either sign;
- the cost may have either sign (an ERP revalues stock, books a cost correction on a sale);
- a line with quantity, revenue and cost all zero records nothing and is refused.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.money import RateTable, UnknownRate, quantize
from kam.core.periods import month_of, month_range
from kam.core.selectors import rate_table
from kam.core.services import audit_record
from kam.org.policy import Action, require
from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine
from kam.sales.selectors import as_date

BATCH = 5000
# Above this many touched clients one full rebuild beats many IN (...) lists.
FULL_REFRESH_OVER = 2000
# A refused batch reports this many problems, not one per line of a million.
MAX_REPORTED = 20
# Values per IN (...) list, under every SQLite build's parameter limit.
IN_LIST = 900

__all__ = [
    "LedgerBounds",
    "LedgerLine",
    "client_month_refresh",
    "first_purchases_refresh",
    "month_of",
    "sales_lines_delete",
    "sales_lines_write",
]


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
    # False: the source had no cost (cost must then be 0); the line's income is unknown.
    cost_known: bool = True
    # A return's original document, where the importer found it (issue 8 §3).
    returns_document: str = ""


_MAX = bounds.MAX_AMOUNT
_MIN = -bounds.MAX_AMOUNT


def _reason(check, *args, **kw) -> str:
    """The message ``check`` refuses with (it is called only for a value known to be bad)."""
    try:
        check(*args, **kw)
    except ValidationError as exc:
        return " ".join(exc.messages)
    raise AssertionError(f"{check.__name__} accepted {args!r}")  # pragma: no cover


_THOUSANDTH = Decimal("0.001")


def _fits(value: Decimal) -> bool:
    # The messages come from kam.core.bounds, only for a value that fails.
    return value.is_finite() and _MIN <= value <= _MAX


def _rounded(quantity: Decimal, revenue: Decimal, cost: Decimal) -> tuple:
    """Quantity in thousandths, amounts in cents, half up: what PostgreSQL's numeric columns
    store, and now SQLite too (it kept every digit). The importer refuses more places at the
    cell; a program's arithmetic may leave them."""
    return (
        Decimal(quantity).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP),
        quantize(Decimal(revenue)),
        quantize(Decimal(cost)),
    )


def _key(line: LedgerLine) -> str:
    """The line's "DOCUMENT/LINE", control characters shown as escapes (never echoed raw)."""
    shown = bounds.CONTROL_CHARACTER.sub(lambda m: f"\\x{ord(m[0]):02x}", line.document_number)
    return f"{shown}/{line.line_number}"


class LedgerBounds:
    """The bounds of a ledger line, read once (history start, today, rates) for a whole batch.

    ``problems(line)`` answers ``{field: message}`` (empty when the line may be written), field
    being a ``LedgerLine`` field: the importer reports them at the line's cells, the service
    refuses the batch with them. One rule for every writer (issue 7 §2)."""

    def __init__(self, rates: RateTable | None = None):
        self.rates = rates or rate_table()
        self.earliest = bounds.history_start()
        self.latest = bounds.ledger_latest()

    def convert(self, line: LedgerLine) -> tuple[Decimal, Decimal]:
        """Revenue and cost in the base currency (``UnknownRate`` without a rate)."""
        return (
            self.rates.convert(line.revenue, line.currency, line.date),
            self.rates.convert(line.cost, line.currency, line.date),
        )

    def rate_problem(self, currency: str, day: date) -> str | None:
        """Why ``currency`` cannot be converted on ``day``, or None."""
        try:
            self.rates.rate(currency, day)
        except UnknownRate:
            return _(
                "no %(currency)s rate on or before %(date)s; add one to the company's "
                "currency rates first"
            ) % {"currency": currency, "date": day.isoformat()}
        return None

    def problems(self, line: LedgerLine) -> dict[str, str]:
        out: dict[str, str] = {}
        day = line.date
        if not self.earliest <= day <= self.latest:
            out["date"] = _reason(
                bounds.check_date, day, earliest=self.earliest, latest=self.latest
            )
        quantity, revenue, cost = line.quantity, line.revenue, line.cost
        try:
            # The common case in one expression (a million lines): exact decimals in bounds.
            fine = (
                type(quantity) is Decimal
                and type(revenue) is Decimal
                and type(cost) is Decimal
                and _MIN <= quantity <= _MAX
                and _MIN <= revenue <= _MAX
                and _MIN <= cost <= _MAX
            )
        except InvalidOperation:  # NaN
            fine = False
        for name in () if fine else ("quantity", "revenue", "cost"):
            value = getattr(line, name)
            if not isinstance(value, Decimal):
                # Money is Decimal, never float: a float's binary fraction is not the amount.
                if not isinstance(value, int) or isinstance(value, bool):
                    out[name] = _("%(value)r is not an exact number") % {"value": value}
                    continue
                value = Decimal(value)
            if not _fits(value):
                out[name] = _reason(bounds.check_amount, value, places=28)
        text = line.document_number
        if bounds.CONTROL_CHARACTER.search(text) is not None:
            out["document_number"] = _reason(bounds.check_text, text)
        if bounds.CONTROL_CHARACTER.search(line.returns_document) is not None:
            out["returns_document"] = _reason(bounds.check_text, line.returns_document)
        if not line.cost_known and cost:
            out["cost"] = _("a line without a known cost has cost 0")
        if out:
            return out
        if not quantity and not revenue and not cost:
            out["quantity"] = _(
                "quantity, revenue and cost are all zero: the line records nothing; leave it out"
            )
        elif quantity < 0 and revenue > 0:
            out["revenue"] = _(
                "a return (negative quantity) has a negative or zero revenue; "
                "a sale has a positive quantity"
            )
        elif quantity > 0 and revenue < 0:
            out["revenue"] = _(
                "a sale (positive quantity) has a positive or zero revenue; "
                "a return has a negative quantity and a negative revenue"
            )
        elif -1 < quantity < 1 and quantity and abs(revenue) > _MAX * abs(quantity):
            price = (revenue / quantity).quantize(Decimal("0.01"))
            out["revenue"] = _("unit price (revenue / quantity): %(reason)s") % {
                "reason": _reason(bounds.check_amount, price)
            }
        if out or line.currency.upper() == self.rates.base:
            return out  # in the base currency the amounts checked are the base amounts
        if (missing := self.rate_problem(line.currency, day)) is not None:
            out["currency"] = missing
            return out
        base = self.convert(line)
        for name, value in zip(("revenue", "cost"), base, strict=True):
            if not _MIN <= value <= _MAX:
                out[name] = _("in the base currency %(currency)s: %(reason)s") % {
                    "currency": self.rates.base,
                    "reason": _reason(bounds.check_amount, value),
                }
        return out

    def check(self, lines: Iterable[LedgerLine]) -> None:
        """Raise ``ValidationError({field: ["DOC/LINE: reason", ...]})`` if any line is out of
        bounds (at most ``MAX_REPORTED`` reasons); nothing has been written then."""
        errors: dict[str, list[str]] = {}
        reported = 0
        for ln in lines:
            for name, message in self.problems(ln).items():
                errors.setdefault(name, []).append(f"{_key(ln)}: {message}")
                reported += 1
            if reported >= MAX_REPORTED:
                break
        if errors:
            raise ValidationError(errors)


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
    "cost_known",
    "returns_document",
)
_KEY_COLUMNS = ("document_number", "line_number")
# One prepared upsert run with executemany: Django's bulk_create caps SQLite statements at 999
# parameters (83 ledger rows), which made writes several times slower. ON CONFLICT ... excluded
# is the same SQL on SQLite (3.24+) and PostgreSQL.
_UPSERT_SQL = (
    f"INSERT INTO {SalesLine._meta.db_table} ({', '.join(_LEDGER_COLUMNS)}) "
    f"VALUES ({', '.join(['%s'] * len(_LEDGER_COLUMNS))}) "
    "ON CONFLICT (document_number, line_number) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _LEDGER_COLUMNS if c not in _KEY_COLUMNS)
)


# PostgreSQL: the lines are COPYed into a temporary staging table, then upserted by one
# INSERT ... SELECT (issue 8 §6): one statement instead of one per line (the executemany spent
# most of an import's write waiting on 200 000 single-row statements). The staging table lives
# until the transaction ends (ON COMMIT DROP), so a connection keeps none between writes; its
# ``seq`` keeps the lines' order, so that of two lines with one key the last wins, as with one
# upsert per line (one INSERT ... SELECT may not update a row twice).
_STAGE = "kam_ledger_stage"
_STAGED_COLUMNS = ", ".join(_LEDGER_COLUMNS)
_ON_CONFLICT = "ON CONFLICT (document_number, line_number) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in _LEDGER_COLUMNS if c not in _KEY_COLUMNS
)
_UPSERT_STAGED_SQL = (
    f"INSERT INTO {SalesLine._meta.db_table} ({_STAGED_COLUMNS}) "
    f"SELECT {_STAGED_COLUMNS} FROM {_STAGE} {_ON_CONFLICT}"
)
_UPSERT_STAGED_LAST_SQL = (
    f"INSERT INTO {SalesLine._meta.db_table} ({_STAGED_COLUMNS}) "
    f"SELECT DISTINCT ON (document_number, line_number) {_STAGED_COLUMNS} FROM {_STAGE} "
    f"ORDER BY document_number, line_number, seq DESC {_ON_CONFLICT}"
)


def _stage_sql() -> str:
    """The staging table's DDL: the ledger's columns with the ledger's own types (so COPY
    rounds and refuses as the ledger's columns would), no index, no constraint."""
    columns = ", ".join(
        f"{name} {SalesLine._meta.get_field(name).db_type(connection)}" for name in _LEDGER_COLUMNS
    )
    return f"CREATE TEMPORARY TABLE IF NOT EXISTS {_STAGE} (seq integer, {columns}) ON COMMIT DROP"


def _copy_upsert(cur, rows: Iterable[tuple]) -> None:
    """Upsert ``rows`` (in ``_LEDGER_COLUMNS`` order) through the staging table, streamed: the
    rows are not held, only their keys, to see whether two share one."""
    cur.execute(_stage_sql())
    cur.execute(f"TRUNCATE {_STAGE}")  # an earlier write in this transaction left its rows
    seen: set[tuple[str, int]] = set()
    repeated = False
    with cur.cursor.copy(f"COPY {_STAGE} (seq, {_STAGED_COLUMNS}) FROM STDIN") as copy:
        for seq, row in enumerate(rows):
            key = (row[10], row[11])
            if key in seen:
                repeated = True
            else:
                seen.add(key)
            copy.write_row((seq, *row))
    cur.execute(_UPSERT_STAGED_LAST_SQL if repeated else _UPSERT_STAGED_SQL)


def _require_import(actor) -> None:
    # The ledger is the ERP's history: writing it is importing it. ``actor=None`` is the system
    # (the demo builder, ``kam import --system``, migrations), which checks no role.
    if actor is not None:
        require(actor, Action.IMPORT_RUN)


def sales_lines_write(
    *,
    actor,
    lines: Sequence[LedgerLine],
    source: str = "",
    audit: bool = True,
    refresh: bool = True,
    checked: LedgerBounds | None = None,
) -> int:
    """Insert lines, or replace those whose (document, line) already exist: a re-import of the
    same file changes nothing. Converts to the base currency once, here. Returns lines written.

    Every line is checked against ``LedgerBounds`` first; one out of bounds refuses the batch
    (``ValidationError``) and writes nothing. A caller that already checked every line with
    ``bounds`` (the importer, a cell at a time) passes it as ``checked``. ``actor`` needs the
    right to import (None: the system).

    ``refresh=False`` leaves the monthly roll-up to the caller, who must then call
    ``client_month_refresh`` for the touched clients, and for the clients replaced lines
    belonged to before, before its transaction ends (a large import writes many chunks and
    rebuilds once)."""
    if not lines:
        return 0
    _require_import(actor)
    rules = checked or LedgerBounds()
    if checked is None:
        rules.check(lines)
    ops = connection.ops

    def row(ln: LedgerLine) -> tuple:
        revenue_base, cost_base = rules.convert(ln)
        quantity, revenue, cost = _rounded(ln.quantity, ln.revenue, ln.cost)
        return (
            ops.adapt_datefield_value(ln.date),
            ops.adapt_datefield_value(month_of(ln.date)),
            ln.account_id,
            ln.product_id,
            quantity,
            revenue,
            cost,
            ln.currency.upper(),
            revenue_base,
            cost_base,
            ln.document_number,
            ln.line_number,
            ln.cost_known,
            ln.returns_document,
        )

    with transaction.atomic(), connection.cursor() as cur:
        touched = {ln.account_id for ln in lines}
        if refresh:
            # A replaced line may have belonged to another client: rebuild that one too.
            for start in range(0, len(lines), BATCH):
                touched.update(_stored_clients(lines[start : start + BATCH]))
        if connection.vendor == "postgresql":
            _copy_upsert(cur, map(row, lines))
        else:
            for start in range(0, len(lines), BATCH):
                cur.executemany(_UPSERT_SQL, [row(ln) for ln in lines[start : start + BATCH]])
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


def _stored_lines(keys: set[tuple[str, int]]) -> list[tuple[int, int]]:
    """(id, client) of the stored lines with these (document, line) keys, read by documents in
    chunks the database's IN lists take."""
    documents = sorted({doc for doc, _ in keys})
    found: list[tuple[int, int]] = []
    for start in range(0, len(documents), IN_LIST):
        part = documents[start : start + IN_LIST]
        for pk, doc, number, account_id in SalesLine.objects.filter(
            document_number__in=part
        ).values_list("pk", "document_number", "line_number", "account_id"):
            if (doc, number) in keys:
                found.append((pk, account_id))
    return found


def _stored_clients(lines: Sequence[LedgerLine]) -> set[int]:
    """The clients the stored lines with these (document, line) keys belong to now."""
    keys = {(ln.document_number, ln.line_number) for ln in lines}
    return {account_id for _pk, account_id in _stored_lines(keys)}


def sales_lines_delete(*, actor, keys: Iterable[tuple[str, int]], source: str = "") -> int:
    """Delete the ledger lines with these (document, line) keys (a line the ERP cancelled, or
    one imported by mistake); the derived tables follow as after any write, the running totals
    shrinking back to the latest month a line still reaches. Returns the lines deleted."""
    _require_import(actor)
    wanted = set(keys)
    if not wanted:
        return 0
    with transaction.atomic():
        stored = _stored_lines(wanted)
        ids = [pk for pk, _client in stored]
        clients = {account_id for _pk, account_id in stored}
        for start in range(0, len(ids), IN_LIST):
            SalesLine.objects.filter(pk__in=ids[start : start + IN_LIST]).delete()
        if ids:
            client_month_refresh(account_ids=clients)
            audit_record(
                actor=actor,
                action=AuditEntry.Action.DELETE,
                entity="sales.salesline",
                entity_id=source[:64],
                summary=f"{len(ids)} ledger lines of {len(clients)} clients deleted",
            )
    return len(ids)


def client_month_refresh(*, account_ids: Iterable[int] | None = None) -> None:
    """Rebuild the ledger's derived tables from the ledger, for some clients or (None) all:
    the monthly roll-up, then the running totals from it, then the first purchases. The result
    is the same rows a full rebuild gives.

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
        if postgres and _horizon_moves(cur):
            # This write carries every client forward to a new month, or takes every client's
            # rows back from a month no line reaches any more (see _running_rebuild): take that
            # table lock before any client's row lock, so two writers cannot wait on each other.
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
_PR = Product._meta.db_table


def _rebuild(cur, where: str, params: list) -> None:
    """INSERT the derived rows of the clients ``where`` selects (every client when empty)."""
    cond = f"WHERE {where}" if where else ""
    also = f"AND s.{where}" if where else ""  # the ledger is "s" in the first purchases
    # A line without a known cost (issue 8 §3) counts in revenue and, apart, in
    # revenue_uncosted: income leaves it out (its cost is stored as 0, not known to be 0).
    cur.execute(
        f"INSERT INTO {_CM} (account_id, month, revenue, cost, revenue_uncosted, quantity, "
        f"lines) SELECT account_id, month, SUM(revenue_base), SUM(cost_base), "
        f"SUM(CASE WHEN cost_known THEN 0 ELSE revenue_base END), SUM(quantity), COUNT(*) "
        f"FROM {_SL} {cond} GROUP BY account_id, month",
        params,
    )
    _running_rebuild(cur, cond, params)
    cur.execute(_first_purchases_sql(also), params)


def _first_purchases_sql(also: str) -> str:
    """INSERT ... SELECT of the first purchases of the lines ``also`` selects (an ``AND ...``
    on the ledger as ``s``, or empty). A service line (postage, freight: ``is_service``) is
    revenue but no product a client adopts: it makes no first purchase (KC-8, issue 8 §3)."""
    return (
        f"INSERT INTO {_FP} (account_id, product_id, first_date) "
        f"SELECT s.account_id, s.product_id, MIN(s.date) FROM {_SL} s "
        f"JOIN {_PR} p ON p.id = s.product_id "
        f"WHERE s.quantity > 0 AND NOT p.is_service {also} "
        f"GROUP BY s.account_id, s.product_id"
    )


def first_purchases_refresh(*, product_ids: Iterable[int]) -> None:
    """Rebuild the first purchases of these products from the ledger: whoever changes a
    product's ``Product.is_service`` calls it in the same transaction, so a service line keeps
    no first purchases and a former service gets them back (issue 8 §3). That caller sits
    above the ledger (the importers in kam.imports flag products by ``service_skus``):
    kam.catalog cannot, it lies below kam.sales in the layers.

    Derived rows only, no audit (the catalogue's change is the audited act). Other products'
    rows are untouched; the result equals what ``client_month_refresh(account_ids=None)``
    would give for these products."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # As a full refresh would: no client refresh may rebuild these rows meanwhile.
            cur.execute(f"LOCK TABLE {_CM} IN SHARE ROW EXCLUSIVE MODE")
        for start in range(0, len(ids), IN_LIST):
            part = ids[start : start + IN_LIST]
            marks = ", ".join(["%s"] * len(part))
            cur.execute(f"DELETE FROM {_FP} WHERE product_id IN ({marks})", part)
            cur.execute(_first_purchases_sql(f"AND s.product_id IN ({marks})"), part)


def _horizon_moves(cur) -> bool:
    """Does the ledger's latest month differ from the running totals' (a new month opened, or
    the last line of the latest month moved back or went)?"""
    cur.execute(f"SELECT MAX(date) FROM {_SL}")
    (latest,) = cur.fetchone()
    cur.execute(f"SELECT MAX(month) FROM {_RT}")
    (reached,) = cur.fetchone()
    if latest is None or reached is None:
        return latest is not None or reached is not None
    return month_of(as_date(latest)) != as_date(reached)


def _running_rebuild(cur, cond: str, params: list) -> None:
    """The running totals of the clients ``cond`` selects, dense from each one's first month to
    the horizon (the latest month with sales). When this write moved the horizon, every other
    client follows: carried forward to a new month, or cut back from months no line reaches
    any more (see ``ClientRunningTotal``)."""
    cur.execute(f"SELECT MIN(month) FROM {_CM} {cond}", params)
    (first,) = cur.fetchone()
    cur.execute(f"SELECT MAX(month) FROM {_CM}")
    (horizon,) = cur.fetchone()
    cur.execute(f"SELECT MAX(month) FROM {_RT}")
    (reached,) = cur.fetchone()
    postgres = connection.vendor == "postgresql"
    if horizon is None:
        # No line left anywhere: no running totals either.
        if reached is not None:
            cur.execute(f"DELETE FROM {_RT}")
        return
    horizon = as_date(horizon)
    reached = as_date(reached) if reached is not None else None
    adapt = connection.ops.adapt_datefield_value
    if reached is not None and reached > horizon:
        # The latest month lost its last line (a date corrected, a line deleted): a full
        # rebuild would stop every client at the new horizon, so cut the rows after it. Under
        # the table lock taken before (PostgreSQL), as for a new month below.
        if postgres:
            cur.execute(f"LOCK TABLE {_RT} IN SHARE ROW EXCLUSIVE MODE")
        cur.execute(f"DELETE FROM {_RT} WHERE month > %s", [adapt(horizon)])
        reached = horizon
    if first is not None:
        months = month_range(as_date(first), horizon)
        calendar = ", ".join(["(%s)"] * len(months))
        # A calendar joined to each client's first month..horizon, the cumulative sums as
        # window sums over the client's months, in cents.
        cur.execute(
            f"WITH cal (month) AS (VALUES {calendar}), "
            f"span AS (SELECT account_id, MIN(month) AS first_month FROM {_CM} {cond} "
            f"GROUP BY account_id), "
            f"cents AS (SELECT account_id, month, "
            f"CAST(ROUND(revenue * 100) AS BIGINT) AS rc, CAST(ROUND(cost * 100) AS BIGINT) AS cc, "
            f"CAST(ROUND(revenue_uncosted * 100) AS BIGINT) AS uc "
            f"FROM {_CM} {cond}) "
            f"INSERT INTO {_RT} (account_id, month, revenue_cents, cost_cents, uncosted_cents) "
            f"SELECT span.account_id, cal.month, "
            f"SUM(COALESCE(cents.rc, 0)) OVER w, SUM(COALESCE(cents.cc, 0)) OVER w, "
            f"SUM(COALESCE(cents.uc, 0)) OVER w "
            f"FROM span JOIN cal ON cal.month >= span.first_month "
            f"LEFT JOIN cents ON cents.account_id = span.account_id AND cents.month = cal.month "
            f"WINDOW w AS (PARTITION BY span.account_id ORDER BY cal.month "
            f"ROWS UNBOUNDED PRECEDING)",
            [adapt(m) for m in months] + params + params,
        )
    if reached is not None and reached < horizon:
        # A new month: carry every client's totals at the old horizon forward. Under a table
        # lock (PostgreSQL), so no other writer's client rows change underneath; once a month.
        if postgres:
            cur.execute(f"LOCK TABLE {_RT} IN SHARE ROW EXCLUSIVE MODE")
        months = month_range(reached, horizon)[1:]
        calendar = ", ".join(["(%s)"] * len(months))
        cur.execute(
            f"WITH cal (month) AS (VALUES {calendar}) "
            f"INSERT INTO {_RT} (account_id, month, revenue_cents, cost_cents, uncosted_cents) "
            f"SELECT r.account_id, cal.month, r.revenue_cents, r.cost_cents, r.uncosted_cents "
            f"FROM {_RT} r CROSS JOIN cal WHERE r.month = %s "
            f"ON CONFLICT (account_id, month) DO NOTHING",
            [adapt(m) for m in months] + [adapt(reached)],
        )
