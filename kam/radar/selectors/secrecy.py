"""Secrecy of totals (issue 7 §5): a unit's amount only for those who may see the whole unit.

A client's share of its department's or the company's income is the client's own figure; the
unit's income is the sum over clients the reader may not see, a commercial secret above their
scope. So a reader sees a unit's amount when every client of the unit lies in their scope (the
policy's ``scope``: a director, administrator or credit controller the company, a head their
department subtree, a KAM their own book), and the share alone otherwise."""

from dataclasses import replace

from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.org.policy import Action, scope
from kam.radar.models import Definition, Level
from kam.radar.selectors.evidence import _basis_word, _pct, _share
from kam.radar.selectors.types import Evidence


def sees_whole_unit(user, level: str, account) -> bool:
    """May ``user`` see every client of ``account``'s unit at ``level``?"""
    q = scope(user, Action.CLIENT_VIEW)
    if q is None:
        return True
    unit = Account.objects.all()
    if level == Level.DEPARTMENT:
        unit = unit.filter(department_id=account.department_id)
    elif level == Level.MANAGER:
        unit = unit.filter(owner_id=account.owner_id)
    return not unit.exclude(q).exists()


def without_unit_total(e: Evidence) -> Evidence:
    """The evidence with the unit's amount left out of its text and figures; the share stays."""
    figures = {k: v for k, v in e.figures.items() if k != "unit_total"}
    summary = e.summary
    if e.definition == Definition.SHARE:
        summary = _("%(share)s %% of the %(level)s's %(basis)s ≥ %(pct)s %%") % {
            "share": _share(figures["share_pct"]),
            "level": Level(e.level).label.lower(),
            "basis": _basis_word(figures["basis"]),
            "pct": _pct(figures["threshold_pct"]),
        }
    return replace(e, summary=summary, figures=figures)
