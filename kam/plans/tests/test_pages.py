"""The plan pages, the API, the command and the home panel: 200 for the allowed, 404/403 for
the other (SE-1: two users each)."""

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import load_workbook

from kam.plans.models import Plan
from kam.plans.selectors import home_panel
from kam.plans.services import plan_set
from kam.testing import make_account, make_product, make_sale


@pytest.fixture
def planned(org):
    product = make_product()
    client = make_account(owner=org.kam_anna, legal_name="Ābols SIA")
    make_sale(account=client, product=product, on=date(2026, 10, 5), revenue="90", cost="50")
    plan_set(
        actor=org.director,
        period="2026-10",
        level="department",
        department=org.north,
        turnover="500",
        active_clients=5,
        new_clients=2,
    )
    plan_set(
        actor=org.head_north,
        period="2026-10",
        level="person",
        person=org.kam_anna,
        turnover="100",
        active_clients=2,
        new_clients=1,
    )
    return client


def test_the_plan_fact_page_per_role(org, login, planned):
    q = "?level=manager&period=2026-10&as_of=2026-10-31"
    r = login(org.kam_anna).get(f"/plans/{q}")
    assert r.status_code == 200
    html = r.content.decode()
    assert "Anna" in html and "90.00" in html and "90.00</a>" in html
    assert "Sigrid" not in html and 'id="plan-fact-chart"' in html
    assert login(org.kam_anna).get(f"/plans/{q}&unit={org.kam_sigrid.pk}").status_code == 404
    r = login(org.head_north).get(f"/plans/{q}&unit={org.kam_anna.pk}")
    assert r.status_code == 200 and "90.00" in r.content.decode()
    assert login(org.kam_anna).get("/plans/?period=2026-13").status_code == 400
    r = login(org.director).get("/plans/?level=company&period=2026-10&as_of=2026-10-31&export=xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in sheet[2]][:4] == ["company", None, "Company", None]


def test_the_drill_down_page(org, login, planned):
    url = (
        f"/plans/clients/?level=manager&unit={org.kam_anna.pk}&period=2026-10"
        "&measure=turnover&as_of=2026-10-31"
    )
    r = login(org.head_north).get(url)
    assert r.status_code == 200 and "Ābols SIA" in r.content.decode()
    assert login(org.head_south).get(url).status_code == 404
    assert login(org.head_north).get(url.replace("turnover", "bogus")).status_code == 400


def test_the_set_page_saves_and_refuses(org, login, planned):
    c = login(org.regional_north)
    assert c.get("/plans/set/?period=2026-10").status_code == 200
    data = {
        "period": "2026-10",
        "level": "person",
        "person": org.kam_boris.pk,
        "turnover": "450",
        "active_clients": "1",
        "new_clients": "0",
    }
    r = c.post("/plans/set/", data)
    assert r.status_code == 422 and "by 50.00" in r.content.decode()
    assert not Plan.objects.filter(person=org.kam_boris).exists()
    data["turnover"] = "400"
    assert c.post("/plans/set/", data).status_code == 302
    data.update(person=org.kam_sigrid.pk)  # not Rita's: not even offered
    assert c.post("/plans/set/", data).status_code == 422
    assert not Plan.objects.filter(person=org.kam_sigrid).exists()
    assert login(org.kam_anna).get("/plans/set/").status_code == 403
    # The head confirms a split past North's plan: saved, and the list says by how much.
    h = login(org.head_north)
    data.update(person=org.kam_boris.pk, turnover="450", confirm_over="on")
    r = h.post("/plans/set/", data, follow=True)
    assert r.status_code == 200 and "exceeds" in r.content.decode()
    assert "over by 50.00" in h.get("/plans/set/?period=2026-10").content.decode()
    assert (
        h.post(
            "/plans/settings/", {"active_min_documents": "1", "active_min_turnover": "0"}
        ).status_code
        == 403
    )
    assert (
        login(org.director)
        .post("/plans/settings/", {"active_min_documents": "0", "active_min_turnover": "0"})
        .status_code
        == 422
    )
    r = login(org.head_north).get("/plans/export/?period=2026-10")
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet.max_row == 4  # header, North, Anna, Boris


def test_the_api(org, login, planned):
    c = login(org.kam_anna)
    r = c.get("/api/plans/fact?level=manager&period=2026-10&as_of=2026-10-31")
    assert r.status_code == 200
    [row] = r.json()["rows"]
    assert row["measures"]["turnover"] == {
        "plan": "100.00",
        "fact": "90.00",
        "percent": "90.00",
        "forecast": "90.00",
    }
    assert row["parent_split"]["turnover"]["difference"] == "-400.00"
    assert (
        c.get(f"/api/plans/fact?level=manager&unit={org.kam_sigrid.pk}&period=2026-10").status_code
        == 404
    )
    assert c.get("/api/plans/fact?level=company&period=2026-10").status_code == 404
    assert c.get("/api/plans/fact?level=manager&period=nonsense").status_code == 422
    r = c.get(
        f"/api/plans/fact/clients?level=manager&unit={org.kam_anna.pk}&period=2026-10&as_of=2026-10-31"
    )
    assert r.status_code == 200 and r.json()[0]["client"] == "Ābols SIA"
    body = {
        "period": "2026-10",
        "level": "person",
        "person_id": org.kam_anna.pk,
        "turnover": "120",
        "active_clients": 2,
        "new_clients": 1,
    }
    assert c.put("/api/plans/plans", body, content_type="application/json").status_code == 403
    h = login(org.head_north)
    r = h.put("/api/plans/plans", body, content_type="application/json")
    assert r.status_code == 200 and r.json()["turnover"] == "120.00"
    body["turnover"] = "-1"
    r = h.post("/api/plans/plans", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "turnover"
    body.update(turnover="1", person_id=org.kam_sigrid.pk)
    assert h.post("/api/plans/plans", body, content_type="application/json").status_code == 404


def test_the_command_json(org, planned):
    out = io.StringIO()
    call_command(
        "plan_fact",
        "--level",
        "manager",
        "--unit",
        str(org.kam_anna.pk),
        "--period",
        "2026-10",
        "--as-of",
        "2026-10-31",
        "--format",
        "json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["period"] == "2026-10" and data["currency"] == "EUR"
    [row] = data["rows"]
    assert row["name"] == "Anna Kam"
    assert row["measures"]["turnover"] == {
        "plan": "100.00",
        "fact": "90.00",
        "percent": "90.00",
        "forecast": "90.00",
    }
    assert row["measures"]["active_clients"]["fact"] == 1
    with pytest.raises(CommandError, match="may not see"):
        call_command(
            "plan_fact",
            "--level",
            "company",
            "--period",
            "2026-10",
            "--user",
            "kam_anna",
            stdout=io.StringIO(),
        )
    with pytest.raises(CommandError, match="not a period"):
        call_command("plan_fact", "--period", "26-10", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "plan_fact",
        "--level",
        "department",
        "--period",
        "2026-10",
        "--format",
        "table",
        "--as-of",
        "2026-10-31",
        stdout=out,
    )
    assert "North" in out.getvalue()


def test_the_home_panel(org, login, planned):
    today = timezone.localdate()
    code = f"{today:%Y-%m}"
    assert home_panel(user=org.kam_anna, as_of=today) is None  # no plan this month
    plan_set(
        actor=org.head_north,
        period=code,
        level="person",
        person=org.kam_anna,
        turnover="10",
        active_clients=1,
        new_clients=0,
    )
    panel = home_panel(user=org.kam_anna, as_of=today)
    assert [r.measure for r in panel["plan_panel"]["results"]] == [
        "turnover",
        "active_clients",
        "new_clients",
    ]
    assert home_panel(user=org.kam_boris, as_of=today) is None
    html = render_to_string("plans/_home_panel.html", panel)
    assert "plans-home" in html
    assert 'id="plans-home"' in login(org.kam_anna).get("/").content.decode()
    assert 'id="plans-home"' not in login(org.kam_boris).get("/").content.decode()
