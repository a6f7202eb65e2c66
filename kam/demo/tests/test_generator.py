"""The demo company: deterministic, realistic, and shaped so every radar rule has a case."""

import hashlib
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q, Sum

from kam.catalog.models import Product
from kam.clients.models import Account, AccountOwnership, Contact
from kam.core.models import CurrencyRate
from kam.demo.generator import build as build_module
from kam.demo.generator.build import build_demo
from kam.demo.generator.plan import ANCHOR_NAME
from kam.org.models import Department, Role, User
from kam.org.services import user_create
from kam.sales.models import ClientMonth, SalesLine

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 15)
WINDOW_START = date(2024, 6, 1)  # the last 12 complete months before TODAY
SCALE = 0.05


def build(seed: int = 7):
    return build_demo(scale=SCALE, seed=seed, today=TODAY, password="demo-pass-1")


def fingerprint() -> dict:
    """Counts, sums and a digest of every ledger line by natural keys (ids differ between
    builds on PostgreSQL, whose sequences do not roll back)."""
    sums = SalesLine.objects.aggregate(
        revenue=Sum("revenue"),
        cost=Sum("cost"),
        revenue_base=Sum("revenue_base"),
        cost_base=Sum("cost_base"),
        quantity=Sum("quantity"),
    )
    digest = hashlib.sha256()
    for row in SalesLine.objects.order_by("document_number", "line_number").values_list(
        "document_number",
        "line_number",
        "date",
        "account__registration_number",
        "product__sku",
        "quantity",
        "revenue",
        "cost",
        "currency",
    ):
        digest.update(repr(row).encode())
    for row in Account.objects.order_by("registration_number").values_list(
        "registration_number", "legal_name", "owner__username", "status", "city", "vat_number"
    ):
        digest.update(repr(row).encode())
    # Each owned client's ownership history (issue 7 §6), whichever path built it.
    for row in AccountOwnership.objects.order_by("account__registration_number").values_list(
        "account__registration_number", "owner__username", "started_on", "ended_on"
    ):
        digest.update(repr(row).encode())
    return {
        "ownerships": AccountOwnership.objects.count(),
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "products": Product.objects.count(),
        "people": User.objects.count(),
        "departments": Department.objects.count(),
        "lines": SalesLine.objects.count(),
        "client_months": ClientMonth.objects.count(),
        "rates": CurrencyRate.objects.count(),
        **sums,
        "digest": digest.hexdigest(),
    }


def build_and_fingerprint(seed: int = 7) -> dict:
    with transaction.atomic():
        build(seed)
        result = fingerprint()
        transaction.set_rollback(True)
    return result


def income_by_account() -> dict[int, Decimal]:
    rows = (
        ClientMonth.objects.filter(month__gte=WINDOW_START)
        .values("account_id")
        .annotate(revenue=Sum("revenue"), cost=Sum("cost"))
    )
    return {r["account_id"]: r["revenue"] - r["cost"] for r in rows}


def test_same_seed_and_today_give_identical_data():
    first = build_and_fingerprint()
    assert Account.objects.count() == 0  # the first build really was rolled back
    assert first["lines"] > 1000
    assert build_and_fingerprint() == first


def test_bulk_paths_give_the_same_data_as_the_services(monkeypatch):
    """Above a few thousand clients accounts are bulk-inserted (and on PostgreSQL the ledger is
    COPYed): the data must not depend on the path taken."""
    by_services = build_and_fingerprint()
    monkeypatch.setattr(build_module, "BULK_CLIENTS_OVER", 0)
    monkeypatch.setattr(build_module, "COPY_CLIENTS_OVER", 0)
    assert build_and_fingerprint() == by_services


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One build shared by the read-only checks below, rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build()
        transaction.set_rollback(True)


class TestDemoCompany:
    """Read-only checks on one shared build."""

    def test_one_client_is_a_critical_dependency_near_22_percent(self, demo):
        # KC-3, KC-1: income = revenue - cost over the last 12 months.
        income = income_by_account()
        total = sum(income.values())
        shares = {pk: value / total for pk, value in income.items()}
        critical = [pk for pk, share in shares.items() if share >= Decimal("0.20")]
        assert len(critical) == 1
        assert Decimal("0.20") <= shares[critical[0]] <= Decimal("0.25")
        anchor = Account.objects.get(pk=critical[0])
        assert (anchor.legal_name, anchor.owner.username) == (ANCHOR_NAME, "kam.vitols")
        # KC-2: a second client is key by its share (default 10 %) without being critical.
        assert sorted(shares.values())[-2] >= Decimal("0.10")

    def test_potential_clients_have_no_purchases(self, demo):
        potential = Account.objects.filter(status=Account.Status.POTENTIAL)
        assert potential.count() >= 3
        assert not SalesLine.objects.filter(account__in=potential).exists()
        assert SalesLine.objects.filter(account__status=Account.Status.ACTIVE).exists()

    def test_some_clients_are_loss_making_and_some_lines_are_returns(self, demo):
        assert any(value < 0 for value in income_by_account().values())
        returns = SalesLine.objects.filter(quantity__lt=0)
        assert returns.exists()
        assert not returns.filter(revenue__gt=0).exists()

    def test_history_is_24_months_ending_with_the_last_complete_month(self, demo):
        months = list(
            ClientMonth.objects.order_by("month").values_list("month", flat=True).distinct()
        )
        assert months[0] == date(2023, 6, 1)
        assert months[-1] == date(2025, 5, 1)
        assert len(months) == 24
        assert not SalesLine.objects.filter(date__gte=date(2025, 6, 1)).exists()

    def test_roll_up_equals_the_ledger(self, demo):
        ledger = SalesLine.objects.aggregate(
            revenue=Sum("revenue_base"), cost=Sum("cost_base"), lines=Count("id")
        )
        rollup = ClientMonth.objects.aggregate(
            revenue=Sum("revenue"), cost=Sum("cost"), lines=Sum("lines")
        )
        cent = Decimal("0.01")
        # SQLite sums decimals as floats: compare to the cent.
        assert {k: Decimal(v).quantize(cent) for k, v in ledger.items()} == {
            k: Decimal(v).quantize(cent) for k, v in rollup.items()
        }

    def test_some_clients_buy_in_rubles_converted_at_the_month_rate(self, demo):
        rub = SalesLine.objects.filter(currency="RUB")
        assert rub.exists()
        assert set(SalesLine.objects.values_list("currency", flat=True).distinct()) == {
            "EUR",
            "RUB",
        }
        line = rub.filter(revenue__gt=0).first()
        rate = CurrencyRate.objects.filter(currency="RUB", valid_from__lte=line.date).first()
        assert line.revenue_base == (line.revenue * rate.rate).quantize(Decimal("0.01"))
        assert line.revenue_base < line.revenue / 50  # roughly 1 EUR to 100 RUB
        assert CurrencyRate.objects.filter(currency="RUB").count() == 24

    def test_every_client_has_a_kam_owner_who_sees_it_and_another_kam_does_not(self, demo):
        assert not Account.objects.filter(Q(owner=None) | Q(department=None)).exists()
        assert not Account.objects.exclude(owner__role=Role.KAM).exists()
        assert not Account.objects.exclude(department=F("owner__department")).exists()
        liepa, kask = demo.people["kam.liepa"], demo.people["kam.kask"]
        for kam in User.objects.filter(role=Role.KAM):
            own = set(Account.objects.filter(owner=kam).values_list("pk", flat=True))
            assert set(Account.objects.visible_to(kam).values_list("pk", flat=True)) == own
        liepa_client = Account.objects.filter(owner=liepa).first()
        assert Account.objects.visible_to(liepa).filter(pk=liepa_client.pk).exists()
        assert not Account.objects.visible_to(kask).filter(pk=liepa_client.pk).exists()

    def test_organisation_people_and_catalogue(self, demo):
        people = demo.people
        assert User.objects.filter(role=Role.KAM).count() == 8
        regional = people["regional.baltics"]
        assert set(regional.reports.values_list("username", flat=True)) == {
            "kam.jonaitis",
            "kam.kask",
            "kam.tamm",
        }
        assert people["kam.jonaitis"].department.parent == people["head.pharmacy"].department
        assert people["director"].role == Role.DIRECTOR
        assert people["admin"].is_superuser
        assert people["kam.liepa"].check_password("demo-pass-1")
        assert people["credit"].check_password("demo-pass-1")
        contacts = Account.objects.annotate(n=Count("contacts")).values_list("n", flat=True)
        assert min(contacts) >= 1
        assert max(contacts) <= 4
        assert set(Account.objects.values_list("country", flat=True)) <= {"LV", "LT", "EE"}
        assert Product.objects.filter(launched_on__gte=date(2023, 6, 15)).exists()
        assert not Product.objects.exclude(category__isnull=False).exists()


# --- the command ------------------------------------------------------------------------------


def run_demo(*args) -> str:
    out, err = StringIO(), StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_command_prints_and_saves_the_logins_and_if_empty_then_does_nothing(
    settings, tmp_path, client
):
    settings.DATA_DIR = tmp_path
    args = ("--scale", "0.05", "--today", "2025-06-15", "--if-empty")
    out = run_demo(*args, "--password", "open-sesame-7")
    for username in ("director", "head.hospitals", "regional.baltics", "kam.liepa", "credit"):
        assert username in out
    assert "open-sesame-7" in out
    assert "http://127.0.0.1:8000/" in out
    saved = (tmp_path / "demo-logins.txt").read_text(encoding="utf-8")
    assert saved in out
    assert client.login(username="kam.liepa", password="open-sesame-7")
    assert not client.login(username="kam.liepa", password="wrong")

    before = fingerprint()
    again = run_demo(*args)
    assert fingerprint() == before
    assert again.strip() == saved.strip()
    with pytest.raises(CommandError, match="already has clients"):
        run_demo("--scale", "0.05")


def test_default_password_is_random_and_shared(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    out = run_demo("--scale", "0.05", "--today", "2025-06-15")
    director_row = next(line for line in out.splitlines() if line.startswith("director "))
    password = director_row.split()[-1]
    assert len(password) >= 10
    assert User.objects.get(username="director").check_password(password)
    assert User.objects.get(username="kam.kask").check_password(password)


def test_a_database_with_its_own_people_is_not_empty(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    user_create(actor=None, username="admin", password="x-123456789", role=Role.ADMIN)
    with pytest.raises(CommandError, match="demo usernames already exist: admin"):
        run_demo("--scale", "0.05")
    out = run_demo("--scale", "0.05", "--if-empty")
    assert "not loaded" in out
    assert not Account.objects.exists()
