"""Key status over time: snapshot rows to store, and the moves between snapshots."""

from collections import defaultdict
from datetime import date
from itertools import pairwise

from django.utils.translation import gettext as _

from kam.clients.selectors import account_get
from kam.radar import rules
from kam.radar.models import Definition, KeyStatusSnapshot, Level, SnapshotRun
from kam.radar.selectors.engine import _Engine
from kam.radar.selectors.evidence import _share
from kam.radar.selectors.types import ZERO, StatusChange
from kam.radar.selectors.units import _check_level

# --- history -----------------------------------------------------------------------------------


def snapshot_rows(*, as_of: date) -> list[KeyStatusSnapshot]:
    """Every client's key status at every level on ``as_of`` (unsaved, key clients only)."""
    engine = _Engine(as_of=as_of, restrict=None, light=True)
    out = []
    for level in Level.values:
        board = engine.board(level)  # judged: the clients some rule may make key
        info = engine.accounts(board.judged)
        for pk in board.judged:
            r = engine.row(info[pk], level, board.rows[pk])
            if not r.definitions:
                continue
            out.append(
                KeyStatusSnapshot(
                    account_id=r.account_id,
                    level=level,
                    unit_id=r.unit_id,
                    period_end=as_of,
                    basis=engine.crit.basis,
                    income=r.income,
                    turnover=r.turnover,
                    share=r.share_pct,
                    definitions=list(r.definitions),
                    band=r.band,
                )
            )
    return out


_BAND_RANK = {"": 0, rules.CRITICAL: 1, rules.MONO: 2}


def _labels(codes) -> str:
    return ", ".join(str(Definition(c).label).lower() for c in codes)


def _moves(d0, d1, s0, s1, band0: str, band1: str) -> list[tuple[str, str]]:
    """What changed between two snapshots of one client at one level, and why."""
    out = []
    if not d0 and d1:
        out.append(("became_key", _("key by %(defs)s") % {"defs": _labels(d1)}))
    elif d0 and not d1:
        out.append(("dropped_out", _("no longer key by %(defs)s") % {"defs": _labels(d0)}))
    elif set(d0) != set(d1):
        out.append(
            (
                "definitions_changed",
                _("was %(before)s, now %(after)s") % {"before": _labels(d0), "after": _labels(d1)},
            )
        )
    b0, b1 = _BAND_RANK[band0], _BAND_RANK[band1]
    if b1 > b0:
        kind = "crossed_mono" if b1 == 2 else "crossed_critical"
        rose = _("share rose from %(a)s %% to %(b)s %%") % {
            "a": _share(s0 or ZERO),
            "b": _share(s1),
        }
        out.append((kind, rose))
    elif b1 < b0:
        kind = "fell_below_critical" if b1 == 0 else "fell_below_mono"
        fell = (
            _("share fell from %(a)s %% below the key limits") % {"a": _share(s0 or ZERO)}
            if s1 is None
            else _("share fell from %(a)s %% to %(b)s %%")
            % {"a": _share(s0 or ZERO), "b": _share(s1)}
        )
        out.append((kind, fell))
    return out


def key_history(
    *,
    user,
    level: str | None = None,
    account=None,
    since: date | None = None,
) -> list[StatusChange]:
    """When clients became key, dropped out, or crossed 20 %/70 % (up or down), and why,
    comparing each taken snapshot with the one before. Newest first."""
    if level is not None:
        _check_level(level)
    runs = list(SnapshotRun.objects.order_by("period_end").values_list("period_end", flat=True))
    if since is not None:
        earlier = [d for d in runs if d < since]
        runs = earlier[-1:] + [d for d in runs if d >= since]
    if len(runs) < 2:
        return []
    snaps = KeyStatusSnapshot.objects.visible_to(user).filter(period_end__gte=runs[0])
    if level is not None:
        snaps = snaps.filter(level=level)
    if account is not None:
        account = account_get(user=user, pk=getattr(account, "pk", account))
        snaps = snaps.filter(account=account)
    by_key: dict[tuple[int, str], dict[date, dict]] = defaultdict(dict)
    names: dict[int, str] = {}
    for s in snaps.values(
        "account_id", "account__legal_name", "level", "period_end", "share", "definitions", "band"
    ):
        by_key[(s["account_id"], s["level"])][s["period_end"]] = s
        names[s["account_id"]] = s["account__legal_name"]

    changes: list[StatusChange] = []
    for (account_id, lvl), seen in by_key.items():
        for prev, cur in pairwise(runs):
            before, after = seen.get(prev), seen.get(cur)
            d0 = tuple(before["definitions"]) if before else ()
            d1 = tuple(after["definitions"]) if after else ()
            # Snapshots keep the exact share; history text shows it as the radar does.
            s0 = rules.display_pct(before["share"]) if before else None
            s1 = rules.display_pct(after["share"]) if after else None
            for kind, reason in _moves(
                d0, d1, s0, s1, before["band"] if before else "", after["band"] if after else ""
            ):
                changes.append(
                    StatusChange(
                        account_id, names[account_id], lvl, cur, prev, kind, d0, d1, s0, s1, reason
                    )
                )
    changes.sort(key=lambda ch: (-ch.period_end.toordinal(), ch.account_name, ch.level))
    return changes
