"""Radar data for the demo company (wallet estimates, reference cases, partner disclosures...).

Called by kam.demo once clients, people and sales exist. Evidence is bulk-inserted with one
summarising audit entry (the demo can have 100 000 clients); the 24 monthly status snapshots go
through ``radar_snapshot_take``, which bulk-inserts too. Same rng, same data.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from kam.clients.models import Account
from kam.core.models import AuditEntry
from kam.core.periods import add_months, month_of
from kam.core.services import audit_record
from kam.org.models import Role
from kam.radar.models import (
    CompetenceConsultation,
    CompetitorShare,
    KeyFlag,
    PartnerDisclosure,
    ReferenceCase,
    WalletEstimate,
)
from kam.radar.services import radar_snapshot_take

SNAPSHOT_MONTHS = 24

COMPETITORS = [
    "Baltic Supply AS",
    "NordDistri SIA",
    "Medeks UAB",
    "Eurotrade OÜ",
    "Riga Wholesale SIA",
    "Vilnius Pharma UAB",
]
CASES = [
    ("Moved their warehouse to weekly replenishment", "stock-outs down by a third"),
    ("Ran a joint launch of a new line in 40 outlets", "sold out in six weeks"),
    ("Set up consignment stock for the peak season", "no lost sales in December"),
    ("Trained their buyers on the category", "assortment reviewed with us"),
    ("Built an EDI link for orders and invoices", "order errors near zero"),
]
DISCLOSURES = {
    PartnerDisclosure.Kind.STRATEGIC_PLANS: "Plans to open {n} new outlets next year",
    PartnerDisclosure.Kind.BUDGET: "Category budget for next year about {n}0 000 EUR",
    PartnerDisclosure.Kind.DOUBLE_PURCHASES: "Would double volume with {n} days more deferral",
    PartnerDisclosure.Kind.NO_TENDER: "Will order up to {n}0 000 EUR a year without a tender",
    PartnerDisclosure.Kind.EXCLUSIVITY: "Open to exclusivity in {n} regions for a better price",
}
TOPICS = [
    "our new price-list structure",
    "the private-label range",
    "the move to online ordering",
    "delivery windows and logistics",
    "the loyalty programme for pharmacies",
]


def _days_before(rng, today: date, low: int, high: int) -> date:
    return today - timedelta(days=rng.randrange(low, high))


def _pick(rng, pool: list, share: float, at_least: int, at_most: int) -> list:
    k = min(len(pool), max(at_least, min(at_most, int(len(pool) * share))))
    return sorted(rng.sample(pool, k), key=lambda a: a.pk) if k else []


def populate_radar_demo(*, rng, accounts, people, today) -> None:
    """Record the demo's manual key-client evidence. ``accounts``: list of Account;
    ``people``: dict username -> User; ``today``: the demo's as-of date."""
    if not accounts:
        return
    accounts = sorted(accounts, key=lambda a: a.pk)
    director = next((u for u in people.values() if u.role == Role.DIRECTOR), None)
    by_id = {u.pk: u for u in people.values()}

    def who(account):
        return by_id.get(account.owner_id, director)

    prospects = [a for a in accounts if a.status == Account.Status.POTENTIAL]
    buyers = [a for a in accounts if a.status != Account.Status.POTENTIAL]

    with transaction.atomic():
        # KC-4: wallets for some prospects (no sales yet) and some buyers.
        wallets, shares = [], []
        for account in _pick(rng, prospects, 0.3, 3, 3000) + _pick(rng, buyers, 0.05, 5, 5000):
            on = _days_before(rng, today, 10, 400)
            budget = Decimal(rng.randrange(20, 600) * 1000)
            wallets.append(
                WalletEstimate(
                    account=account,
                    annual_budget=budget,
                    currency="EUR",
                    annual_budget_base=budget,
                    categories="all our categories",
                    recorded_at=on,
                    review_on=on + timedelta(days=365),
                    recorded_by=who(account),
                )
            )
        WalletEstimate.objects.bulk_create(wallets, batch_size=2000)
        for wallet in wallets:  # bulk_create sets pks on PostgreSQL and SQLite >= 3.35
            left = 100
            for name in rng.sample(COMPETITORS, rng.randrange(1, 4)):
                pct = rng.randrange(5, max(6, left // 2 + 1))
                left -= pct
                shares.append(CompetitorShare(wallet=wallet, name=name, share_pct=pct))
        CompetitorShare.objects.bulk_create(shares, batch_size=5000)

        # KC-5..KC-8: records and flags with owners and review dates, flagged at various times
        # over the two years so that the history shows clients becoming key.
        records: list = []
        flags: list[KeyFlag] = []

        def flag(account, definition, note):
            flagged = _days_before(rng, today, 20, 700)
            # A few reviews are overdue, so the alert shows in the demo.
            review = (
                today - timedelta(days=5)
                if rng.random() < 0.1
                else today + timedelta(days=rng.randrange(30, 365))
            )
            flags.append(
                KeyFlag(
                    account=account,
                    definition=definition,
                    note=note,
                    owner=who(account),
                    flagged_on=flagged,
                    review_on=review,
                    recorded_by=who(account),
                )
            )

        for account in _pick(rng, buyers, 0.01, 3, 300):
            for _ in range(rng.randrange(1, 3)):
                what, result = rng.choice(CASES)
                records.append(
                    ReferenceCase(
                        account=account,
                        what=what,
                        result=result,
                        done_on=_days_before(rng, today, 30, 700),
                        recorded_by=who(account),
                    )
                )
            flag(account, "reference", "Well known in its industry; prospects ask about it")
        for account in _pick(rng, buyers, 0.01, 3, 300):
            for kind in rng.sample(list(DISCLOSURES), rng.randrange(1, 4)):
                records.append(
                    PartnerDisclosure(
                        account=account,
                        kind=kind,
                        text=DISCLOSURES[kind].format(n=rng.randrange(2, 9)),
                        disclosed_on=_days_before(rng, today, 10, 500),
                        recorded_by=who(account),
                    )
                )
            flag(account, "partner", "Shares plans and budget with us")
        for account in _pick(rng, buyers, 0.007, 3, 200):
            for topic in rng.sample(TOPICS, rng.randrange(1, 3)):
                records.append(
                    CompetenceConsultation(
                        account=account,
                        topic=topic,
                        consulted_on=_days_before(rng, today, 10, 500),
                        recorded_by=who(account),
                    )
                )
            flag(account, "competent", "Demanding buyer; we test proposals with them")
        for account in _pick(rng, buyers, 0.005, 2, 150):
            flag(account, "innovator", "Takes new products at once")

        for model in (ReferenceCase, PartnerDisclosure, CompetenceConsultation):
            model.objects.bulk_create([r for r in records if type(r) is model], batch_size=2000)
        KeyFlag.objects.bulk_create(flags, batch_size=2000)
        audit_record(
            actor=None,
            action=AuditEntry.Action.IMPORT,
            entity="radar.evidence",
            entity_id="demo",
            summary=f"demo radar evidence: {len(wallets)} wallets, {len(records)} records, "
            f"{len(flags)} flags",
        )

    # History: the last 24 month ends.
    first_of_this_month = month_of(today)
    for i in range(SNAPSHOT_MONTHS, 0, -1):
        month_end = add_months(first_of_this_month, -i + 1) - timedelta(days=1)
        radar_snapshot_take(actor=None, period_end=month_end)
