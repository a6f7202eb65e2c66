"""Import ERP history (clients, products, sales) and settlements (invoices, payments) from
CSV or XLSX, all or nothing.

The first row of the file is the header. Column names are case-insensitive and a space or a
dash counts as an underscore ("Legal name" is ``legal_name``). Required columns are starred;
any column not listed here is an error, so a typo cannot silently drop data.

clients (key: registration_number)
    registration_number*, legal_name*, vat_number, industry, segment (name; created if new),
    territory (name; created if new), owner (username of the KAM), department (name),
    status (potential, active, inactive, lost), city, country (two letters)
products (key: sku)
    sku*, name*, category (name; created if new), unit, standard_cost, currency,
    launched_on (date)
sales (key: document_number + line_number)
    document_number*, line_number*, date*, client* (registration number), sku*, quantity*,
    revenue*, cost*, currency (default: the company's base currency)
invoices, payments (key: document_number; issue 9 §7, kam.imports.services.settlements)
    client*, document_number*, date*, amount*, currency; invoices: due_date or payment_days,
    open_amount, reference; payments: invoice (the one it pays first)

Numbers take a decimal point or a decimal comma and grouping spaces ("1234.56", "1 234,56");
money is Decimal, never float. Dates are YYYY-MM-DD or DD.MM.YYYY (or date cells in XLSX).
An empty cell of a client or product leaves the stored value as it is.

The whole file is checked first and every bad cell is reported with its line (the header is
line 1) and column. Only a file without a single error is written, in one transaction: a file
with one bad row changes nothing. Re-importing a file updates what changed and duplicates
nothing (sales lines are upserted on document and line number). Sales files of a million rows
are checked against clients and products loaded once into dicts, read twice rather than held
in memory, and written in chunks through ``kam.sales.services.sales_lines_write``.

Every importer takes the acting user (keyword ``actor``, required): a director, an
administrator or sales support (``Action.IMPORT_RUN``, company-wide), else ``PermissionDenied``
before the file is read; ``None`` is the system (``kam import --system``). Sales lines keep the
ledger's bounds (``kam.sales.services.LedgerBounds``: dates, amounts, returns) and every text
cell is free of control characters, each refusal at its line and column.
See docs/import.md.
"""

from collections.abc import Callable

from kam.imports.services.clients import import_clients
from kam.imports.services.common import ImportResult, Progress
from kam.imports.services.products import import_products
from kam.imports.services.sales import import_sales
from kam.imports.services.settlements import import_invoices, import_payments

IMPORTERS: dict[str, Callable[..., ImportResult]] = {
    "clients": import_clients,
    "products": import_products,
    "sales": import_sales,
    "invoices": import_invoices,
    "payments": import_payments,
}

__all__ = [
    "IMPORTERS",
    "ImportResult",
    "Progress",
    "import_clients",
    "import_invoices",
    "import_payments",
    "import_products",
    "import_sales",
]
