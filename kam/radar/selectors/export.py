"""The radar's export rows in bulk (RP-2, issue 7 §3): every row of a level, built lazily.

``radar_portfolio(limit=None)`` builds a full ``PortfolioRow`` (rules, evidence, NPV, texts)
for every client: at 108 000 clients that is most of an export's time. An export shows only
the columns of ``kam.radar.exports.columns``, and for most clients every one of them follows
from the scoreboard's figures alone. So:

* the scoreboard (``board.scoreboard``) judges the level once, with every matching row in the
  table's order (``PageQuery(limit=None)``); every client with manual evidence is among its
  judged rows (the engine loads all manual evidence and keeps those ids);
* the judged rows (clients some rule can make key, clients with manual evidence) are built in
  full with the rules, as the page builds them, and give the alerts (KC-3, KC-11, reviews due)
  and the flags they add;
* every other row is no key account by any rule and has no manual evidence: no definition, no
  suggestion, no band, no wallet; its columns come straight from the figures: income, turnover,
  share (rounded down, as ``rules.display_pct``), ABC class, the NPV and the trend
  (``kam.radar.rules``), and "loss-making" when its weight is negative.

Those rows are generated one at a time while the file is written (``ExportRows``), so the CSV
streams. Filters on definitions or bands can only match judged rows: those exports are small
and take ``radar_portfolio`` as it is.

Secrecy (SE-1, issue 7 §5): the header, alerts and concentration go through
``portfolio_for_reader`` like every read; an export row carries no unit total and no evidence
(the columns have neither), so a row tells a reader nothing the page would hide.
"""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import NamedTuple

from django.db import connection

from kam.clients.models import Account
from kam.radar import rules
from kam.radar.models import Level
from kam.radar.selectors.board import Board, PageQuery
from kam.radar.selectors.engine import _Engine, _name
from kam.radar.selectors.portfolio import (
    _alerts,
    _opening,
    _portfolio,
    _with_flags,
    radar_portfolio,
)
from kam.radar.selectors.types import (
    DEFAULT_SORT,
    LOSS_MAKING,
    ZERO,
    Portfolio,
    PortfolioRow,
)

_NO_SHARE = rules.display_pct(ZERO)
_LOSS = (LOSS_MAKING,)


class ExportRow(NamedTuple):
    """The columns of an exported row, as ``PortfolioRow`` names them (``exports.columns`` reads
    either)."""

    account_id: int
    account_name: str
    status: str
    owner_name: str
    department_name: str
    income: Decimal
    turnover: Decimal
    share_pct: Decimal
    band: str
    definitions: tuple[str, ...]
    suggestions: tuple[str, ...]
    abc: str
    npv: Decimal
    trend_pct: Decimal | None
    wallet: Decimal | None
    headroom: Decimal | None
    flags: tuple[str, ...]
    uncosted: Decimal  # revenue without a known cost (issue 8 §3)
    income_unknown: bool


@dataclass(frozen=True)
class RadarExport:
    """What a file needs: the portfolio's header, alerts and concentration (``rows`` empty),
    and the rows, in the table's order, generated when iterated (once)."""

    portfolio: Portfolio
    rows: Iterator[ExportRow | PortfolioRow]


def radar_export(
    *,
    user,
    level: str = Level.COMPANY,
    unit_id: int | None = None,
    as_of: date | None = None,
    only_key: bool = False,
    definition: str = "",
    band: str = "",
    abc: str = "",
    owner_id: int | None = None,
    sort: str = DEFAULT_SORT,
) -> RadarExport:
    """Every row ``radar_portfolio(..., limit=None)`` returns with these arguments, with the
    same exported columns and values, built in bulk (see the module doc). Reads the database
    now (a constant number of statements); iterating the rows reads nothing more."""
    if only_key or definition or band:
        p = radar_portfolio(
            user=user,
            level=level,
            unit_id=unit_id,
            as_of=as_of,
            only_key=only_key,
            definition=definition,
            band=band,
            abc=abc,
            owner_id=owner_id,
            sort=sort,
        )
        return RadarExport(replace(p, rows=()), iter(p.rows))

    as_of, restrict, unit_name = _opening(user, level, unit_id, sort, as_of)
    engine = _Engine(as_of=as_of, restrict=restrict)
    board = engine.board(level, page=PageQuery(sort, abc, owner_id, 0, None))
    info, names = _accounts(restrict, set(board.judged), set(board.page))
    judged = {pk: engine.row(info[pk], level, board.rows[pk]) for pk in board.judged}
    ordered = list(judged.values())  # weight order: the alerts' order
    alerts, extra_flags = _alerts(ordered, level, engine)
    built = {pk: _with_flags(r, extra_flags) for pk, r in judged.items()}
    portfolio = _portfolio(
        user,
        engine,
        board,
        level=level,
        unit_id=unit_id,
        unit_name=unit_name,
        rows=(),
        alerts=alerts,
        count=board.count,
    )
    return RadarExport(portfolio, _rows(engine, board, built, names))


def _accounts(restrict, judged: set[int], shown: set[int]) -> tuple[dict[int, dict], dict]:
    """One read of the accounts in scope (most of them, for an export), through a raw cursor:
    ``_Engine.ACCOUNT_FIELDS`` of the ``judged`` clients (``_Engine.row`` builds them), and
    name, status, KAM's and department's names of the other clients ``shown``."""
    scope = restrict if restrict is not None else Account.objects.all()
    fields = _Engine.ACCOUNT_FIELDS
    sql, params = scope.order_by().values_list(*fields).query.sql_with_params()
    owners: dict[int | None, str] = {}
    info, names = {}, {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            pk = row[0]
            if pk in judged:
                info[pk] = dict(zip(fields, row, strict=True))
            elif pk in shown:
                _pk, name, status, owner_id, first, last, username, _dept, department = row
                owner = owners.get(owner_id)
                if owner is None:
                    owner = owners[owner_id] = _name(first, last, username)
                names[pk] = (name, status, owner, department or "")
    return info, names


def _rows(
    engine: _Engine, board: Board, built: dict[int, PortfolioRow], names: dict
) -> Iterator[ExportRow | PortfolioRow]:
    """The rows in the table's order: the built ones as they are, the others from their
    figures, with the same rules operations as ``_Engine.row`` in the same order."""
    c = engine.crit
    income_basis = c.basis == rules.INCOME
    rate, years = engine._npv_rate, c.npv_horizon_years
    hundred, cent, down, half_up = rules.HUNDRED, rules.CENT, ROUND_DOWN, ROUND_HALF_UP
    # rules.trend and rules.npv_of_trend inlined: the measured growth is divided once, then
    # capped, as rules.trend caps rules.growth.
    cap = c.npv_growth_cap_pct / hundred
    low, annuity = -cap, rules._annuity
    figures = board.rows
    for pk in board.page:
        row = built.get(pk)
        if row is not None:
            yield row
            continue
        f = figures[pk]
        revenue, cost, last12, prev12, total = f.revenue, f.cost, f.last12, f.prev12, f.unit_total
        uncosted = f.uncosted
        income = revenue - uncosted - cost  # the costed lines' (issue 8 §3)
        w = income if income_basis else revenue
        if w > 0 and total > 0:
            share = (w * hundred / total).quantize(cent, rounding=down)
        else:
            share = _NO_SHARE
        if prev12 <= 0:
            measured = None
            g = ZERO
        else:
            measured = (last12 - prev12) / prev12
            g = ZERO if last12 <= 0 else max(low, min(cap, measured))
        name, status, owner, department = names[pk]
        yield ExportRow(
            pk,
            name,
            status,
            owner,
            department,
            income,
            revenue,
            share,
            "",
            (),
            (),
            f.abc,
            (last12 * annuity(g, rate, years)).quantize(cent, rounding=half_up),
            None if measured is None else (measured * hundred).quantize(cent),
            None,
            None,
            _LOSS if w < 0 else (),
            uncosted,
            uncosted != 0,
        )
