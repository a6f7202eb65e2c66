"""The ERP's open items and payments into the settlements (issue 9 §7, AR-1): all or nothing,
each error at its line and column, idempotent, re-imports refused where a document would
change, allocations (named invoice first, then oldest due; overpayment kept as credit), and
the settlements' invariant balance = sum of amounts = sum of open amounts."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from kam.core.models import AuditEntry
from kam.core.services import currency_rate_set
from kam.imports.services import import_invoices, import_payments
from kam.receivables.models import Allocation, SettlementItem
from kam.receivables.services_import import (
    ImportedInvoice,
    ImportedPayment,
    settlements_import_invoices,
    settlements_import_payments,
)
from kam.testing import make_account

pytestmark = pytest.mark.django_db

INVOICE_HEADER = ["client", "document_number", "date", "due_date", "amount", "open_amount"]
PAYMENT_HEADER = ["client", "document_number", "date", "amount", "invoice"]


@pytest.fixture
def clients(org):
    return {
        # Neither has a contract: ERP invoices are accepted all the same.
        "alfa": make_account(owner=org.kam_anna, registration_number="40003000001"),
        "beta": make_account(owner=org.kam_sigrid, registration_number="40003000002"),
    }


def items(account):
    return SettlementItem.objects.filter(account=account)


def balance(account):
    sums = items(account).aggregate(a=Sum("amount"), o=Sum("open_amount"))
    assert sums["a"] == sums["o"], "balance must equal the sum of open amounts"
    return sums["a"] or Decimal(0)


def by_number(number, kind=SettlementItem.Kind.INVOICE):
    return SettlementItem.objects.get(kind=kind, document_number=number)


def test_invoices_are_posted_with_the_erp_open_amount(org, clients, csv_file):
    path = csv_file(
        [
            [*INVOICE_HEADER, "reference"],
            ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "1000.00", "", "SH-1"],
            ["40003000001", "INV-2", "2026-10-05", "2026-11-04", "500", "200", ""],
        ]
    )
    result = import_invoices(source=path, actor=org.support_north)
    assert result.ok, result.errors
    assert (result.rows, result.created, result.unchanged) == (2, 2, 0)
    one, two = by_number("INV-1"), by_number("INV-2")
    assert (one.amount, one.open_amount, one.reference) == (
        Decimal("1000"),
        Decimal("1000"),
        "SH-1",
    )
    assert (one.source, one.created_by) == ("import", org.support_north)
    assert (two.amount, two.open_amount) == (Decimal("500"), Decimal("200"))
    # The part paid in the ERP is a payment allocated to the invoice: the balance is what is
    # open in the ERP, 1000 + 200.
    settled = by_number("INV-2/ERP", SettlementItem.Kind.PAYMENT)
    assert (settled.amount, settled.open_amount) == (Decimal("-300"), Decimal("0"))
    assert Allocation.objects.get(credit=settled).debit == two
    assert balance(clients["alfa"]) == Decimal("1200")
    audit = AuditEntry.objects.filter(action="import", entity="receivables.settlementitem")
    assert audit.count() == 1


def test_payment_days_give_the_due_date(org, clients, csv_file):
    path = csv_file(
        [
            ["client", "document_number", "date", "payment_days", "amount"],
            ["40003000001", "INV-1", "2026-10-01", "30", "100"],
        ]
    )
    assert import_invoices(source=path, actor=org.support_north).ok
    assert by_number("INV-1").due_date == date(2026, 10, 31)


def test_a_bad_file_writes_nothing_and_names_every_cell(org, clients, csv_file):
    path = csv_file(
        [
            INVOICE_HEADER,
            ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "100", ""],  # fine
            ["49999999999", "INV-2", "2026-10-01", "2026-10-31", "100", ""],  # unknown client
            ["40003000001", "INV-3", "2026-13-01", "2026-10-31", "100", ""],  # bad date
            ["40003000001", "INV-4", "2026-10-10", "2026-10-01", "100", ""],  # due before
            ["40003000001", "INV-5", "2026-10-01", "2026-10-31", "-5", ""],  # negative
            ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "100", ""],  # duplicate
            ["40003000001", "INV-7", "2026-10-01", "2026-10-31", "1000000000", ""],  # too large
            ["40003000001", "INV-8", "2026-10-01", "2026-10-31", "100", "150"],  # open > amount
            ["40003000001", "INV-9", "2026-10-01", "", "100", ""],  # no due date
        ]
    )
    result = import_invoices(source=path, actor=org.support_north)
    assert not result.ok
    where = {(e.line, e.column) for e in result.errors}
    assert {
        (3, "client"),
        (4, "date"),
        (5, "due_date"),
        (6, "amount"),
        (7, "document_number"),
        (8, "amount"),
        (9, "open_amount"),
        (10, "due_date"),
    } <= where
    assert (2, "client") not in where
    assert not SettlementItem.objects.exists()
    assert result.created == 0


def test_reimporting_the_same_file_changes_nothing(org, clients, csv_file):
    path = csv_file(
        [
            INVOICE_HEADER,
            ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "1000", "400"],
        ]
    )
    assert import_invoices(source=path, actor=org.support_north).created == 1
    before = list(SettlementItem.objects.values_list("document_number", "amount", "open_amount"))
    again = import_invoices(source=path, actor=org.support_north)
    assert again.ok and (again.created, again.updated, again.unchanged) == (0, 0, 1)
    after = list(SettlementItem.objects.values_list("document_number", "amount", "open_amount"))
    assert after == before
    assert Allocation.objects.count() == 1


def test_reimport_updates_the_due_date_and_refuses_another_amount(org, clients, csv_file):
    first = csv_file(
        [INVOICE_HEADER, ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "1000", ""]],
        name="first.csv",
    )
    import_invoices(source=first, actor=org.support_north)
    later = csv_file(
        [INVOICE_HEADER, ["40003000001", "INV-1", "2026-10-01", "2026-11-30", "1000", ""]],
        name="later.csv",
    )
    result = import_invoices(source=later, actor=org.support_north)
    assert result.ok and result.updated == 1
    assert by_number("INV-1").due_date == date(2026, 11, 30)

    changed = csv_file(
        [
            INVOICE_HEADER,
            ["40003000001", "INV-2", "2026-10-02", "2026-10-31", "50", ""],
            ["40003000001", "INV-1", "2026-10-01", "2026-12-31", "900", ""],
            ["40003000002", "INV-1", "2026-10-01", "2026-12-31", "1000", ""],
        ],
        name="changed.csv",
    )
    result = import_invoices(source=changed, actor=org.support_north)
    assert not result.ok
    # Line 3 changes the amount; line 4 repeats the document of line 3 (another client).
    assert {(e.line, e.column) for e in result.errors} == {(3, "amount"), (4, "document_number")}
    messages = " ".join(e.message for e in result.errors)
    assert "credit note" in messages
    # Nothing written: not INV-2, not the new due date.
    assert not SettlementItem.objects.filter(document_number="INV-2").exists()
    assert by_number("INV-1").due_date == date(2026, 11, 30)


def test_a_changed_client_is_refused_without_naming_it(org, clients, csv_file):
    import_invoices(
        source=csv_file(
            [INVOICE_HEADER, ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "10", ""]],
            name="a.csv",
        ),
        actor=org.support_north,
    )
    result = import_invoices(
        source=csv_file(
            [INVOICE_HEADER, ["40003000002", "INV-1", "2026-10-01", "2026-10-31", "10", ""]],
            name="b.csv",
        ),
        actor=org.support_north,
    )
    assert [(e.line, e.column) for e in result.errors] == [(2, "client")]
    assert "40003000001" not in result.errors[0].message
    assert by_number("INV-1").account == clients["alfa"]


def test_amounts_in_another_currency_are_converted(org, clients, csv_file):
    currency_rate_set(actor=None, currency="USD", valid_from=date(2026, 1, 1), rate=Decimal("0.9"))
    path = csv_file(
        [
            [*INVOICE_HEADER, "currency"],
            ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "100", "", "USD"],
            ["40003000001", "INV-2", "2026-10-01", "2026-10-31", "100", "", "GBP"],
        ]
    )
    result = import_invoices(source=path, actor=org.support_north)
    assert [(e.line, e.column) for e in result.errors] == [(3, "currency")]
    path = csv_file(
        [
            [*INVOICE_HEADER, "currency"],
            ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "100", "", "USD"],
        ],
        name="usd.csv",
    )
    assert import_invoices(source=path, actor=org.support_north).ok
    invoice = by_number("INV-1")
    assert (invoice.amount, invoice.currency, invoice.document_amount) == (
        Decimal("90.00"),
        "USD",
        Decimal("100.00"),
    )


def invoices_for_alfa(csv_file):
    path = csv_file(
        [
            INVOICE_HEADER,
            ["40003000001", "INV-OLD", "2026-09-01", "2026-09-30", "300", ""],
            ["40003000001", "INV-NEW", "2026-10-01", "2026-10-31", "500", ""],
        ],
        name="invoices.csv",
    )
    return path


def test_payments_pay_the_named_invoice_first_then_the_oldest(org, clients, csv_file):
    import_invoices(source=invoices_for_alfa(csv_file), actor=org.support_north)
    path = csv_file(
        [
            PAYMENT_HEADER,
            ["40003000001", "PAY-1", "2026-10-10", "200", "INV-NEW"],
            ["40003000001", "PAY-2", "2026-10-11", "400", ""],
        ],
        name="payments.csv",
    )
    result = import_payments(source=path, actor=org.support_north)
    assert result.ok and result.created == 2, result.errors
    # PAY-1 pays the invoice it names although INV-OLD is older; PAY-2 names none: the
    # oldest first (300 to INV-OLD), then 100 more to INV-NEW.
    assert by_number("INV-OLD").open_amount == Decimal("0")
    assert by_number("INV-NEW").open_amount == Decimal("200")
    pay1 = by_number("PAY-1", SettlementItem.Kind.PAYMENT)
    assert [a.debit.document_number for a in Allocation.objects.filter(credit=pay1)] == ["INV-NEW"]
    pay2 = by_number("PAY-2", SettlementItem.Kind.PAYMENT)
    assert pay2.open_amount == Decimal("0")
    assert balance(clients["alfa"]) == Decimal("200")  # 800 - 600
    again = import_payments(source=path, actor=org.support_north)
    assert (again.created, again.unchanged) == (0, 2)
    assert balance(clients["alfa"]) == Decimal("200")


def test_an_overpayment_stays_as_credit(org, clients, csv_file):
    import_invoices(source=invoices_for_alfa(csv_file), actor=org.support_north)
    path = csv_file(
        [PAYMENT_HEADER, ["40003000001", "PAY-1", "2026-10-10", "1000", ""]], name="p.csv"
    )
    assert import_payments(source=path, actor=org.support_north).ok
    assert by_number("PAY-1", SettlementItem.Kind.PAYMENT).open_amount == Decimal("-200")
    assert balance(clients["alfa"]) == Decimal("-200")


def test_a_payment_replaces_the_erp_settlement_of_its_invoice(org, clients, csv_file):
    # The ERP's open items say 600 of 1000 was paid; the payments file then brings that very
    # payment: it must not be counted twice.
    import_invoices(
        source=csv_file(
            [INVOICE_HEADER, ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "1000", "400"]],
            name="i.csv",
        ),
        actor=org.support_north,
    )
    assert balance(clients["alfa"]) == Decimal("400")
    import_payments(
        source=csv_file(
            [PAYMENT_HEADER, ["40003000001", "PAY-1", "2026-10-10", "600", "INV-1"]], name="p.csv"
        ),
        actor=org.support_north,
    )
    assert balance(clients["alfa"]) == Decimal("400")
    assert by_number("INV-1").open_amount == Decimal("400")
    assert not SettlementItem.objects.filter(document_number="INV-1/ERP").exists()
    pay = by_number("PAY-1", SettlementItem.Kind.PAYMENT)
    assert Allocation.objects.get(credit=pay).amount == Decimal("600")


def test_a_partial_payment_shrinks_the_erp_settlement(org, clients, csv_file):
    import_invoices(
        source=csv_file(
            [INVOICE_HEADER, ["40003000001", "INV-1", "2026-10-01", "2026-10-31", "1000", "400"]],
            name="i.csv",
        ),
        actor=org.support_north,
    )
    import_payments(
        source=csv_file(
            [PAYMENT_HEADER, ["40003000001", "PAY-1", "2026-10-10", "250", "INV-1"]], name="p.csv"
        ),
        actor=org.support_north,
    )
    settled = by_number("INV-1/ERP", SettlementItem.Kind.PAYMENT)
    assert settled.amount == Decimal("-350")
    assert by_number("INV-1").open_amount == Decimal("400")
    assert balance(clients["alfa"]) == Decimal("400")


def test_payment_errors_by_line_and_column(org, clients, csv_file):
    import_invoices(source=invoices_for_alfa(csv_file), actor=org.support_north)
    path = csv_file(
        [
            PAYMENT_HEADER,
            ["40003000001", "PAY-1", "2026-10-10", "100", "INV-NONE"],  # unknown invoice
            ["40003000002", "PAY-2", "2026-10-10", "100", "INV-OLD"],  # another client's
            ["40003000001", "PAY-3", "2026-10-10", "0", ""],  # zero
            ["40003000001", "PAY-3", "10/10/2026", "10", ""],  # duplicate, ambiguous date
        ],
        name="p.csv",
    )
    result = import_payments(source=path, actor=org.support_north)
    where = {(e.line, e.column) for e in result.errors}
    assert {(2, "invoice"), (3, "invoice"), (4, "amount"), (5, "document_number"), (5, "date")} <= (
        where
    )
    assert not SettlementItem.objects.filter(kind="payment").exists()


def test_a_changed_payment_is_refused(org, clients, csv_file):
    import_invoices(source=invoices_for_alfa(csv_file), actor=org.support_north)
    import_payments(
        source=csv_file([PAYMENT_HEADER, ["40003000001", "PAY-1", "2026-10-10", "100", ""]]),
        actor=org.support_north,
    )
    result = import_payments(
        source=csv_file(
            [PAYMENT_HEADER, ["40003000001", "PAY-1", "2026-10-12", "150", ""]], name="b.csv"
        ),
        actor=org.support_north,
    )
    assert {(e.line, e.column) for e in result.errors} == {(2, "date"), (2, "amount")}
    assert by_number("PAY-1", SettlementItem.Kind.PAYMENT).amount == Decimal("-100")


def test_check_only_writes_nothing_and_counts(org, clients, csv_file):
    path = invoices_for_alfa(csv_file)
    result = import_invoices(source=path, actor=org.support_north, check_only=True)
    assert result.ok and result.checked_only and result.created == 2
    assert not SettlementItem.objects.exists()
    assert not AuditEntry.objects.filter(entity="receivables.settlementitem").exists()


def test_who_may_not_import_is_refused_before_the_file_is_read(org, clients, csv_file):
    path = invoices_for_alfa(csv_file)
    with pytest.raises(PermissionDenied):
        import_invoices(source=path, actor=org.kam_anna)
    with pytest.raises(PermissionDenied):
        import_payments(source=path, actor=org.kam_anna)
    assert import_invoices(source=path, actor=org.director).ok
    assert SettlementItem.objects.count() == 2


def test_the_write_path_refuses_what_the_importer_would(org, clients):
    """``settlements_import_*`` keep the bounds themselves, for a caller that did not check."""
    invoice = ImportedInvoice(
        account_id=clients["alfa"].pk,
        document_number="INV-1",
        document_date=date(2026, 10, 1),
        due_date=date(2026, 9, 1),
        amount=Decimal("10"),
        open_amount=Decimal("10"),
        currency="EUR",
        document_amount=Decimal("10"),
    )
    with pytest.raises(ValidationError) as exc:
        settlements_import_invoices(actor=org.support_north, invoices=[invoice])
    assert "due_date" in exc.value.message_dict
    payment = ImportedPayment(
        account_id=clients["alfa"].pk,
        document_number="PAY-1",
        document_date=date(1999, 1, 1),
        amount=Decimal("10"),
        currency="EUR",
        document_amount=Decimal("10"),
    )
    with pytest.raises(ValidationError) as exc:
        settlements_import_payments(actor=org.support_north, payments=[payment])
    assert "date" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        settlements_import_payments(actor=org.kam_anna, payments=[])
    assert not SettlementItem.objects.exists()
