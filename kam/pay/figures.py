"""The figures of one pay statement, read from the ledger, the settlements, the plans and the
earlier statements (SP-3); no writes. ``statement_figures`` makes a fixed number of queries
whatever the number of deals: every sum is taken in the database, grouped by document.

- **Sales**: on the invoiced basis, the person's credited ledger documents dated in the period
  (credited = the client's owner on the line's day, ``kam.plans.selectors.attributed_lines``);
  on the paid basis, the payments allocated in the period to the invoices of documents
  credited to the person, each earning the deal's commission times the paid share
  (allocated / invoice amount). An invoice belongs to the ledger document whose number is its
  own (the ERP's invoices) or its reference (an order's invoice names its shipment).
- **Clawbacks**: a return in the period of a sale whose commission was earned (on an approved
  or locked earlier statement, or on this one) takes back the returned share of what was
  earned. A return is seen as ledger lines naming the sale (``returns_document``) or as a
  credit note or return in the settlements referencing the sale's invoice; the larger share
  of the two counts, never more in total than the sale's cumulative returned share.
- **Adjustments**: each locked statement of the last ``ADJUSTMENT_LOOKBACK`` periods is
  recomputed; what differs from the locked figures (less what earlier adjustments already
  corrected) becomes an adjustment line.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, Max, Min, Q, Sum
from django.utils.translation import gettext as _

from kam.clients.models import AccountOwnership
from kam.core.bounds import history_start
from kam.pay import rules
from kam.pay.models import PayScheme, PayStatement, PayStatementLine, SchemeAssignment
from kam.plans.rules import Period
from kam.plans.selectors import attributed_lines, plan_results
from kam.receivables.models import Allocation, SettlementItem
from kam.sales.models import SalesLine

ZERO = Decimal("0")
ONE = Decimal("1")
SHARE = Decimal("0.0001")
ADJUSTMENT_LOOKBACK = 3  # periods back whose locked statements are checked for corrections
EARNED = (PayStatement.Status.APPROVED, PayStatement.Status.LOCKED)
Kind = PayStatementLine.Kind


@dataclass
class LineDraft:
    kind: str
    date: date
    commission: Decimal
    account_id: int | None = None
    category_id: int | None = None
    document: str = ""
    original_document: str = ""
    adjusts_id: int | None = None
    amount: Decimal = ZERO
    basis_amount: Decimal = ZERO
    rate: Decimal = ZERO
    band: str = ""
    rate_table: str = ""
    full_commission: Decimal = ZERO
    paid_share: Decimal | None = None

    def model(self, statement: PayStatement) -> PayStatementLine:
        return PayStatementLine(statement=statement, **self.__dict__)


@dataclass
class Figures:
    period: Period
    as_of: date
    scheme: PayScheme
    lines: list[LineDraft]
    plan: dict  # measure -> {plan, fact, percent, cut}
    totals: rules.Totals
    queries_note: str = field(default="")

    @property
    def sum_before_adjustments(self) -> Decimal:
        return self.totals.fixed + self.totals.commission - self.totals.cuts


def scheme_for(*, person, period: Period) -> PayScheme | None:
    """The scheme assigned to ``person`` on the period's first day."""
    a = (
        SchemeAssignment.objects.filter(person=person, starts_on__lte=period.starts_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=period.starts_on))
        .select_related("scheme")
        .first()
    )
    return a.scheme if a else None


@dataclass(frozen=True)
class Tables:
    basis: str
    default: list
    by_category: dict
    by_client_group: dict
    cuts: dict


def tables_of(scheme: PayScheme) -> Tables:
    return Tables(
        basis=scheme.basis,
        default=rules.bands_parse(scheme.bands),
        by_category={int(k): rules.bands_parse(v) for k, v in scheme.category_rates.items()},
        by_client_group={
            int(k): rules.bands_parse(v) for k, v in scheme.client_group_rates.items()
        },
        cuts=rules.cuts_parse(scheme.cuts),
    )


def _deal_rows(lines_qs):
    """Ledger lines grouped by document and product category, summed in the database."""
    return lines_qs.values(
        "document_number", "account_id", "account__segment_id", "product__category_id"
    ).annotate(
        turnover=Sum("revenue_base"),
        income=Sum(F("revenue_base") - F("cost_base"), filter=Q(cost_known=True)),
        day=Min("date"),
    )


def _deals(rows, basis: str) -> dict[str, dict]:
    deals: dict[str, dict] = {}
    for r in rows:
        d = deals.setdefault(
            r["document_number"],
            {
                "account_id": r["account_id"],
                "group": r["account__segment_id"],
                "day": r["day"],
                "turnover": ZERO,
                "parts": [],
            },
        )
        d["day"] = min(d["day"], r["day"])
        d["turnover"] += r["turnover"] or ZERO
        value = r["turnover"] if basis == rules.TURNOVER else r["income"]
        d["parts"].append(rules.DealPart(r["product__category_id"], value or ZERO))
    return deals


def _sale_lines(doc: str, deal: dict, t: Tables, *, share=None, day=None) -> list[LineDraft]:
    out = []
    parts = rules.deal_commission(
        deal["parts"],
        client_group_id=deal["group"],
        default=t.default,
        by_category=t.by_category,
        by_client_group=t.by_client_group,
    )
    for p in parts:
        earned = p.amount if share is None else rules.earned(p.amount, share)
        out.append(
            LineDraft(
                kind=Kind.SALE,
                account_id=deal["account_id"],
                category_id=p.category_id,
                document=doc,
                date=day or deal["day"],
                amount=deal["turnover"],
                basis_amount=p.basis,
                rate=p.rate,
                band=p.band,
                rate_table=p.table,
                full_commission=p.amount,
                paid_share=share,
                commission=earned,
            )
        )
    return out


def _sales_invoiced(person, period: Period, last: date, t: Tables) -> list[LineDraft]:
    qs = attributed_lines(first=period.starts_on, last=last, owner_ids=[person.pk]).filter(
        returns_document=""
    )
    out = []
    for doc, deal in sorted(_deals(_deal_rows(qs), t.basis).items()):
        if deal["turnover"] > 0:  # a cancellation the ERP did not link is no deal
            out += _sale_lines(doc, deal, t)
    return out


def _owned_accounts(person):
    return AccountOwnership.objects.filter(owner=person).values("account_id")


def _sales_paid(person, period: Period, last: date, t: Tables, since: date) -> list[LineDraft]:
    paid = list(
        Allocation.objects.filter(
            allocated_on__gte=period.starts_on,
            allocated_on__lte=last,
            credit__kind=SettlementItem.Kind.PAYMENT,
            debit__kind=SettlementItem.Kind.INVOICE,
            debit__account_id__in=_owned_accounts(person),
        )
        .values("debit_id", "debit__document_number", "debit__reference", "debit__amount")
        .annotate(paid=Sum("amount"), day=Max("allocated_on"))
        .order_by("debit_id")
    )
    if not paid:
        return []
    numbers = {p["debit__document_number"] for p in paid} | {
        p["debit__reference"] for p in paid if p["debit__reference"]
    }
    qs = attributed_lines(first=since, last=last, owner_ids=[person.pk]).filter(
        document_number__in=sorted(numbers), returns_document=""
    )
    deals = _deals(_deal_rows(qs), t.basis)
    out = []
    for p in paid:
        doc = next(
            (n for n in (p["debit__document_number"], p["debit__reference"]) if n in deals), None
        )
        if doc is None or p["debit__amount"] <= 0:
            continue  # the invoice of a sale credited to someone else
        share = min(ONE, (p["paid"] / p["debit__amount"]).quantize(SHARE))
        out += _sale_lines(doc, deals[doc], t, share=share, day=p["day"])
    return out


def _earlier_earned(person, period: Period) -> tuple[dict, dict]:
    """Per sale document: (gross commission earned, the deal's turnover, client) on approved or
    locked statements before ``period``, and the clawbacks already taken from it."""
    earlier = PayStatementLine.objects.filter(
        statement__person=person,
        statement__status__in=EARNED,
        statement__starts_on__lt=period.starts_on,
    )
    # One query for both: sales keyed by their document, clawbacks by the sale they take from.
    gross, taken = {}, {}
    rows = (
        earlier.filter(kind__in=[Kind.SALE, Kind.CLAWBACK])
        .order_by()
        .values("kind", "document", "original_document")
        .annotate(s=Sum("commission"), turnover=Max("amount"), account_id=Max("account_id"))
    )
    for r in rows:
        if r["kind"] == Kind.SALE:
            g = gross.setdefault(
                r["document"], {"gross": ZERO, "turnover": ZERO, "account_id": r["account_id"]}
            )
            g["gross"] += r["s"]
            g["turnover"] = max(g["turnover"], r["turnover"])
        else:
            taken[r["original_document"]] = taken.get(r["original_document"], ZERO) + r["s"]
    return gross, taken


def _return_sums(qs):
    return (
        qs.exclude(returns_document="")
        .order_by()
        .values("returns_document", "document_number")
        .annotate(turnover=Sum("revenue_base"), day=Min("date"))
    )


def _clawbacks(person, period: Period, last: date, sales: list[LineDraft]) -> list[LineDraft]:
    gross, taken = _earlier_earned(person, period)
    for line in sales:  # this statement's own sales can be returned in the same period
        g = gross.setdefault(
            line.document,
            {"gross": ZERO, "turnover": line.amount, "account_id": line.account_id},
        )
        g["gross"] += line.commission
        g["turnover"] = max(g["turnover"], line.amount)
    candidates = sorted(doc for doc, g in gross.items() if g["gross"] > 0)
    if not candidates:
        return []
    earned_docs = PayStatementLine.objects.filter(
        statement__person=person,
        statement__status__in=EARNED,
        statement__starts_on__lt=period.starts_on,
        kind=Kind.SALE,
    ).values("document")
    own = sorted({line.document for line in sales})
    owned = _owned_accounts(person)
    # Returns in the ledger in the period naming a candidate sale, whoever owns the client now
    # (the commission is taken back from who earned it); the earlier returns of those sales
    # only when there are any (both read the clients the person ever owned, by their index).
    ledger = defaultdict(lambda: {"before": ZERO, "in": ZERO, "doc": "", "day": None})
    returns = SalesLine.objects.filter(
        account_id__in=owned, date__gte=period.starts_on, date__lte=last
    ).filter(Q(returns_document__in=earned_docs) | Q(returns_document__in=own))
    for r in _return_sums(returns):
        entry = ledger[r["returns_document"]]
        entry["in"] += -(r["turnover"] or ZERO)
        entry["doc"], entry["day"] = r["document_number"], r["day"]
    if ledger:
        before = SalesLine.objects.filter(
            account_id__in=owned, date__lt=period.starts_on, returns_document__in=sorted(ledger)
        )
        for r in _return_sums(before):
            ledger[r["returns_document"]]["before"] += -(r["turnover"] or ZERO)
    # Credit notes and returns in the settlements in the period referencing an invoice of a
    # candidate sale (its number or its reference is the sale's document).
    settled = defaultdict(lambda: {"before": ZERO, "in": ZERO, "doc": "", "day": None})
    credit_kinds = [SettlementItem.Kind.CREDIT_NOTE, SettlementItem.Kind.RETURN]
    credits = list(
        SettlementItem.objects.filter(
            kind__in=credit_kinds,
            account_id__in=owned,
            document_date__gte=period.starts_on,
            document_date__lte=last,
        )
        .exclude(reference="")
        .order_by()
        .values("reference", "document_number", "document_date", "amount")
    )
    if credits:
        invoices = {
            i["document_number"]: i
            for i in SettlementItem.objects.filter(
                kind=SettlementItem.Kind.INVOICE,
                document_number__in=sorted({c["reference"] for c in credits}),
            )
            .order_by()
            .values("document_number", "reference", "amount")
        }
        sale_of = {}
        for number, inv in invoices.items():
            sale = number if number in gross else inv["reference"]
            if sale in gross and inv["amount"] > 0:
                sale_of[number] = sale
        earlier = SettlementItem.objects.filter(
            kind__in=credit_kinds,
            account_id__in=owned,
            document_date__lt=period.starts_on,
            reference__in=sorted(sale_of),
        ).values("reference", "document_number", "document_date", "amount")
        for c in [*credits, *(earlier if sale_of else [])]:
            sale = sale_of.get(c["reference"])
            if sale is None:
                continue
            share = -c["amount"] / invoices[c["reference"]]["amount"]
            entry = settled[sale]
            if c["document_date"] >= period.starts_on:
                entry["in"] += share
                entry["doc"], entry["day"] = c["document_number"], c["document_date"]
            else:
                entry["before"] += share
    out = []
    for doc in candidates:
        g = gross[doc]
        turnover = g["turnover"] or ZERO
        led = ledger.get(doc)
        sett = settled.get(doc)
        shares = []  # (share in the period, cumulative share, document, day)
        if led and led["in"] > 0 and turnover > 0:
            shares.append(
                (
                    led["in"] / turnover,
                    (led["in"] + led["before"]) / turnover,
                    led["doc"],
                    led["day"],
                )
            )
        if sett and sett["in"] > 0:
            shares.append((sett["in"], sett["in"] + sett["before"], sett["doc"], sett["day"]))
        if not shares:
            continue
        now, _cum, ret_doc, day = max(shares, key=lambda s: s[0])
        cumulative = max(s[1] for s in shares)
        already = -(taken.get(doc) or ZERO)
        net = g["gross"] - already
        target = rules.money(g["gross"] * min(cumulative, ONE)) - already
        amount = rules.clawback(earned_gross=g["gross"], earned_net=net, returned_share=now)
        amount = max(amount, -max(target, ZERO))
        if amount == 0:
            continue
        out.append(
            LineDraft(
                kind=Kind.CLAWBACK,
                account_id=g["account_id"],
                document=ret_doc,
                original_document=doc,
                date=day,
                amount=-rules.money(turnover * min(now, ONE)),
                full_commission=g["gross"],
                paid_share=min(now, ONE).quantize(SHARE),
                commission=amount,
            )
        )
    return out


def _num(value) -> str | None:
    if value is None:
        return None
    return str(rules.money(value)) if isinstance(value, Decimal) else str(value)


def _plan(person, period: Period, as_of: date, t: Tables) -> tuple[dict, Decimal]:
    results = plan_results(person=person, period=period, as_of=as_of)
    plan = {}
    cuts = []
    for measure, r in results.items():
        cut = rules.cut_for(r.percent, t.cuts.get(measure, []))
        cuts.append(cut)
        plan[measure] = {
            "plan": _num(r.plan),
            "fact": _num(r.fact),
            "percent": None if r.percent is None else str(r.percent),
            "cut": str(cut),
        }
    return plan, rules.combined_cut(cuts)


def _adjustments(
    person, period: Period, as_of: date, exclude_id: int | None, since: date | None
) -> list[LineDraft]:
    first = period
    for _i in range(ADJUSTMENT_LOOKBACK):
        first = first.previous()
    locked = list(
        PayStatement.objects.filter(
            person=person,
            period_kind=period.kind,
            status=PayStatement.Status.LOCKED,
            starts_on__gte=first.starts_on,
            starts_on__lt=period.starts_on,
        ).select_related("scheme")
    )
    if not locked:
        return []
    corrected = dict(
        PayStatementLine.objects.filter(
            kind=Kind.ADJUSTMENT,
            adjusts__in=locked,
            statement__starts_on__lt=period.starts_on,
        )
        .exclude(statement_id=exclude_id)
        .values("adjusts_id")
        .annotate(s=Sum("commission"))
        .values_list("adjusts_id", "s")
    )
    out = []
    for s in locked:
        then = Period(s.period_kind, s.starts_on, period.fiscal_start_month)
        again = statement_figures(
            person=person,
            period=then,
            as_of=as_of,
            scheme=s.scheme,
            adjustments=False,
            since=since,
        )
        was = s.fixed + s.commission - s.cuts + (corrected.get(s.pk) or ZERO)
        diff = again.sum_before_adjustments - was
        if diff:
            out.append(
                LineDraft(
                    kind=Kind.ADJUSTMENT,
                    adjusts_id=s.pk,
                    document=s.period_code,
                    date=period.starts_on,
                    band=_("correction of the locked statement for %(period)s")
                    % {"period": s.period_code},
                    commission=diff,
                )
            )
    return out


def statement_figures(
    *,
    person,
    period: Period,
    as_of: date,
    scheme: PayScheme | None = None,
    adjustments: bool = True,
    statement_id: int | None = None,
    since: date | None = None,
) -> Figures | None:
    """What ``person``'s statement for ``period`` holds as of ``as_of`` (None: no scheme)."""
    scheme = scheme or scheme_for(person=person, period=period)
    if scheme is None:
        return None
    t = tables_of(scheme)
    last = min(period.ends_on, as_of)
    if scheme.earned_on == rules.PAID:
        sales = _sales_paid(person, period, last, t, since or history_start())
    else:
        sales = _sales_invoiced(person, period, last, t)
    lines = sales + _clawbacks(person, period, last, sales)
    plan, cut = _plan(person, period, as_of, t)
    if adjustments:
        lines += _adjustments(person, period, as_of, statement_id, since)
    commission = sum((x.commission for x in lines if x.kind != Kind.ADJUSTMENT), ZERO)
    adjusted = sum((x.commission for x in lines if x.kind == Kind.ADJUSTMENT), ZERO)
    totals = rules.totals(
        fixed=scheme.fixed_amount, commission=commission, cut_percent=cut, adjustments=adjusted
    )
    return Figures(period, as_of, scheme, lines, plan, totals)
