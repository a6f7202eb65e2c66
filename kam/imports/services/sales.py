"""Import the sales ledger, keyed by document number and line number, through
kam.sales.services.sales_lines_write (an upsert that converts currencies and keeps the monthly
roll-up current).

Columns (* required): document_number*, line_number*, date*, client* (registration number),
sku*, quantity*, revenue*, cost*, currency (default: the company's base currency).

Built for a million rows: clients and products are loaded once into dicts (no query per row);
the file is read twice, to check and then to write, rather than held in memory; lines are
written in chunks inside the one transaction.
"""

from collections.abc import Iterator

from django.utils.translation import gettext

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.core.selectors import rate_table
from kam.imports.readers import ReadError, Source
from kam.imports.services.common import (
    IN_LIST,
    FileChanged,
    ImportResult,
    Progress,
    Row,
    Tracker,
    Writing,
    audit_import,
    check_rows,
    chunks,
    data_rows,
    finish,
    max_length,
    open_file,
    require_import,
    source_name,
)
from kam.imports.validators import (
    ErrorList,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_int,
    parse_text,
)
from kam.org.models import User
from kam.sales.models import SalesLine
from kam.sales.services import (
    LedgerBounds,
    LedgerLine,
    client_month_refresh,
    sales_lines_write,
)

SALES_COLUMNS = (
    "document_number",
    "line_number",
    "date",
    "client",
    "sku",
    "quantity",
    "revenue",
    "cost",
)
SALES_OPTIONAL = ("currency",)

# Sales lines per sales_lines_write call: bounded memory (some 40 MB), and few calls, since
# each one rebuilds the monthly roll-up of every client it touched.
CHUNK = 50_000


class _SalesParser:
    """Turns a row into a LedgerLine against clients and products loaded once into dicts:
    a million rows are checked without a query per row."""

    def __init__(self, *, bounds: LedgerBounds, check_duplicates: bool):
        self.accounts: dict[str, int] = dict(
            Account.objects.exclude(registration_number="")
            .order_by()
            .values_list("registration_number", "id")
        )
        self.products: dict[str, int] = dict(Product.objects.order_by().values_list("sku", "id"))
        self.bounds = bounds
        self.base = bounds.rates.base
        # Key "document\0line" -> the file line that has it. A duplicate would make the
        # upsert hit one row twice in one statement, which PostgreSQL refuses.
        self.seen: dict[str, int] | None = {} if check_duplicates else None
        quantity = SalesLine._meta.get_field("quantity")
        money = SalesLine._meta.get_field("revenue")
        self.quantity_digits = {
            "places": quantity.decimal_places,
            "max_digits": quantity.max_digits,
        }
        self.money_digits = {"places": money.decimal_places, "max_digits": money.max_digits}
        self.document_length = max_length(SalesLine, "document_number")

    def __call__(self, row: Row) -> LedgerLine | None:
        document = row.get(
            "document_number", parse_text, required=True, max_length=self.document_length
        )
        line_number = row.get("line_number", parse_int, required=True, minimum=0)
        day = row.get("date", parse_date, required=True)
        client = row.get("client", parse_text, required=True, max_length=50)
        account_id = None
        if client is not None:
            account_id = self.accounts.get(client)
            if account_id is None:
                row.fail(
                    "client",
                    gettext('no client with registration number "%(value)s"') % {"value": client},
                )
        sku = row.get("sku", parse_text, required=True, max_length=64)
        product_id = None
        if sku is not None:
            product_id = self.products.get(sku)
            if product_id is None:
                row.fail("sku", gettext('no product with SKU "%(value)s"') % {"value": sku})
        quantity = row.get("quantity", parse_decimal, required=True, **self.quantity_digits)
        revenue = row.get("revenue", parse_decimal, required=True, **self.money_digits)
        cost = row.get("cost", parse_decimal, required=True, **self.money_digits)
        currency = row.get("currency", parse_currency) or self.base
        if self.seen is not None and document is not None and line_number is not None:
            key = f"{document}\0{line_number}"
            first = self.seen.setdefault(key, row.line)
            if first != row.line:
                row.fail(
                    "line_number",
                    gettext('document "%(document)s" line %(number)s is already on line %(line)s')
                    % {"document": document, "number": line_number, "line": first},
                )
        if day is None or quantity is None or revenue is None or cost is None:
            if day is not None and (missing := self.bounds.rate_problem(currency, day)):
                row.fail("currency", missing)
            return None
        line = LedgerLine(
            date=day,
            account_id=account_id or 0,
            product_id=product_id or 0,
            quantity=quantity,
            revenue=revenue,
            cost=cost,
            currency=currency,
            document_number=document or "",
            line_number=line_number or 0,
        )
        # The ledger's own bounds (dates, amounts, returns), at the cell that breaks them, even
        # when another cell of the row is wrong too: one rule with every other ledger writer.
        for field, message in self.bounds.problems(line).items():
            row.fail(field, message)
        return line if row.ok else None


def _stored_lines(chunk: list[LedgerLine]) -> dict[tuple[str, int], tuple]:
    """The ledger rows a chunk would replace, by (document, line); a few queries per chunk."""
    found: dict[tuple[str, int], tuple] = {}
    documents = sorted({ln.document_number for ln in chunk})
    for part in chunks(documents, IN_LIST):
        for values in SalesLine.objects.filter(document_number__in=part).values_list(
            "document_number",
            "line_number",
            "date",
            "account_id",
            "product_id",
            "quantity",
            "revenue",
            "cost",
            "currency",
            "revenue_base",
            "cost_base",
        ):
            found[values[0], values[1]] = values[2:]
    return found


def import_sales(
    *,
    source: Source,
    actor: User | None,
    name: str | None = None,
    progress: Progress | None = None,
    max_errors: int | None = None,
) -> ImportResult:
    """Upsert ledger lines on (document, line); the monthly roll-up follows in the same
    transaction. Lines identical to the stored ones (amounts in the base currency included)
    are counted as unchanged and not rewritten, so a re-import is cheap."""
    require_import(actor)
    errors = ErrorList(max_errors)
    table, result, estimate = open_file("sales", source, name, errors)
    if table is None:
        return finish(result, errors)
    tracker = Tracker(progress, estimate)
    rates = rate_table()
    bounds = LedgerBounds(rates)
    parse = _SalesParser(bounds=bounds, check_duplicates=True)
    check_rows(
        table,
        parse,
        required=SALES_COLUMNS,
        optional=SALES_OPTIONAL,
        errors=errors,
        result=result,
        tracker=tracker,
    )
    parse.seen = None
    if errors:
        return finish(result, errors)

    tracker.set_rows(result.rows)
    reread = ErrorList()

    def ledger_lines() -> Iterator[LedgerLine]:
        # The first reading kept only errors, so a million rows never sit in memory at once.
        try:
            for row in data_rows(
                table, required=SALES_COLUMNS, optional=SALES_OPTIONAL, errors=reread
            ):
                ledger_line = parse(row)
                if ledger_line is None:
                    raise FileChanged(
                        gettext("the file changed while it was being imported; run it again")
                    )
                yield ledger_line
        except ReadError as exc:
            raise FileChanged(exc.message) from exc

    moved_from: set[int] = set()
    touched: set[int] = set()
    done = 0
    with Writing(errors):
        for chunk in chunks(ledger_lines(), CHUNK):
            stored = _stored_lines(chunk)
            changed = []
            for ln in chunk:
                old = stored.get((ln.document_number, ln.line_number))
                new = (
                    ln.date,
                    ln.account_id,
                    ln.product_id,
                    ln.quantity,
                    ln.revenue,
                    ln.cost,
                    ln.currency,
                    rates.convert(ln.revenue, ln.currency, ln.date),
                    rates.convert(ln.cost, ln.currency, ln.date),
                )
                if old is None:
                    result.created += 1
                    changed.append(ln)
                elif old != new:
                    result.updated += 1
                    changed.append(ln)
                    if old[1] != ln.account_id:
                        moved_from.add(old[1])
                else:
                    result.unchanged += 1
            # One audit entry for the whole file below, not one per chunk.
            sales_lines_write(
                actor=actor,
                lines=changed,
                source=source_name(table),
                audit=False,
                refresh=False,
                checked=bounds,
            )
            touched.update(ln.account_id for ln in changed)
            done += len(chunk)
            tracker.written(done)
        # One roll-up rebuild for the whole file: the clients lines went to, and those that
        # re-imported lines moved away from.
        if touched or moved_from:
            client_month_refresh(account_ids=touched | moved_from)
        audit_import(actor=actor, entity="sales.salesline", table=table, result=result)
    if not errors:
        tracker.finish()
    return finish(result, errors)
