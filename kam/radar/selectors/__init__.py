"""Reads of the key-account radar: the portfolio by level, why a client is key, its history.

Public interface (what views, the API, the CLI and exports build on)::

    radar_portfolio(*, user, level="company", unit_id=None, as_of=None, only_key=False,
                    definition="", band="", abc="", owner_id=None, sort="-share",
                    offset=0, limit=None) -> Portfolio   # rows: the window; count: all matching
    radar_concentration(*, user, level="company", unit_id=None, as_of=None) -> Concentration
    why_key(*, user, account, as_of=None) -> list[Evidence]  # Account or pk; 404 if not yours
    key_history(*, user, level=None, account=None, since=None) -> list[StatusChange]
    default_level(user) -> str                          # manager for KAMs/regionals, etc.
    unit_choices(*, user, level) -> list[tuple[int, str]]  # units the user may pick
    department_units(user) -> QuerySet[Department]      # departments the user may pick
    manager_units(user) -> QuerySet[User]               # people the user may pick
    snapshot_rows(*, as_of) -> list[KeyStatusSnapshot]  # unsaved; used by radar_snapshot_take
    radar_settings() -> RadarSettings                   # the criteria (one row; defaults once)
    criteria_of(settings) -> rules.Criteria             # the criteria as the rules take them
    radar_period(*, as_of) -> RadarPeriod               # the months a read covers
    month_end(month) -> date                            # a month's as-of date (today at most)
    latest_wallet(*, user, account) -> WalletEstimate | None  # the one the radar uses today
    wallet_currencies() -> list[str]                    # base first, then those with a rate

Dataclasses returned (frozen): ``Portfolio`` (rows, alerts, concentration, period, basis,
currency, settings; ``key_rows``), ``PortfolioRow`` (one client at one level; ``is_key``),
``Evidence`` and ``EvidenceRecord`` (why a definition applies), ``Alert``, ``Concentration``
and ``ParetoPoint``, ``StatusChange``. Codes: ``Definition``, ``Level``, ``Band`` in models;
row flags ``LOSS_MAKING``, ``REVIEW_DUE``, ``NO_OWNER``, ``OVER_LIMIT`` (also alert kinds,
beside "critical" and "mono").

How levels and scope meet (KC-10, SE-1):

* The *unit* of a row is the whole company (company level), the client's own department
  (department level) or the client's KAM (manager level). A client's share is always of its
  unit's full positive weight, computed in the database over every client of the unit, whoever
  asks: being key is a fact about the client in its unit, not about the viewer. Clients with no
  KAM are left out at manager level.
* Only rows the user may see are returned (``Account.objects.visible_to``). Any signed-in user
  may ask any level: a KAM asking for the company level sees their own clients with their
  company-level share (so they learn whether a client matters to the company, nothing about
  other clients). A head gets their department subtree; a director everything.
* ``unit_id`` narrows the rows: at department level to that department's subtree, at manager
  level to that KAM's clients. A unit the user may not pick answers Http404.
* The concentration block, ABC classes and the Pareto curve describe the clients the user
  sees in the unit (all of them, even with ``only_key``): for a director at company level that
  is the company; for a KAM, their own book.
* Assignment alerts (KC-11) concern *company-level* key accounts: clients key by a confirmed
  definition at company level (amount, share or dependency against the company, potential, or a
  manual mark: those hold at every level, the company's included; suggestions do not count),
  among the rows the user sees at the level (not only the window returned).

Periods, shares, bands, potential, NPV and innovators follow ``kam.radar.rules`` (see its
docstring for each choice). Months are whole calendar months: ``as_of`` picks the last month.

Work is set-based and sized by what is shown, not by the number of clients: one statement
(``board.scoreboard``) reads each client's sums from the running totals (three or four index
reads per client, ``kam.sales.models.ClientRunningTotal``), judges every client in the
database (unit totals, shares, the key pre-test, ABC, the table's order and window) and
returns the judged rows, the window and the concentration aggregates; one ranked query over
``FirstPurchase`` gives the innovators, and one small query per kind of manual evidence the
rest. Python then builds ``PortfolioRow``s (rules, evidence, NPV) only for the clients some
rule can make key, those with manual evidence, and the window shown.

Where the code lives: ``types`` (the dataclasses and codes above), ``units`` (levels and the
units a user may pick), ``figures`` (periods), ``board`` (the scoreboard statement), ``evidence``
(manual evidence and the texts), ``engine`` (``_Engine``: load once, judge rows;
concentration), ``portfolio`` (``radar_portfolio``, ``radar_concentration``, ``why_key``),
``history`` (``snapshot_rows``, ``key_history``) and ``wallets``. Import from this package,
not from its modules: the names below are the interface, and only public names are exported
(``benchmarks/radar.py``'s breakdown times the steps through their modules, on purpose).
"""

from kam.radar.selectors.board import Board, PageQuery, scoreboard
from kam.radar.selectors.engine import criteria_of
from kam.radar.selectors.figures import RadarPeriod, month_end, radar_period
from kam.radar.selectors.history import key_history, snapshot_rows
from kam.radar.selectors.portfolio import radar_concentration, radar_portfolio, why_key
from kam.radar.selectors.settings import radar_settings
from kam.radar.selectors.types import (
    ANY_BAND,
    DEFAULT_SORT,
    DEFINITION_ORDER,
    LEVEL_DEFINITIONS,
    LOSS_MAKING,
    NO_OWNER,
    OVER_LIMIT,
    REVIEW_DUE,
    ROW_SORTS,
    ZERO,
    Alert,
    Concentration,
    Evidence,
    EvidenceRecord,
    ParetoPoint,
    Portfolio,
    PortfolioRow,
    StatusChange,
)
from kam.radar.selectors.units import (
    default_level,
    department_units,
    manager_units,
    unit_choices,
)
from kam.radar.selectors.wallets import latest_wallet, wallet_currencies

__all__ = [
    "ANY_BAND",
    "DEFAULT_SORT",
    "DEFINITION_ORDER",
    "LEVEL_DEFINITIONS",
    "LOSS_MAKING",
    "NO_OWNER",
    "OVER_LIMIT",
    "REVIEW_DUE",
    "ROW_SORTS",
    "ZERO",
    "Alert",
    "Board",
    "Concentration",
    "Evidence",
    "EvidenceRecord",
    "PageQuery",
    "ParetoPoint",
    "Portfolio",
    "PortfolioRow",
    "RadarPeriod",
    "StatusChange",
    "criteria_of",
    "default_level",
    "department_units",
    "key_history",
    "latest_wallet",
    "manager_units",
    "month_end",
    "radar_concentration",
    "radar_period",
    "radar_portfolio",
    "radar_settings",
    "scoreboard",
    "snapshot_rows",
    "unit_choices",
    "wallet_currencies",
    "why_key",
]
