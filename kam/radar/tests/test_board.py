"""The database's judgement (``board.scoreboard`` behind ``radar_portfolio``) agrees with the
pure rules (``kam.radar.rules``): weights, unit totals, shares, bands, definitions, ABC classes
and the concentration block, for random ledgers and criteria at every level; and the exact
boundaries (10 %, 20 %, 70 %, 33.333 %, the amount) hold to the cent on either database."""

from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from kam.core import periods
from kam.radar import rules
from kam.radar.models import Level
from kam.radar.selectors import (
    LEVEL_DEFINITIONS,
    NO_OWNER,
    OVER_LIMIT,
    radar_portfolio,
    radar_settings,
)
from kam.radar.selectors.evidence import _first_buyers
from kam.sales.models import FirstPurchase
from kam.testing import build_org, make_account, make_product, make_sale, make_sales

AS_OF = date(2025, 6, 30)  # rolling 12 months: Jul 2024 - Jun 2025
FIRST = date(2024, 7, 1)  # month 0 of the period; months -12..-1 are the year before (NPV)
CENT = D("0.01")
OWNERS = ("anna", "boris", "sigrid", "none_north", "none_south", "nobody")


def _criteria(values: dict) -> rules.Criteria:
    """The rules' criteria for the settings the test wrote (the rest at their defaults)."""
    return rules.Criteria(
        **{k: v for k, v in values.items() if k in rules.Criteria.__dataclass_fields__}
    )


def _save_settings(values: dict) -> None:
    s = radar_settings()
    for name, value in values.items():
        setattr(s, name, value)
    s.save()


# --- random ledgers and criteria ----------------------------------------------------------------

amount_cents = st.one_of(
    st.integers(-60_000, 900_000),
    st.sampled_from([0, 100, 10_000, 25_000, 123_456]),  # repeats: ties in ranks and shares
)
sale = st.tuples(
    # Mostly in the period (months 0..11), some the year before (NPV trend), some after it.
    st.sampled_from([*range(12), *range(12), *range(-12, 0), 12]),
    st.integers(1, 28),
    amount_cents,  # revenue
    amount_cents,  # cost
)
client = st.tuples(st.sampled_from(OWNERS), st.lists(sale, max_size=4))


@st.composite
def criteria(draw) -> dict:
    critical = draw(st.sampled_from([D(10), D(20), D("25.5"), D(50)]))
    a_pct = draw(st.sampled_from([D(50), D(80), D("80.5")]))
    return {
        "basis": draw(st.sampled_from([rules.INCOME, rules.TURNOVER])),
        "key_share_pct": draw(st.sampled_from([None, D(5), D(10), D("33.333")])),
        "critical_pct": critical,
        "mono_pct": draw(
            st.sampled_from([p for p in (critical, D(50), D(70), D("99.999")) if p >= critical])
        ),
        "abc_a_pct": a_pct,
        "abc_b_pct": draw(st.sampled_from([p for p in (a_pct, D(95), D("99.999")) if p >= a_pct])),
        "key_amount": draw(st.sampled_from([None, D("100.00"), D("1234.56"), D("5000.00")])),
    }


class TestBoardAgreesWithTheRules(TestCase):
    """Property: for 2..12 clients with random monthly sales (returns, losses, no sales at all,
    sales outside the period) and random criteria, every level's rows and concentration are what
    ``kam.radar.rules`` computes from the same sales in Python."""

    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(clients=st.lists(client, min_size=2, max_size=12), crit_values=criteria())
    def test_every_level_matches_the_rules(self, clients, crit_values):
        org = build_org()
        owners = {
            "anna": (org.kam_anna, org.north),
            "boris": (org.kam_boris, org.north_pharma),
            "sigrid": (org.kam_sigrid, org.south),
            "none_north": (None, org.north),
            "none_south": (None, org.south),
            "nobody": (None, None),  # no KAM, no department: one unit with its like
        }
        product = make_product()
        book = []  # (account, revenue, cost, last12 income, prev12 income) in the period
        for owner_key, sales in clients:
            owner, department = owners[owner_key]
            account = make_account(owner=owner, department=department)
            rev = cost = prev12 = 0
            for month, day, r, c in sales:
                on = periods.add_months(FIRST, month).replace(day=day)
                make_sale(
                    account=account, product=product, on=on, revenue=D(r) / 100, cost=D(c) / 100
                )
                if 0 <= month <= 11:
                    rev, cost = rev + r, cost + c
                elif month < 0:
                    prev12 += r - c
            book.append(
                (account, D(rev) / 100, D(cost) / 100, D(rev - cost) / 100, D(prev12) / 100)
            )
        _save_settings(crit_values)
        crit = _criteria(crit_values)

        # The ABC counts are compared last, so a difference there hides no other check.
        counts = [self._check_level(org, level, book, crit) for level in Level.values]
        for level, got, want in counts:
            assert got == want, f"abc_counts at level={level} criteria={crit}"

    def _check_level(self, org, level, book, crit):
        shown = [b for b in book if level != Level.MANAGER or b[0].owner_id is not None]
        unit_of = {
            Level.COMPANY: lambda a: None,
            Level.DEPARTMENT: lambda a: a.department_id,
            Level.MANAGER: lambda a: a.owner_id,
        }[level]
        weights = {a.pk: rules.weight(rev, cost, crit.basis) for a, rev, cost, _l, _p in book}
        company_total = rules.positive_total(weights.values())
        unit_totals: dict = defaultdict(lambda: D(0))
        for a, *_ in shown:
            unit_totals[unit_of(a)] += max(weights[a.pk], D(0))
        shown_weights = {a.pk: weights[a.pk] for a, *_ in shown}
        classes = rules.abc_classes(shown_weights, crit.abc_a_pct, crit.abc_b_pct)

        p = radar_portfolio(user=org.director, level=level, as_of=AS_OF)
        context = f"level={level} criteria={crit} weights={shown_weights}"
        assert p.count == len(shown), context
        rows = {r.account_id: r for r in p.rows}
        assert sorted(rows) == sorted(shown_weights), context

        expected_key, expected_bands = set(), set()
        for a, rev, cost, last12, prev12 in shown:
            r, w, total = rows[a.pk], weights[a.pk], unit_totals[unit_of(a)]
            v = rules.judge(w, total, crit, months=12)
            where = f"{context} client={a.pk} w={w} unit_total={total}"
            assert (r.revenue, r.cost, r.income, r.turnover) == (rev, cost, rev - cost, rev), where
            assert r.weight == w, where
            assert r.unit_total == total, where
            assert r.share_pct == rules.display_pct(v.share_pct), where
            assert r.band == v.band, where
            assert r.loss_making == (w < 0), where
            definitions = {
                d
                for d, holds in (
                    ("amount", v.key_by_amount),
                    ("share", v.key_by_share),
                    ("dependency", bool(v.band)),
                )
                if holds
            }
            assert set(r.definitions) == definitions, where  # no manual evidence here
            assert set(r.definitions) <= LEVEL_DEFINITIONS, where
            assert r.company_key == rules.UnitJudge(company_total, crit).is_key(w), where
            assert r.abc == classes[a.pk], where
            assert r.npv == rules.npv(last12, prev12, crit), where
            if definitions:
                expected_key.add(a.pk)
            if v.band:
                expected_bands.add((v.band, a.pk))

        # The alerts and the Python-filtered views rest on the database's key pre-test: it must
        # not miss a client the rules make key (nor keep one they do not).
        assert {(x.kind, x.account_id) for x in p.alerts if x.kind in ("critical", "mono")} == (
            expected_bands
        ), context
        # KC-11 on company-level key status, whatever the level shown.
        company_key = [
            a for a, *_ in shown if rules.UnitJudge(company_total, crit).is_key(weights[a.pk])
        ]
        assert {x.account_id for x in p.alerts if x.kind == NO_OWNER} == {
            a.pk for a in company_key if a.owner_id is None
        }, context
        held = Counter(a.owner_id for a in company_key if a.owner_id is not None)
        assert {x.user_id for x in p.alerts if x.kind == OVER_LIMIT} == {
            kam for kam, n in held.items() if n > crit.max_key_per_kam
        }, context
        only_key = radar_portfolio(user=org.director, level=level, as_of=AS_OF, only_key=True)
        assert {r.account_id for r in only_key.rows} == expected_key, context
        assert only_key.count == len(expected_key), context

        c = p.concentration
        order = rules.ranked(shown_weights)
        total = rules.positive_total(shown_weights.values())
        assert c.clients == len(order), context
        assert c.total == total, context
        for n, got in ((1, c.top1_pct), (5, c.top5_pct), (10, c.top10_pct)):
            assert got == rules.display_pct(rules.top_share(shown_weights, n)), (n, context)
        assert c.hhi == rules.hhi(shown_weights).quantize(CENT), context
        assert [(x.rank, x.clients_pct, x.cumulative_pct) for x in c.pareto] == [
            (x.rank, x.clients_pct, x.cumulative_pct) for x in rules.pareto(shown_weights)
        ], context
        sums = defaultdict(lambda: D(0))
        for pk, cls in classes.items():
            sums[cls] += max(shown_weights[pk], D(0))
        assert c.abc_pct == {
            k: (sums[k] * 100 / total).quantize(CENT) if total > 0 else D(0) for k in "ABC"
        }, context
        # Every client shown has a class (the table's ABC column and filter count it), so the
        # counts add up to the clients shown, loss-making and silent ones in C.
        counts = Counter(classes.values())
        return level, c.abc_counts, {k: counts.get(k, 0) for k in "ABC"}


# --- exact boundaries ---------------------------------------------------------------------------

UNIT = D("12345.60")  # 10 %, 20 % and 70 % of it are whole cents: 1234.56, 2469.12, 8641.92
BOUNDARIES = [
    # (settings, the client's exact weight, the unit's positive total, filter, what it is)
    pytest.param({}, D("1234.56"), UNIT, {"definition": "share"}, "share", id="share-10"),
    pytest.param(
        {"key_share_pct": D("33.333"), "critical_pct": D(50)},
        D("333.33"),  # 33.333 % of 1000.00
        D("1000.00"),
        {"definition": "share"},
        "share",
        id="share-33.333",
    ),
    pytest.param(
        {"key_share_pct": None},
        D("2469.12"),
        UNIT,
        {"band": "critical"},
        "critical",
        id="critical-20",
    ),
    pytest.param({}, D("8641.92"), UNIT, {"band": "mono"}, "mono", id="mono-70"),
    pytest.param(
        {
            "key_share_pct": None,
            "critical_pct": D(100),
            "mono_pct": D(100),
            "key_amount": D("1234.56"),
        },
        D("1234.56"),
        UNIT,
        {"definition": "amount"},
        "amount",
        id="amount",
    ),
    pytest.param(
        {
            "key_share_pct": None,
            "critical_pct": D(100),
            "mono_pct": D(100),
            "key_amount": D("4938.24"),  # a year; the fiscal quarter Apr-Jun prorates it to 1234.56
            "period": "fiscal_quarter",
        },
        D("1234.56"),
        UNIT,
        {"definition": "amount"},
        "amount",
        id="amount-prorated-quarter",
    ),
]


def _is(row, what: str) -> bool:
    if what in ("critical", "mono"):
        return row.band == what and "dependency" in row.definitions
    return what in row.definitions


@pytest.mark.django_db
@pytest.mark.parametrize("under", [False, True], ids=["exact", "one-cent-less"])
@pytest.mark.parametrize(("values", "exact", "unit", "filters", "what"), BOUNDARIES)
def test_exact_boundary_holds_and_one_cent_less_does_not(
    org, values, exact, unit, filters, what, under
):
    """The client ``x`` is exactly the threshold of its unit's income (or one cent less, the
    filler taking the cent so the unit's total stays the same), with cents, a return and a
    loss-making client that must not count; every level's unit is Anna's book here."""
    assert exact == exact.quantize(CENT) and unit == unit.quantize(CENT)
    product = make_product()
    weight = exact - CENT if under else exact
    x = make_account(owner=org.kam_anna, legal_name="X SIA")
    on = date(2025, 5, 10)
    make_sale(account=x, product=product, on=on, revenue=weight + D("300.00"), cost=D("250.50"))
    make_sale(
        account=x, product=product, on=date(2025, 6, 2), revenue=D("-100.00"), cost=D("-50.50")
    )
    filler = make_account(owner=org.kam_anna, legal_name="Filler SIA")
    make_sale(
        account=filler,
        product=product,
        on=on,
        revenue=unit - weight + D("1000.01"),
        cost=D("1000.01"),
    )
    loss = make_account(owner=org.kam_anna, legal_name="Loss SIA")
    make_sale(account=loss, product=product, on=on, revenue=D("100.00"), cost=D("350.00"))
    _save_settings(values)

    for level in Level.values:
        p = radar_portfolio(user=org.director, level=level, as_of=AS_OF)
        row = next(r for r in p.rows if r.account_id == x.pk)
        assert (row.weight, row.unit_total) == (weight, unit), level
        assert _is(row, what) is not under, (level, row.definitions, row.band)
        assert row.share_pct == rules.display_pct(weight * 100 / unit), level
        if what in ("critical", "mono"):
            alerts = {(a.kind, a.account_id) for a in p.alerts}
            assert ((what, x.pk) in alerts) is not under, (level, alerts)
        # The Python-filtered path keeps only what the database's pre-test let through.
        filtered = radar_portfolio(user=org.director, level=level, as_of=AS_OF, **filters)
        assert (x.pk in {r.account_id for r in filtered.rows}) is not under, (level, filters)
        assert filtered.count == len(filtered.rows)


# --- ABC edges and counts, the Pareto curve over a hundred clients -----------------------------


def _sell_all(incomes: dict, on=date(2025, 5, 10)) -> None:
    """One ledger write: each account's income in the period (turnover = income + 1000)."""
    make_sales(
        product=make_product(),
        sales=[(a, on, income + 1000, D(1000)) for a, income in incomes.items() if income],
    )


@pytest.fixture
def abc_book(org):
    """Company income 1000.00: 500 + 300 bring exactly 80 % (the A limit), 150 more exactly
    95 % (the B limit); then 50, a loss and a client with no sales."""
    incomes = {
        "big": D("500.00"),
        "second": D("300.00"),
        "third": D("150.00"),
        "small": D("50.00"),
        "loss": D("-20.00"),
        "silent": D(0),
    }
    accounts = {k: make_account(owner=org.kam_anna, legal_name=f"{k} SIA") for k in incomes}
    _sell_all({accounts[k]: v for k, v in incomes.items()})
    return {k: a.pk for k, a in accounts.items()}


@pytest.mark.django_db
def test_abc_class_edges_are_exact(org, abc_book):  # KC-13
    """A while the weight ranked before a client is under 80 %: the third client starts at
    exactly 80 % and is B; the fourth starts at exactly 95 % and is C."""
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    abc = {r.account_id: r.abc for r in p.rows}
    assert [abc[abc_book[k]] for k in ("big", "second", "third", "small", "loss", "silent")] == [
        "A",
        "A",
        "B",
        "C",
        "C",
        "C",
    ]
    assert p.concentration.abc_pct == {"A": D("80.00"), "B": D("15.00"), "C": D("5.00")}
    for cls, n in (("A", 2), ("B", 1), ("C", 3)):
        filtered = radar_portfolio(user=org.director, as_of=AS_OF, abc=cls)
        assert filtered.count == n, cls
        assert {r.abc for r in filtered.rows} == {cls}


@pytest.mark.django_db
def test_abc_counts_agree_with_the_abc_column_and_filter(org, abc_book):  # KC-13
    """The concentration block's class counts are the clients the table shows in each class
    (the ABC filter finds the loss-making and the silent client in C too)."""
    p = radar_portfolio(user=org.director, as_of=AS_OF)
    by_column = Counter(r.abc for r in p.rows)
    assert p.concentration.abc_counts == {k: by_column[k] for k in "ABC"}
    assert sum(p.concentration.abc_counts.values()) == p.count == 6


@pytest.mark.django_db
def test_concentration_over_more_than_a_hundred_clients(org):
    """121 positive clients: the Pareto curve is thinned to every second rank plus the last
    (rules.pareto); the top 1/5/10, HHI and totals over every client, not a sample."""
    owners = [org.kam_anna, org.kam_boris, org.kam_sigrid, None]
    incomes = {}
    for i in range(125):
        account = make_account(owner=owners[i % 4], legal_name=f"P{i:03d} SIA")
        incomes[account] = D(-15 - i) if i >= 123 else D((i * 389) % 5000 + 1) + D(i) / 100
    _sell_all(incomes)
    weights = {a.pk: w for a, w in incomes.items()}
    assert sum(1 for w in weights.values() if w > 0) == 123

    c = radar_portfolio(user=org.director, as_of=AS_OF, limit=0).concentration
    want = rules.pareto(weights)
    assert [x.rank for x in want][-3:] == [120, 122, 123]  # thinned; the last rank kept
    assert [(x.rank, x.clients_pct, x.cumulative_pct) for x in c.pareto] == [
        (x.rank, x.clients_pct, x.cumulative_pct) for x in want
    ]
    assert (c.clients, c.total) == (123, rules.positive_total(weights.values()))
    assert c.top10_pct == rules.display_pct(rules.top_share(weights, 10))
    assert c.hhi == rules.hhi(weights).quantize(CENT)


@pytest.mark.django_db
def test_innovators_ranked_for_a_page_are_those_ranked_over_every_buyer():  # KC-8
    """The page's form of the innovator ranking (counts per client) gives each client exactly
    what the full ranking (a window over every buyer) gives it, ties on the cut-off day too."""
    launched = [make_product(launched_on=date(2025, 1, 1)) for _ in range(2)]
    buyers = [make_account(owner=None) for _ in range(45)]
    for i, account in enumerate(buyers):
        # Days repeat (ties), one product is bought by every other client only.
        for j, product in enumerate(launched):
            if j == 1 and i % 2:
                continue
            day = date(2025, 1 + (i // 9) % 6, 1 + (i * 7 + j) % 5)
            make_sale(account=account, product=product, on=day, revenue="10", cost="5")
    ids = [p.pk for p in launched]
    for pct in (D("2.5"), D("10"), D("33.333")):
        everyone = _first_buyers(ids, AS_OF, pct)
        assert everyone  # some innovators at every percentage
        page = [a.pk for a in buyers[::3]]
        assert _first_buyers(ids, AS_OF, pct, page) == {
            a: v for a, v in everyone.items() if a in page
        }
        # The rules' own function agrees with the database's full ranking.
        rows = FirstPurchase.objects.filter(product_id__in=ids).values_list(
            "product_id", "account_id", "first_date"
        )
        by_rules = rules.first_buyers(rows, pct)
        assert {a: sorted(v) for a, v in by_rules.items()} == {
            a: sorted(v) for a, v in everyone.items()
        }
