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
from kam.radar.selectors.engine import _concentration, _Engine
from kam.radar.selectors.evidence import _basis_word, _date, _share
from kam.radar.selectors.types import (
    DEFINITION_ORDER,
    LEVEL_DEFINITIONS,
    NO_OWNER,
    OVER_LIMIT,
    REVIEW_DUE,
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
) -> Portfolio:
    """The key-account portfolio at ``level`` (KC-10), scoped to what ``user`` may see (SE-1).

    Rows are sorted by weight, largest first. ``only_key`` drops rows with no definition and is
    much cheaper on large books (the concentration block still describes every row the user
    may see in the unit; suggestions on non-key clients are then not listed)."""
    _check_level(level)
    as_of = as_of or timezone.localdate()
    accounts, unit_name = _unit_rows(user, level, unit_id)
    restricted = not (user.sees_everything and unit_id is None)
    engine = _Engine(accounts=accounts, as_of=as_of, restricted=restricted)
    shown = engine.shown(level)
    conc, classes = _concentration({a["pk"]: engine.weight_of(a["pk"]) for a in shown}, engine.crit)
    # only_key: judge in full only the clients some rule could make key (a cheap pre-test);
    # concentration and ABC above still cover every client shown.
    judged = [a for a in shown if engine.could_be_key(a, level)] if only_key else shown
    rows = sorted(
        (engine.row(a, level, classes[a["pk"]]) for a in judged),
        key=lambda r: (-r.weight, r.account_name, r.account_id),
    )

    alerts: list[Alert] = []
    for r in rows:
        if r.band:
            alerts.append(
                Alert(
                    r.band,
                    _("%(client)s is %(share)s %% of the %(level)s's %(basis)s: %(band)s")
                    % {
                        "client": r.account_name,
                        "share": _share(r.share_pct),
                        "level": Level(level).label.lower(),
                        "basis": _basis_word(engine.crit.basis),
                        "band": Band(r.band).label.lower(),
                    },
                    account_id=r.account_id,
                    account_name=r.account_name,
                    user_id=r.owner_id,
                    user_name=r.owner_name,
                    share_pct=r.share_pct,
                )
            )
    # KC-11 on company-level key status of the rows shown.
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
    for owner_id, owned in held.items():
        if len(owned) > engine.crit.max_key_per_kam:
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
                    % {
                        "kam": owned[0].owner_name,
                        "n": len(owned),
                        "max": engine.crit.max_key_per_kam,
                    },
                    user_id=owner_id,
                    user_name=owned[0].owner_name,
                    count=len(owned),
                )
            )
    for r in rows:
        for e in r.evidence:
            if e.review_due:
                alerts.append(
                    Alert(
                        REVIEW_DUE,
                        _("%(client)s: review of “%(definition)s” was due on %(on)s")
                        % {
                            "client": r.account_name,
                            "definition": e.label,
                            "on": _date(e.review_on),
                        },
                        account_id=r.account_id,
                        account_name=r.account_name,
                        user_name=e.owner,
                    )
                )

    final = tuple(
        replace(r, flags=r.flags + tuple(extra_flags[r.account_id]))
        if r.account_id in extra_flags
        else r
        for r in rows
        if not only_key or r.is_key
    )
    return Portfolio(
        level=level,
        unit_id=unit_id,
        unit_name=unit_name,
        as_of=as_of,
        period_start=engine.period.first,
        period_end=engine.period.last,
        months=engine.period.months,
        basis=engine.crit.basis,
        currency=engine.currency,
        settings=engine.settings,
        rows=final,
        alerts=tuple(alerts),
        concentration=conc,
    )


def radar_concentration(
    *, user, level: str = Level.COMPANY, unit_id: int | None = None, as_of: date | None = None
) -> Concentration:
    """KC-13: the concentration block of ``radar_portfolio`` alone."""
    return radar_portfolio(user=user, level=level, unit_id=unit_id, as_of=as_of).concentration


def why_key(*, user, account, as_of: date | None = None) -> list[Evidence]:
    """Every definition that applies to one client at any level, with its evidence, then the
    suggestions (``suggested=True``). Http404 when the user may not see the client."""
    account = account_get(user=user, pk=getattr(account, "pk", account))
    engine = _Engine(
        accounts=Account.objects.filter(pk=account.pk),
        as_of=as_of or timezone.localdate(),
        restricted=True,
        with_records=True,
    )
    a = engine.accounts[0]
    out: list[Evidence] = []
    rest: list[Evidence] = []
    for level in Level.values:
        if level == Level.MANAGER and a["owner_id"] is None:
            continue
        row = engine.row(a, level)
        out += [e for e in row.evidence if e.definition in LEVEL_DEFINITIONS]
        if level == Level.COMPANY:
            rest = [e for e in row.evidence if e.definition not in LEVEL_DEFINITIONS]
    out.sort(key=lambda e: DEFINITION_ORDER.index(e.definition))
    applied = [e for e in rest if not e.suggested]
    return out + applied + [e for e in rest if e.suggested]
