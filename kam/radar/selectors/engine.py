"""The radar's engine: loads one read's settings and manual evidence once, asks the database
for the scoreboard of a level, builds the rows to show and the concentration block."""

from collections.abc import Iterable
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from kam.clients.models import Account
from kam.core.selectors import company_settings
from kam.radar import rules
from kam.radar.models import Definition, Level, RadarSettings
from kam.radar.selectors.board import Board, BoardRow, PageQuery, scoreboard
from kam.radar.selectors.evidence import (
    _alert_ids,
    _evidence_date,
    _level_evidence,
    _Manual,
    _manual,
    _manual_evidence,
    _money_formatter,
)
from kam.radar.selectors.figures import _period
from kam.radar.selectors.settings import radar_settings
from kam.radar.selectors.types import (
    DEFINITION_ORDER,
    LOSS_MAKING,
    REVIEW_DUE,
    ZERO,
    Concentration,
    Evidence,
    ParetoPoint,
    PortfolioRow,
)


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def criteria_of(s: RadarSettings) -> rules.Criteria:
    return rules.Criteria(
        basis=s.basis,
        key_amount=s.key_amount,
        key_share_pct=s.key_share_pct,
        critical_pct=s.critical_pct,
        mono_pct=s.mono_pct,
        potential_headroom=s.potential_headroom,
        abc_a_pct=s.abc_a_pct,
        abc_b_pct=s.abc_b_pct,
        npv_rate_pct=s.npv_rate_pct,
        npv_horizon_years=s.npv_horizon_years,
        npv_growth_cap_pct=s.npv_growth_cap_pct,
        innovator_share_pct=s.innovator_share_pct,
        max_key_per_kam=s.max_key_per_kam,
    )


class _Engine:
    """Loads what one radar read needs once (settings, period, manual evidence), then asks the
    database for a level's scoreboard and judges the rows to show with ``kam.radar.rules``.

    ``restrict``: the accounts the reader may see (None: every one); manual evidence is loaded
    for those only. ``light`` (snapshots) skips what only the screen needs: record counts and
    the innovator suggestion."""

    ACCOUNT_FIELDS = (
        "pk",
        "legal_name",
        "status",
        "owner_id",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "department_id",
        "department__name",
    )

    def __init__(
        self,
        *,
        as_of: date,
        restrict: QuerySet | None,
        with_records: bool = False,
        light: bool = False,
        lazy: bool = False,
    ):
        self.as_of = as_of
        self.restrict = restrict
        self.settings = radar_settings()
        self.crit = criteria_of(self.settings)
        company = company_settings()
        self.period = _period(as_of, self.settings, company.fiscal_year_start_month)
        self.currency = company.base_currency
        self.evidence_on = as_of if light else _evidence_date(as_of)
        self._light, self._with_records, self._lazy = light, with_records, lazy
        if lazy:
            # A page: manual evidence is loaded for the rows built (``load_manual``); only the
            # clients with a flag or a wallet are known up front (they raise alerts: review
            # due, and KC-11 counts them).
            self.manual = None
            self.manual_ids: set[int] = set()
            self.review_ids = _alert_ids(evidence_on=self.evidence_on, restrict=restrict)
        else:
            self._set_manual(self._load_manual(None))
        # Per-read constants for ``row``: worked out once, not once per client.
        self._judges: dict[Decimal, rules.UnitJudge] = {}
        self._owner_names: dict[int | None, str] = {}
        self._npv_rate = self.crit.npv_rate_pct / rules.HUNDRED
        self._money = _money_formatter()
        self._labels = {d: str(Definition(d).label) for d in Definition.values}

    def _load_manual(self, only: list[int] | None, detail: list[int] | None = None) -> _Manual:
        return _manual(
            as_of=self.as_of,
            evidence_on=self.evidence_on,
            s=self.settings,
            restrict=self.restrict,
            with_records=self._with_records,
            light=self._light,
            only=only,
            detail=detail,
        )

    def _set_manual(self, m: _Manual) -> None:
        self.manual = m
        self.manual_ids = set(m.flags) | set(m.wallets) | set(m.innovators)
        for per in m.counts.values():
            self.manual_ids.update(per)

    def load_manual(self, ids: Iterable[int], shown: Iterable[int] | None = None) -> None:
        """A lazy engine: load the manual evidence of the clients about to be built; records
        and innovator ranks only for those of them ``shown`` (the others feed alerts alone,
        which their flags and wallets decide)."""
        if self.manual is None:
            detail = None if shown is None else sorted(set(shown))
            self._set_manual(self._load_manual(sorted(set(ids)), detail))

    def board(
        self, level: str, *, page: PageQuery | None = None, keep: Iterable[int] = ()
    ) -> Board:
        """The level's scoreboard over the accounts ``restrict`` allows. Judged rows: the
        clients some level rule may make key, ``keep``, and either every client with manual
        evidence (the engine loaded it all) or, for a lazy engine, those with a flag or a
        wallet (they raise alerts; the others are built when the window shows them)."""
        extra = self.review_ids if self._lazy else self.manual_ids
        return scoreboard(
            period=self.period,
            crit=self.crit,
            level=level,
            visible=self.restrict,
            keep_ids=extra.union(keep),
            page=page,
        )

    def accounts(self, ids: Iterable[int]) -> dict[int, dict]:
        """``ACCOUNT_FIELDS`` of these clients by id, read through a raw cursor (plain ids and
        strings, which Django's converters leave as they are)."""
        names = self.ACCOUNT_FIELDS
        ids = set(ids)
        if len(ids) > 5000:  # most of the book (an export): read it whole, keep the ones asked
            scope = self.restrict if self.restrict is not None else Account.objects.all()
            batches = [scope.order_by()]
        else:
            ordered = sorted(ids)
            batches = [Account.objects.filter(pk__in=ordered).order_by()] if ordered else []
        out: dict[int, dict] = {}
        with connection.cursor() as cur:
            for qs in batches:
                sql, params = qs.values_list(*names).query.sql_with_params()
                cur.execute(sql, params)
                for row in cur.fetchall():
                    if row[0] in ids:
                        out[row[0]] = dict(zip(names, row, strict=True))
        return out

    @staticmethod
    def unit_of(a: dict, level: str) -> int | None:
        if level == Level.COMPANY:
            return None
        return a["department_id"] if level == Level.DEPARTMENT else a["owner_id"]

    def _judge(self, total: Decimal) -> rules.UnitJudge:
        judge = self._judges.get(total)
        if judge is None:
            judge = rules.UnitJudge(total, self.crit, self.period.months)
            self._judges[total] = judge
        return judge

    def _owner_name(self, a: dict) -> str:
        name = self._owner_names.get(a["owner_id"])
        if name is None:
            name = _name(a["owner__first_name"], a["owner__last_name"], a["owner__username"])
            self._owner_names[a["owner_id"]] = name
        return name

    def row(self, a: dict, level: str, f: BoardRow) -> PortfolioRow:
        # Runs once per row shown or judged: the common case, a client with no definition and
        # no manual evidence, builds no evidence at all.
        c, months = self.crit, self.period.months
        pk = a["pk"]
        unit = self.unit_of(a, level)
        judge = self._judge(f.unit_total)
        total = judge.total
        w = rules.weight(f.revenue, f.cost, c.basis, f.uncosted)
        share, by_amount, by_share, band = judge.judge(w)
        by_level = by_amount or by_share or bool(band)
        if by_level:
            v = rules.Verdict(w, share, by_amount, by_share, band, w < 0)
            evidence = _level_evidence(level, v, total, c, months, self.currency)
        else:
            evidence = []
        suggested: list[Evidence] = []
        wallet = room = None
        applied: list[Evidence] = []
        if pk in self.manual_ids:
            applied, suggested, wallet, room = _manual_evidence(
                pk,
                self.manual,
                f.revenue,
                c,
                months,
                self.evidence_on,
                self.currency,
                money=self._money,
                labels=self._labels,
            )
            evidence += applied
        if evidence:
            present = {e.definition for e in evidence}
            definitions = tuple(d for d in DEFINITION_ORDER if d in present)
            review_due = any(e.review_due for e in evidence)
        else:
            definitions, review_due = (), False
        company_key = by_level if level == Level.COMPANY else self._judge(f.company_total).is_key(w)
        # KC-11 counts every confirmed company-level key account: potential and the manual marks
        # hold at every level, the company's included (issue 7 §7: they were left out, so a KAM
        # with 4-11 key accounts never reached the limit).
        company_key = company_key or bool(applied)
        loss_making = w < 0
        if loss_making:
            flags = (LOSS_MAKING, REVIEW_DUE) if review_due else (LOSS_MAKING,)
        else:
            flags = (REVIEW_DUE,) if review_due else ()
        g = rules.trend(f.last12, f.prev12, c.npv_growth_cap_pct)
        measured = rules.growth(f.last12, f.prev12)
        return _portfolio_row(
            {
                "account_id": pk,
                "account_name": a["legal_name"],
                "status": a["status"],
                "owner_id": a["owner_id"],
                "owner_name": self._owner_name(a),
                "department_id": a["department_id"],
                "department_name": a["department__name"] or "",
                "level": level,
                "unit_id": unit,
                "unit_total": total,
                "revenue": f.revenue,
                "cost": f.cost,
                "income": f.income,
                "turnover": f.revenue,
                "uncosted": f.uncosted,
                "income_unknown": f.uncosted != 0,
                "weight": w,
                "share_pct": rules.display_pct(share) if w > 0 and total > 0 else _NO_SHARE,
                "band": band,
                "loss_making": loss_making,
                "definitions": definitions,
                "suggestions": tuple(e.definition for e in suggested),
                "evidence": tuple(evidence + suggested) if evidence or suggested else (),
                "company_key": company_key,
                "abc": f.abc,
                "npv": rules.npv_of_trend(f.last12, g, self._npv_rate, c.npv_horizon_years),
                "trend_pct": None if measured is None else (measured * 100).quantize(rules.CENT),
                "npv_growth_pct": (g * 100).quantize(rules.CENT),
                "wallet": wallet,
                "headroom": room,
                "flags": flags,
            },
        )


_NO_SHARE = rules.display_pct(ZERO)
_ROW_FIELDS = frozenset(f.name for f in fields(PortfolioRow))


def _portfolio_row(values: dict[str, Any]) -> PortfolioRow:
    """A PortfolioRow built without the frozen dataclass's ``__init__``, which sets each of the
    28 fields through ``object.__setattr__``: about a second per hundred thousand rows. The
    object is the same (same fields, still frozen); every field must be given."""
    if values.keys() != _ROW_FIELDS:
        raise TypeError(f"PortfolioRow fields differ: {sorted(values.keys() ^ _ROW_FIELDS)}")
    row = object.__new__(PortfolioRow)
    row.__dict__.update(values)
    return row


def _concentration(board: Board) -> Concentration:
    """KC-13 from the scoreboard's landmarks, in ``kam.radar.rules``' terms: shares of the
    positive weight shown, ABC classes, the top 1/5/10, HHI and the Pareto curve (every
    ceil(n / 100)-th rank, the first and the last, as ``rules.pareto``)."""
    total, n = board.total, board.positive

    def pct(part: Decimal) -> Decimal:
        return part * rules.HUNDRED / total if total > 0 else ZERO

    counts, sums = board.class_sums()
    step = max(1, -(-n // 100))
    return Concentration(
        total=total,
        clients=n,
        top1_pct=rules.display_pct(pct(board.running_at(1))),
        top5_pct=rules.display_pct(pct(board.running_at(5))),
        top10_pct=rules.display_pct(pct(board.running_at(10))),
        hhi=rules.hhi_of(board.sum_squares, total).quantize(rules.CENT),
        abc_counts=counts,
        abc_pct={k: pct(s).quantize(rules.CENT) for k, s in sums.items()},
        pareto=tuple(
            ParetoPoint(
                rank,
                (Decimal(rank) * rules.HUNDRED / n).quantize(rules.CENT),
                pct(running).quantize(rules.CENT),
            )
            for rank, (_id, _w, running) in board.ranks.items()
            if rank == 1 or rank == n or rank % step == 0
        ),
    )
