"""Why a definition applies: manual evidence loaded once, and the texts with their figures."""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Max, QuerySet
from django.utils import numberformat, timezone
from django.utils.formats import date_format, get_format, number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from kam.catalog.models import Product
from kam.core.periods import add_months, month_of
from kam.org.models import User
from kam.radar import rules
from kam.radar.models import (
    Band,
    CompetenceConsultation,
    Definition,
    KeyFlag,
    Level,
    PartnerDisclosure,
    RadarSettings,
    ReferenceCase,
    WalletEstimate,
)
from kam.radar.selectors.types import Evidence, EvidenceRecord
from kam.sales.models import ClientMonth, FirstPurchase
from kam.sales.selectors import as_date


def _person(user: User | None) -> str:
    return str(user) if user is not None else ""


@dataclass
class _Manual:
    flags: dict[int, dict[str, KeyFlag]]
    wallets: dict[int, WalletEstimate]
    counts: dict[str, dict[int, tuple[int, date]]]  # definition -> account -> (n, last date)
    records: dict[str, dict[int, list[EvidenceRecord]]]
    innovators: dict[int, list[tuple[int, date, int, int]]]
    products: dict[int, str]


_RECORD_MODELS = {
    Definition.REFERENCE: (ReferenceCase, "done_on"),
    Definition.PARTNER: (PartnerDisclosure, "disclosed_on"),
    Definition.COMPETENT: (CompetenceConsultation, "consulted_on"),
}


def _record_of(definition: str, obj) -> EvidenceRecord:
    who = _person(obj.recorded_by)
    if definition == Definition.REFERENCE:
        text = obj.what + (f" — {obj.result}" if obj.result else "")
        return EvidenceRecord(obj.done_on, text, "", who)
    if definition == Definition.PARTNER:
        return EvidenceRecord(obj.disclosed_on, obj.text, obj.get_kind_display(), who)
    return EvidenceRecord(obj.consulted_on, obj.topic, "", who)


def _manual(
    *,
    as_of: date,
    evidence_on: date,
    s: RadarSettings,
    restrict: QuerySet | None,
    with_records: bool,
    light: bool = False,
    only: list[int] | None = None,
    detail: list[int] | None = None,
) -> _Manual:
    """Manual evidence of the clients ``restrict`` allows (None: all), or of the clients
    ``only`` lists (a read that builds a page of rows loads theirs alone). ``detail``, with
    ``only``: the clients among them that are shown, the only ones whose records and innovator
    ranks are read (the others are built for their alerts, which flags and wallets decide)."""

    def scoped(qs):
        if only is not None:
            return qs.filter(account_id__in=only)
        return qs if restrict is None else qs.filter(account_id__in=restrict.values("pk"))

    flags: dict[int, dict[str, KeyFlag]] = defaultdict(dict)
    for flag in scoped(
        KeyFlag.objects.filter(active=True, flagged_on__lte=evidence_on).select_related(
            "owner", "recorded_by"
        )
    ):
        flags[flag.account_id][flag.definition] = flag

    wallets: dict[int, WalletEstimate] = {}
    wallet_qs = scoped(WalletEstimate.objects.filter(recorded_at__lte=evidence_on)).select_related(
        "recorded_by"
    )
    if with_records:
        wallet_qs = wallet_qs.prefetch_related("competitors")
    for wallet in wallet_qs.order_by("account_id", "-recorded_at", "-pk"):
        wallets.setdefault(wallet.account_id, wallet)

    counts: dict[str, dict[int, tuple[int, date]]] = {}
    records: dict[str, dict[int, list[EvidenceRecord]]] = {}
    if light:  # snapshots: only what decides status (flags and wallets)
        return _Manual(dict(flags), wallets, counts, records, {}, {})
    shown = only if detail is None else detail

    def scoped_shown(qs):
        return qs.filter(account_id__in=shown) if shown is not None else scoped(qs)

    for definition, (model, on) in _RECORD_MODELS.items():
        qs = scoped_shown(model.objects.filter(**{f"{on}__lte": evidence_on}))
        if with_records:
            per: dict[int, list[EvidenceRecord]] = defaultdict(list)
            for obj in qs.select_related("recorded_by").order_by(f"-{on}", "-pk"):
                per[obj.account_id].append(_record_of(definition, obj))
            records[definition] = per
            counts[definition] = {a: (len(v), v[0].on) for a, v in per.items()}
        else:
            counts[definition] = {
                r["account_id"]: (r["n"], r["last"])
                for r in qs.values("account_id").annotate(n=Count("pk"), last=Max(on))
            }

    # KC-8 suggestion: first buyers of recently launched products, ranked over ALL buyers.
    # A service line (postage, freight) is no product to adopt (issue 8 §3).
    window_start = add_months(month_of(as_of), -s.innovator_window_months)
    launched = dict(
        Product.objects.filter(
            launched_on__gte=window_start, launched_on__lte=as_of, is_service=False
        )
        .values_list("pk", "name")
        .order_by()
    )
    innovators = _first_buyers(list(launched), as_of, s.innovator_share_pct, shown)
    if shown is None and restrict is not None and innovators:
        keep = set(restrict.filter(pk__in=list(innovators)).values_list("pk", flat=True))
        innovators = {a: v for a, v in innovators.items() if a in keep}
    return _Manual(dict(flags), wallets, counts, records, innovators, launched)


def _alert_ids(*, evidence_on: date, restrict: QuerySet | None) -> set[int]:
    """The clients a page must judge beyond the level rules' candidates, for its alerts: those
    with an active flag or a wallet estimate (among them every one whose review is due). A flag or a
    passing wallet makes a company-level key account, which counts toward KC-11."""
    flags = KeyFlag.objects.filter(active=True, flagged_on__lte=evidence_on)
    wallets = WalletEstimate.objects.filter(recorded_at__lte=evidence_on)
    if restrict is not None:
        flags = flags.filter(account_id__in=restrict.values("pk"))
        wallets = wallets.filter(account_id__in=restrict.values("pk"))
    ids = flags.values_list("account_id", flat=True).order_by()
    return set(ids.union(wallets.values_list("account_id", flat=True).order_by()))


def _first_buyers(
    product_ids: list[int], as_of: date, pct: Decimal, accounts: list[int] | None = None
) -> dict[int, list[tuple[int, date, int, int]]]:
    """``rules.first_buyers`` worked out in the database over ``FirstPurchase`` (each client's
    first purchase of each product, kept on write): only the innovators come back, not every
    buyer. A buyer ranked r of n (RANK by first date, ties share a rank) is an innovator when
    r <= max(1, ceil(n * pct / 100)), that is r = 1 or (r - 1) * 100 < n * pct: integers only
    (pct in thousandths), so both databases agree with the rules to the last buyer.

    ``accounts``: only these clients' ranks are wanted (a page of rows). Each of their first
    purchases is then ranked by two counts over the (product, first date) index instead of
    ranking every buyer of every new product."""
    if not product_ids or pct <= 0 or accounts == []:
        return {}
    fp = FirstPurchase._meta.db_table
    on = connection.ops.adapt_datefield_value(as_of)
    products = ", ".join(["%s"] * len(product_ids))
    if accounts is None:
        ranked = (
            f"SELECT product_id, account_id, first_date, "
            f"RANK() OVER (PARTITION BY product_id ORDER BY first_date) AS rnk, "
            f"COUNT(*) OVER (PARTITION BY product_id) AS n "
            f"FROM {fp} WHERE product_id IN ({products}) AND first_date <= %s"
        )
        params = [*product_ids, on]
    else:
        ranked = (
            f"SELECT product_id, account_id, first_date, "
            f"1 + (SELECT COUNT(*) FROM {fp} e WHERE e.product_id = b.product_id "
            f"AND e.first_date < b.first_date) AS rnk, "
            f"(SELECT COUNT(*) FROM {fp} e WHERE e.product_id = b.product_id "
            f"AND e.first_date <= %s) AS n "
            f"FROM {fp} b WHERE product_id IN ({products}) AND first_date <= %s "
            f"AND account_id IN ({', '.join(['%s'] * len(accounts))})"
        )
        params = [on, *product_ids, on, *accounts]
    sql = (
        f"SELECT product_id, account_id, first_date, rnk, n FROM ({ranked}) ranked "
        f"WHERE rnk = 1 OR (rnk - 1) * 100000 < n * %s "
        f"ORDER BY product_id, first_date, account_id"
    )
    params.append(int(pct * 1000))
    out: dict[int, list[tuple[int, date, int, int]]] = {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for product, account, first, rank, n in cur.fetchall():
            out.setdefault(account, []).append((product, as_date(first), rank, n))
    return out


# --- judging -----------------------------------------------------------------------------------


# The texts below are built while the selector runs, that is inside the request with the
# reader's language active, so figures follow that language as the pages do: "43,019.32" and
# "21.59" in English, "43 019,32" and "21,59" in Latvian and Russian.


def _money(x: Decimal) -> str:
    return number_format(x, decimal_pos=2, use_l10n=True, force_grouping=True)


def _money_formatter() -> Callable[[Decimal], str]:
    """``_money`` with the active language's separators looked up once, for a read that
    formats thousands of amounts (the same calls ``number_format`` makes, hoisted)."""
    lang = get_language()
    decimal_sep = get_format("DECIMAL_SEPARATOR", lang, use_l10n=True)
    grouping = get_format("NUMBER_GROUPING", lang, use_l10n=True)
    thousand_sep = get_format("THOUSAND_SEPARATOR", lang, use_l10n=True)

    def money(x: Decimal) -> str:
        return numberformat.format(
            x, decimal_sep, 2, grouping, thousand_sep, force_grouping=True, use_l10n=True
        )

    return money


def _share(x: Decimal) -> str:
    """A client's share: two places, as the radar shows it."""
    return number_format(x, decimal_pos=2, use_l10n=True, force_grouping=True)


def _pct(x: Decimal) -> str:
    """A threshold as people write it: 10, 2.5 (not 10.000); 2,5 in Latvian and Russian."""
    return number_format(x.normalize(), use_l10n=True)


def _date(d: date | None) -> str:
    return date_format(d, "SHORT_DATE_FORMAT") if d is not None else ""


def _basis_word(basis: str) -> str:
    return _("income") if basis == rules.INCOME else _("turnover")


def _share_summary(
    share: Decimal,
    level: str,
    basis: str,
    pct: Decimal,
    total: Decimal | None = None,
    currency: str = "",
) -> str:
    """ "10.00 % of the company's income (1,000.00 EUR) ≥ 10 %"; without the total for a reader
    who may not see the unit's amounts (``secrecy``)."""
    values = {
        "share": _share(share),
        "level": Level(level).label.lower(),
        "basis": _basis_word(basis),
        "pct": _pct(pct),
    }
    if total is None:
        return _("%(share)s %% of the %(level)s's %(basis)s ≥ %(pct)s %%") % values
    return _("%(share)s %% of the %(level)s's %(basis)s (%(total)s %(cur)s) ≥ %(pct)s %%") % {
        **values,
        "total": _money(total),
        "cur": currency,
    }


def _level_evidence(
    level: str, v: rules.Verdict, total: Decimal, c: rules.Criteria, months: int, currency: str
) -> list[Evidence]:
    out = []
    basis = _basis_word(c.basis)
    share = rules.display_pct(v.share_pct)
    figures = {"weight": v.weight, "share_pct": share, "unit_total": total, "basis": c.basis}
    if v.key_by_amount:
        threshold = rules.prorated_amount(c.key_amount, months)
        out.append(
            Evidence(
                Definition.AMOUNT,
                str(Definition.AMOUNT.label),
                ngettext(
                    "%(basis)s %(amount)s %(cur)s over %(months)s month ≥ %(threshold)s",
                    "%(basis)s %(amount)s %(cur)s over %(months)s months ≥ %(threshold)s",
                    months,
                )
                % {
                    "basis": basis,
                    "amount": _money(v.weight),
                    "cur": currency,
                    "months": months,
                    "threshold": _money(threshold),
                },
                level=level,
                figures={**figures, "threshold": threshold},
            )
        )
    if v.key_by_share:
        out.append(
            Evidence(
                Definition.SHARE,
                str(Definition.SHARE.label),
                _share_summary(share, level, c.basis, c.key_share_pct, total, currency),
                level=level,
                figures={**figures, "threshold_pct": c.key_share_pct},
            )
        )
    if v.band:
        pct = c.mono_pct if v.band == rules.MONO else c.critical_pct
        out.append(
            Evidence(
                Definition.DEPENDENCY,
                str(Band(v.band).label),
                _("%(share)s %% of the %(level)s's %(basis)s ≥ %(pct)s %%: %(band)s")
                % {
                    "share": _share(share),
                    "level": Level(level).label.lower(),
                    "basis": basis,
                    "pct": _pct(pct),
                    "band": Band(v.band).label.lower(),
                },
                level=level,
                figures={**figures, "band": v.band, "threshold_pct": pct},
            )
        )
    return out


def _manual_evidence(
    account_id: int,
    m: _Manual,
    turnover: Decimal,
    c: rules.Criteria,
    months: int,
    as_of: date,
    currency: str,
    money: Callable[[Decimal], str] = _money,
    labels: dict[str, str] | None = None,
) -> tuple[list[Evidence], list[Evidence], Decimal | None, Decimal | None]:
    """Definitions that do not depend on the level: (applied, suggested, wallet, headroom).

    ``money`` and ``labels`` (translated definition names) let a caller judging many clients
    work out the language's formats and names once."""
    if labels is None:
        labels = {d: str(Definition(d).label) for d in Definition.values}
    applied: list[Evidence] = []
    suggested: list[Evidence] = []
    wallet = m.wallets.get(account_id)
    wallet_base = room = None
    if wallet is not None:
        wallet_base = wallet.annual_budget_base
        room = rules.headroom(wallet_base, turnover, months)
        if rules.key_by_potential(wallet_base, turnover, c, months):
            competitors = tuple(
                EvidenceRecord(
                    None, f"{x.name}: {number_format(x.share_pct, use_l10n=True)} %", "competitor"
                )
                for x in getattr(wallet, "_prefetched_objects_cache", {}).get("competitors", [])
            )
            applied.append(
                Evidence(
                    Definition.POTENTIAL,
                    labels[Definition.POTENTIAL],
                    _("wallet %(wallet)s %(cur)s a year, our sales %(ours)s: headroom %(room)s")
                    % {
                        "wallet": money(wallet_base),
                        "cur": currency,
                        "ours": money(turnover),
                        "room": money(room),
                    },
                    figures={
                        "wallet": wallet_base,
                        "turnover": turnover,
                        "headroom": room,
                        "threshold": c.potential_headroom,
                    },
                    recorded_by=_person(wallet.recorded_by),
                    recorded_on=wallet.recorded_at,
                    review_on=wallet.review_on,
                    review_due=bool(wallet.review_on and wallet.review_on < as_of),
                    records=competitors,
                )
            )
    flags = m.flags.get(account_id, {})
    for definition in (
        Definition.REFERENCE,
        Definition.PARTNER,
        Definition.COMPETENT,
        Definition.INNOVATOR,
    ):
        flag = flags.get(definition)
        n, last = m.counts.get(definition, {}).get(account_id, (0, None))
        records = tuple(m.records.get(definition, {}).get(account_id, ()))
        figures: dict[str, Any] = {"records": n, "last": last} if n else {}
        if definition == Definition.INNOVATOR:
            firsts = m.innovators.get(account_id, [])
            records = tuple(
                EvidenceRecord(
                    first,
                    _("buyer %(rank)s of %(n)s of %(product)s")
                    % {"rank": rank, "n": n_buyers, "product": m.products.get(p, p)},
                    "first_purchase",
                )
                for p, first, rank, n_buyers in firsts
            )
            figures = {"products": len(firsts)} if firsts else {}
        if flag is not None:
            summary = flag.note or _("marked by hand")
            if figures.get("records"):
                summary += " · " + ngettext(
                    "%(records)s record, latest %(last)s",
                    "%(records)s records, latest %(last)s",
                    n,
                ) % {"records": n, "last": _date(last)}
            applied.append(
                Evidence(
                    definition,
                    labels[definition],
                    summary,
                    figures=figures,
                    recorded_by=_person(flag.recorded_by),
                    recorded_on=flag.flagged_on,
                    owner=_person(flag.owner),
                    review_on=flag.review_on,
                    review_due=flag.review_on < as_of,
                    records=records,
                )
            )
        elif figures:
            if definition == Definition.INNOVATOR:
                summary = ngettext(
                    "first buyer of %(n)s recently launched product",
                    "first buyer of %(n)s recently launched products",
                    figures["products"],
                ) % {"n": figures["products"]}
            else:
                summary = ngettext(
                    "%(records)s record, latest %(last)s; not marked yet",
                    "%(records)s records, latest %(last)s; not marked yet",
                    n,
                ) % {"records": n, "last": _date(last)}
            suggested.append(
                Evidence(
                    definition,
                    labels[definition],
                    summary,
                    figures=figures,
                    suggested=True,
                    records=records,
                )
            )
    return applied, suggested, wallet_base, room


def _evidence_date(as_of: date) -> date:
    """Until when manual evidence (flags, wallets, records) counts for a read as of ``as_of``.

    A look at the latest period (no newer month has sales yet) is a look at today: a flag a KAM
    set this morning, or a review date that passed yesterday, must show even though the last
    month with sales is behind us. An earlier period is read as it was then. Snapshots always
    use their own period end."""
    today = timezone.localdate()
    if as_of >= today:
        return as_of
    newer = ClientMonth.objects.filter(month__gt=as_of).exists()
    return as_of if newer else today
