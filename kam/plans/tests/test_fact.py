"""The fast fact (ClientMonth where one owner covers the month, lines elsewhere) agrees with
summing attributed_lines; plan against fact by hand."""

from datetime import date
from decimal import Decimal as D

import pytest
from django.db.models import F, Q, Sum
from django.http import Http404

from kam.clients.services import account_reassign
from kam.plans import selectors
from kam.plans.rules import period_parse
from kam.plans.selectors import attributed_lines, fact_table, plan_fact, plan_fact_clients
from kam.plans.services import plan_set, plan_settings_update
from kam.testing import make_account, make_product, make_sale


@pytest.fixture
def ledger(org):
    """Anna's client A moves to Boris on 15 October; Anna keeps client B all along; Sigrid's
    client C buys in September and October (and returns in October)."""
    product = make_product()
    a = make_account(owner=org.kam_anna)
    b = make_account(owner=org.kam_anna)
    c = make_account(owner=org.kam_sigrid)
    make_sale(account=a, product=product, on=date(2026, 9, 3), revenue="50", cost="20")
    make_sale(account=a, product=product, on=date(2026, 10, 5), revenue="100", cost="60")
    make_sale(account=b, product=product, on=date(2026, 10, 7), revenue="30", cost="10")
    make_sale(account=c, product=product, on=date(2026, 9, 9), revenue="70", cost="35")
    make_sale(account=c, product=product, on=date(2026, 10, 9), revenue="200", cost="100")
    make_sale(account=c, product=product, on=date(2026, 10, 10), revenue="-20", cost="-10")
    account_reassign(actor=org.director, account=a, owner=org.kam_boris, on=date(2026, 10, 15))
    make_sale(account=a, product=product, on=date(2026, 10, 20), revenue="40", cost="10")
    make_sale(account=a, product=product, on=date(2026, 11, 2), revenue="10", cost="5")
    return {"a": a, "b": b, "c": c, "product": product}


def _slow(first, last):
    out = {}
    rows = (
        attributed_lines(first=first, last=last)
        .values("account_id", "credited_to_id", "credited_department_id")
        .annotate(
            t=Sum("revenue_base"),
            i=Sum(F("revenue_base") - F("cost_base"), filter=Q(cost_known=True)),
        )
    )
    for r in rows:
        out[(r["account_id"], r["credited_to_id"], r["credited_department_id"])] = (
            D(str(r["t"])).quantize(D("0.01")),
            D(str(r["i"] or 0)).quantize(D("0.01")),
        )
    return out


@pytest.mark.parametrize(
    "first,last",
    [
        (date(2026, 9, 1), date(2026, 11, 30)),  # whole months, one of them split
        (date(2026, 10, 1), date(2026, 10, 31)),  # the split month alone
        (date(2026, 10, 1), date(2026, 10, 17)),  # a month not yet whole
        (date(2026, 9, 1), date(2026, 10, 12)),
    ],
)
def test_both_paths_agree_with_attributed_lines(ledger, first, last):
    fast = {k: (v[0], v[1]) for k, v in fact_table(first=first, last=last).items() if v[0] or v[1]}
    assert fast == _slow(first, last)


def test_the_fact_stays_with_the_owner_of_the_sales_day(org, ledger):
    report = plan_fact(
        user=org.director, level="manager", period="2026-10", as_of=date(2026, 10, 31)
    )
    fact = {r.unit.id: {m: x.fact for m, x in r.results.items()} for r in report.rows}
    assert fact[org.kam_anna.pk]["turnover"] == D("130.00")  # 100 of A before the 15th + 30 of B
    assert fact[org.kam_boris.pk]["turnover"] == D("40.00")
    assert fact[org.kam_sigrid.pk]["turnover"] == D("180.00")
    assert (fact[org.kam_anna.pk]["active_clients"], fact[org.kam_boris.pk]["active_clients"]) == (
        2,
        1,
    )
    # B's first purchase ever is in October (Anna's); A's was in September.
    assert fact[org.kam_anna.pk]["new_clients"] == 1 and fact[org.kam_boris.pk]["new_clients"] == 0
    # person_fact (pay's read) says the same.
    p = selectors.person_fact(
        person_id=org.kam_anna.pk, period=period_parse("2026-10"), as_of=date(2026, 10, 31)
    )
    assert p["turnover"] == D("130.00") and p["active_clients"] == 2


def test_departments_count_their_subtree_and_the_company_all(org, ledger):
    oct31 = date(2026, 10, 31)
    depts = plan_fact(user=org.director, level="department", period="2026-10", as_of=oct31)
    fact = {r.unit.id: r.results["turnover"].fact for r in depts.rows}
    # North holds Anna (North) and Boris (North-Pharma): 130 + 40.
    assert fact[org.north.pk] == D("170.00") and fact[org.north_pharma.pk] == D("40.00")
    assert fact[org.south.pk] == D("180.00") and fact[org.root.pk] == D("350.00")
    company = plan_fact(user=org.director, level="company", period="2026-10", as_of=oct31)
    assert company.rows[0].results["turnover"].fact == D("350.00")
    assert company.rows[0].results["active_clients"].fact == 3


def test_a_plan_missed_by_one_client(org, ledger):
    plan_set(
        actor=org.head_north,
        period="2026-10",
        level="person",
        person=org.kam_anna,
        turnover="100",
        active_clients=3,
        new_clients=1,
    )
    report = plan_fact(
        user=org.kam_anna, level="manager", period="2026-10", as_of=date(2026, 10, 31)
    )
    [row] = report.rows  # a KAM sees only themself
    active = row.results["active_clients"]
    assert (active.plan, active.fact, active.percent) == (3, 2, D("66.67"))
    assert row.results["turnover"].percent == D("130.00")
    assert row.results["new_clients"].percent == D("100.00")


def test_active_definition_is_a_setting(org, ledger):
    # Two purchase documents needed: only A has two in October (Anna's on the 5th, Boris's on
    # the 20th), so the company has one active client and neither KAM has one; C's second
    # document is a return, no purchase.
    plan_settings_update(actor=org.director, active_min_documents=2)
    report = plan_fact(
        user=org.director, level="company", period="2026-10", as_of=date(2026, 10, 31)
    )
    assert report.rows[0].results["active_clients"].fact == 1
    people = plan_fact(
        user=org.director, level="manager", period="2026-10", as_of=date(2026, 10, 31)
    )
    assert {r.results["active_clients"].fact for r in people.rows} == {0}
    plan_settings_update(actor=org.director, active_min_documents=1, active_min_turnover="35")
    report = plan_fact(
        user=org.director, level="company", period="2026-10", as_of=date(2026, 10, 31)
    )
    # A (Anna 100, Boris 40) counts once at company level, B (30) is under 35, C (200) counts.
    assert report.rows[0].results["active_clients"].fact == 2


def test_forecast_from_last_years_seasonality_and_run_rate(org):
    product = make_product()
    a = make_account(owner=org.kam_anna)
    # Last November: 100 by the 10th, 400 in the month: factor 4.
    make_sale(account=a, product=product, on=date(2025, 11, 5), revenue="100", cost="0")
    make_sale(account=a, product=product, on=date(2025, 11, 25), revenue="300", cost="0")
    make_sale(account=a, product=product, on=date(2026, 11, 3), revenue="50", cost="0")
    report = plan_fact(
        user=org.director,
        level="manager",
        unit_id=org.kam_anna.pk,
        period="2026-11",
        as_of=date(2026, 11, 10),
    )
    assert report.rows[0].results["turnover"].forecast == D("200.00")
    # Rita (North) has no history: the team's factor (North's subtree: Anna's, 4).
    r = make_account(owner=org.regional_north)
    make_sale(account=r, product=product, on=date(2026, 11, 4), revenue="10", cost="0")
    # Boris (North-Pharma) has none and neither has his team: the plain run-rate (30/10 days).
    b = make_account(owner=org.kam_boris)
    make_sale(account=b, product=product, on=date(2026, 11, 4), revenue="10", cost="0")
    nov10 = date(2026, 11, 10)
    report = plan_fact(user=org.director, level="manager", period="2026-11", as_of=nov10)
    forecast = {row.unit.id: row.results["turnover"].forecast for row in report.rows}
    assert forecast[org.kam_anna.pk] == D("200.00")
    assert forecast[org.regional_north.pk] == D("40.00")
    assert forecast[org.kam_boris.pk] == D("30.00")
    # pay's read says the same.
    november = period_parse("2026-11")
    for person, expected in [
        (org.kam_anna, "200.00"),
        (org.regional_north, "40.00"),
        (org.kam_boris, "30.00"),
    ]:
        res = selectors.plan_results(person=person, period=november, as_of=nov10)
        assert res["turnover"].forecast == D(expected)


def test_drill_down_lists_the_clients_behind_a_figure(org, ledger):
    unit = selectors.plan_unit_get(user=org.head_north, level="manager", unit_id=org.kam_anna.pk)
    rows = plan_fact_clients(
        user=org.head_north,
        unit=unit,
        period="2026-10",
        measure="turnover",
        as_of=date(2026, 10, 31),
    )
    assert [(r.account_id, r.turnover) for r in rows] == [
        (ledger["a"].pk, D("100.00")),
        (ledger["b"].pk, D("30.00")),
    ]
    # Anna no longer sees A (Boris's now): its figure stays hers, without its name.
    unit = selectors.plan_unit_get(user=org.kam_anna, level="manager", unit_id=org.kam_anna.pk)
    rows = plan_fact_clients(
        user=org.kam_anna, unit=unit, period="2026-10", measure="turnover", as_of=date(2026, 10, 31)
    )
    assert [(r.account_id, r.turnover) for r in rows] == [
        (ledger["b"].pk, D("30.00")),
        (None, D("100.00")),
    ]


def test_a_kam_cannot_see_another_kams_results(org, ledger):
    with pytest.raises(Http404):
        selectors.plan_unit_get(user=org.kam_anna, level="manager", unit_id=org.kam_sigrid.pk)
    with pytest.raises(Http404):
        plan_fact(
            user=org.kam_anna,
            level="manager",
            unit_id=org.kam_boris.pk,
            period="2026-10",
            as_of=date(2026, 10, 31),
        )
    with pytest.raises(Http404):
        plan_fact(user=org.kam_anna, level="company", period="2026-10", as_of=date(2026, 10, 31))
    head = plan_fact(
        user=org.head_north, level="manager", period="2026-10", as_of=date(2026, 10, 31)
    )
    ids = {r.unit.id for r in head.rows}
    assert org.kam_anna.pk in ids and org.kam_boris.pk in ids and org.kam_sigrid.pk not in ids


def test_the_number_of_queries_does_not_grow_with_the_people(
    org, ledger, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    oct31 = date(2026, 10, 31)
    with CaptureQueriesContext(connection) as few:
        plan_fact(user=org.director, level="manager", period="2026-10", as_of=oct31)
    for n in range(3):
        person = org.kam_anna.__class__.objects.create_user(
            username=f"kam_extra{n}", role="kam", department=org.south
        )
        make_sale(
            account=make_account(owner=person),
            product=ledger["product"],
            on=date(2026, 10, 3),
            revenue="5",
            cost="1",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        report = plan_fact(user=org.director, level="manager", period="2026-10", as_of=oct31)
    assert len(report.rows) == 6 + 3  # the sales roles (3 KAMs, 1 regional, 2 heads) + 3
