"""The CSV/XLSX downloads of a client's people and of the account plans (issue 11 item 9), each
with the user allowed and the one who must not see: the right content type, the rows the page
shows (its filters applied), never the personal part of a profile, the plans' health as the
plan's page computes it, and a number of queries that does not grow with the rows."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from kam.core.periods import add_months
from kam.relations import selectors_plans
from kam.relations.services import profile_update
from kam.relations.services_plans import account_plan_create, action_add, goal_add
from kam.testing import csv_rows, make_account, make_product, make_sales, xlsx_rows

pytestmark = pytest.mark.django_db


def xlsx_text(response) -> str:
    """Every cell of the workbook as one text (what a search of the file would find)."""
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return "\n".join(
        "" if v is None else str(v) for row in sheet.iter_rows(values_only=True) for v in row
    )


# --- a client's people ------------------------------------------------------------------------

PERSONAL = ("Married to a surgeon", "Orchids and sailing", "1968-04-03", "1968", "surgeon")


@pytest.fixture
def known(org, world):
    profile_update(
        actor=org.kam_anna,
        contact=world.head,
        is_vip=True,
        is_kol=True,
        specialty="Cardiology",
        affiliations="Latvian Society of Cardiology",
        publications="Heart failure in the elderly, 2021",
        speaking="Riga Cardio Days 2024",
        loyalty_company=4,
        loyalty_products=3,
        family="Married to a surgeon",
        interests="Orchids and sailing",
        birthday=date(1968, 4, 3),
    )
    return world


def test_people_download_holds_the_professional_part(org, known, sign_in):
    anna = sign_in(org.kam_anna)
    url = f"/relations/clients/{known.anna.pk}/"
    rows = csv_rows(anna.get(url, {"format": "csv"}))
    assert [r["Name"] for r in rows] == ["Juris Deputy", "Ilze Head", "Nora Nurse"]
    head = rows[1]
    assert head == {
        "Name": "Ilze Head",
        "Position": "Head of department",
        "Role in decisions": "Decision maker",
        "VIP": "yes",
        "KOL": "yes",
        "Stage": "Contact",
        "Loyalty to our company": "4",
        "Loyalty to our products": "3",
        "Specialty": "Cardiology",
        "Affiliations": "Latvian Society of Cardiology",
        "Publications": "Heart failure in the elderly, 2021",
        "Speaking": "Riga Cardio Days 2024",
    }
    assert rows[2]["VIP"] == "" and rows[2]["Specialty"] == ""  # no profile yet
    xrows = xlsx_rows(anna.get(url, {"format": "xlsx"}))
    assert xrows[1]["Affiliations"] == "Latvian Society of Cardiology"
    assert xrows[1]["Loyalty to our company"] == 4
    page = anna.get(url).content.decode()
    assert 'id="export-csv"' in page and 'id="export-xlsx"' in page
    # another KAM, and one of another department: 404 as for a missing client
    for user in (org.kam_boris, org.kam_sigrid):
        assert sign_in(user).get(url, {"format": "csv"}).status_code == 404


@pytest.mark.parametrize("who", ["kam_anna", "regional_north", "head_north"])
def test_people_download_never_holds_the_personal_part(org, known, sign_in, who):
    """Anna and her managers see the birthday, family and interests on the profile page; the
    download leaves them out all the same (AC-4: "never exported")."""
    client = sign_in(getattr(org, who))
    page = client.get(f"/relations/people/{known.head.pk}/").content.decode()
    assert "Married to a surgeon" in page and "Orchids and sailing" in page  # seen on screen
    url = f"/relations/clients/{known.anna.pk}/"
    csv_response = client.get(url, {"format": "csv"})
    body = csv_response.content.decode("utf-8-sig")
    assert "Cardiology" in body
    xlsx_response = client.get(url, {"format": "xlsx"})
    text = xlsx_text(xlsx_response)
    assert "Cardiology" in text
    for value in PERSONAL:
        assert value not in body and value not in text
    for header in ("Birthday", "Family", "Interests"):
        assert header not in csv_rows(csv_response)[0] and header not in xlsx_rows(xlsx_response)[0]


def test_people_download_queries_do_not_grow_with_the_people(
    org, known, sign_in, django_assert_num_queries
):
    from kam.relations.tests.conftest import person

    anna = sign_in(org.kam_anna)
    url = f"/relations/clients/{known.anna.pk}/?format=csv"
    with CaptureQueriesContext(connection) as before:
        assert len(csv_rows(anna.get(url))) == 3
    for i in range(5):
        c = person(known.anna, f"Extra{i}", "Person")
        profile_update(actor=org.kam_anna, contact=c, specialty=f"Field {i}")
    with django_assert_num_queries(len(before.captured_queries)):
        assert len(csv_rows(anna.get(url))) == 8


# --- account plans ----------------------------------------------------------------------------


def make_plan(org, account, *, title="Aurora 2026", budget="1000", manager=None):
    manager = manager or org.regional_north
    plan = account_plan_create(
        actor=manager,
        account=account,
        title=title,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        budget=budget,
    ).obj
    goal_add(
        actor=manager,
        plan=plan,
        text="Grow turnover",
        measure="EUR",
        target_value="100000",
        current_value="25000",
        due_on=date(2026, 12, 31),
    )
    goal_add(
        actor=manager,
        plan=plan,
        text="Second line listed",
        target_value="1",
        due_on=date(2026, 12, 31),
    )
    today = timezone.localdate()
    for text, cost, due in (
        ("Present the new line", "200", today + timedelta(days=30)),
        ("Visit the board", "150.50", today + timedelta(days=40)),
    ):
        action_add(
            actor=manager,
            plan=plan,
            text=text,
            owner=account.owner,
            due_on=due,
            cost=cost,
        )
    return plan


def overdue(plan, text):
    """Time passes: the action's due date is behind us (the service refuses a past one)."""
    plan.actions.filter(text=text).update(due_on=timezone.localdate() - timedelta(days=3))


@pytest.fixture
def income(world):
    """Aurora's income: 300 in the last 6 months before this month, 1 000 in the 6 before."""
    this = timezone.localdate().replace(day=1)
    make_sales(
        product=make_product(),
        sales=[
            (world.anna, add_months(this, -2), "500", "200"),
            (world.anna, add_months(this, -9), "1500", "500"),
        ],
    )


def test_plans_download_for_the_kam_and_not_for_another(org, world, income, sign_in):
    plan = make_plan(org, world.anna)
    overdue(plan, "Visit the board")
    anna = sign_in(org.kam_anna)
    [row] = csv_rows(anna.get("/relations/account-plans/?format=csv"))
    today = timezone.localdate()
    view = selectors_plans.plan_detail(user=org.kam_anna, plan=plan, as_of=today)
    assert view.health.score is not None
    assert row == {
        "Client": "Aurora Hospital SIA",
        "Registration number": world.anna.registration_number,
        "Title": "Aurora 2026",
        "VIP/KOL project": "",
        "From": "2026-01-01",
        "To": "2026-12-31",
        "KAM": "Anna Kam",
        "Development level": "D1",
        "Status": "Draft",
        "Next review": plan.next_review_on.isoformat() if plan.next_review_on else "",
        "Budget": "1000.00",
        "Currency": plan.currency,
        "Committed": "350.50",
        "Goals": "2",
        "Actions overdue": "1",
        "Health": str(view.health.score),  # the plan's page's score
    }
    [xrow] = xlsx_rows(anna.get("/relations/account-plans/?format=xlsx"))
    assert xrow["Committed"] == Decimal("350.50") and xrow["Budget"] == Decimal("1000")
    assert xrow["Health"] == view.health.score and xrow["Actions overdue"] == 1
    page = anna.get("/relations/account-plans/?level=D1").content.decode()
    assert 'id="export-csv"' in page and "level=D1" in page and "format=csv" in page
    # Sigrid (another department) and Boris (another KAM) find none of Anna's plans
    sigrid_plan = make_plan(org, world.sigrid, title="Sud 2026", manager=org.head_south)
    rows = csv_rows(sign_in(org.kam_sigrid).get("/relations/account-plans/?format=csv"))
    assert [r["Title"] for r in rows] == ["Sud 2026"] and sigrid_plan.account == world.sigrid
    assert csv_rows(sign_in(org.kam_boris).get("/relations/account-plans/?format=csv")) == []


def test_plans_download_honours_the_filters(org, world, sign_in):
    make_plan(org, world.anna, title="Aurora 2026")
    other = make_account(owner=org.kam_anna, legal_name="Birch Clinic SIA")
    birch = make_plan(org, other, title="Birch 2026")
    birch.__class__.objects.filter(pk=birch.pk).update(status="active", level="D3")
    regional = sign_in(org.regional_north)
    rows = csv_rows(regional.get("/relations/account-plans/?format=csv"))
    assert sorted(r["Title"] for r in rows) == ["Aurora 2026", "Birch 2026"]
    rows = csv_rows(regional.get("/relations/account-plans/?level=D3&format=csv"))
    assert [r["Title"] for r in rows] == ["Birch 2026"]
    rows = csv_rows(regional.get("/relations/account-plans/?status=draft&format=csv"))
    assert [r["Title"] for r in rows] == ["Aurora 2026"]
    assert rows[0]["Health"] != "" and rows[0]["Actions overdue"] == "0"


def test_plans_download_makes_the_same_queries_for_one_plan_or_many(
    org, world, income, sign_in, django_assert_num_queries
):
    make_plan(org, world.anna)
    anna = sign_in(org.kam_anna)
    anna.get("/relations/account-plans/?format=csv")  # warm the radar's and settings' caches
    with CaptureQueriesContext(connection) as one:
        assert len(csv_rows(anna.get("/relations/account-plans/?format=csv"))) == 1
    for i in range(4):
        account = make_account(owner=org.kam_anna, legal_name=f"Client {i} SIA")
        make_plan(org, account, title=f"Plan {i}")
        make_plan(org, world.anna, title=f"Aurora project {i}")
    with django_assert_num_queries(len(one.captured_queries)):
        rows = csv_rows(anna.get("/relations/account-plans/?format=csv"))
    assert len(rows) == 9
    aurora = {r["Health"] for r in rows if r["Client"] == "Aurora Hospital SIA"}
    assert len(aurora) == 1  # the same client's income judged alike on each of its plans
