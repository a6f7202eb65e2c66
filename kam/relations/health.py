"""An account plan's health, 0..100, with its reasons as sentences (AC-12). Pure: plain inputs,
no database, so it is tested alone.

Four parts, each scored 0..1 and weighted (``WEIGHTS``, out of 100):

- **goals** (40): the share of goals on track or done;
- **actions** (25): one minus the share of actions overdue (not done, due before today);
- **contact** (15): 1 while the days since the last contact are within the client's rhythm,
  falling evenly to 0 at twice the rhythm;
- **income** (20): the client's income in the last 6 months against the 6 before: 1 when it
  did not fall, falling evenly to 0 at a fall of half or more.

A part that cannot be judged (no goals, no actions, the last contact or the rhythm not known,
no income in either half-year) is left out and the others' weights carry the score; with no
part known the score is None. The score is rounded half up to a whole number.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WEIGHTS = {"goals": 40, "actions": 25, "contact": 15, "income": 20}
ONE = Decimal(1)
ZERO = Decimal(0)


@dataclass(frozen=True)
class Part:
    name: str  # goals | actions | contact | income
    weight: int
    score: Decimal | None  # 0..1; None: not known, left out
    reason: str


@dataclass(frozen=True)
class Health:
    score: int | None
    parts: list[Part]

    @property
    def reasons(self) -> list[str]:
        return [p.reason for p in self.parts]


def _clamp(value: Decimal) -> Decimal:
    return min(ONE, max(ZERO, value))


def goals_part(*, on_track: int, total: int) -> Part:
    """``on_track``: goals on track or done, of ``total``."""
    if total <= 0:
        return Part("goals", WEIGHTS["goals"], None, _("The plan has no goals yet."))
    text = ngettext(
        "%(n)d of %(total)d goal is on track or done.",
        "%(n)d of %(total)d goals are on track or done.",
        total,
    ) % {"n": on_track, "total": total}
    return Part("goals", WEIGHTS["goals"], Decimal(on_track) / Decimal(total), text)


def actions_part(*, overdue: int, total: int) -> Part:
    if total <= 0:
        return Part("actions", WEIGHTS["actions"], None, _("The plan has no actions yet."))
    text = ngettext(
        "%(n)d of %(total)d action is overdue.",
        "%(n)d of %(total)d actions are overdue.",
        total,
    ) % {"n": overdue, "total": total}
    return Part("actions", WEIGHTS["actions"], ONE - Decimal(overdue) / Decimal(total), text)


def contact_part(
    *,
    days_since: int | None,
    rhythm_days: int | None,
    never_contacted: bool = False,
    looked_up: bool = False,
) -> Part:
    """Days since the last contact against the client's rhythm (either None: not known; a
    client with a rhythm and no contact ever recorded scores 0). ``looked_up``: the contact
    and the rhythm were read, so a missing rhythm means the client has none (it is not key
    where the rhythm is judged) and the reason says so; the part is left out all the same."""
    if looked_up and not rhythm_days:
        if days_since is None:
            text = _(
                "No contact with the client is recorded; it has no contact rhythm (it is not "
                "a key client where the rhythm is judged)."
            )
        else:
            text = _(
                "The last contact was %(days)d days ago; the client has no contact rhythm (it "
                "is not a key client where the rhythm is judged)."
            ) % {"days": days_since}
        return Part("contact", WEIGHTS["contact"], None, text)
    if never_contacted and rhythm_days:
        text = _(
            "No contact with the client is recorded; its rhythm is a contact every %(rhythm)d days."
        ) % {"rhythm": rhythm_days}
        return Part("contact", WEIGHTS["contact"], ZERO, text)
    if days_since is None or not rhythm_days:
        return Part(
            "contact",
            WEIGHTS["contact"],
            None,
            _("The last contact against the client's rhythm is not known here."),
        )
    over = days_since - rhythm_days
    score = ONE if over <= 0 else _clamp(ONE - Decimal(over) / Decimal(rhythm_days))
    text = _(
        "The last contact was %(days)d days ago; the client's rhythm is a contact every "
        "%(rhythm)d days."
    ) % {"days": days_since, "rhythm": rhythm_days}
    return Part("contact", WEIGHTS["contact"], score, text)


def income_part(*, last: Decimal | None, before: Decimal | None, currency: str = "") -> Part:
    """The client's income in the last 6 months (``last``) against the 6 before."""
    if last is None or before is None or (last == 0 and before == 0):
        return Part(
            "income",
            WEIGHTS["income"],
            None,
            _("The client had no income in the last 12 months to compare."),
        )
    if before > 0:
        change = (last - before) / before
    else:  # from a loss or nothing: up is good, down is bad
        change = ONE if last > before else -ONE if last < before else ZERO
    score = ONE if change >= 0 else _clamp(ONE + 2 * change)
    percent = (change * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    text = _(
        "The client's income in the last 6 months is %(last)s %(currency)s against %(before)s "
        "in the 6 before (%(change)s%%)."
    ) % {
        "last": last.quantize(Decimal(1), rounding=ROUND_HALF_UP),
        "before": before.quantize(Decimal(1), rounding=ROUND_HALF_UP),
        "currency": currency,
        "change": f"{percent:+}" if before > 0 else "—",
    }
    return Part("income", WEIGHTS["income"], score, text)


def plan_health(
    *,
    goals_on_track: int,
    goals_total: int,
    actions_overdue: int,
    actions_total: int,
    days_since_contact: int | None = None,
    rhythm_days: int | None = None,
    never_contacted: bool = False,
    contact_looked_up: bool = False,
    income_last: Decimal | None = None,
    income_before: Decimal | None = None,
    currency: str = "",
) -> Health:
    """The plan's health: the weighted parts that are known, 0..100 (None: nothing known)."""
    parts = [
        goals_part(on_track=goals_on_track, total=goals_total),
        actions_part(overdue=actions_overdue, total=actions_total),
        contact_part(
            days_since=days_since_contact,
            rhythm_days=rhythm_days,
            never_contacted=never_contacted,
            looked_up=contact_looked_up,
        ),
        income_part(last=income_last, before=income_before, currency=currency),
    ]
    known = [p for p in parts if p.score is not None]
    if not known:
        return Health(None, parts)
    weight = sum(p.weight for p in known)
    total = sum((p.score * p.weight for p in known), ZERO) * 100 / weight
    return Health(int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP)), parts)
