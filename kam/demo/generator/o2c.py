"""The demo's orders to cash (issue 9 §12): a price list with four columns, a contract and
credit terms for every buying client (a few expiring, a few renewed), credit checks (a few
expired), and the 24 months of the ledger as what they were: orders shipped under the ledger's
document numbers, invoices due by the contract's terms, payments (most on time, some late
payers, one or two who stopped paying and broke a promise), returns with reasons and one
discrepancy act.

History is written in bulk from the ledger already in the database (so every order, shipment
and invoice agrees with the sales lines by construction) with one summarising audit entry per
kind, as the demo's ledger is. Seeded: same seed and today, same data.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Min, Sum
from django.utils import timezone

from kam.catalog.models import Product
from kam.clients.models import Account
from kam.contracts.models import Contract
from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.credit.models import CreditCheck
from kam.orders.models import (
    DiscrepancyAct,
    DiscrepancyLine,
    Order,
    OrderLine,
    OrderReturn,
    Reason,
    ReturnLine,
    Shipment,
    ShipmentLine,
)
from kam.org.models import Role, User
from kam.pricing.models import DiscountRule, Price, PriceColumn, PriceList
from kam.receivables.models import Allocation, PaymentPromise, SettlementItem
from kam.sales.models import SalesLine

CENT = Decimal("0.01")
BATCH = 2000

# code, name, share of the base price, position
COLUMNS = (
    ("base", "Base", Decimal("1.00")),
    ("wholesale", "Wholesale", Decimal("0.95")),
    ("key", "Key accounts", Decimal("0.90")),
    ("distributor", "Distributors", Decimal("0.85")),
)
MARKUP = Decimal("1.45")  # base price = standard cost x markup
# (column, role, largest discount without approval)
DISCOUNT_RULES = (
    ("base", Role.KAM, "3"),
    ("wholesale", Role.KAM, "5"),
    ("key", Role.KAM, "5"),
    ("key", Role.REGIONAL, "8"),
    ("key", Role.HEAD, "12"),
    ("distributor", Role.KAM, "2"),
    ("distributor", Role.HEAD, "6"),
)
REASONS = (
    (Reason.Kind.REFUSAL, "out-of-stock", "Out of stock"),
    (Reason.Kind.REFUSAL, "price", "Price not accepted"),
    (Reason.Kind.REFUSAL, "cancelled", "Cancelled by the client"),
    (Reason.Kind.RETURN, "damaged", "Damaged in transport"),
    (Reason.Kind.RETURN, "wrong-product", "Wrong product delivered"),
    (Reason.Kind.RETURN, "short-shelf-life", "Shelf life too short"),
    (Reason.Kind.RETURN, "quality", "Quality complaint"),
    (Reason.Kind.DISCREPANCY, "short-delivery", "Fewer units than on the delivery note"),
    (Reason.Kind.DISCREPANCY, "transport-damage", "Damaged on arrival"),
)
# How a client pays: share of clients, days after the due date (low, high).
PAYERS = (
    ("punctual", 0.74, (-8, 2)),
    ("late", 0.16, (5, 35)),
    ("slow", 0.07, (30, 80)),
    ("stopped", 0.03, (0, 0)),  # paid on time until four months ago, nothing since
)
STOPPED_MONTHS = 4


@dataclass
class Terms:
    account_id: int
    column: str
    payment_days: int
    limit: Decimal
    payer: str


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10)))


def _price_list(product_costs: dict[int, Decimal], start: date) -> dict[str, PriceColumn]:
    price_list = PriceList.objects.create(name="Baltic Medical 2025-2026", currency="EUR")
    columns = {
        code: PriceColumn.objects.create(
            price_list=price_list, code=code, name=name, is_base=code == "base", position=i
        )
        for i, (code, name, _share) in enumerate(COLUMNS)
    }
    Price.objects.bulk_create(
        [
            Price(
                column=columns[code],
                product_id=pid,
                price=(cost * MARKUP * share).quantize(Decimal("0.0001")),
                valid_from=start,
            )
            for pid, cost in product_costs.items()
            for code, _name, share in COLUMNS
        ],
        batch_size=BATCH,
    )
    DiscountRule.objects.bulk_create(
        [
            DiscountRule(column=columns[c], role=role, max_percent=Decimal(p))
            for c, role, p in DISCOUNT_RULES
        ]
    )
    return columns


def _pick_payer(rng: random.Random) -> str:
    x = rng.random()
    for name, share, _days in PAYERS:
        if x < share:
            return name
        x -= share
    return PAYERS[0][0]


def _terms(rng, accounts, monthly: dict[int, Decimal], key_ids: set[int]) -> list[Terms]:
    out = []
    for a in accounts:
        avg = monthly.get(a.pk, Decimal(0))
        if a.pk in key_ids:
            column = "key"
        elif a.industry and "istribut" in a.industry:
            column = "distributor"
        else:
            column = rng.choice(("base", "wholesale", "wholesale"))
        days = rng.choice((14, 30, 30, 30, 45, 60))
        # About four months of purchases, in thousands: room for the open invoices of the
        # payment terms and the next orders.
        limit = max(Decimal(3000), (avg * 4 / 1000).quantize(Decimal(1)) * 1000)
        out.append(Terms(a.pk, column, days, limit, _pick_payer(rng)))
    # However small the company, one client stopped paying and one pays slowly, so the
    # collection list, the broken promise and the credit gate have a case.
    others = [t for t in out if t.account_id not in key_ids] or out
    for payer in ("stopped", "slow"):
        if others and not any(t.payer == payer for t in out):
            rng.choice([t for t in others if t.payer == "punctual"] or others).payer = payer
    return out


def _contracts(rng, terms: list[Terms], columns, start: date, today: date, kams) -> int:
    """One contract in force per buying client; four end within 60 days (the expiry alerts),
    three were renewed (version 2 after an ended version 1)."""
    rows = []
    n = 0
    expiring = set(rng.sample(range(len(terms)), min(4, len(terms))))
    renewed = set(rng.sample(range(len(terms)), min(3, len(terms)))) - expiring
    for i, t in enumerate(terms):
        n += 1
        number = f"L-{start.year}-{n:04d}"
        common = {
            "account_id": t.account_id,
            "price_column": columns[t.column],
            "payment_days": t.payment_days,
            "credit_limit": t.limit,
            "currency": "EUR",
            "delivery_terms": rng.choice(("DAP client's warehouse", "FCA Riga", "EXW Riga")),
            "created_by": kams.get(t.account_id),
            "concluded_by": kams.get(t.account_id),
        }
        if i in renewed:
            first_end = start + timedelta(days=364)
            old = Contract.objects.create(
                number=number,
                version=1,
                status=Contract.Status.RENEWED,
                starts_on=start,
                ends_on=first_end,
                concluded_at=_aware(start),
                **common,
            )
            Contract.objects.create(
                number=number,
                version=2,
                previous=old,
                status=Contract.Status.ACTIVE,
                starts_on=first_end + timedelta(days=1),
                ends_on=first_end + timedelta(days=730),
                concluded_at=_aware(first_end - timedelta(days=20)),
                **common,
            )
            continue
        ends = (
            today + timedelta(days=rng.randint(20, 58))
            if i in expiring
            else today + timedelta(days=rng.randint(120, 700))
        )
        rows.append(
            Contract(
                number=number,
                version=1,
                status=Contract.Status.EXPIRING if i in expiring else Contract.Status.ACTIVE,
                starts_on=start,
                ends_on=ends,
                concluded_at=_aware(start),
                **common,
            )
        )
    Contract.objects.bulk_create(rows, batch_size=BATCH)
    return n


def _checks(rng, terms: list[Terms], today: date, controller: User | None) -> int:
    """A check a year for every client; about one in twenty is past its review date."""
    rows = []
    for t in terms:
        expired = rng.random() < 0.05
        checked = today - timedelta(days=rng.randint(380, 500) if expired else rng.randint(20, 330))
        rows.append(
            CreditCheck(
                account_id=t.account_id,
                checked_on=checked,
                method=rng.choice(list(CreditCheck.Method.values)),
                score=rng.choice(("A", "A", "B", "B", "C")),
                result=CreditCheck.Result.APPROVED,
                next_review_on=checked + timedelta(days=365),
                checked_by=controller,
            )
        )
    CreditCheck.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def _t(model) -> str:
    return model._meta.db_table


def _add_days(expr: str, days: str) -> str:
    """SQL for the date ``expr`` plus ``days`` (an integer expression), on either database."""
    if connection.vendor == "postgresql":
        return f"(({expr}) + ({days})::integer)"
    return f"date({expr}, '+' || ({days}) || ' days')"


def _at_eight(expr: str) -> str:
    """The timestamp 08:00 UTC of the date ``expr``."""
    if connection.vendor == "postgresql":
        return f"(({expr})::timestamp AT TIME ZONE 'UTC' + interval '8 hours')"
    return f"(({expr}) || ' 08:00:00')"


def _history(director_id: int) -> None:
    """An order, its lines, a shipment and its lines and an invoice for every ledger document
    that sold (each in one INSERT ... SELECT over the ledger: the documents agree with the
    sales lines by construction). The shipment carries the document's number, as a shipment
    posted by KAM does; one in twelve was shipped a few days after the promised date."""
    now = timezone.now()
    in_force = "('active', 'expiring')"
    sl, o, ol = _t(SalesLine), _t(Order), _t(OrderLine)
    sh, shl, c, a = _t(Shipment), _t(ShipmentLine), _t(Contract), _t(Account)
    si = _t(SettlementItem)
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {o} (created_at, updated_at, account_id, number, status, contract_id,
                price_column_id, currency, requested_on, erp_number, note, total, total_base,
                version, created_by_id, submitted_at, waiting_reason, blocked_stage,
                release_comment, released_stage)
            SELECT %s, %s, s.account_id, 'O-' || s.document_number, 'delivered', c.id,
                c.price_column_id, MIN(s.currency), MIN(s.date), s.document_number, '',
                ROUND(SUM(s.revenue), 2), ROUND(SUM(s.revenue_base), 2), 1, COALESCE(a.owner_id, %s),
                {_at_eight("MIN(s.date)")}, '', '', '', ''
            FROM {sl} s
            JOIN {c} c ON c.account_id = s.account_id AND c.status IN {in_force}
            JOIN {a} a ON a.id = s.account_id
            GROUP BY s.document_number, s.account_id, c.id, c.price_column_id, a.owner_id
            HAVING SUM(s.revenue_base) >= 0 AND MIN(s.quantity) > 0""",
            [now, now, director_id],
        )
        cur.execute(
            f"""INSERT INTO {ol} (order_id, line_number, product_id, quantity, list_price,
                discount_percent, price, amount, shipped_quantity, refused_quantity,
                returned_quantity)
            SELECT o.id, s.line_number, s.product_id, s.quantity,
                ROUND(s.revenue / s.quantity, 4), 0, ROUND(s.revenue / s.quantity, 4),
                s.revenue, s.quantity, 0, 0
            FROM {sl} s JOIN {o} o ON o.number = 'O-' || s.document_number"""
        )
        cur.execute(
            f"""INSERT INTO {sh} (created_at, updated_at, order_id, number, shipped_on,
                promised_on, delivered_on, invoice_number, amount, amount_base, invoiced_on)
            SELECT %s, %s, o.id, o.erp_number, o.requested_on,
                CASE WHEN o.id %% 12 = 0 THEN {_add_days("o.requested_on", "-(1 + o.id %% 5)")}
                     ELSE o.requested_on END,
                {_add_days("o.requested_on", "o.id %% 3")}, o.erp_number, o.total, o.total_base,
                o.requested_on
            FROM {o} o""",
            [now, now],
        )
        cur.execute(
            f"""INSERT INTO {shl} (shipment_id, order_line_id, line_number, quantity, amount)
            SELECT sh.id, ol.id, ol.line_number, ol.quantity, ol.amount
            FROM {ol} ol JOIN {sh} sh ON sh.order_id = ol.order_id"""
        )
        cur.execute(
            f"""INSERT INTO {si} (created_at, updated_at, account_id, kind, document_number,
                document_date, due_date, amount, open_amount, currency, document_amount, source,
                reference, note)
            SELECT %s, %s, o.account_id, 'invoice', o.erp_number, o.requested_on,
                {_add_days("o.requested_on", "c.payment_days")}, o.total_base, o.total_base,
                o.currency, o.total, 'order', o.erp_number, ''
            FROM {o} o JOIN {c} c ON c.id = o.contract_id""",
            [now, now],
        )
        # Documents that credited the client (the ledger's returns) become return items.
        cur.execute(
            f"""INSERT INTO {si} (created_at, updated_at, account_id, kind, document_number,
                document_date, amount, open_amount, currency, document_amount, source,
                reference, note)
            SELECT %s, %s, s.account_id, 'return', s.document_number, MIN(s.date),
                ROUND(SUM(s.revenue_base), 2), ROUND(SUM(s.revenue_base), 2), MIN(s.currency),
                ROUND(SUM(s.revenue), 2),
                'order', s.document_number, ''
            FROM {sl} s
            JOIN {c} c ON c.account_id = s.account_id AND c.status IN {in_force}
            GROUP BY s.document_number, s.account_id
            HAVING SUM(s.revenue_base) < 0""",
            [now, now],
        )


def _returns(rng, reasons) -> int:
    """Each credited document as goods back against the client's latest earlier shipment,
    with a reason (the analysis page's data)."""
    credits = list(
        SettlementItem.objects.filter(kind=SettlementItem.Kind.RETURN, source="order")
        .order_by("pk")
        .values_list("account_id", "document_number", "document_date")
    )
    if not credits:
        return 0
    shipments = defaultdict(list)
    for pk, account_id, day in Shipment.objects.order_by("shipped_on", "pk").values_list(
        "pk", "order__account_id", "shipped_on"
    ):
        shipments[account_id].append((day, pk))
    first_lines = {}
    for sh_id, ol_id, qty, price in ShipmentLine.objects.filter(line_number=1).values_list(
        "shipment_id", "order_line_id", "quantity", "order_line__price"
    ):
        first_lines[sh_id] = (ol_id, qty, price)
    return_reasons = [r for r in reasons if r.kind == Reason.Kind.RETURN]
    rows, lines = [], []
    for account_id, doc, day in credits:
        earlier = [pk for d, pk in shipments[account_id] if d <= day]
        if not earlier or earlier[-1] not in first_lines:
            continue
        ret = OrderReturn(
            shipment_id=earlier[-1], number=doc, returned_on=day, reason=rng.choice(return_reasons)
        )
        rows.append(ret)
        ol_id, qty, price = first_lines[earlier[-1]]
        qty = min(Decimal(1), qty)
        lines.append((ret, ol_id, qty, _money(qty * price)))
    OrderReturn.objects.bulk_create(rows, batch_size=BATCH)
    ReturnLine.objects.bulk_create(
        [
            ReturnLine(order_return=r, order_line_id=ol, line_number=1, quantity=q, amount=a)
            for r, ol, q, a in lines
        ],
        batch_size=BATCH,
    )
    for _r, ol, q, _a in lines:
        OrderLine.objects.filter(pk=ol).update(returned_quantity=q)
    return len(rows)


def _settlements(rng, terms_by_id, today: date) -> tuple[int, int]:
    """Payments by how each client pays, allocated to their invoices; the returns settle the
    oldest invoice still open on their day. Open amounts follow from the allocations, so a
    client's balance is the sum of its open items."""
    si, al = _t(SettlementItem), _t(Allocation)
    invoices = list(
        SettlementItem.objects.filter(kind=SettlementItem.Kind.INVOICE)
        .order_by("account_id", "document_date", "pk")
        .values_list("pk", "account_id", "document_date", "due_date", "amount")
    )
    stop_from = today - timedelta(days=30 * STOPPED_MONTHS)
    delays = {name: days for name, _share, days in PAYERS}
    now = timezone.now()
    payments, allocations = [], []
    open_amount = {}
    n = 0
    for pk, account_id, day, due, amount in invoices:
        t = terms_by_id.get(account_id)
        open_amount[pk] = amount
        if t is None or (t.payer == "stopped" and day >= stop_from):
            continue
        low, high = delays[t.payer]
        pay_day = max(day, due + timedelta(days=rng.randint(low, high)))
        if pay_day > today or amount <= 0:
            continue
        n += 1
        doc = f"PAY-{pay_day:%Y%m}-{n:06d}"
        payments.append(
            (now, now, account_id, "payment", doc, pay_day, -amount, 0, "EUR", -amount,
             "import", "", "")
        )  # fmt: skip
        allocations.append((doc, pk, amount, pay_day))
        open_amount[pk] = Decimal(0)
    with connection.cursor() as cur:
        for i in range(0, len(payments), BATCH):
            cur.executemany(
                f"""INSERT INTO {si} (created_at, updated_at, account_id, kind,
                    document_number, document_date, amount, open_amount, currency,
                    document_amount, source, reference, note)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)""",
                payments[i : i + BATCH],
            )
    credit_ids = dict(
        SettlementItem.objects.exclude(kind=SettlementItem.Kind.INVOICE).values_list(
            "document_number", "pk"
        )
    )
    rows = [(credit_ids[doc], pk, amount, day, now) for doc, pk, amount, day in allocations]
    by_client = defaultdict(list)
    for pk, account_id, day, due, _amount in invoices:
        by_client[account_id].append((due, day, pk))
    for credit_id, account_id, day, amount in SettlementItem.objects.filter(
        kind=SettlementItem.Kind.RETURN
    ).values_list("pk", "account_id", "document_date", "amount"):
        left = -amount
        for _due, inv_day, pk in sorted(by_client[account_id]):
            if left <= 0:
                break
            take = min(left, open_amount[pk])
            if inv_day > day or take <= 0:
                continue
            open_amount[pk] -= take
            left -= take
            rows.append((credit_id, pk, take, day, now))
    with connection.cursor() as cur:
        for i in range(0, len(rows), BATCH):
            cur.executemany(
                f"INSERT INTO {al} (credit_id, debit_id, amount, allocated_on, created_at) "
                "VALUES (%s, %s, %s, %s, %s)",
                rows[i : i + BATCH],
            )
        cur.execute(
            f"""UPDATE {si} SET open_amount = ROUND(amount - COALESCE(
                (SELECT SUM(x.amount) FROM {al} x WHERE x.debit_id = {si}.id), 0), 2)
            WHERE kind = 'invoice'"""
        )
        cur.execute(
            f"""UPDATE {si} SET open_amount = ROUND(amount + COALESCE(
                (SELECT SUM(x.amount) FROM {al} x WHERE x.credit_id = {si}.id), 0), 2)
            WHERE kind <> 'invoice'"""
        )
    return len(invoices), len(payments)


def _promises(rng, terms: list[Terms], today: date, owners) -> int:
    """Clients who stopped paying promised to, three weeks ago, by last week: broken. A late
    payer has a promise still open."""
    rows = []
    for t in terms:
        if t.payer == "stopped":
            rows.append(
                PaymentPromise(
                    account_id=t.account_id,
                    made_on=today - timedelta(days=21),
                    promised_on=today - timedelta(days=7),
                    amount=Decimal(rng.randint(20, 80) * 100),
                    status=PaymentPromise.Status.BROKEN,
                    settled_on=today - timedelta(days=6),
                    note="Promised on the phone to pay the oldest invoices.",
                    recorded_by=owners[t.account_id],
                )
            )
    late = [t for t in terms if t.payer == "slow"][:3]
    for t in late:
        rows.append(
            PaymentPromise(
                account_id=t.account_id,
                made_on=today - timedelta(days=3),
                promised_on=today + timedelta(days=7),
                amount=Decimal(rng.randint(10, 50) * 100),
                recorded_by=owners[t.account_id],
            )
        )
    PaymentPromise.objects.bulk_create(rows)
    return len(rows)


def _discrepancy_act(rng, reasons, today: date) -> int:
    """One shortage found in a recent shipment."""
    shipment = (
        Shipment.objects.filter(shipped_on__lte=today, shipped_on__gte=today - timedelta(days=40))
        .order_by("-shipped_on", "pk")
        .first()
    )
    if shipment is None:
        return 0
    line = ShipmentLine.objects.filter(shipment=shipment).select_related("order_line").first()
    if line is None:
        return 0
    act = DiscrepancyAct.objects.create(
        shipment=shipment,
        number=f"ACT-{today:%Y}-0001",
        kind=DiscrepancyAct.Kind.SHORTAGE,
        found_on=shipment.delivered_on or shipment.shipped_on,
        reason=next(r for r in reasons if r.code == "short-delivery"),
        note="Two cartons fewer than on the delivery note; the driver signed the note.",
    )
    found = max(Decimal(0), line.quantity - max(Decimal(1), (line.quantity / 5).quantize(1)))
    DiscrepancyLine.objects.create(
        act=act, order_line=line.order_line, quantity_expected=line.quantity, quantity_found=found
    )
    return 1


def _open_orders(rng, people: dict[str, User], today: date) -> int:
    """Today's work, through the order services, so the KAM's orders, sales support's queue,
    the head's approvals and credit control's blocked orders have something on first start:
    drafts, submitted orders (one already in the ERP), one waiting for a discount beyond the
    rule and one the credit gate stopped (a client who stopped paying)."""
    from django.core.exceptions import ValidationError

    from kam.orders.services import order_create, order_enter, order_submit
    from kam.org.policy import Action, can

    supports = [u for u in people.values() if u.role == Role.SUPPORT]
    buyers = list(
        Contract.objects.filter(status__in=("active", "expiring"), account__owner__isnull=False)
        .select_related("account__owner", "price_column")
        .order_by("-credit_limit", "pk")
    )
    stopped = {
        p.account_id for p in PaymentPromise.objects.filter(status=PaymentPromise.Status.BROKEN)
    }
    plan = ["draft", "draft", "submit", "enter", "discount"]
    plan_for = [c for c in buyers if c.account_id not in stopped][: len(plan)]
    plan_for += [c for c in buyers if c.account_id in stopped][:1]
    plan += ["blocked"]
    made = 0
    for what, contract in zip(plan, plan_for, strict=False):
        kam = contract.account.owner
        products = list(
            Price.objects.filter(column=contract.price_column, valid_from__lte=today)
            .order_by("product_id")
            .values_list("product_id", flat=True)[:200]
        )
        if not products:
            continue
        picked = rng.sample(products, min(3, len(products)))
        lines = [
            {
                "product": Product.objects.get(pk=pid),
                "quantity": Decimal(rng.randint(1, 6)),
                "discount_percent": Decimal(12) if what == "discount" and i == 0 else None,
            }
            for i, pid in enumerate(picked)
        ]
        try:
            with transaction.atomic():
                order = order_create(
                    actor=kam,
                    account=contract.account,
                    requested_on=today + timedelta(days=rng.randint(3, 10)),
                    lines=lines,
                )
                if what != "draft":
                    order = order_submit(actor=kam, order=order, version=order.version)
                support = next(
                    (u for u in supports if can(u, Action.ORDER_PROCESS, contract.account)), None
                )
                if what == "enter" and support is not None and order.status == "submitted":
                    order_enter(
                        actor=support,
                        order=order,
                        version=order.version,
                        erp_number=f"ERP-{today:%y%m}-{order.pk:05d}",
                    )
        except ValidationError:  # a client the gate or the rules refuse today: next one
            continue
        made += 1
    return made


@transaction.atomic
def populate_o2c_demo(*, rng: random.Random, people: dict[str, User], today: date, start: date):
    """Write the demo's orders to cash for every buying client (see the module's docstring)."""
    accounts = list(Account.objects.exclude(status=Account.Status.POTENTIAL).order_by("pk"))
    if not accounts:
        return {}
    ids = [a.pk for a in accounts]
    director = next(u for u in people.values() if u.role == Role.DIRECTOR)
    controller = next((u for u in people.values() if u.role == Role.CREDIT), None)
    by_pk = {u.pk: u for u in people.values()}
    owners = {a.pk: by_pk.get(a.owner_id, director) for a in accounts}
    monthly = {
        row["account_id"]: row["s"] / max(row["n"], 1)
        for row in SalesLine.objects.filter(account_id__in=ids)
        .values("account_id")
        .annotate(s=Sum("revenue_base"), n=Count("month", distinct=True))
    }
    firsts = dict(
        SalesLine.objects.filter(account_id__in=ids)
        .values("account_id")
        .annotate(m=Min("date"))
        .values_list("account_id", "m")
    )
    ranked = sorted(ids, key=lambda i: -monthly.get(i, 0))
    key_ids = set(ranked[: max(1, len(ranked) // 10)])
    costs = dict(Product.objects.values_list("pk", "standard_cost"))
    columns = _price_list(costs, start)
    reasons = Reason.objects.bulk_create([Reason(kind=k, code=c, name=n) for k, c, n in REASONS])
    terms = _terms(rng, accounts, monthly, key_ids)
    terms_by_id = {t.account_id: t for t in terms}
    n_contracts = _contracts(
        rng, terms, columns, min(firsts.values(), default=start), today, owners
    )
    n_checks = _checks(rng, terms, today, controller)
    _history(director.pk)
    n_returns = _returns(rng, reasons)
    n_invoices, n_payments = _settlements(rng, terms_by_id, today)
    n_promises = _promises(rng, terms, today, owners)
    n_acts = _discrepancy_act(rng, reasons, today)
    # Open orders go through the services, which date and price them today: only a demo of
    # today has them (a demo built for another day, as the tests do, has the history alone).
    n_open = _open_orders(rng, people, today) if today == timezone.localdate() else 0
    summary = {
        "contracts": n_contracts,
        "credit_checks": n_checks,
        "orders": Order.objects.count(),
        "invoices": n_invoices,
        "payments": n_payments,
        "returns": n_returns,
        "promises": n_promises,
        "acts": n_acts,
        "open_orders": n_open,
    }
    audit_record(
        actor=None,
        action=AuditEntry.Action.IMPORT,
        entity="orders.order",
        entity_id="demo",
        summary="demo orders to cash: "
        + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()),
        changes=summary,
    )
    return summary
