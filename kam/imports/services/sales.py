"""Import the sales ledger, keyed by document number and line number, through
kam.sales.services.sales_lines_write (an upsert that converts currencies and keeps the monthly
roll-up current).

Columns (* required): document_number*, line_number*, date*, client* (registration number;
``13085.0`` is ``13085``), sku*, quantity*, revenue*, cost (without it, or in an empty cell,
the line's income is unknown: cost 0, ``cost_known`` False), currency (default: the company's
base currency), and for the clients and products a file may create (``create_missing``):
client_name, client_country, client_city, product_name, product_category, product_unit.

Options (``SalesOptions``, issue 8 §2, §3): ``create_missing`` creates the clients and products
the file names but KAM lacks; ``cancellation_prefix`` marks cancellation documents ("C489449"),
whose lines are returns linked to the original document ("489449") where the file or the
ledger has it; ``service_skus`` (with the products flagged ``is_service``) are service lines,
kept (``service_lines="keep"``) or left out (``"exclude"``).

Built for a million rows: clients and products are loaded once into dicts (no query per row);
the file is read twice, to check and then to write, rather than held in memory; lines are
written in chunks inside the one transaction. ``check_only`` reads it twice as well, the
second time comparing with the stored lines instead of writing them.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext

from kam.catalog.models import Product
from kam.catalog.services import products_create_bulk, products_flag_service
from kam.clients.models import Account
from kam.clients.services import accounts_create_bulk
from kam.core.selectors import rate_table
from kam.imports.formats import DATE_FORMATS
from kam.imports.options import OptionError, SalesOptions
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
    parse_country,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_id,
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
)
SALES_OPTIONAL = (
    "cost",
    "currency",
    "client_name",
    "client_country",
    "client_city",
    "product_name",
    "product_category",
    "product_unit",
)

# Sales lines per sales_lines_write call: bounded memory (some 40 MB), and few calls, since
# each one rebuilds the monthly roll-up of every client it touched.
CHUNK = 50_000

# What the parser answers for a service line left out (service_lines="exclude").
_SKIP: Any = object()
_ZERO = Decimal(0)


@dataclass
class _NewClient:
    """A client the file names and KAM lacks, as the file first describes it."""

    line: int
    name: str = ""
    name_line: int = 0
    country: str = ""
    city: str = ""


@dataclass
class _NewProduct:
    name: str = ""
    category: str = ""
    unit: str = ""
    is_service: bool = False


def _same_name(a: str, b: str) -> bool:
    # "SIA  Alfa" and "sia alfa" are one name: exports differ in case and spacing.
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class _SalesParser:
    """Turns a row into a LedgerLine against clients and products loaded once into dicts:
    a million rows are checked without a query per row.

    The first reading (``collecting``) also gathers what the write needs besides the lines:
    the clients and products to create, the products to flag as services, the documents
    cancellations point to, and the counts of the result."""

    def __init__(self, *, bounds: LedgerBounds, options: SalesOptions, date_format: str):
        self.accounts: dict[str, int] = dict(
            Account.objects.exclude(registration_number="")
            .order_by()
            .values_list("registration_number", "id")
        )
        self.products: dict[str, int] = dict(Product.objects.order_by().values_list("sku", "id"))
        self.service_ids: set[int] = set(
            Product.objects.filter(is_service=True).values_list("id", flat=True)
        )
        self.bounds = bounds
        self.base = bounds.rates.base
        self.options = options
        self.date_format = date_format
        self.create_missing = options.create_missing
        self.prefix = options.cancellation_prefix
        self.service_skus = options.service_skus
        self.exclude_services = options.service_lines == "exclude"
        # Key "document\0line" -> the file line that has it. A duplicate would make the
        # upsert hit one row twice in one statement, which PostgreSQL refuses.
        self.seen: dict[str, int] | None = {}
        self.collecting = True
        self.new_clients: dict[str, _NewClient] = {}
        self.new_products: dict[str, _NewProduct] = {}
        self.to_flag: set[int] = set()
        # Registration number -> stored legal name, loaded when first needed: a file that
        # creates clients must not name an existing client otherwise (issue 8, bad input).
        self.names: dict[str, str] | None = None
        self.documents: set[str] = set()
        self.cancelled: Counter[str] = Counter()
        # Original documents found (in the file or the ledger): set before the second reading.
        self.linked: set[str] = set()
        self.service_lines = 0
        self.skipped = 0
        self.without_cost = 0
        quantity = SalesLine._meta.get_field("quantity")
        money = SalesLine._meta.get_field("revenue")
        self.quantity_digits = {
            "places": quantity.decimal_places,
            "max_digits": quantity.max_digits,
        }
        self.money_digits = {"places": money.decimal_places, "max_digits": money.max_digits}
        self.document_length = max_length(SalesLine, "document_number")
        self.client_length = max_length(Account, "registration_number")
        self.sku_length = max_length(Product, "sku")

    def __call__(self, row: Row) -> LedgerLine | None:
        document = row.get(
            "document_number", parse_text, required=True, max_length=self.document_length
        )
        line_number = row.get("line_number", parse_int, required=True, minimum=0)
        day = row.get("date", parse_date, required=True, date_format=self.date_format)
        client = row.get("client", parse_id, required=True, max_length=self.client_length)
        sku = row.get("sku", parse_text, required=True, max_length=self.sku_length)
        product_id = self.products.get(sku) if sku is not None else None
        is_service = sku in self.service_skus or product_id in self.service_ids
        skip = is_service and self.exclude_services
        account_id = None
        if client is not None and not skip:
            account_id = self.accounts.get(client)
            if account_id is None:
                if self.create_missing and self.collecting:
                    self._new_client(row, client)
                else:
                    row.fail(
                        "client",
                        gettext('no client with registration number "%(value)s"')
                        % {"value": client},
                    )
            elif self.create_missing and self.collecting and "client_name" in row.columns:
                self._check_existing_name(row, client)
        if sku is not None and not skip:
            if product_id is None:
                if self.create_missing and self.collecting:
                    self._new_product(row, sku, is_service)
                else:
                    row.fail("sku", gettext('no product with SKU "%(value)s"') % {"value": sku})
            elif is_service and self.collecting and product_id not in self.service_ids:
                self.to_flag.add(product_id)
        quantity = row.get("quantity", parse_decimal, required=True, **self.quantity_digits)
        revenue = row.get("revenue", parse_decimal, required=True, **self.money_digits)
        cost = row.get("cost", parse_decimal, **self.money_digits)
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
        returns_document = ""
        if document is not None and self.prefix:
            if self.collecting:
                self.documents.add(document)
            if document.startswith(self.prefix) and len(document) > len(self.prefix):
                original = document[len(self.prefix) :]
                if quantity is not None and quantity > 0 and not skip:
                    row.fail(
                        "quantity",
                        gettext(
                            'document "%(document)s" is a cancellation (it starts with '
                            '"%(prefix)s"): its lines are returns, with a negative quantity'
                        )
                        % {"document": document, "prefix": self.prefix},
                    )
                if self.collecting and not skip:
                    self.cancelled[original] += 1
                elif original in self.linked:
                    returns_document = original
        if skip:
            # Left out of the ledger: its cells are checked, the ledger's rules are not asked.
            if self.collecting and row.ok:
                self.skipped += 1
            return _SKIP if row.ok else None
        if day is None or quantity is None or revenue is None:
            if day is not None and (missing := self.bounds.rate_problem(currency, day)):
                row.fail("currency", missing)
            return None
        cost_known = cost is not None
        line = LedgerLine(
            date=day,
            account_id=account_id or 0,
            product_id=product_id or 0,
            quantity=quantity,
            revenue=revenue,
            cost=cost if cost_known else _ZERO,
            currency=currency,
            document_number=document or "",
            line_number=line_number or 0,
            cost_known=cost_known,
            returns_document=returns_document,
        )
        # The ledger's own bounds (dates, amounts, returns), at the cell that breaks them, even
        # when another cell of the row is wrong too: one rule with every other ledger writer.
        for field, message in self.bounds.problems(line).items():
            row.fail(field, message)
        if not row.ok:
            return None
        if self.collecting:
            if is_service:
                self.service_lines += 1
            if not cost_known:
                self.without_cost += 1
        return line

    def _new_client(self, row: Row, reg: str) -> None:
        new = self.new_clients.get(reg)
        if new is None:
            new = self.new_clients[reg] = _NewClient(line=row.line)
        name = row.get("client_name", parse_text, max_length=max_length(Account, "legal_name"))
        if name is not None:
            if not new.name:
                new.name, new.name_line = name, row.line
            elif not _same_name(name, new.name):
                row.fail(
                    "client_name",
                    gettext(
                        'client "%(number)s" is named "%(name)s" on line %(line)s; one '
                        "registration number has one name"
                    )
                    % {"number": reg, "name": new.name, "line": new.name_line},
                )
        if "client_country" in row.columns:
            country = row.get("client_country", parse_country)
            if country and not new.country:
                new.country = country
        if not new.city:
            city = row.get("client_city", parse_text, max_length=max_length(Account, "city"))
            new.city = city or ""

    def _check_existing_name(self, row: Row, reg: str) -> None:
        if self.names is None:
            self.names = dict(
                Account.objects.exclude(registration_number="")
                .order_by()
                .values_list("registration_number", "legal_name")
            )
        name = row.get("client_name", parse_text, max_length=max_length(Account, "legal_name"))
        stored = self.names.get(reg)
        if name is not None and stored is not None and not _same_name(name, stored):
            # The stored name is not quoted: the client may lie outside the actor's scope.
            row.fail(
                "client_name",
                gettext(
                    'registration number "%(number)s" belongs to an existing client of another '
                    "name; a sales file does not rename clients: correct the name or the number"
                )
                % {"number": reg},
            )

    def _new_product(self, row: Row, sku: str, is_service: bool) -> None:
        new = self.new_products.get(sku)
        if new is None:
            new = self.new_products[sku] = _NewProduct(is_service=is_service)
        for attr, column, model_field in (
            ("name", "product_name", "name"),
            ("category", "product_category", None),
            ("unit", "product_unit", "unit"),
        ):
            if getattr(new, attr) or column not in row.columns:
                continue
            limit = max_length(Product, model_field) if model_field else 200
            value = row.get(column, parse_text, max_length=limit)
            if value:
                setattr(new, attr, value)

    def placeholders(self) -> None:
        """Ids for the clients and products a check-only run would create: lines naming them
        compare as new or changed, never as unchanged."""
        for n, reg in enumerate(self.new_clients, start=1):
            self.accounts[reg] = -n
        for n, sku in enumerate(self.new_products, start=1):
            self.products[sku] = -n


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
            "cost_known",
            "returns_document",
        ):
            found[values[0], values[1]] = values[2:]
    return found


def _stored_documents(numbers: set[str]) -> set[str]:
    """Which of ``numbers`` the ledger has as documents."""
    found: set[str] = set()
    for part in chunks(sorted(numbers), IN_LIST):
        found.update(
            SalesLine.objects.filter(document_number__in=part)
            .order_by()
            .values_list("document_number", flat=True)
            .distinct()
        )
    return found


def sales_options(options: SalesOptions | dict | None, mapping: Any = None) -> SalesOptions:
    """The options of a run: a mapping's ``options`` with the explicit ones on top (a dict's
    entries, or a SalesOptions' fields that differ from the defaults). ``OptionError``."""
    base = SalesOptions.from_dict(getattr(mapping, "options", None) or None)
    if options is None:
        return base
    if isinstance(options, SalesOptions):
        defaults = SalesOptions()
        given = {
            f.name: getattr(options, f.name)
            for f in fields(SalesOptions)
            if getattr(options, f.name) != getattr(defaults, f.name)
        }
        if "service_skus" in given:
            given["service_skus"] = sorted(given["service_skus"])
        return base.merged(given)
    if isinstance(options, dict):
        return base.merged(options)
    raise OptionError("options", gettext("must be a set of options"))


def import_sales(
    *,
    source: Source,
    actor: User | None,
    name: str | None = None,
    progress: Progress | None = None,
    max_errors: int | None = None,
    mapping: Any = None,
    check_only: bool = False,
    options: SalesOptions | dict | None = None,
) -> ImportResult:
    """Upsert ledger lines on (document, line); the monthly roll-up follows in the same
    transaction. Lines identical to the stored ones (amounts in the base currency included)
    are counted as unchanged and not rewritten, so a re-import is cheap.

    ``mapping`` (kam.imports.mapping.Mapping) names the file's columns, its date format and
    default options; ``options`` (``SalesOptions`` or a dict) override the mapping's.
    ``check_only``: every row is checked and nothing written; the counts say what the import
    would do (``result.checked_only``)."""
    require_import(actor)
    errors = ErrorList(max_errors)
    if mapping is not None:
        table, result, estimate = open_file("sales", source, name, errors, mapping=mapping)
    else:
        table, result, estimate = open_file("sales", source, name, errors)
    result.checked_only = check_only
    if table is None:
        return finish(result, errors)
    try:
        run_options = sales_options(options, mapping)
    except OptionError as exc:
        errors.add(None, f"options.{exc.name}", exc.message)
        return finish(result, errors)
    date_format = getattr(table, "date_format", "auto") or "auto"
    if date_format not in DATE_FORMATS:
        errors.add(
            None,
            "date_format",
            gettext("unknown date format; the formats are %s") % ", ".join(DATE_FORMATS),
        )
        return finish(result, errors)
    tracker = Tracker(progress, estimate)
    rates = rate_table()
    bounds = LedgerBounds(rates)
    parse = _SalesParser(bounds=bounds, options=run_options, date_format=date_format)
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
    parse.collecting = False
    if errors:
        return finish(result, errors)

    # Cancellations link to their original document where the file or the ledger has it.
    if parse.cancelled:
        originals = set(parse.cancelled)
        parse.linked = originals & parse.documents
        parse.linked |= _stored_documents(originals - parse.linked)
        result.returns_linked = sum(parse.cancelled[d] for d in parse.linked)
    parse.documents = set()
    result.service_lines = parse.service_lines
    result.skipped = parse.skipped
    result.without_cost = parse.without_cost
    result.clients_created = len(parse.new_clients)
    result.products_created = len(parse.new_products)

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
                if ledger_line is not _SKIP:
                    yield ledger_line
        except ReadError as exc:
            raise FileChanged(exc.message) from exc

    def compare(chunk: list[LedgerLine], moved_from: set[int]) -> list[LedgerLine]:
        """The lines of ``chunk`` that are new or differ from the stored ones, counted."""
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
                ln.cost_known,
                ln.returns_document,
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
        return changed

    moved_from: set[int] = set()
    done = 0
    if check_only:
        parse.placeholders()
        with Writing(errors):  # a file changed under the check is an error like any other
            for chunk in chunks(ledger_lines(), CHUNK):
                compare(chunk, moved_from)
                done += len(chunk)
                tracker.written(done)
        if not errors:
            tracker.finish()
        return finish(result, errors)

    touched: set[int] = set()
    with Writing(errors):
        _create_missing(actor, parse)
        for chunk in chunks(ledger_lines(), CHUNK):
            changed = compare(chunk, moved_from)
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


def _create_missing(actor, parse: _SalesParser) -> None:
    """Create the clients and products the file needs, flag its service products: in the
    write's transaction, so a refusal later on takes them back too."""
    if parse.new_clients:
        rows = []
        for reg, new in parse.new_clients.items():
            row = {"registration_number": reg, "legal_name": new.name or reg}
            if new.country:
                row["country"] = new.country
            if new.city:
                row["city"] = new.city
            rows.append(row)
        parse.accounts.update(accounts_create_bulk(actor=actor, rows=rows))
    if parse.new_products:
        rows = []
        for sku, new in parse.new_products.items():
            row = {"sku": sku, "name": new.name or sku, "is_service": new.is_service}
            if new.category:
                row["category"] = new.category
            if new.unit:
                row["unit"] = new.unit
            rows.append(row)
        parse.products.update(products_create_bulk(actor=actor, rows=rows))
    if parse.to_flag:
        products_flag_service(actor=actor, product_ids=parse.to_flag)
        parse.service_ids |= parse.to_flag
