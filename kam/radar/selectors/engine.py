"""The radar's engine: loads one read's data once, judges rows, measures concentration."""

from collections import defaultdict
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import QuerySet

from kam.core.services import company_settings
from kam.radar import rules
from kam.radar.models import Definition, Level, RadarSettings
from kam.radar.selectors.evidence import (
    _evidence_date,
    _level_evidence,
    _manual,
    _manual_evidence,
    _money_formatter,
)
from kam.radar.selectors.figures import _Figures, _figures, _period, _Totals, _unit_totals
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
from kam.radar.services import radar_settings


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
    """Loads everything one radar read needs once, then judges rows at any level.

    ``light`` (snapshots) skips what only the screen needs: the NPV trend, record counts and
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
        accounts: QuerySet,
        as_of: date,
        restricted: bool,
        with_records: bool = False,
        light: bool = False,
    ):
        self.as_of = as_of
        self.settings = radar_settings()
        self.crit = criteria_of(self.settings)
        company = company_settings()
        self.period = _period(as_of, self.settings, company.fiscal_year_start_month)
        self.currency = company.base_currency
        self.accounts = self._load(accounts)
        restrict = accounts if restricted else None
        self.figures = _figures(self.period, restrict, with_trend=not light)
        basis = self.crit.basis
        self.weights = {
            pk: rules.weight(f.revenue, f.cost, basis) for pk, f in self.figures.items()
        }
        if restricted:
            self.totals = _Totals.of(_unit_totals(self.period, self.crit.basis))
        else:  # every client is loaded already: add up here rather than scan again
            self.totals = _Totals.of(self._pairs())
        self.evidence_on = as_of if light else _evidence_date(as_of)
        self.manual = _manual(
            as_of=as_of,
            evidence_on=self.evidence_on,
            s=self.settings,
            restrict=restrict,
            with_records=with_records,
            light=light,
        )
        m = self.manual
        self.manual_ids = set(m.flags) | set(m.wallets) | set(m.innovators)
        for per in m.counts.values():
            self.manual_ids.update(per)
        # Per-read constants for ``row``: worked out once, not once per client.
        self._judges: dict[tuple[str, int | None], rules.UnitJudge] = {}
        self._owner_names: dict[int | None, str] = {}
        self._npv_rate = self.crit.npv_rate_pct / rules.HUNDRED
        self._money = _money_formatter()
        self._labels = {d: str(Definition(d).label) for d in Definition.values}

    def _load(self, accounts: QuerySet) -> list[dict]:
        """``accounts.values(*ACCOUNT_FIELDS)`` read through a raw cursor in one fetch: the
        fields are plain ids and strings, which Django's converters leave as they are."""
        names = self.ACCOUNT_FIELDS
        sql, params = accounts.values_list(*names).query.sql_with_params()
        with connection.cursor() as cur:
            cur.execute(sql, params)
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def _pairs(self) -> dict[tuple[int | None, int | None], Decimal]:
        pairs: dict[tuple[int | None, int | None], Decimal] = defaultdict(Decimal)
        for a in self.accounts:
            w = self.weights.get(a["pk"])
            if w is not None and w > 0:
                pairs[(a["department_id"], a["owner_id"])] += w
        return dict(pairs)

    @staticmethod
    def unit_of(a: dict, level: str) -> int | None:
        if level == Level.COMPANY:
            return None
        return a["department_id"] if level == Level.DEPARTMENT else a["owner_id"]

    def weight_of(self, account_id: int) -> Decimal:
        return self.weights.get(account_id, ZERO)

    def shown(self, level: str) -> list[dict]:
        """Clients with no KAM have no manager-level unit."""
        if level == Level.MANAGER:
            return [a for a in self.accounts if a["owner_id"] is not None]
        return self.accounts

    def _judge(self, level: str, unit: int | None) -> rules.UnitJudge:
        judge = self._judges.get((level, unit))
        if judge is None:
            total = self.totals.of_unit(level, unit)
            judge = rules.UnitJudge(total, self.crit, self.period.months)
            self._judges[(level, unit)] = judge
        return judge

    def _owner_name(self, a: dict) -> str:
        name = self._owner_names.get(a["owner_id"])
        if name is None:
            name = _name(a["owner__first_name"], a["owner__last_name"], a["owner__username"])
            self._owner_names[a["owner_id"]] = name
        return name

    def row(self, a: dict, level: str, abc: str = "C") -> PortfolioRow:
        # Runs once per client (a hundred thousand times for a director): the common case, a
        # client with no definition and no manual evidence, builds no evidence at all.
        c, months = self.crit, self.period.months
        pk = a["pk"]
        f = self.figures.get(pk) or _NO_FIGURES
        unit = self.unit_of(a, level)
        judge = self._judge(level, unit)
        total = judge.total
        w = rules.weight(f.revenue, f.cost, c.basis)
        share, by_amount, by_share, band = judge.judge(w)
        by_level = by_amount or by_share or bool(band)
        if by_level:
            v = rules.Verdict(w, share, by_amount, by_share, band, w < 0)
            evidence = _level_evidence(level, v, total, c, months, self.currency)
        else:
            evidence = []
        suggested: list[Evidence] = []
        wallet = room = None
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
        if level == Level.COMPANY:
            company_key = by_level
        else:
            company_key = self._judge(Level.COMPANY, None).is_key(w)
        loss_making = w < 0
        if loss_making:
            flags = (LOSS_MAKING, REVIEW_DUE) if review_due else (LOSS_MAKING,)
        else:
            flags = (REVIEW_DUE,) if review_due else ()
        g = rules.trend(f.last12, f.prev12, c.npv_growth_cap_pct)
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
                "income": f.revenue - f.cost,
                "turnover": f.revenue,
                "weight": w,
                "share_pct": rules.display_pct(share) if w > 0 and total > 0 else _NO_SHARE,
                "band": band,
                "loss_making": loss_making,
                "definitions": definitions,
                "suggestions": tuple(e.definition for e in suggested),
                "evidence": tuple(evidence + suggested) if evidence or suggested else (),
                "company_key": company_key,
                "abc": abc,
                "npv": rules.npv_of_trend(f.last12, g, self._npv_rate, c.npv_horizon_years),
                "trend_pct": (g * 100).quantize(rules.CENT),
                "wallet": wallet,
                "headroom": room,
                "flags": flags,
            },
        )

    def could_be_key(self, a: dict, level: str) -> bool:
        """A cheap pre-test (snapshots, only_key): skip clients no rule can make key here."""
        if a["pk"] in self.manual_ids:
            return True
        w = self.weight_of(a["pk"])
        if w <= 0:
            return False
        c = self.crit
        lowest = min(x for x in (c.key_share_pct, c.critical_pct, c.mono_pct) if x is not None)
        total = self.totals.of_unit(level, self.unit_of(a, level))
        if rules.at_least(w, total, lowest):
            return True
        amount = rules.prorated_amount(c.key_amount, self.period.months)
        return amount is not None and w >= amount


_NO_FIGURES = _Figures(ZERO, ZERO, ZERO, ZERO)
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


def _concentration(weights: dict[int, Decimal], c: rules.Criteria) -> tuple[Concentration, dict]:
    order = rules.ranked(weights)
    total = rules.positive_total(weights.values())
    classes = rules.abc_classes(weights, c.abc_a_pct, c.abc_b_pct, order=order, total=total)
    counts = {"A": 0, "B": 0, "C": 0}
    sums = {"A": ZERO, "B": ZERO, "C": ZERO}
    for k, cls in classes.items():
        counts[cls] += 1
        sums[cls] += max(weights[k], ZERO)
    pct = {k: (s * 100 / total).quantize(rules.CENT) if total else ZERO for k, s in sums.items()}
    points = tuple(
        ParetoPoint(p.rank, p.clients_pct, p.cumulative_pct)
        for p in rules.pareto(weights, order=order)
    )
    conc = Concentration(
        total=total,
        clients=len(order),
        top1_pct=rules.display_pct(rules.top_share(weights, 1, order=order, total=total)),
        top5_pct=rules.display_pct(rules.top_share(weights, 5, order=order, total=total)),
        top10_pct=rules.display_pct(rules.top_share(weights, 10, order=order, total=total)),
        hhi=rules.hhi(weights, total).quantize(rules.CENT),
        abc_counts=counts,
        abc_pct=pct,
        pareto=points,
    )
    return conc, classes
