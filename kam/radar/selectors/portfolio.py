"""The radar's main reads: the portfolio by level, its concentration, why a client is key."""

from collections import defaultdict
from dataclasses import replace
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kam.clients.models import Account
from kam.clients.selectors import account_get
from kam.radar.models import Band, Level
from kam.radar.selectors.board import PageQuery
from kam.radar.selectors.engine import _concentration, _Engine
from kam.radar.selectors.evidence import _basis_word, _date, _share
from kam.radar.selectors.secrecy import evidence_for_reader, portfolio_for_reader
from kam.radar.selectors.types import (
    ANY_BAND,
    DEFAULT_SORT,
    DEFINITION_ORDER,
    LEVEL_DEFINITIONS,
    NO_OWNER,
    OVER_LIMIT,
    REVIEW_DUE,
    ROW_SORTS,
    Alert,
    Concentration,
    Evidence,
    Portfolio,
    PortfolioRow,
)
from kam.radar.selectors.units import _check_level, _unit_rows


def radar_portfolio(
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
    offset: int = 0,
    limit: int | None = None,
) -> Portfolio:
    """The key-account portfolio at ``level`` (KC-10), scoped to what ``user`` may see (SE-1).

    ``rows`` holds the window ``offset``..``offset + limit`` (every row when ``limit`` is None)
    of the rows that pass the filters, in ``sort`` order (``ROW_SORTS``); ``count`` says how
    many pass. The filters: ``only_key``, ``definition`` (applied or suggested), ``band``
    (``ANY_BAND``: critical or mono), ``abc`` and ``owner_id``. Alerts and the concentration
    block always cover every row the user sees at the level, whatever the filters and window.

    Work: one statement judges every client in the database (``board.scoreboard``); Python
    builds full rows (rules, evidence, NPV) only for the clients some rule can make key, those
    with manual evidence, and the window shown."""
    as_of, restrict, unit_name = _opening(user, level, unit_id, sort, as_of)
    # Filters on definitions or bands can only match judged rows (every client with manual
    # evidence is judged then): Python filters and sorts those. Otherwise the database filters,
    # sorts and cuts the window over every row, and manual evidence is loaded for the rows
    # built alone.
    in_python = bool(only_key or definition or band)
    # Every row (exports, the CLI): load all manual evidence at once rather than by ids.
    lazy = not in_python and limit is not None
    engine = _Engine(as_of=as_of, restrict=restrict, lazy=lazy)
    page = None if in_python else PageQuery(sort, abc, owner_id, offset, limit)
    board = engine.board(level, page=page)
    built = _build_rows(engine, board, level, in_python)
    rows = [built[pk] for pk in board.judged]  # weight order: the alerts' order
    alerts, extra_flags = _alerts(rows, level, engine)
    if in_python:
        count, window = _python_window(
            rows, only_key, definition, band, abc, owner_id, sort, offset, limit
        )
    else:
        count, window = board.count, [built[pk] for pk in board.page]
    final = tuple(_with_flags(r, extra_flags) for r in window)
    return _portfolio(
        user,
        engine,
        board,
        level=level,
        unit_id=unit_id,
        unit_name=unit_name,
        rows=final,
        alerts=alerts,
        count=count,
        offset=offset,
    )


# --- the steps of radar_portfolio (radar_export shares the opening, alerts and closing) ---------


def _opening(user, level: str, unit_id: int | None, sort: str, as_of: date | None):
    """The checked level and sort, the as-of date, and the accounts to judge (None: every
    client) with the unit's name."""
    _check_level(level)
    if sort not in ROW_SORTS:
        raise ValueError(f"unknown sort {sort!r}; choose one of {', '.join(ROW_SORTS)}")
    accounts, unit_name = _unit_rows(user, level, unit_id)
    restrict = None if user.sees_everything and unit_id is None else accounts
    return as_of or timezone.localdate(), restrict, unit_name


def _alerts(rows: list[PortfolioRow], level: str, engine: _Engine):
    """The level's alerts over the judged ``rows`` (weight order) and the extra flags the
    KC-11 check puts on rows."""
    assignment, extra_flags = _assignment_alerts(rows, engine.crit.max_key_per_kam)
    alerts = [*_band_alerts(rows, level, engine.crit.basis), *assignment, *_review_alerts(rows)]
    return alerts, extra_flags


def _portfolio(
    user, engine: _Engine, board, *, level, unit_id, unit_name, rows, alerts, count, offset=0
) -> Portfolio:
    """The answer, as the reader may see it (SE-1, issue 7 §5: no amount of a unit the reader
    does not wholly see, ``secrecy``)."""
    return portfolio_for_reader(
        user,
        Portfolio(
            level=level,
            unit_id=unit_id,
            unit_name=unit_name,
            as_of=engine.as_of,
            period_start=engine.period.first,
            period_end=engine.period.last,
            months=engine.period.months,
            basis=engine.crit.basis,
            currency=engine.currency,
            settings=engine.settings,
            rows=tuple(rows),
            alerts=tuple(alerts),
            concentration=_concentration(board),
            count=count,
            offset=offset,
            uncosted_clients=board.uncosted_clients,
        ),
    )


def _build_rows(engine: _Engine, board, level: str, in_python: bool) -> dict[int, PortfolioRow]:
    """Full rows (rules, evidence, NPV) for the judged clients and, when the database cut the
    window, the page's. Rows judged but not shown only feed the alerts (bands, KC-11, reviews
    due): their records and innovator ranks are not read."""
    wanted = board.judged if in_python else [*board.judged, *board.page]
    engine.load_manual(wanted, shown=None if in_python else board.page)
    info = engine.accounts(wanted)
    return {pk: engine.row(info[pk], level, board.rows[pk]) for pk in dict.fromkeys(wanted)}


def _band_alerts(rows: list[PortfolioRow], level: str, basis: str) -> list[Alert]:
    """KC-3: a critical or mono client, in the level's unit."""
    return [
        Alert(
            r.band,
            _("%(client)s is %(share)s %% of the %(level)s's %(basis)s: %(band)s")
            % {
                "client": r.account_name,
                "share": _share(r.share_pct),
                "level": Level(level).label.lower(),
                "basis": _basis_word(basis),
                "band": Band(r.band).label.lower(),
            },
            account_id=r.account_id,
            account_name=r.account_name,
            user_id=r.owner_id,
            user_name=r.owner_name,
            share_pct=r.share_pct,
        )
        for r in rows
        if r.band
    ]


def _assignment_alerts(
    rows: list[PortfolioRow], max_per_kam: int
) -> tuple[list[Alert], dict[int, list[str]]]:
    """KC-11 on company-level key status of the rows shown: a company key account with no KAM,
    then each KAM over the limit. Returns the alerts and the row flags they add."""
    alerts: list[Alert] = []
    held: dict[int, list[PortfolioRow]] = defaultdict(list)
    extra_flags: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if not r.company_key:
            continue
        if r.owner_id is None:
            extra_flags[r.account_id].append(NO_OWNER)
            alerts.append(
                Alert(
                    NO_OWNER,
                    _("%(client)s is a company key account with no KAM")
                    % {"client": r.account_name},
                    account_id=r.account_id,
                    account_name=r.account_name,
                )
            )
        else:
            held[r.owner_id].append(r)
    for kam_id, owned in held.items():
        if len(owned) > max_per_kam:
            for r in owned:
                extra_flags[r.account_id].append(OVER_LIMIT)
            alerts.append(
                Alert(
                    OVER_LIMIT,
                    ngettext(
                        "%(kam)s holds %(n)s company key account (at most %(max)s)",
                        "%(kam)s holds %(n)s company key accounts (at most %(max)s)",
                        len(owned),
                    )
                    % {"kam": owned[0].owner_name, "n": len(owned), "max": max_per_kam},
                    user_id=kam_id,
                    user_name=owned[0].owner_name,
                    count=len(owned),
                )
            )
    return alerts, extra_flags


def _review_alerts(rows: list[PortfolioRow]) -> list[Alert]:
    """A manual definition whose review date has passed."""
    return [
        Alert(
            REVIEW_DUE,
            _("%(client)s: review of “%(definition)s” was due on %(on)s")
            % {"client": r.account_name, "definition": e.label, "on": _date(e.review_on)},
            account_id=r.account_id,
            account_name=r.account_name,
            user_name=e.owner,
        )
        for r in rows
        for e in r.evidence
        if e.review_due
    ]


def _python_window(
    rows, only_key, definition, band, abc, owner_id, sort: str, offset: int, limit: int | None
) -> tuple[int, list[PortfolioRow]]:
    """Filters on definitions or bands: filter and sort the judged rows here; the count and
    the window ``offset..offset + limit``."""
    matching = _filtered(rows, only_key, definition, band, abc, owner_id)
    key, reverse = ROW_SORTS[sort]
    matching.sort(key=lambda r: r.account_id)
    matching.sort(key=key, reverse=reverse)  # stable: equal keys stay in id order
    return len(matching), matching[offset : None if limit is None else offset + limit]


def _with_flags(r: PortfolioRow, extra_flags: dict[int, list[str]]) -> PortfolioRow:
    extra = extra_flags.get(r.account_id)
    return replace(r, flags=r.flags + tuple(extra)) if extra else r


def radar_concentration(
    *, user, level: str = Level.COMPANY, unit_id: int | None = None, as_of: date | None = None
) -> Concentration:
    """KC-13: the concentration block of ``radar_portfolio`` alone."""
    p = radar_portfolio(user=user, level=level, unit_id=unit_id, as_of=as_of, limit=0)
    return p.concentration


def _filtered(
    rows: list[PortfolioRow],
    only_key: bool,
    definition: str,
    band: str,
    abc: str,
    owner_id: int | None,
) -> list[PortfolioRow]:
    out = []
    for r in rows:
        if only_key and not r.is_key:
            continue
        if definition and definition not in r.definitions + r.suggestions:
            continue
        if band == ANY_BAND and not r.band:
            continue
        if band not in ("", ANY_BAND) and r.band != band:
            continue
        if abc and r.abc != abc:
            continue
        if owner_id is not None and r.owner_id != owner_id:
            continue
        out.append(r)
    return out


def why_key(*, user, account, as_of: date | None = None) -> list[Evidence]:
    """Every definition that applies to one client at any level, with its evidence, then the
    suggestions (``suggested=True``). Http404 when the user may not see the client."""
    account = account_get(user=user, pk=getattr(account, "pk", account))
    restrict = Account.objects.filter(pk=account.pk)
    engine = _Engine(as_of=as_of or timezone.localdate(), restrict=restrict, with_records=True)
    a = engine.accounts([account.pk])[account.pk]
    out: list[Evidence] = []
    rest: list[Evidence] = []
    for level in Level.values:
        if level == Level.MANAGER and a["owner_id"] is None:
            continue
        board = engine.board(level, keep={account.pk})
        row = engine.row(a, level, board.rows[account.pk])
        out += [e for e in row.evidence if e.definition in LEVEL_DEFINITIONS]
        if level == Level.COMPANY:
            rest = [e for e in row.evidence if e.definition not in LEVEL_DEFINITIONS]
    out.sort(key=lambda e: DEFINITION_ORDER.index(e.definition))
    applied = [e for e in rest if not e.suggested]
    return evidence_for_reader(user, account, out + applied + [e for e in rest if e.suggested])
