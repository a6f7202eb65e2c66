"""unit_facts (the fact summed per unit in the database, plan_fact's read) says what
fact_table says per client, summed per owner, per department subtree and for the company."""

from datetime import date
from decimal import Decimal as D

import pytest

from kam.clients.services import account_reassign
from kam.plans import rules
from kam.plans.selectors import (
    BY_COMPANY,
    BY_DEPARTMENT,
    BY_OWNER,
    COMPANY,
    DEPARTMENT,
    MANAGER,
    PlanUnit,
    _Index,
    fact_table,
    plan_settings,
    unit_facts,
)
from kam.plans.services import plan_settings_update
from kam.plans.tests.test_fact import ledger  # noqa: F401 -- a fixture
from kam.testing import make_account, make_sale

GROUPINGS = [BY_OWNER, BY_DEPARTMENT, BY_COMPANY]


@pytest.fixture
def more(org, ledger):  # noqa: F811 -- the fixture imported above
    """Besides ``ledger``: Sigrid's D buys and returns in one October (net quantity 0); Anna's
    E buys in October 2025 and goes to Sigrid on 1 November 2025 (a whole month each), buys
    again in November and December 2025; Boris's F first buys on 16 October 2025 and goes to
    Anna on 20 October 2025 (mid-month)."""
    product = ledger["product"]
    d = make_account(owner=org.kam_sigrid)
    make_sale(account=d, product=product, on=date(2026, 10, 3), revenue="50", cost="20")
    make_sale(account=d, product=product, on=date(2026, 10, 8), revenue="-50", cost="-20")
    e = make_account(owner=org.kam_anna)
    f = make_account(owner=org.kam_boris)
    make_sale(account=e, product=product, on=date(2025, 10, 10), revenue="20", cost="5")
    make_sale(account=f, product=product, on=date(2025, 10, 16), revenue="7", cost="1")
    account_reassign(actor=org.director, account=f, owner=org.kam_anna, on=date(2025, 10, 20))
    account_reassign(actor=org.director, account=e, owner=org.kam_sigrid, on=date(2025, 11, 1))
    make_sale(account=f, product=product, on=date(2025, 10, 25), revenue="3", cost="1")
    make_sale(account=e, product=product, on=date(2025, 11, 20), revenue="30", cost="10")
    make_sale(account=e, product=product, on=date(2025, 12, 2), revenue="5", cost="1")
    return {**ledger, "d": d, "e": e, "f": f}


def _units(org):
    return (
        [PlanUnit(COMPANY, None, "Company")]
        + [
            PlanUnit(DEPARTMENT, d.pk, d.name, d)
            for d in (org.root, org.north, org.north_pharma, org.south)
        ]
        + [
            PlanUnit(MANAGER, p.pk, str(p), p.department)
            for p in (org.kam_anna, org.kam_boris, org.kam_sigrid, org.regional_north)
        ]
    )


def _key(unit):
    grouping = {COMPANY: BY_COMPANY, DEPARTMENT: BY_DEPARTMENT, MANAGER: BY_OWNER}[unit.level]
    return (grouping, unit.id)


ZERO = {rules.TURNOVER: D(0), rules.INCOME: D(0), rules.ACTIVE_CLIENTS: 0, rules.NEW_CLIENTS: 0}


@pytest.mark.parametrize(
    "ranges",
    [
        # The forecaster's three: this year to date, last year whole, last year to the day.
        [
            (date(2026, 10, 1), date(2026, 10, 17)),
            (date(2025, 10, 1), date(2025, 10, 31)),
            (date(2025, 10, 1), date(2025, 10, 17)),
        ],
        [
            (date(2026, 10, 1), date(2026, 11, 30)),
            (date(2025, 10, 1), date(2025, 12, 31)),
            (date(2025, 10, 1), date(2025, 11, 30)),
        ],
        [
            (date(2026, 1, 1), date(2026, 12, 31)),
            (date(2025, 1, 1), date(2025, 12, 31)),
            (date(2025, 1, 1), date(2025, 11, 20)),
        ],
        [(date(2026, 9, 1), date(2026, 11, 30))],  # whole months, one of them split
        [(date(2026, 10, 1), date(2026, 10, 31))],  # the split month alone
        [(date(2026, 9, 15), date(2026, 10, 12))],  # no whole month
        [(date(2025, 10, 16), date(2025, 11, 30)), (date(2026, 11, 5), date(2026, 11, 1))],
    ],
)
def test_the_same_as_fact_table_per_unit(org, more, ranges):
    got = unit_facts(ranges=ranges, groupings=GROUPINGS)
    assert len(got) == len(ranges)
    for (first, last), facts in zip(ranges, got, strict=True):
        index = _Index(fact_table(first=first, last=last), plan_settings())
        for unit in _units(org):
            assert facts.get(_key(unit), ZERO) == index.unit(unit), (first, last, unit)


def test_by_hand(org, more):
    [oct26, oct25] = unit_facts(
        ranges=[(date(2026, 10, 1), date(2026, 10, 31)), (date(2025, 10, 1), date(2025, 10, 31))],
        groupings=GROUPINGS,
    )
    # October 2026: D bought and returned (turnover 0, but a purchase, and its first: new).
    # Sigrid: C 200 - 20 and D 50 - 50; active C and D; new D.
    assert oct26[(BY_OWNER, org.kam_sigrid.pk)] == {
        rules.TURNOVER: D("180.00"),
        rules.INCOME: D("90.00"),
        rules.ACTIVE_CLIENTS: 2,
        rules.NEW_CLIENTS: 1,
    }
    # The company: A, B, C, D active; B and D new (A and C bought in September).
    assert oct26[(BY_COMPANY, None)][rules.ACTIVE_CLIENTS] == 4
    assert oct26[(BY_COMPANY, None)][rules.NEW_CLIENTS] == 2
    # October 2025: E (Anna's, 20) and F (Boris's 7 to the 19th, Anna's 3 from the 20th).
    assert oct25[(BY_OWNER, org.kam_anna.pk)] == {
        rules.TURNOVER: D("23.00"),
        rules.INCOME: D("17.00"),
        rules.ACTIVE_CLIENTS: 2,
        rules.NEW_CLIENTS: 1,  # E; F's first purchase was Boris's
    }
    assert oct25[(BY_OWNER, org.kam_boris.pk)][rules.NEW_CLIENTS] == 1
    # North holds Anna and Boris (North-Pharma): F counts once there, E once.
    assert oct25[(BY_DEPARTMENT, org.north.pk)][rules.ACTIVE_CLIENTS] == 2
    assert oct25[(BY_DEPARTMENT, org.north_pharma.pk)][rules.TURNOVER] == D("7.00")
    assert oct25.get((BY_DEPARTMENT, org.south.pk), ZERO) == ZERO  # E was Anna's


def test_another_active_definition_is_not_counted_here(org, more):
    plan_settings_update(actor=org.director, active_min_documents=2)
    with pytest.raises(ValueError):
        unit_facts(ranges=[(date(2026, 10, 1), date(2026, 10, 31))], groupings=GROUPINGS)
