"""The radar read from the ledger: boundaries, basis, losses, returns, levels, scope (KC, SE-1)."""

from datetime import date, timedelta
from decimal import Decimal as D

import pytest
from django.http import Http404

from kam.radar.models import Level
from kam.radar.selectors import (
    LOSS_MAKING,
    NO_OWNER,
    OVER_LIMIT,
    key_history,
    radar_portfolio,
    radar_settings,
    unit_choices,
    why_key,
)
from kam.radar.services import (
    key_flag_set,
    radar_settings_update,
    radar_snapshot_take,
    reference_case_record,
    wallet_estimate_record,
)
from kam.radar.tests.conftest import AS_OF, IN_PERIOD
from kam.testing import make_account, make_product, make_sale

pytestmark = pytest.mark.django_db


def rows_by_id(portfolio):
    return {r.account_id: r for r in portfolio.rows}


def test_exactly_ten_percent_is_key_and_just_under_is_not(org, client_with):  # KC-2
    ten = client_with(org.kam_anna, "100.00")
    under = client_with(org.kam_anna, "99.99")
    client_with(org.kam_sigrid, "800.01")  # company income 1000.00 exactly
    rows = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))
    assert rows[ten.pk].share_pct == D("10.00")
    assert "share" in rows[ten.pk].definitions
    assert rows[under.pk].share_pct == D("9.99")
    assert rows[under.pk].definitions == ()


def test_dependency_bands_exactly_at_20_and_70_percent(org, client_with):  # KC-3
    critical = client_with(org.kam_anna, "200.00")
    just_under = client_with(org.kam_anna, "199.99")
    client_with(org.kam_sigrid, "600.01")
    rows = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))
    assert rows[critical.pk].band == "critical"
    assert rows[just_under.pk].band == ""
    assert "share" in rows[just_under.pk].definitions


def test_mono_client_at_exactly_70_percent_and_alert(org, client_with):
    mono = client_with(org.kam_anna, "700.00")
    other = client_with(org.kam_sigrid, "300.00")
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    rows = rows_by_id(p)
    assert rows[mono.pk].band == "mono"
    assert rows[other.pk].band == "critical"
    assert {(a.kind, a.account_id) for a in p.alerts} >= {
        ("mono", mono.pk),
        ("critical", other.pk),
    }


def test_income_and_turnover_answer_differently(org, client_with):  # KC-1
    # Thin margin on a big turnover vs a fat margin on a small one.
    thin = client_with(org.kam_anna, "10.00", revenue="9000.00")
    fat = client_with(org.kam_sigrid, "90.00", revenue="1000.00")
    by_income = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))
    assert by_income[thin.pk].band == "" and by_income[fat.pk].band == "mono"
    radar_settings_update(actor=org.director, basis="turnover")
    by_turnover = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))
    assert by_turnover[thin.pk].band == "mono" and by_turnover[fat.pk].band == ""
    assert by_turnover[thin.pk].share_pct == D("90.00")


def test_loss_making_client_does_not_distort_shares(org, client_with):
    a = client_with(org.kam_anna, "50.00")
    b = client_with(org.kam_boris, "50.00")
    loss = client_with(org.kam_sigrid, "-60.00")
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    rows = rows_by_id(p)
    # Netted, the total would be 40 and a, b would hold 125 % each.
    assert rows[a.pk].share_pct == rows[b.pk].share_pct == D("50.00")
    assert rows[loss.pk].share_pct == 0
    assert rows[loss.pk].definitions == ()
    assert LOSS_MAKING in rows[loss.pk].flags
    assert rows[loss.pk].income == D("-60.00")
    assert p.concentration.total == D("100.00")


def test_returns_net_out_in_the_shares(org, client_with, product):
    big = client_with(org.kam_anna, "300.00")
    client_with(org.kam_sigrid, "700.00")
    assert rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))[big.pk].band == "critical"
    # A return: a negative line that takes back 200 of income.
    make_sale(
        account=big, product=product, on=IN_PERIOD, revenue="-500", cost="-300", quantity="-1"
    )
    row = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))[big.pk]
    assert row.income == D("100.00")
    assert row.share_pct == D("12.50")
    assert row.band == ""


def test_sales_outside_the_period_do_not_count(org, client_with):
    old = client_with(org.kam_anna, "900.00", on=date(2024, 1, 15))
    client_with(org.kam_sigrid, "100.00")
    row = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))[old.pk]
    assert row.income == 0 and row.definitions == ()


def test_potential_client_with_no_sales_is_key_by_potential(org, client_with):  # KC-4
    client_with(org.kam_sigrid, "1000.00")
    prospect = make_account(owner=org.kam_anna, status="potential")
    nothing = make_account(owner=org.kam_anna, status="potential")
    wallet_estimate_record(
        actor=org.kam_anna,
        account=prospect,
        annual_budget=D("80000"),
        recorded_at=date(2025, 1, 10),
        competitors=[("Rival SIA", D("60")), ("Other AS", D("40"))],
    )
    rows = rows_by_id(radar_portfolio(user=org.kam_anna, level="manager", as_of=AS_OF))
    assert rows[prospect.pk].definitions == ("potential",)
    assert rows[prospect.pk].headroom == D("80000.00")
    assert rows[prospect.pk].income == 0
    assert rows[nothing.pk].definitions == ()
    evidence = why_key(user=org.kam_anna, account=prospect, as_of=AS_OF)
    assert [e.definition for e in evidence] == ["potential"]
    assert evidence[0].recorded_by == "Anna Kam"
    assert [r.text for r in evidence[0].records] == ["Rival SIA: 60.000 %", "Other AS: 40.000 %"]


def test_wallet_below_threshold_after_our_sales_is_not_potential(org, client_with):
    buyer = client_with(org.kam_anna, "100.00", revenue="40000.00")
    wallet_estimate_record(
        actor=org.kam_anna, account=buyer, annual_budget=D("89999.99"), recorded_at=AS_OF
    )
    row = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))[buyer.pk]
    assert row.headroom == D("49999.99")
    assert "potential" not in row.definitions


def test_several_definitions_at_once_each_with_evidence(org, client_with):  # KC-9
    today = date.today()  # flags are dated today
    star = client_with(org.kam_anna, "300.00", on=today)
    client_with(org.kam_sigrid, "700.00", on=today)
    key_flag_set(
        actor=org.kam_anna,
        account=star,
        definition="reference",
        note="Known in pharma",
        review_on=today + timedelta(days=30),  # a review date lies after today (issue 7 §2)
    )
    reference_case_record(
        actor=org.kam_anna,
        account=star,
        what="Rolled out cold chain",
        done_on=date(2024, 9, 1),
        result="30 % fewer write-offs",
    )
    key_flag_set(
        actor=org.kam_anna, account=star, definition="partner", review_on=today + timedelta(days=1)
    )
    wallet_estimate_record(actor=org.kam_anna, account=star, annual_budget=D("100000"))
    row = rows_by_id(radar_portfolio(user=org.director))[star.pk]
    assert set(row.definitions) == {"share", "dependency", "potential", "reference", "partner"}
    evidence = {
        e.definition: e
        for e in why_key(user=org.kam_anna, account=star)
        if e.level in {"company", ""}  # "": definitions that hold at every level
    }
    assert evidence["reference"].owner == "Anna Kam"
    assert evidence["reference"].records[0].text.startswith("Rolled out cold chain")
    assert evidence["reference"].review_on == today + timedelta(days=30)
    assert evidence["share"].figures["share_pct"] == D("30.00")


def test_records_without_a_flag_are_suggestions_not_definitions(org, client_with):
    acc = client_with(org.kam_anna, "1.00")
    client_with(org.kam_sigrid, "999.00")
    reference_case_record(actor=org.kam_anna, account=acc, what="Pilot", done_on=date(2025, 2, 1))
    row = rows_by_id(radar_portfolio(user=org.kam_anna, as_of=AS_OF))[acc.pk]
    assert row.definitions == ()
    assert row.suggestions == ("reference",)


def test_innovator_suggested_from_first_buyers_of_a_new_product(org, client_with):  # KC-8
    new = make_product(launched_on=date(2024, 10, 1))
    first = make_account(owner=org.kam_anna)
    later = make_account(owner=org.kam_anna)
    make_sale(account=first, product=new, on=date(2024, 10, 5), revenue="10", cost="5")
    make_sale(account=later, product=new, on=date(2024, 11, 5), revenue="10", cost="5")
    rows = rows_by_id(radar_portfolio(user=org.kam_anna, level="manager", as_of=AS_OF))
    assert rows[first.pk].suggestions == ("innovator",)
    assert rows[later.pk].suggestions == ()
    key_flag_set(actor=org.kam_anna, account=first, definition="innovator")
    row = rows_by_id(radar_portfolio(user=org.kam_anna, level="manager"))[first.pk]
    assert "innovator" in row.definitions


def test_levels_disagree_key_for_the_kam_not_for_the_company(org, client_with):  # KC-10
    small = client_with(org.kam_anna, "100.00")
    client_with(org.kam_anna, "100.00")
    client_with(org.kam_sigrid, "9800.00")
    company = rows_by_id(radar_portfolio(user=org.director, level="company", as_of=AS_OF))
    manager = rows_by_id(radar_portfolio(user=org.director, level="manager", as_of=AS_OF))
    department = rows_by_id(radar_portfolio(user=org.director, level="department", as_of=AS_OF))
    assert company[small.pk].share_pct == D("1.00") and company[small.pk].definitions == ()
    assert manager[small.pk].share_pct == D("50.00")
    assert manager[small.pk].band == "critical"
    assert manager[small.pk].unit_id == org.kam_anna.pk
    assert department[small.pk].share_pct == D("50.00")  # North holds only Anna's two
    evidence = why_key(user=org.kam_anna, account=small, as_of=AS_OF)
    assert {(e.definition, e.level) for e in evidence} == {
        ("share", "department"),
        ("share", "manager"),
        ("dependency", "department"),
        ("dependency", "manager"),
    }


def test_kam_sees_own_clients_only_shares_still_of_the_whole_unit(org, client_with):  # SE-1
    anna = client_with(org.kam_anna, "100.00")
    sigrid = client_with(org.kam_sigrid, "900.00")
    mine = radar_portfolio(user=org.kam_anna, level="company", as_of=AS_OF)
    assert [r.account_id for r in mine.rows] == [anna.pk]
    assert mine.rows[0].share_pct == D("10.00")  # of the company's 1000, not of her 100
    assert mine.concentration.total == D("100.00")  # the block describes only her rows
    theirs = radar_portfolio(user=org.kam_sigrid, level="manager", as_of=AS_OF)
    assert [r.account_id for r in theirs.rows] == [sigrid.pk]


def test_head_sees_department_subtree_not_the_other_department(org, client_with):
    anna = client_with(org.kam_anna, "100.00")
    boris = client_with(org.kam_boris, "100.00")
    sigrid = client_with(org.kam_sigrid, "100.00")
    north = radar_portfolio(user=org.head_north, level="department", as_of=AS_OF)
    assert {r.account_id for r in north.rows} == {anna.pk, boris.pk}
    south = radar_portfolio(user=org.head_south, level="department", as_of=AS_OF)
    assert {r.account_id for r in south.rows} == {sigrid.pk}
    only_pharma = radar_portfolio(
        user=org.head_north, level="department", unit_id=org.north_pharma.pk, as_of=AS_OF
    )
    assert {r.account_id for r in only_pharma.rows} == {boris.pk}


def test_a_unit_outside_ones_scope_is_404(org, client_with):
    client_with(org.kam_sigrid, "100.00")
    with pytest.raises(Http404):
        radar_portfolio(user=org.kam_anna, level="manager", unit_id=org.kam_sigrid.pk)
    with pytest.raises(Http404):
        radar_portfolio(user=org.head_north, level="department", unit_id=org.south.pk)
    assert radar_portfolio(user=org.director, level="manager", unit_id=org.kam_sigrid.pk).rows
    assert (org.south.pk, "South") not in unit_choices(user=org.head_north, level="department")


def test_why_key_is_404_for_a_client_one_may_not_see(org, client_with):
    sigrid = client_with(org.kam_sigrid, "100.00")
    assert why_key(user=org.kam_sigrid, account=sigrid, as_of=AS_OF)
    with pytest.raises(Http404):
        why_key(user=org.kam_anna, account=sigrid)


def test_assignment_rule_flags_no_owner_and_more_than_three(org, client_with):  # KC-11
    orphan = client_with(None, "100.00")
    many = [client_with(org.kam_anna, "100.00") for _ in range(4)]
    client_with(org.kam_sigrid, "100.00")
    client_with(org.kam_sigrid, "100.00")
    client_with(org.kam_boris, "10.00")
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    rows = rows_by_id(p)
    kinds = {(a.kind, a.account_id, a.user_id) for a in p.alerts}
    assert (NO_OWNER, orphan.pk, None) in kinds
    assert (OVER_LIMIT, None, org.kam_anna.pk) in kinds
    assert not any(a.kind == OVER_LIMIT and a.user_id == org.kam_sigrid.pk for a in p.alerts)
    assert OVER_LIMIT in rows[many[0].pk].flags
    assert NO_OWNER in rows[orphan.pk].flags


def test_abc_classes_and_concentration(org, client_with):  # KC-13
    a = client_with(org.kam_anna, "600.00")
    b = client_with(org.kam_anna, "250.00")
    c = client_with(org.kam_sigrid, "100.00")
    d = client_with(org.kam_sigrid, "50.00")
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    rows = rows_by_id(p)
    assert [rows[x.pk].abc for x in (a, b, c, d)] == ["A", "A", "B", "C"]
    assert p.concentration.top1_pct == D("60.00")
    assert p.concentration.hhi == D(3600 + 625 + 100 + 25)
    assert p.concentration.pareto[-1].cumulative_pct == D("100.00")


def test_npv_uses_the_trailing_year_and_its_trend(org, product):  # KC-12
    acc = make_account(owner=org.kam_anna)
    make_sale(account=acc, product=product, on=date(2024, 3, 1), revenue="200", cost="100")
    make_sale(account=acc, product=product, on=date(2025, 3, 1), revenue="300", cost="150")
    row = rows_by_id(radar_portfolio(user=org.director, as_of=AS_OF))[acc.pk]
    assert row.trend_pct == D("50.00")  # +50 % as measured (issue 7 §7)
    assert row.npv_growth_pct == D("20.00")  # the NPV caps it at the default 20 %
    # 150 * sum_{t=1..5} (1.2/1.1)^t
    assert row.npv == D("981.09")


def test_fiscal_quarter_period(org, client_with, product):
    acc = client_with(org.kam_anna, "100.00", on=date(2025, 3, 10))
    radar_settings_update(actor=org.director, period="fiscal_quarter")
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    assert (p.period_start, p.period_end, p.months) == (date(2025, 4, 1), date(2025, 6, 1), 3)
    assert rows_by_id(p)[acc.pk].income == 0


def test_portfolio_query_count_does_not_grow_with_clients(
    org, client_with, django_assert_max_num_queries
):
    for i in range(3):
        acc = client_with(org.kam_anna, f"{100 + i}.00")
        key_flag_set(actor=org.kam_anna, account=acc, definition="partner")
        wallet_estimate_record(actor=org.kam_anna, account=acc, annual_budget=D("100"))
    radar_settings()  # created once, on first use
    # 15: one of them asks which units' totals the reader may see (issue 7 §5), once per read.
    with django_assert_max_num_queries(15):
        small = radar_portfolio(user=org.kam_anna, level="manager", as_of=AS_OF)
    for i in range(12):
        acc = client_with(org.kam_anna, f"{200 + i}.00")
        key_flag_set(actor=org.kam_anna, account=acc, definition="reference")
    with django_assert_max_num_queries(15):
        big = radar_portfolio(user=org.kam_anna, level="manager", as_of=AS_OF)
    assert len(big.rows) == len(small.rows) + 12


def test_history_when_a_client_became_key_and_crossed_twenty(org, product):  # history
    acc = make_account(owner=org.kam_anna)
    other = make_account(owner=org.kam_sigrid)
    make_sale(account=other, product=product, on=date(2024, 1, 10), revenue="2000", cost="1000")
    make_sale(account=acc, product=product, on=date(2024, 1, 10), revenue="150", cost="100")
    radar_snapshot_take(actor=None, period_end=date(2024, 1, 31))  # acc: 50/1050 < 10 %
    make_sale(account=acc, product=product, on=date(2024, 2, 10), revenue="400", cost="100")
    radar_snapshot_take(actor=None, period_end=date(2024, 2, 29))  # acc: 350/1350 ~ 25.9 %
    changes = key_history(user=org.kam_anna, level="company")
    assert {(c.account_id, c.kind) for c in changes} == {
        (acc.pk, "became_key"),
        (acc.pk, "crossed_critical"),
    }
    became = next(c for c in changes if c.kind == "became_key")
    assert became.period_end == date(2024, 2, 29) and "share" in became.definitions_after
    assert key_history(user=org.kam_sigrid, account=other, level="company") == [] or all(
        c.account_id == other.pk for c in key_history(user=org.kam_sigrid, level="company")
    )
    assert all(c.account_id != acc.pk for c in key_history(user=org.kam_sigrid))


def test_history_records_dropping_out(org, product):
    acc = make_account(owner=org.kam_anna)
    other = make_account(owner=org.kam_sigrid)
    make_sale(account=acc, product=product, on=date(2024, 1, 10), revenue="300", cost="100")
    make_sale(account=other, product=product, on=date(2024, 1, 10), revenue="900", cost="100")
    radar_snapshot_take(actor=None, period_end=date(2024, 1, 31))  # acc: 200/1000 = 20 %
    make_sale(account=other, product=product, on=date(2024, 2, 10), revenue="9000", cost="0")
    radar_snapshot_take(actor=None, period_end=date(2024, 2, 29))  # acc: 200/10000 = 2 %
    kinds = {c.kind for c in key_history(user=org.director, level=Level.COMPANY, account=acc)}
    assert kinds == {"dropped_out", "fell_below_critical"}


def test_only_key_returns_exactly_the_key_rows(org, client_with):
    for income in ("500.00", "300.00", "99.00", "50.00", "51.00", "-10.00"):
        client_with(org.kam_anna, income)
    prospect = make_account(owner=org.kam_anna, status="potential")
    wallet_estimate_record(
        actor=org.kam_anna, account=prospect, annual_budget=D("90000"), recorded_at=AS_OF
    )
    for level in Level.values:
        full = radar_portfolio(user=org.director, level=level, as_of=AS_OF)
        only = radar_portfolio(user=org.director, level=level, as_of=AS_OF, only_key=True)
        assert only.rows == full.key_rows
        assert only.concentration == full.concentration
    assert prospect.pk in {r.account_id for r in only.rows}


def test_flag_set_today_shows_on_the_latest_period_but_not_on_an_older_one(org, client_with):
    # The radar page opens on the last month with sales, which is behind today; a flag a KAM
    # sets today must show there. A look back at an older period is read as it was then.
    today = date.today()
    last_month_end = today.replace(day=1) - timedelta(days=1)
    anna = client_with(org.kam_anna, "100.00", on=last_month_end)
    key_flag_set(actor=org.kam_anna, account=anna, definition="reference")

    latest = rows_by_id(radar_portfolio(user=org.kam_anna, as_of=last_month_end))
    assert "reference" in latest[anna.pk].definitions

    older_end = last_month_end.replace(day=1) - timedelta(days=1)
    client_with(org.kam_sigrid, "50.00", on=older_end)  # the older month has sales too
    older = rows_by_id(radar_portfolio(user=org.director, as_of=older_end - timedelta(days=40)))
    assert "reference" not in older[anna.pk].definitions
