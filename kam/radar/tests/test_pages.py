"""The radar's window and count: the Key accounts page in pages of 100, the CSV with every row,
``radar_portfolio``'s offset/limit against the full list for every sort and filter (database
path and Python path), and the API's page/page_size/count, scoped to the caller (SE-1)."""

import csv
import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.urls import reverse

from kam.radar.selectors import ROW_SORTS, radar_portfolio, radar_settings
from kam.radar.views import PAGE_SIZE
from kam.testing import make_account, make_product, make_sales

pytestmark = pytest.mark.django_db

PAGE = reverse("radar:portfolio")
CSV = reverse("radar:export_csv")
API = "/api/radar/portfolio"
MONTH = "2025-06"  # the radar's 12 months: Jul 2024 - Jun 2025
AS_OF = date(2025, 6, 30)
N = 130
PREFIXES = ("alpha", "Beta", "GAMMA", "delta", "Echo")


def ordered(rows, sort: str) -> list:
    """The order ``ROW_SORTS`` defines: the sort key, ties by the client's id (ascending)."""
    key, reverse = ROW_SORTS[sort]
    out = sorted(rows, key=lambda r: r.account_id)
    out.sort(key=key, reverse=reverse)
    return out


def ids(rows) -> list[int]:
    return [r.account_id for r in rows]


def _write(product, sales) -> None:
    """(account, day, revenue, cost) in one ledger write (the radar reads running totals)."""
    make_sales(product=product, sales=sales)


@pytest.fixture
def many(org):
    """130 clients of Anna, Boris, Sigrid and nobody: incomes spread with ties, losses and
    silent clients, every seventh one big (key by amount), one critical; half of them sold the
    year before too (NPV trends differ). Names in mixed case, two clients share one."""
    s = radar_settings()
    s.key_amount = D("5000")
    s.save()
    product = make_product()
    owners = [org.kam_anna, org.kam_boris, org.kam_sigrid, None]
    accounts, sales = [], []
    for i in range(N):
        name = "Twin SIA" if i in (20, 21) else f"{PREFIXES[i % 5]} {i:03d} SIA"
        account = make_account(owner=owners[i % 4], legal_name=name)
        accounts.append(account)
        if i % 13 == 5:
            continue  # no sales at all
        if i == 64:
            income = 100_000_00  # about a quarter of the company: critical
        elif i % 7 == 3:
            income = 10_000_00 + i * 1_00
        elif i % 11 == 0:
            income = 500_00  # a tie
        else:
            income = (i * 7919) % 2_000_00 - 200_00  # some below zero
        revenue = D(income + 1_000_00 + i) / 100
        sales.append(
            (account, date(2025, 1 + i % 6, 1 + i % 28), revenue, revenue - D(income) / 100)
        )
        if i % 2:
            before = D(income * (50 + i % 100)) / 10_000
            sales.append((account, date(2024, 3, 1 + i % 28), before + 100, D(100)))
    _write(product, sales)
    return {
        "all": {a.pk for a in accounts},
        "by_owner": {
            person.pk: {a.pk for a in accounts if a.owner_id == person.pk}
            for person in owners
            if person is not None
        },
    }


# --- the Key accounts page and its CSV ----------------------------------------------------------


def page_rows(response) -> list:
    return [line["row"] for line in response.context["lines"]]


@pytest.mark.parametrize("sort", ["-share", "name", "income", "npv"])
def test_two_pages_hold_every_client_once_in_the_order_asked(org, many, login, sort):
    assert PAGE_SIZE == 100
    c = login(org.director)
    first = c.get(PAGE, {"month": MONTH, "sort": sort})
    second = c.get(PAGE, {"month": MONTH, "sort": sort, "page": 2})
    one, two = page_rows(first), page_rows(second)
    assert (len(one), len(two)) == (100, N - 100)
    assert not set(ids(one)) & set(ids(two))
    assert set(ids(one)) | set(ids(two)) == many["all"]
    assert first.context["page"].paginator.count == N
    assert first.context["page"].paginator.num_pages == 2
    assert (first.context["page"].number, second.context["page"].number) == (1, 2)
    assert ids(one + two) == ids(ordered(one + two, sort))

    # A page past the end shows the last one.
    beyond = c.get(PAGE, {"month": MONTH, "sort": sort, "page": 99})
    assert beyond.status_code == 200
    assert beyond.context["page"].number == 2
    assert ids(page_rows(beyond)) == ids(two)

    # The CSV has every matching row, in the page's order.
    response = c.get(CSV, {"month": MONTH, "sort": sort})
    exported = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [int(r["Client ID"]) for r in exported] == ids(one + two)


def test_a_filtered_page_counts_and_exports_only_the_matching_rows(org, many, login):
    c = login(org.director)
    # Python-path filter: the key accounts only.
    key = c.get(PAGE, {"month": MONTH, "only_key": "on", "page": 2})
    assert key.context["page"].number == 1  # fewer than a page: page 2 falls back to 1
    key_rows = page_rows(key)
    assert key_rows and all(r.is_key for r in key_rows)
    assert key.context["page"].paginator.count == len(key_rows)
    # Database-path filter: one KAM's clients, by name.
    params = {"month": MONTH, "owner": org.kam_sigrid.pk, "sort": "name"}
    page = c.get(PAGE, params)
    rows = page_rows(page)
    assert page.context["page"].paginator.count == len(many["by_owner"][org.kam_sigrid.pk])
    assert set(ids(rows)) == many["by_owner"][org.kam_sigrid.pk]
    assert ids(rows) == ids(ordered(rows, "name"))
    exported = list(csv.DictReader(io.StringIO(c.get(CSV, params).getvalue().decode("utf-8-sig"))))
    assert [int(r["Client ID"]) for r in exported] == ids(rows)


# --- radar_portfolio: the window is a slice of the full list ------------------------------------


def windows(count: int) -> list[tuple[int, int | None]]:
    return [(0, 7), (7, 7), (max(count - 3, 0), 10), (count + 5, 5), (0, 0), (3, None)]


def _check_windows(user, level, filters_and_matches):
    """For every sort: each filter's full list (limit None) is the unfiltered list's matching
    rows in the same order; each window is the full list's slice; counts agree."""
    for sort in ROW_SORTS:
        everything = radar_portfolio(user=user, level=level, as_of=AS_OF, sort=sort)
        assert everything.count == len(everything.rows)
        for filters, match in filters_and_matches:
            where = (level, sort, filters)
            full = radar_portfolio(user=user, level=level, as_of=AS_OF, sort=sort, **filters)
            assert full.count == len(full.rows), where
            assert ids(full.rows) == [r.account_id for r in everything.rows if match(r)], where
            assert ids(full.rows) == ids(ordered(full.rows, sort)), where
            for offset, limit in windows(full.count):
                got = radar_portfolio(
                    user=user,
                    level=level,
                    as_of=AS_OF,
                    sort=sort,
                    offset=offset,
                    limit=limit,
                    **filters,
                )
                end = None if limit is None else offset + limit
                assert ids(got.rows) == ids(full.rows)[offset:end], (*where, offset, limit)
                assert got.count == full.count, (*where, offset, limit)
                assert got.rows == full.rows[offset:end], (*where, offset, limit)


@pytest.mark.parametrize("level", ["company", "manager"])
def test_database_window_is_a_slice_of_the_full_list(org, many, level):
    """No filter, ABC and owner: the database filters, sorts and cuts the window."""
    anna, sigrid = org.kam_anna.pk, org.kam_sigrid.pk
    _check_windows(
        org.director,
        level,
        [
            ({}, lambda r: True),
            ({"abc": "A"}, lambda r: r.abc == "A"),
            ({"abc": "C"}, lambda r: r.abc == "C"),
            ({"owner_id": anna}, lambda r: r.owner_id == anna),
            ({"abc": "B", "owner_id": sigrid}, lambda r: r.abc == "B" and r.owner_id == sigrid),
        ],
    )


@pytest.mark.parametrize("level", ["company", "manager"])
def test_python_window_is_a_slice_of_the_full_list(org, many, level):
    """Key only, a band, a definition (alone and with ABC or owner): Python filters the judged
    rows and sorts them the way the database sorts the rest."""
    boris = org.kam_boris.pk
    checks = [
        ({"only_key": True}, lambda r: r.is_key),
        ({"band": "any"}, lambda r: bool(r.band)),
        ({"definition": "amount"}, lambda r: "amount" in r.definitions),
        ({"definition": "share"}, lambda r: "share" in r.definitions),
        ({"only_key": True, "abc": "A"}, lambda r: r.is_key and r.abc == "A"),
        ({"only_key": True, "owner_id": boris}, lambda r: r.is_key and r.owner_id == boris),
    ]
    everything = radar_portfolio(user=org.director, level=level, as_of=AS_OF, limit=None)
    for filters, match in checks[:4]:  # the data gives each Python filter rows to cut
        assert sum(1 for r in everything.rows if match(r)) >= 1, filters
    assert sum(1 for r in everything.rows if r.is_key) > 7  # more than one window's worth
    _check_windows(org.director, level, checks)


def test_name_sort_folds_case_of_latvian_letters_on_both_paths(org, latvian_names):
    """The name order is the case-folded one (``ROW_SORTS``): "Zaļā aptieka" before "ZAĻĀ
    BIRZS", "Ābele" before "ĀBOLS", whether the database sorts (no filter) or Python does (a
    key-only filter); every client here is key by amount, so both lists hold them all."""
    expected = latvian_names
    for sort in ("name", "-name"):
        by_db = radar_portfolio(user=org.director, as_of=AS_OF, sort=sort)
        by_python = radar_portfolio(user=org.director, as_of=AS_OF, sort=sort, only_key=True)
        want = expected if sort == "name" else expected[::-1]
        assert [r.account_name for r in by_python.rows] == want, sort
        assert [r.account_name for r in by_db.rows] == want, sort


@pytest.fixture
def latvian_names(org):
    names = [
        "ZAĻĀ BIRZS SIA",
        "Ābele SIA",
        "Egle SIA",
        "ĀBOLS SIA",
        "Zaļā aptieka SIA",
        "ērglis SIA",
    ]
    s = radar_settings()
    s.key_amount = D("1")
    s.save()
    product = make_product()
    accounts = [make_account(owner=org.kam_anna, legal_name=n) for n in names]
    _write(product, [(a, date(2025, 5, 10), D(150 + i), D(100)) for i, a in enumerate(accounts)])
    return sorted(names, key=str.casefold)


# --- the API ------------------------------------------------------------------------------------


def test_api_pages_count_and_page_size_limit(org, many, login):
    c = login(org.director)
    base = {"as_of": AS_OF.isoformat(), "sort": "name"}
    pages = [c.get(API, {**base, "page": n, "page_size": 50}) for n in (1, 2, 3)]
    assert [p.status_code for p in pages] == [200, 200, 200], pages[0].content
    bodies = [p.json() for p in pages]
    assert [b["count"] for b in bodies] == [N, N, N]
    assert [(b["page"], b["page_size"]) for b in bodies] == [(1, 50), (2, 50), (3, 50)]
    assert [len(b["rows"]) for b in bodies] == [50, 50, N - 100]
    paged = [r["account_id"] for b in bodies for r in b["rows"]]
    assert len(set(paged)) == N and set(paged) == many["all"]
    names = [(r["account_name"].casefold(), r["account_id"]) for b in bodies for r in b["rows"]]
    assert names == sorted(names)  # by name; the two "Twin SIA" by id

    whole = c.get(API, {**base, "page_size": 200})
    assert whole.status_code == 200
    assert [r["account_id"] for r in whole.json()["rows"]] == paged
    assert c.get(API, {**base, "page_size": 201}).status_code == 422
    assert c.get(API, {**base, "page_size": 0}).status_code == 422
    assert c.get(API, {**base, "page": 0}).status_code == 422
    assert c.get(API, {**base, "sort": "size"}).status_code == 422
    # Alerts and concentration cover the whole level on every page.
    assert bodies[2]["concentration"]["clients"] == bodies[0]["concentration"]["clients"]
    assert bodies[2]["alerts"] == bodies[0]["alerts"]


def test_api_filters_and_sort(org, many, login):
    c = login(org.director)
    base = {"as_of": AS_OF.isoformat(), "page_size": 200}
    rows = c.get(API, base).json()["rows"]
    for cls in "ABC":
        body = c.get(API, {**base, "abc": cls, "page_size": 10}).json()
        expected = [r["account_id"] for r in rows if r["abc"] == cls]
        assert body["count"] == len(expected), cls
        assert [r["account_id"] for r in body["rows"]] == expected[:10], cls
    body = c.get(API, {**base, "owner": org.kam_boris.pk}).json()
    assert body["count"] == len(many["by_owner"][org.kam_boris.pk])
    assert {r["account_id"] for r in body["rows"]} == many["by_owner"][org.kam_boris.pk]
    by_income = c.get(API, {**base, "sort": "-income"}).json()["rows"]
    incomes = [D(r["income"]) for r in by_income]
    assert incomes == sorted(incomes, reverse=True) and incomes[0] > incomes[-1]
    key = c.get(API, {**base, "only_key": "true", "page_size": 3}).json()
    assert key["count"] == sum(1 for r in rows if r["is_key"]) > 3
    assert len(key["rows"]) == 3 and all(r["is_key"] for r in key["rows"])


def test_api_count_covers_only_the_kams_own_clients(org, many, login):  # SE-1
    anna_ids = many["by_owner"][org.kam_anna.pk]
    sigrid_ids = many["by_owner"][org.kam_sigrid.pk]
    base = {"as_of": AS_OF.isoformat(), "page_size": 10}
    for level in ("company", "manager"):
        anna = login(org.kam_anna).get(API, {**base, "level": level}).json()
        assert anna["count"] == len(anna_ids), level
        assert len(anna["rows"]) == 10
        assert {r["account_id"] for r in anna["rows"]} <= anna_ids
        everything = login(org.kam_anna).get(API, {**base, "level": level, "page_size": 200})
        assert {r["account_id"] for r in everything.json()["rows"]} == anna_ids

        sigrid = login(org.kam_sigrid).get(API, {**base, "level": level, "page_size": 200})
        assert sigrid.json()["count"] == len(sigrid_ids), level
        seen = {r["account_id"] for r in sigrid.json()["rows"]}
        assert seen == sigrid_ids and not seen & anna_ids
    # Asking for another KAM's clients by the owner filter finds none of them.
    theirs = login(org.kam_anna).get(API, {**base, "owner": org.kam_sigrid.pk}).json()
    assert (theirs["count"], theirs["rows"]) == (0, [])
