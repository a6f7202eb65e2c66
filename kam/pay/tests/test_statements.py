"""Statements with hand-computed answers (SP-3, issue 10 §3, §4, §7)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from kam.clients.services import account_reassign
from kam.core.models import AuditEntry
from kam.pay import services
from kam.pay.models import PayScheme, PayStatement, PayStatementLine, SchemeAssignment
from kam.pay.tests.conftest import (
    assign,
    credit_note,
    invoice,
    lines,
    payment,
    plan,
    prepare,
    sale,
)
from kam.plans.rules import period_parse
from kam.testing import make_account, make_product

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def book(org):
    product = make_product()
    return product, make_account(owner=org.kam_anna), make_account(owner=org.kam_anna)


def test_a_band_boundary_crossed_inside_one_deal(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    sale(client, product, date(2026, 10, 5), "60000", "D-1")
    sale(client, product, date(2026, 10, 9), "1000", "D-2")
    s = prepare(org, org.kam_anna, "2026-10")
    # 12 % of 50 000 + 5 % of 10 000 = 6 500; the small deal 12 % of 1 000 = 120.
    assert lines(s) == [("sale", "D-1", D("6500.00")), ("sale", "D-2", D("120.00"))]
    d1 = s.lines.get(document="D-1")
    assert (d1.rate, d1.band, d1.amount) == (D("10.8333"), "12 % to 50000; 5 % above", D("60000"))
    assert (s.fixed, s.commission, s.cuts, s.variable, s.total) == (
        D("1500"),
        D("6620"),
        D("0"),
        D("6620"),
        D("8120"),
    )
    assert s.status == "draft" and s.plan_results["turnover"]["plan"] is None
    assert AuditEntry.objects.filter(entity="pay.paystatement", entity_id=str(s.pk)).exists()


def test_only_the_active_base_plan_missed_cuts_only_its_10_percent(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    plan(org.kam_anna, "2026-10", turnover="50000", active=2)
    sale(client, product, date(2026, 10, 5), "60000", "D-1")
    s = prepare(org, org.kam_anna, "2026-10")
    # turnover 60 000 / 50 000 = 120 % (no cut); active clients 1 of 2 = 50 % < 95 %: 10 %.
    assert s.plan_results["turnover"] == {
        "plan": "50000.00",
        "fact": "60000.00",
        "percent": "120.00",
        "cut": "0",
    }
    assert s.plan_results["active_clients"]["cut"] == "10"
    assert (s.commission, s.cut_percent, s.cuts, s.variable, s.total) == (
        D("6500"),
        D("10"),
        D("650"),
        D("5850"),
        D("7350"),
    )


def test_both_plans_missed_add_up(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    plan(org.kam_anna, "2026-10", turnover="100000", active=2)
    sale(client, product, date(2026, 10, 5), "60000", "D-1")
    s = prepare(org, org.kam_anna, "2026-10")
    assert (s.cut_percent, s.cuts, s.variable) == (D("40"), D("2600"), D("3900"))


def test_a_reassigned_client_keeps_the_earlier_sale_with_the_old_owner(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    assign(org, org.kam_boris, scheme)
    sale(client, product, date(2026, 10, 5), "1000", "D-1")
    account_reassign(actor=org.director, account=client, owner=org.kam_boris, on=date(2026, 10, 15))
    sale(client, product, date(2026, 10, 20), "400", "D-2")
    anna = prepare(org, org.kam_anna, "2026-10")
    boris = prepare(org, org.kam_boris, "2026-10")
    assert lines(anna) == [("sale", "D-1", D("120.00"))]
    assert lines(boris) == [("sale", "D-2", D("48.00"))]


def test_paid_basis_earns_in_the_month_of_the_payment(org, paid_scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, paid_scheme)
    # An order's invoice: its own number, the shipment (the ledger document) as reference.
    sale(client, product, date(2026, 10, 20), "10000", "SH-1")
    invoice(client, "I-1", date(2026, 10, 20), "10000", reference="SH-1")
    payment(client, "P-1", date(2026, 11, 10), "4000", to="I-1")
    # An ERP invoice: the same number as the ledger document, paid in October.
    sale(client, product, date(2026, 10, 21), "500", "ERP-7")
    invoice(client, "ERP-7", date(2026, 10, 21), "500")
    payment(client, "P-2", date(2026, 10, 30), "500", to="ERP-7")
    october = prepare(org, org.kam_anna, "2026-10")
    november = prepare(org, org.kam_anna, "2026-11")
    assert lines(october) == [("sale", "ERP-7", D("60.00"))]
    # 12 % of 10 000 = 1 200, of which 40 % paid in November.
    assert lines(november) == [("sale", "SH-1", D("480.00"))]
    line = november.lines.get()
    assert (line.paid_share, line.full_commission, line.date) == (
        D("0.4"),
        D("1200"),
        date(2026, 11, 10),
    )


def test_a_return_after_payment_is_clawed_back_on_the_next_statement(org, paid_scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, paid_scheme)
    sale(client, product, date(2026, 9, 10), "1000", "ERP-1")
    invoice(client, "ERP-1", date(2026, 9, 10), "1000")
    payment(client, "P-1", date(2026, 9, 20), "1000", to="ERP-1")
    september = prepare(org, org.kam_anna, "2026-09")
    services.statement_approve(actor=org.head_north, statement=september)
    assert lines(september) == [("sale", "ERP-1", D("120.00"))]
    # A quarter of the goods come back in October: in the ledger and as a credit note (the
    # same return seen twice counts once).
    sale(client, product, date(2026, 10, 5), "-250", "RET-1", returns="ERP-1")
    credit_note(client, "CN-1", date(2026, 10, 6), "250", reference="ERP-1")
    october = prepare(org, org.kam_anna, "2026-10")
    # Equal shares: the ledger's return document is named.
    assert lines(october) == [("clawback", "RET-1", D("-30.00"))]
    claw = october.lines.get()
    assert (claw.original_document, claw.amount) == ("ERP-1", D("-250"))
    assert (october.commission, october.cuts, october.total) == (D("-30"), D("0"), D("970"))
    # November sees no return of its own: nothing more is taken.
    services.statement_approve(actor=org.head_north, statement=october)
    assert lines(prepare(org, org.kam_anna, "2026-11")) == []


def test_a_sale_returned_whole_in_the_ledger_on_the_invoiced_basis(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    sale(client, product, date(2026, 9, 10), "1000", "D-1")
    services.statement_approve(
        actor=org.head_north, statement=prepare(org, org.kam_anna, "2026-09")
    )
    sale(client, product, date(2026, 10, 2), "-1000", "R-1", returns="D-1")
    october = prepare(org, org.kam_anna, "2026-10")
    assert lines(october) == [("clawback", "R-1", D("-120.00"))]


def test_a_return_of_a_sale_never_earned_takes_nothing_back(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    sale(client, product, date(2026, 9, 10), "1000", "D-1")  # September never approved
    sale(client, product, date(2026, 10, 2), "-1000", "R-1", returns="D-1")
    assert lines(prepare(org, org.kam_anna, "2026-10")) == []


def test_a_locked_statement_never_changes_and_a_correction_goes_to_the_next(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    sale(client, product, date(2026, 9, 10), "1000", "D-1")
    september = prepare(org, org.kam_anna, "2026-09")
    services.statement_approve(actor=org.head_north, statement=september)
    services.statement_lock(actor=org.director, statement=september)
    before = list(PayStatementLine.objects.filter(statement=september).values())
    # A September sale the ERP exported late.
    sale(client, product, date(2026, 9, 28), "500", "D-LATE")
    with pytest.raises(ValidationError) as exc:
        prepare(org, org.kam_anna, "2026-09")
    assert "period" in exc.value.message_dict
    september.refresh_from_db()
    assert (september.status, september.total) == ("locked", D("1620"))
    assert list(PayStatementLine.objects.filter(statement=september).values()) == before
    october = prepare(org, org.kam_anna, "2026-10")
    adj = october.lines.get(kind="adjustment")
    assert (adj.commission, adj.adjusts_id, adj.document) == (D("60.00"), september.pk, "2026-09")
    assert (october.commission, october.adjustments, october.total) == (D("0"), D("60"), D("1560"))
    # Preparing October again does not count the correction twice.
    assert prepare(org, org.kam_anna, "2026-10").adjustments == D("60")


def test_approving_ones_own_statement_is_refused(org, scheme):
    assign(org, org.head_north, scheme)
    s = prepare(org, org.head_north, "2026-10")
    with pytest.raises(ValidationError) as exc:
        services.statement_approve(actor=org.head_north, statement=s)
    assert "own pay statement (2026-10)" in exc.value.message_dict["statement"][0]
    s.refresh_from_db()
    assert s.status == "draft" and s.approved_by is None
    services.statement_approve(actor=org.director, statement=s)
    assert PayStatement.objects.get(pk=s.pk).status == "approved"


def test_a_period_not_yet_ended_is_a_draft_only(org, scheme):
    assign(org, org.kam_anna, scheme)
    s = prepare(org, org.kam_anna, "2026-12", as_of=date(2026, 12, 3))
    assert s.status == "draft"
    with pytest.raises(ValidationError) as exc:
        services.statement_approve(actor=org.head_north, statement=s)
    assert "period" in exc.value.message_dict
    assert PayStatement.objects.get(pk=s.pk).status == "draft"


def test_only_an_approved_statement_is_locked(org, scheme):
    assign(org, org.kam_anna, scheme)
    s = prepare(org, org.kam_anna, "2026-10")
    with pytest.raises(ValidationError) as exc:
        services.statement_lock(actor=org.director, statement=s)
    assert "status" in exc.value.message_dict


def test_preparing_is_for_heads_of_the_person_only(org, scheme):
    assign(org, org.kam_sigrid, scheme)
    with pytest.raises(Http404):
        prepare(org, org.kam_sigrid, "2026-10", actor=org.head_north)  # South is not his
    assert prepare(org, org.kam_sigrid, "2026-10", actor=org.head_south).person == org.kam_sigrid
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        prepare(org, org.kam_anna, "2026-10", actor=org.kam_anna)


def test_no_scheme_no_statement(org):
    with pytest.raises(ValidationError) as exc:
        prepare(org, org.kam_anna, "2026-10")
    assert "no pay scheme" in exc.value.message_dict["person"][0]
    assert not PayStatement.objects.exists()


def test_overlapping_assignments_are_refused(org, scheme, paid_scheme):
    assign(org, org.kam_anna, scheme, "2026-01", "2026-06")
    with pytest.raises(ValidationError) as exc:
        assign(org, org.kam_anna, paid_scheme, "2026-06")
    assert "may not overlap" in exc.value.message_dict["starts"][0]
    assign(org, org.kam_anna, paid_scheme, "2026-07")  # the month after: fine
    with pytest.raises(ValidationError):
        assign(org, org.kam_anna, scheme, "2025-01")  # open-ended, runs into both
    assert SchemeAssignment.objects.filter(person=org.kam_anna).count() == 2


def test_a_non_monotonic_cut_table_is_refused_and_nothing_is_saved(org):
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            actor=org.director,
            name="Bad",
            bands=[[None, 10]],
            cuts={"turnover": [[80, 10], [90, 30]]},
        )
    assert "may not cut less" in exc.value.message_dict["cuts"][0]
    assert not PayScheme.objects.exists()


def test_schemes_are_the_directors(org):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.scheme_create(actor=org.head_north, name="Mine", bands=[[None, 50]])
    assert not PayScheme.objects.exists()


def test_category_rates_override_the_bands(org):
    from kam.catalog.services import category_get_or_create

    devices = category_get_or_create(name="Devices")
    s = services.scheme_create(
        actor=org.director, name="Devices 3 %", bands=[[None, 10]], category_rates={devices.pk: 3}
    )
    assert s.category_rates == {str(devices.pk): [[None, "3"]]}
    assign(org, org.kam_anna, s)
    client = make_account(owner=org.kam_anna)
    sale(client, make_product(category=devices), date(2026, 10, 1), "1000", "D-1", line=1)
    sale(client, make_product(), date(2026, 10, 1), "1000", "D-1", line=2)
    st = prepare(org, org.kam_anna, "2026-10")
    assert sorted(x.commission for x in st.lines.all()) == [D("30.00"), D("100.00")]
    with pytest.raises(ValidationError) as exc:
        services.scheme_create(
            actor=org.director, name="X", bands=[[None, 1]], category_rates={"999999": 3}
        )
    assert "category_rates" in exc.value.message_dict


def test_a_scheme_used_by_an_approved_statement_keeps_its_rules(org, scheme):
    assign(org, org.kam_anna, scheme)
    services.statement_approve(
        actor=org.head_north, statement=prepare(org, org.kam_anna, "2026-10")
    )
    with pytest.raises(ValidationError) as exc:
        services.scheme_update(actor=org.director, scheme=scheme, bands=[[None, 50]])
    assert "bands" in exc.value.message_dict
    services.scheme_update(actor=org.director, scheme=scheme, name="Key accounts 2026")
    assert PayScheme.objects.get(pk=scheme.pk).bands == [["50000", "12"], [None, "5"]]


def test_statement_prepare_makes_a_fixed_number_of_queries(
    org, scheme, django_assert_max_num_queries
):
    product = make_product()
    assign(org, org.kam_anna, scheme)
    few = make_account(owner=org.kam_anna)
    sale(few, product, date(2026, 10, 1), "100", "Q-0")
    prepare(org, org.kam_anna, "2026-10")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        prepare(org, org.kam_anna, "2026-10")
    for i in range(1, 30):
        sale(make_account(owner=org.kam_anna), product, date(2026, 10, 2), "100", f"Q-{i}")
    with django_assert_max_num_queries(len(one.captured_queries)):
        s = prepare(org, org.kam_anna, "2026-10")
    assert s.lines.count() == 30


def test_figures_of_a_future_day_are_refused(org, scheme):
    from datetime import timedelta

    from django.utils import timezone

    assign(org, org.kam_anna, scheme)
    with pytest.raises(ValidationError) as exc:
        prepare(org, org.kam_anna, "2026-10", as_of=timezone.localdate() + timedelta(days=1))
    assert "as_of" in exc.value.message_dict
    assert not PayStatement.objects.exists()


def test_an_unlinked_negative_document_is_no_deal(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    sale(client, product, date(2026, 10, 3), "-300", "STORNO-1")
    sale(client, product, date(2026, 10, 4), "1000", "D-1")
    assert lines(prepare(org, org.kam_anna, "2026-10")) == [("sale", "D-1", D("120.00"))]


def test_income_basis_pays_on_the_margin(org, book):
    product, client, _other = book
    s = services.scheme_create(
        actor=org.director, name="Margin", bands=[[None, 20]], basis="income"
    )
    assign(org, org.kam_anna, s)
    sale(client, product, date(2026, 10, 3), "1000", "D-1", cost="600")
    st = prepare(org, org.kam_anna, "2026-10")
    line = st.lines.get()
    assert (line.amount, line.basis_amount, line.commission) == (D("1000"), D("400"), D("80.00"))


def test_statements_prepare_for_a_team_skips_who_cannot_be_prepared(org, scheme, book):
    product, client, _other = book
    assign(org, org.kam_anna, scheme)
    assign(org, org.kam_boris, scheme)
    sale(client, product, date(2026, 10, 5), "1000", "D-1")
    boris = prepare(org, org.kam_boris, "2026-10")
    services.statement_approve(actor=org.head_north, statement=boris)
    services.statement_lock(actor=org.director, statement=boris)
    done, skipped = services.statements_prepare(
        actor=org.head_north,
        people=[org.kam_anna, org.kam_boris, org.regional_north],
        period=period_parse("2026-10"),
        as_of=date(2026, 11, 3),
    )
    assert [(s.person.username, s.total) for s in done] == [("kam_anna", D("1620"))]
    assert [(p.username, "locked" in why or "no pay scheme" in why) for p, why in skipped] == [
        ("kam_boris", True),
        ("regional_north", True),
    ]
    with pytest.raises(Http404):
        services.statements_prepare(
            actor=org.head_north, people=[org.kam_sigrid], period=period_parse("2026-10")
        )
