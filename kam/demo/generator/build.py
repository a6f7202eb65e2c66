"""Writes the planned demo company into the database, through the services where volumes allow.

People, departments, products and (up to a few thousand) clients go through the audited
services; larger client bases are bulk-inserted with one summarising audit entry. The ledger goes
through ``sales_lines_write`` in chunks, or on PostgreSQL at benchmark sizes through COPY and one
roll-up refresh at the end.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from kam.activity.demo import populate_activity_demo
from kam.activity.demo_events import populate_events_demo
from kam.activity.demo_tasks import populate_tasks_demo
from kam.catalog.services import category_get_or_create, product_create
from kam.clients.models import Account, Contact
from kam.clients.services import account_create, contact_create, ownership_backfill
from kam.core.models import AuditEntry
from kam.core.selectors import rate_table
from kam.core.services import audit_record, company_settings_update, currency_rate_set
from kam.demo.generator import vocabulary as v
from kam.demo.generator.ledger import LedgerGenerator, Row, rub_rates
from kam.demo.generator.o2c import populate_o2c_demo
from kam.demo.generator.plan import (
    ANCHOR_SHARE,
    DEPARTMENTS,
    PEOPLE,
    SECOND_SHARE,
    ClientPlan,
    history_months,
    plan_catalogue,
    plan_clients,
)
from kam.org.models import Department, Role, Territory, User
from kam.org.services import department_create, territory_get_or_create, user_create
from kam.pay.demo import populate_pay_demo
from kam.plans.demo import populate_plans_demo
from kam.promotions.demo import populate_promotions_demo
from kam.radar.demo import populate_radar_demo
from kam.relations.demo import populate_relations_demo
from kam.relations.demo_plans import populate_account_plans_demo
from kam.sales.models import ClientMonth, ClientRunningTotal, FirstPurchase, SalesLine
from kam.sales.services import LedgerLine, client_month_refresh, sales_lines_write

# Above this many clients the per-client services (each with its audit row) give way to bulk
# inserts with one audit entry for the lot.
BULK_CLIENTS_OVER = 3000
# On PostgreSQL, COPY the ledger when there are more clients than this.
COPY_CLIENTS_OVER = 3000
CHUNK_LINES = 20_000
CHUNK_CLIENTS = 1000  # keeps sales_lines_write's roll-up refresh per-client, not full

Progress = Callable[[str, float], None]


@dataclass
class DemoResult:
    company: str
    today: date
    months: list[date]
    password: str
    people: dict[str, User]
    accounts: int
    lines: int
    departments: dict[str, Department] = field(default_factory=dict)


def _quiet(_stage: str, _fraction: float) -> None:
    return None


def build_demo(
    *,
    scale: float = 1.0,
    seed: int = 1,
    today: date,
    password: str,
    progress: Progress | None = None,
) -> DemoResult:
    """Create the whole demo company in one transaction. Same seed and today, same data."""
    progress = progress or _quiet
    months = history_months(today)
    with transaction.atomic():
        company_settings_update(actor=None, name=v.COMPANY_NAME, base_currency="EUR")
        departments, people = _organisation(password)
        rates = rub_rates(seed, months)
        for month, rate in zip(months, rates, strict=True):
            currency_rate_set(
                actor=None, currency="RUB", valid_from=month, rate=Decimal(rate).scaleb(-8)
            )
        products = plan_catalogue(seed=seed, scale=scale, today=today)
        product_ids = _catalogue(products)
        clients = plan_clients(seed=seed, scale=scale, products=products)
        account_ids = _clients(clients, people, progress)
        generator = LedgerGenerator(
            seed=seed, scale=scale, months=months, products=products, rub_rates=rates
        )
        use_copy = connection.vendor == "postgresql" and len(clients) > COPY_CLIENTS_OVER
        writer = _CopyWriter() if use_copy else _ServiceWriter()
        lines = _ledger(clients, generator, account_ids, product_ids, writer, progress)
        audit_record(
            actor=None,
            action=AuditEntry.Action.IMPORT,
            entity="sales.salesline",
            entity_id="demo",
            summary=f"demo ledger: {lines} lines for {len(clients)} clients, seed {seed}",
        )
        accounts = list(Account.objects.order_by("pk"))
        populate_radar_demo(
            rng=random.Random(seed + 1), accounts=accounts, people=people, today=today
        )
        # Issue 10: a promotion whose extra sales go into the ledger before orders to cash is
        # built from the ledger (so its sales are orders, shipments and invoices like any
        # other); then plans from the ledger's fact and pay (its cuts read the plans, its paid
        # basis the receivables). Issue 11: the schedule and the people, then the events (their
        # invitations favour the VIPs and KOLs the people's step marks).
        start = months[0]
        populate_promotions_demo(
            rng=random.Random(seed + 5), people=people, today=today, start=start
        )
        populate_o2c_demo(rng=random.Random(seed + 2), people=people, today=today, start=start)
        for step, populate in (
            (3, populate_plans_demo),
            (4, populate_pay_demo),
            (6, populate_activity_demo),
            (9, populate_tasks_demo),
            (7, populate_relations_demo),
            (8, populate_account_plans_demo),
            (10, populate_events_demo),
        ):
            populate(rng=random.Random(seed + step), people=people, today=today, start=start)
    return DemoResult(
        company=v.COMPANY_NAME,
        today=today,
        months=months,
        password=password,
        people=people,
        accounts=len(clients),
        lines=lines,
        departments=departments,
    )


def _organisation(password: str) -> tuple[dict[str, Department], dict[str, User]]:
    departments: dict[str, Department] = {}
    for key, (name, parent) in DEPARTMENTS.items():
        departments[key] = department_create(
            actor=None, name=name, parent=departments[parent] if parent else None
        )
    for name, *_rest in v.COUNTRIES.values():
        territory_get_or_create(name=name, kind=Territory.Kind.TERRITORY)
    for segment in dict.fromkeys(spec[0] for spec in v.INDUSTRIES.values()):
        territory_get_or_create(name=segment, kind=Territory.Kind.SEGMENT)
    people: dict[str, User] = {}
    for p in PEOPLE:
        territory = (
            territory_get_or_create(name=p.territory[0], kind=p.territory[1])
            if p.territory
            else None
        )
        people[p.username] = user_create(
            actor=None,
            username=p.username,
            password=None,
            role=p.role,
            first_name=p.first_name,
            last_name=p.last_name,
            email=f"{p.username}@balticmedical.example",
            department=departments[p.department],
            manager=people[p.manager] if p.manager else None,
            territory=territory,
            is_superuser=p.role == Role.ADMIN,
        )  # fmt: skip
    # Everyone shares one password, so hash it once: a PBKDF2 hash costs about 0.4 s and
    # there are 16 people.
    User.objects.filter(pk__in=[u.pk for u in people.values()]).update(
        password=make_password(password)
    )
    for user in people.values():
        user.refresh_from_db(fields=["password"])
    return departments, people


def _catalogue(products) -> list[int]:
    categories = {code: category_get_or_create(name=spec[0]) for code, spec in v.CATEGORIES.items()}
    ids = []
    for p in products:
        ids.append(
            product_create(
                actor=None,
                sku=p.sku,
                name=p.name,
                category=categories[p.category],
                unit=p.unit,
                standard_cost=Decimal(p.cost_cents).scaleb(-2),
                currency="EUR",
                launched_on=p.launched_on,
            ).pk
        )
    return ids


def _account_fields(c: ClientPlan, people, territories) -> dict:
    owner = people[c.owner]
    return {
        "registration_number": c.registration_number,
        "vat_number": c.vat_number,
        "industry": c.industry,
        "segment": territories[(c.segment, Territory.Kind.SEGMENT)],
        "territory": territories[(v.COUNTRIES[c.country][0], Territory.Kind.TERRITORY)],
        "owner": owner,
        "department": owner.department,
        "status": c.status,
        "city": c.city,
        "country": c.country,
        "website": c.website,
    }


def _contact_fields(contact) -> dict:
    return {
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "position": contact.position,
        "decision_role": contact.decision_role,
        "email": contact.email,
        "phone": contact.phone,
    }


def _clients(clients: list[ClientPlan], people, progress: Progress) -> dict[int, int]:
    """Create the accounts and their contacts; returns client no -> account id."""
    territories = {(t.name, t.kind): t for t in Territory.objects.all()}
    ids: dict[int, int] = {}
    if len(clients) <= BULK_CLIENTS_OVER:
        step = max(1, len(clients) // 10)
        for i, c in enumerate(clients):
            if i % step == 0:
                progress("clients", i / len(clients))
            account = account_create(
                actor=None, legal_name=c.legal_name, **_account_fields(c, people, territories)
            )
            for contact in c.contacts:
                contact_create(actor=None, account=account, **_contact_fields(contact))
            ids[c.no] = account.pk
        progress("clients", 1.0)
        return ids
    for start in range(0, len(clients), 2000):
        part = clients[start : start + 2000]
        # Both SQLite (3.35+) and PostgreSQL return the new keys from a bulk insert.
        accounts = Account.objects.bulk_create(
            [
                Account(legal_name=c.legal_name, **_account_fields(c, people, territories))
                for c in part
            ]
        )
        for c, account in zip(part, accounts, strict=True):
            ids[c.no] = account.pk
        Contact.objects.bulk_create(
            [
                Contact(account_id=ids[c.no], **_contact_fields(contact))
                for c in part
                for contact in c.contacts
            ]
        )
        progress("clients", (start + len(part)) / len(clients))
    # The bulk path skips the services, so each client's ownership history starts here.
    ownership_backfill(account_ids=ids.values())
    audit_record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        entity="clients.account",
        entity_id="demo",
        summary=f"demo: {len(clients)} clients and "
        f"{sum(len(c.contacts) for c in clients)} contacts created in bulk",
    )
    return ids


def _ledger(clients, generator: LedgerGenerator, account_ids, product_ids, writer, progress):
    """The tail first, then the two big clients, each fitted to what the others really earned:
    the second to SECOND_SHARE, the anchor to ANCHOR_SHARE of the company (KC-2, KC-3)."""
    anchor, second, tail = clients[0], clients[1], clients[2:]
    income = 0
    step = max(1, len(tail) // 20)
    for i, c in enumerate(tail):
        rows = generator.client_rows(c)
        income += generator.window_income(rows)
        rows = generator.in_currency(rows, c.currency)
        writer.add(account_ids[c.no], c.currency, rows, product_ids)
        if (i + 1) % step == 0:
            progress("ledger", (i + 1) / len(clients))
    share = SECOND_SHARE / (1 - ANCHOR_SHARE)
    rows = generator.fit_share(generator.client_rows(second), income, share)
    income += generator.window_income(rows)
    writer.add(account_ids[second.no], second.currency, rows, product_ids)
    rows = generator.fit_share(generator.client_rows(anchor), income, ANCHOR_SHARE)
    writer.add(account_ids[anchor.no], anchor.currency, rows, product_ids)
    written = writer.finish()
    progress("ledger", 1.0)
    return written


def _cents(value: int) -> Decimal:
    return Decimal(value).scaleb(-2)


class _ServiceWriter:
    """Chunks of ``sales_lines_write``: converts currency and keeps ClientMonth current."""

    def __init__(self):
        self.buffer: list[LedgerLine] = []
        self.clients = 0
        self.written = 0

    def add(self, account_id: int, currency: str, rows: list[Row], product_ids) -> None:
        self.buffer.extend(
            LedgerLine(
                date=d,
                account_id=account_id,
                product_id=product_ids[p],
                quantity=Decimal(q),
                revenue=_cents(rev),
                cost=_cents(cost),
                currency=currency,
                document_number=doc,
                line_number=ln,
            )
            for d, p, q, rev, cost, doc, ln in rows
        )
        self.clients += 1
        if len(self.buffer) >= CHUNK_LINES or self.clients >= CHUNK_CLIENTS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            self.written += sales_lines_write(
                actor=None, lines=self.buffer, source="demo", audit=False
            )
        self.buffer, self.clients = [], 0

    def finish(self) -> int:
        self.flush()
        return self.written


def _copy_text(value: int) -> str:
    sign = "-" if value < 0 else ""
    value = abs(value)
    return f"{sign}{value // 100}.{value % 100:02d}"


class _CopyWriter:
    """PostgreSQL COPY straight into the ledger table, base amounts computed here with the same
    rate table ``sales_lines_write`` uses; one ClientMonth rebuild at the end."""

    COLUMNS = (
        "date, month, account_id, product_id, quantity, revenue, cost, currency, "
        "revenue_base, cost_base, document_number, line_number"
    )

    def __init__(self):
        self.rates = rate_table()
        self.parts: list[str] = []
        self.pending = 0
        self.written = 0

    def add(self, account_id: int, currency: str, rows: list[Row], product_ids) -> None:
        out = self.parts
        for d, p, q, rev, cost, doc, ln in rows:
            if currency == self.rates.base:
                rev_base, cost_base = _copy_text(rev), _copy_text(cost)
            else:
                rev_base = str(self.rates.convert(_cents(rev), currency, d))
                cost_base = str(self.rates.convert(_cents(cost), currency, d))
            out.append(
                f"{d.isoformat()}\t{d.year:04d}-{d.month:02d}-01\t{account_id}\t{product_ids[p]}\t"
                f"{q}\t{_copy_text(rev)}\t{_copy_text(cost)}\t{currency}\t{rev_base}\t{cost_base}\t"
                f"{doc}\t{ln}\n"
            )
        self.pending += len(rows)
        if self.pending >= 50_000:
            self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        table = SalesLine._meta.db_table
        sql = f"COPY {table} ({self.COLUMNS}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write("".join(self.parts))
        self.written += self.pending
        self.parts, self.pending = [], 0

    def finish(self) -> int:
        self.flush()
        client_month_refresh(account_ids=None)
        # Millions of rows arrived behind the planner's back: without fresh statistics the
        # first reads (the radar, the benchmark) plan as if the tables were empty.
        with connection.cursor() as cur:
            for model in (SalesLine, ClientMonth, ClientRunningTotal, FirstPurchase):
                cur.execute(f"ANALYZE {model._meta.db_table}")
        return self.written
