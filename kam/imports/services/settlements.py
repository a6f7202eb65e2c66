"""Import the ERP's open items (invoices) and payments into the settlements (issue 9 §7, AR-1),
all or nothing and idempotent like the sales import, written through
``kam.receivables.services_import``.

invoices (key: document_number)
    client* (registration number), document_number*, date* (the invoice date), due_date or
    payment_days (one of them, per row), amount*, currency (default: the base currency),
    open_amount (what is still unpaid in the ERP; default: all of it), reference (the shipment
    or sales document it bills)
payments (key: document_number)
    client*, document_number*, date*, amount*, currency, invoice (the document number of the
    invoice it pays: settled first, then the oldest due)

Amounts are positive, in the document's currency, converted to the base currency with the
company's rates on the document's date, as the sales import does. The whole file is checked
first, every bad cell reported at its line and column; nothing is written while one error
exists. A re-import finds each document by its number: the same document is left alone
(``unchanged``); an invoice's new due date or reference is updated (``updated``); another
client, date, amount or currency for a document KAM has is refused at its cell, since a posted
invoice or payment is corrected in the ERP by a credit note, not rewritten. The open amount of
an invoice KAM already has is not applied again: the payments KAM imports keep it current.

ERP settlement files are thousands of rows, not millions: the checked rows are kept in memory
between the check and the write (the sales import reads its file twice instead).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from kam.clients.models import Account
from kam.core import bounds
from kam.core.money import UnknownRate
from kam.core.selectors import rate_table
from kam.imports.formats import DATE_FORMATS
from kam.imports.readers import Source
from kam.imports.services.common import (
    IN_LIST,
    ImportResult,
    Progress,
    Row,
    Tracker,
    Writing,
    audit_import,
    check_rows,
    checksum,
    chunks,
    finish,
    max_length,
    open_file,
    require_import,
)
from kam.imports.validators import (
    ErrorList,
    parse_currency,
    parse_date,
    parse_decimal,
    parse_id,
    parse_int,
    parse_text,
)
from kam.org.models import User
from kam.receivables.models import SettlementItem
from kam.receivables.services_import import (
    ERP_SETTLEMENT_SUFFIX,
    ImportedInvoice,
    ImportedPayment,
    settlements_import_invoices,
    settlements_import_payments,
)

INVOICE_COLUMNS = ("client", "document_number", "date", "amount")
INVOICE_OPTIONAL = ("due_date", "payment_days", "currency", "open_amount", "reference")
PAYMENT_COLUMNS = ("client", "document_number", "date", "amount")
PAYMENT_OPTIONAL = ("currency", "invoice")
# The longest payment deferral a row may state (ten years): beyond it is a typo.
MAX_PAYMENT_DAYS = 3650


@dataclass
class _Checked:
    line: int
    item: Any  # ImportedInvoice | ImportedPayment


class _Parser:
    """Rows into items, against the clients loaded once and the company's rates."""

    kind_label = ""

    def __init__(self, *, date_format: str, labels: dict[str, str] | None):
        self.accounts: dict[str, int] = dict(
            Account.objects.exclude(registration_number="")
            .order_by()
            .values_list("registration_number", "id")
        )
        self.rates = rate_table()
        self.base = self.rates.base
        self.date_format = date_format
        self.earliest = bounds.history_start()
        self.latest = bounds.ledger_latest()
        self.seen: dict[str, int] = {}
        self.items: list[_Checked] = []
        money = SettlementItem._meta.get_field("amount")
        self.money_digits = {"places": money.decimal_places, "max_digits": money.max_digits}
        self.document_length = max_length(SettlementItem, "document_number")
        self.client_length = max_length(Account, "registration_number")

    def common(self, row: Row):
        client = row.get("client", parse_id, required=True, max_length=self.client_length)
        account_id = None
        if client is not None:
            account_id = self.accounts.get(client)
            if account_id is None:
                row.fail(
                    "client",
                    gettext('no client with registration number "%(value)s"') % {"value": client},
                )
        document = row.get(
            "document_number", parse_text, required=True, max_length=self.document_length
        )
        if document is not None:
            if document.endswith(ERP_SETTLEMENT_SUFFIX):
                row.fail(
                    "document_number",
                    gettext('a document number ending in "%s" is kept for KAM\'s own records')
                    % ERP_SETTLEMENT_SUFFIX,
                )
            first = self.seen.setdefault(document, row.line)
            if first != row.line:
                row.fail(
                    "document_number",
                    gettext('document "%(document)s" is already on line %(line)s')
                    % {"document": document, "line": first},
                )
        day = row.get("date", parse_date, required=True, date_format=self.date_format)
        if day is not None and not self.earliest <= day <= self.latest:
            row.fail("date", _reason(bounds.check_ledger_date, day))
            day = None
        amount = row.get("amount", parse_decimal, required=True, **self.money_digits)
        amount = self.positive(row, "amount", amount)
        currency = row.get("currency", parse_currency) or self.base
        return account_id, document, day, amount, currency

    def positive(self, row: Row, column: str, value: Decimal | None, *, zero=False):
        if value is None:
            return None
        if value < 0:
            row.fail(column, gettext("an amount is positive here; the kind of file says its sign"))
            return None
        if value == 0 and not zero:
            row.fail(column, gettext("an amount of zero records nothing; leave the row out"))
            return None
        try:
            bounds.check_amount(value)
        except ValidationError as exc:
            row.fail(column, " ".join(exc.messages))
            return None
        return value

    def base_amount(self, row: Row, value: Decimal, currency: str, day: date, column: str):
        """``value`` in the base currency on ``day``; None (and an error) without a rate."""
        try:
            converted = self.rates.convert(value, currency, day)
        except UnknownRate:
            row.fail(
                "currency",
                gettext(
                    "no %(currency)s rate on or before %(date)s; add one to the company's "
                    "currency rates first"
                )
                % {"currency": currency, "date": day.isoformat()},
            )
            return None
        if converted > bounds.MAX_AMOUNT:
            row.fail(column, _reason(bounds.check_amount, converted))
            return None
        return converted


def _failed(row: Row, column: str) -> bool:
    """Whether ``column`` of ``row`` was refused already (a bad due date is not also a
    missing one); a mapped file's errors name the file's column."""
    shown = (row.labels or {}).get(column, column)
    return any(e.line == row.line and e.column == shown for e in row.errors.items)


def _reason(check, value, **kw) -> str:
    try:
        check(value, **kw)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


class _InvoiceParser(_Parser):
    def __call__(self, row: Row) -> None:
        account_id, document, day, amount, currency = self.common(row)
        due = row.get("due_date", parse_date, date_format=self.date_format)
        days = row.get("payment_days", parse_int, minimum=0, maximum=MAX_PAYMENT_DAYS)
        if due is None and days is None and not _failed(row, "due_date"):
            row.fail("due_date", gettext("give a due date or the payment days"))
        if (
            due is not None
            and days is not None
            and day is not None
            and due != day + timedelta(days=days)
        ):
            row.fail(
                "payment_days",
                gettext("the due date is not the invoice date plus the payment days"),
            )
        if due is None and days is not None and day is not None:
            due = day + timedelta(days=days)
        if due is not None:
            if day is not None and due < day:
                row.fail("due_date", gettext("the due date is before the invoice date"))
            elif (problem := _reason(bounds.check_date, due)) != "":
                row.fail("due_date", problem)
        open_amount = row.get("open_amount", parse_decimal, **self.money_digits)
        open_amount = self.positive(row, "open_amount", open_amount, zero=True)
        if open_amount is not None and amount is not None and open_amount > amount:
            row.fail("open_amount", gettext("the open amount is larger than the amount"))
        reference = (
            row.get(
                "reference",
                parse_text,
                max_length=max_length(SettlementItem, "reference"),
            )
            or ""
        )
        if (
            document is not None
            and open_amount is not None
            and amount is not None
            and open_amount < amount
            and len(document) + len(ERP_SETTLEMENT_SUFFIX) > self.document_length
        ):
            row.fail(
                "document_number",
                gettext(
                    "a partly paid invoice's number has at most %s characters (KAM records "
                    "the part paid in the ERP under it)"
                )
                % (self.document_length - len(ERP_SETTLEMENT_SUFFIX)),
            )
        if not row.ok or None in (account_id, document, day, amount, due):
            return
        base = self.base_amount(row, amount, currency, day, "amount")
        if base is None:
            return
        open_base = base
        if open_amount is not None and open_amount != amount:
            open_base = min(base, self.rates.convert(open_amount, currency, day))
        self.items.append(
            _Checked(
                row.line,
                ImportedInvoice(
                    account_id=account_id,
                    document_number=document,
                    document_date=day,
                    due_date=due,
                    amount=base,
                    open_amount=open_base,
                    currency=currency,
                    document_amount=amount,
                    reference=reference,
                ),
            )
        )


class _PaymentParser(_Parser):
    def __call__(self, row: Row) -> None:
        account_id, document, day, amount, currency = self.common(row)
        invoice = row.get("invoice", parse_text, max_length=self.document_length) or ""
        if not row.ok or None in (account_id, document, day, amount):
            return
        base = self.base_amount(row, amount, currency, day, "amount")
        if base is None:
            return
        self.items.append(
            _Checked(
                row.line,
                ImportedPayment(
                    account_id=account_id,
                    document_number=document,
                    document_date=day,
                    amount=base,
                    currency=currency,
                    document_amount=amount,
                    invoice=invoice,
                ),
            )
        )


def _stored(kind: str, numbers: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for part in chunks(sorted(numbers), IN_LIST):
        for values in SettlementItem.objects.filter(kind=kind, document_number__in=part).values(
            "document_number",
            "account_id",
            "document_date",
            "due_date",
            "currency",
            "document_amount",
            "reference",
        ):
            found[values["document_number"]] = values
    return found


def _refuse_changes(row: Row, kind_word: str, item, old: dict) -> None:
    """A document KAM has keeps its client, date, currency and amount (docs/import.md)."""
    number = item.document_number
    if old["account_id"] != item.account_id:
        # The stored client is not named: it may lie outside the actor's scope.
        row.fail(
            "client",
            gettext(
                '%(kind)s "%(number)s" is already in KAM for another client; a re-import '
                "does not move a document"
            )
            % {"kind": kind_word, "number": number},
        )
    if old["document_date"] != item.document_date:
        row.fail(
            "date",
            gettext('%(kind)s "%(number)s" is already in KAM dated %(date)s')
            % {"kind": kind_word, "number": number, "date": old["document_date"].isoformat()},
        )
    if old["currency"] != item.currency or abs(old["document_amount"]) != item.document_amount:
        row.fail(
            "amount",
            gettext(
                '%(kind)s "%(number)s" is already in KAM for %(amount)s %(currency)s; a '
                "re-import does not change an amount: correct it in the ERP with a credit note"
            )
            % {
                "kind": kind_word,
                "number": number,
                "amount": abs(old["document_amount"]),
                "currency": old["currency"],
            },
        )


def _run(
    kind: str,
    parser_class: type[_Parser],
    *,
    source: Source,
    actor: User | None,
    name: str | None,
    progress: Progress | None,
    max_errors: int | None,
    mapping: Any,
    check_only: bool,
) -> ImportResult:
    require_import(actor)
    errors = ErrorList(max_errors)
    table, result, estimate = open_file(kind, source, name, errors, mapping=mapping)
    result.checked_only = check_only
    if table is None:
        return finish(result, errors)
    date_format = getattr(table, "date_format", "auto") or "auto"
    if date_format not in DATE_FORMATS:
        errors.add(
            None,
            "date_format",
            gettext("unknown date format; the formats are %s") % ", ".join(DATE_FORMATS),
        )
        return finish(result, errors)
    invoices = kind == "invoices"
    required, optional = (
        (INVOICE_COLUMNS, INVOICE_OPTIONAL) if invoices else (PAYMENT_COLUMNS, PAYMENT_OPTIONAL)
    )
    labels = getattr(table, "labels", None) or None
    tracker = Tracker(progress, estimate)
    parse = parser_class(date_format=date_format, labels=labels)
    check_rows(
        table,
        parse,
        required=required,
        optional=optional,
        errors=errors,
        result=result,
        tracker=tracker,
    )
    if errors and not parse.items:
        return finish(result, errors)

    # Against what KAM has (the rows that passed, so one report lists every error): the same document is the same item; what may not change is refused
    # at its cell, what may (an invoice's due date, its reference) counts as updated.
    kind_value = SettlementItem.Kind.INVOICE if invoices else SettlementItem.Kind.PAYMENT
    stored = _stored(kind_value, [c.item.document_number for c in parse.items])
    known_invoices: dict[str, int] = {}
    if not invoices:
        named = {c.item.invoice for c in parse.items if c.item.invoice}
        for part in chunks(sorted(named), IN_LIST):
            known_invoices.update(
                SettlementItem.objects.filter(
                    kind=SettlementItem.Kind.INVOICE, document_number__in=part
                ).values_list("document_number", "account_id")
            )
    word = gettext("invoice") if invoices else gettext("payment")
    for checked in parse.items:
        item = checked.item
        row = Row(checked.line, (), {}, errors, labels)
        old = stored.get(item.document_number)
        if old is None:
            if not invoices and item.invoice:
                owner = known_invoices.get(item.invoice)
                if owner is None or owner != item.account_id:
                    row.fail(
                        "invoice",
                        gettext('the client has no invoice "%(number)s" in KAM')
                        % {"number": item.invoice},
                    )
            result.created += 1
            continue
        _refuse_changes(row, word, item, old)
        if invoices and (old["due_date"], old["reference"]) != (item.due_date, item.reference):
            result.updated += 1
        else:
            result.unchanged += 1
    if errors or check_only:
        if not errors:
            result.checksum = checksum(table)
            tracker.finish()
        return finish(result, errors)

    tracker.set_rows(result.rows)
    items = [c.item for c in parse.items]
    with Writing(errors, labels=labels):
        if invoices:
            counts = settlements_import_invoices(actor=actor, invoices=items)
        else:
            counts = settlements_import_payments(actor=actor, payments=items)
        result.created, result.updated, result.unchanged = (
            counts["created"],
            counts["updated"],
            counts["unchanged"],
        )
        tracker.written(len(items))
        audit_import(actor=actor, entity="receivables.settlementitem", table=table, result=result)
    if not errors:
        tracker.finish()
    return finish(result, errors)


def import_invoices(
    *,
    source: Source,
    actor: User | None,
    name: str | None = None,
    progress: Progress | None = None,
    max_errors: int | None = None,
    mapping: Any = None,
    check_only: bool = False,
) -> ImportResult:
    """The ERP's open items as settlement invoices, keyed by document number. ``check_only``:
    every row is checked against KAM and nothing written; the counts say what an import
    would do."""
    return _run(
        "invoices",
        _InvoiceParser,
        source=source,
        actor=actor,
        name=name,
        progress=progress,
        max_errors=max_errors,
        mapping=mapping,
        check_only=check_only,
    )


def import_payments(
    *,
    source: Source,
    actor: User | None,
    name: str | None = None,
    progress: Progress | None = None,
    max_errors: int | None = None,
    mapping: Any = None,
    check_only: bool = False,
) -> ImportResult:
    """The ERP's payments as settlement payments, keyed by document number, each allocated to
    the invoice it names first, then to the oldest due; an overpayment stays a credit."""
    return _run(
        "payments",
        _PaymentParser,
        source=source,
        actor=actor,
        name=name,
        progress=progress,
        max_errors=max_errors,
        mapping=mapping,
        check_only=check_only,
    )
