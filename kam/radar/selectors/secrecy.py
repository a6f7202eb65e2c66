"""Secrecy of totals on the radar (SE-1, issue 7 §5): amounts of a unit above the reader's scope
are commercial secrets; shares are not.

A unit's amounts (its total weight, the denominator of every share) go only to a reader who
sees every client of that unit: a director sees the company's, a head their department's, a KAM
the book of their own. A KAM asking the company level still learns each of their clients' share
of the company, never the company's income. The concentration block is computed over the rows
the reader sees; when those are not the whole level and unit, it says so (``complete=False``),
so it is labelled as the reader's clients, not as the company.

Applied once, at the end of the reads (``radar_portfolio``, ``why_key``), so the web, the API,
the CLI and the exports all get the same redacted answer.
"""

from dataclasses import replace

from kam.clients.models import Account
from kam.radar.models import Definition, Level
from kam.radar.selectors.evidence import _share_summary
from kam.radar.selectors.types import Evidence, Portfolio, PortfolioRow

_UNIT_COLUMN = {Level.DEPARTMENT: "department_id", Level.MANAGER: "owner_id"}


class UnitSight:
    """Answers "may this reader see the amounts of that unit?": a unit is open to a reader who
    sees every one of its clients. One query per level asked, whatever the number of units."""

    def __init__(self, user):
        self.user = user
        self._open: dict[tuple[str, int | None], bool] = {}

    def _hidden(self):
        """The accounts the reader may not see."""
        return Account.objects.exclude(pk__in=Account.objects.visible_to(self.user).values("pk"))

    def load(self, level: str, unit_ids) -> None:
        """Work out at once whether each of these units (of one level) is open."""
        wanted = {u for u in unit_ids if (level, u) not in self._open}
        if not wanted:
            return
        if self.user.sees_everything:
            self._open.update({(level, u): True for u in wanted})
        elif level == Level.COMPANY:
            self._open[(level, None)] = not self._hidden().exists()
        else:
            column = _UNIT_COLUMN[level]
            ids = [u for u in wanted if u is not None]
            closed = set(
                self._hidden()
                .filter(**{f"{column}__in": ids})
                .values_list(column, flat=True)
                .distinct()
                .order_by()
            )
            # Clients with no department or no KAM form a unit too.
            if None in wanted and self._hidden().filter(**{f"{column}__isnull": True}).exists():
                closed.add(None)
            self._open.update({(level, u): u not in closed for u in wanted})

    def unit(self, level: str, unit_id: int | None) -> bool:
        """The unit of a row: the company, the client's own department, or its KAM."""
        if level == Level.COMPANY:
            unit_id = None
        self.load(level, [unit_id])
        return self._open[(level, unit_id)]

    def selection(self, level: str, unit_id: int | None) -> bool:
        """What a portfolio read covers: the whole company (no unit picked), a department's
        subtree, or one KAM's book. True when the reader sees all of it."""
        if self.user.sees_everything:
            return True
        if level == Level.COMPANY:
            return self.unit(Level.COMPANY, None)
        if unit_id is None:
            return False  # every unit of the level: the company's clients, not all the reader's
        if level == Level.MANAGER:
            return self.unit(Level.MANAGER, unit_id)
        from kam.org.models import Department

        dept = Department.objects.filter(pk=unit_id).first()
        return dept is not None and not (
            self._hidden().filter(department__path__startswith=dept.path).exists()
        )


def _evidence(e: Evidence, visible: bool) -> Evidence:
    """Evidence without its unit's total when the reader may not see that unit."""
    if visible or not e.level or "unit_total" not in e.figures:
        return e
    figures = {k: v for k, v in e.figures.items() if k != "unit_total"}
    summary = e.summary
    if e.definition == Definition.SHARE:
        summary = _share_summary(
            figures["share_pct"], e.level, figures["basis"], figures["threshold_pct"]
        )
    return replace(e, figures=figures, summary=summary)


def _row(r: PortfolioRow, sight: UnitSight) -> PortfolioRow:
    if sight.user.sees_everything or sight.unit(r.level, r.unit_id):
        return r
    return replace(
        r,
        unit_total=None,
        evidence=tuple(_evidence(e, False) for e in r.evidence),
    )


def portfolio_for_reader(user, p: Portfolio) -> Portfolio:
    """``p`` as ``user`` may read it: no total of a unit they do not wholly see, and the
    concentration marked as the reader's own when it covers only the clients they see."""
    sight = UnitSight(user)
    if p.level != Level.COMPANY:
        sight.load(p.level, {r.unit_id for r in p.rows})
    rows = tuple(_row(r, sight) for r in p.rows)
    complete = sight.selection(p.level, p.unit_id)
    concentration = p.concentration
    if not complete:
        concentration = replace(concentration, complete=False)
    return replace(p, rows=rows, concentration=concentration)


def evidence_for_reader(user, account, evidence: list[Evidence]) -> list[Evidence]:
    """``why_key``'s evidence for one client: each level's total only if the reader sees the
    whole unit (company, the client's department, its KAM's book)."""
    sight = UnitSight(user)
    units = {
        Level.COMPANY: None,
        Level.DEPARTMENT: account.department_id,
        Level.MANAGER: account.owner_id,
    }
    return [_evidence(e, sight.unit(e.level, units[e.level])) if e.level else e for e in evidence]
