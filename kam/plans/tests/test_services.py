"""Setting and splitting plans: who may, what is refused, what is audited."""

import io
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from kam.core.models import AuditEntry
from kam.core.tables import table_xlsx
from kam.plans.models import Plan
from kam.plans.selectors import IMPORT_COLUMNS, plans_export_rows
from kam.plans.services import PlanImportError, plan_set, plan_settings_update, plans_import_xlsx


def _set(actor, **kw):
    data = {"period": "2026-11", "turnover": "0", "active_clients": 0, "new_clients": 0}
    data.update(kw)
    return plan_set(actor=actor, **data)


def test_a_split_over_the_parent_refused_for_the_regional_saved_for_the_head(org):
    north = _set(
        org.director, level="department", department=org.north, turnover="1000", active_clients=10
    )
    _set(org.head_north, level="person", person=org.kam_boris, turnover="700")
    # Rita (regional, not the head) gives Anna 400: 1 100 against 1 000.
    with pytest.raises(ValidationError) as exc:
        _set(org.regional_north, level="person", person=org.kam_anna, turnover="400")
    assert "by 100.00" in exc.value.message_dict["turnover"][0]
    assert not Plan.objects.filter(person=org.kam_anna).exists()
    # Even confirmed: only the head may.
    with pytest.raises(ValidationError):
        _set(
            org.regional_north,
            level="person",
            person=org.kam_anna,
            turnover="400",
            confirm_over=True,
        )
    # The head without confirming: refused with the same message; confirming: saved, warned.
    with pytest.raises(ValidationError):
        _set(org.head_north, level="person", person=org.kam_anna, turnover="400")
    plan = _set(
        org.head_north, level="person", person=org.kam_anna, turnover="400", confirm_over=True
    )
    assert plan.over == {"turnover": D("100.00")} and plan.parent == north
    # Within the parent: saved without a warning.
    plan = _set(org.regional_north, level="person", person=org.kam_anna, turnover="300")
    assert plan.over == {} and plan.turnover == D("300")


def test_a_negative_plan_is_refused_and_nothing_changes(org):
    plan = _set(
        org.head_north, level="person", person=org.kam_anna, turnover="500", active_clients=4
    )
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        _set(org.head_north, level="person", person=org.kam_anna, turnover="-1", active_clients=4)
    assert "turnover" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _set(org.head_north, level="person", person=org.kam_anna, turnover="5", active_clients=-2)
    assert "active_clients" in exc.value.message_dict
    plan.refresh_from_db()
    assert plan.turnover == D("500") and plan.active_clients == 4
    assert AuditEntry.objects.count() == audits


def test_every_change_is_audited_with_before_and_after(org):
    plan = _set(org.director, level="company", turnover="100")
    _set(org.director, level="company", turnover="150")
    entry = AuditEntry.objects.filter(entity="plans.plan", entity_id=str(plan.pk)).latest("pk")
    assert entry.changes["turnover"] == ["100.00", "150"]


def test_who_may_set_which_plan(org):
    with pytest.raises(PermissionDenied):  # a KAM sets no plan
        _set(org.kam_anna, level="person", person=org.kam_anna, turnover="1")
    with pytest.raises(Http404):  # Sigrid is not Hugo's
        _set(org.head_north, level="person", person=org.kam_sigrid, turnover="1")
    with pytest.raises(PermissionDenied):  # the company's is the director's
        _set(org.head_north, level="company", turnover="1")
    with pytest.raises(PermissionDenied):  # a head splits below their department
        _set(org.head_north, level="department", department=org.north, turnover="1")
    with pytest.raises(Http404):
        _set(org.head_north, level="department", department=org.south, turnover="1")
    assert _set(org.head_north, level="department", department=org.north_pharma, turnover="1")
    with pytest.raises(Http404):  # Sigrid is not Rita's report
        _set(org.regional_north, level="person", person=org.kam_sigrid, turnover="1")
    with pytest.raises(PermissionDenied):  # a regional manager splits among people only
        _set(org.regional_north, level="department", department=org.north_pharma, turnover="1")
    assert Plan.objects.count() == 1


def test_income_only_where_the_company_plans_it_and_periods_bounded(org):
    with pytest.raises(ValidationError) as exc:
        _set(org.director, level="company", turnover="1", income="1")
    assert "income" in exc.value.message_dict
    plan_settings_update(actor=org.director, plans_income=True)
    assert _set(org.director, level="company", turnover="1", income="1").income == D("1")
    for bad in ("2099-01", "1990-01", "2026-13", "nonsense"):
        with pytest.raises(ValidationError) as exc:
            _set(org.director, level="company", period=bad)
        assert "period" in exc.value.message_dict


def _xlsx(rows):
    return io.BytesIO(table_xlsx(IMPORT_COLUMNS, rows))


def test_xlsx_import_all_or_nothing_and_the_export_reimports(org):
    good = [
        ["2026-11", "person", "", "kam_anna", 300, None, 3, 1],
        ["2026-11", "department", "North", "", 1000, None, 10, 2],
        ["2026-11", "company", "", "", 5000, None, 40, 5],
    ]
    assert plans_import_xlsx(actor=org.director, file=_xlsx(good)) == 3
    anna = Plan.objects.get(person=org.kam_anna)
    assert anna.parent.department == org.north and anna.parent.parent.level == "company"
    bad = [
        ["2026-11", "person", "", "kam_boris", 100, None, 1, 0],
        ["2026-11", "person", "", "nobody", 100, None, 1, 0],
        ["2026-11", "person", "", "kam_sigrid", -5, None, 1, 0],
    ]
    with pytest.raises(PlanImportError) as exc:
        plans_import_xlsx(actor=org.director, file=_xlsx(bad))
    assert [(p.row, p.column) for p in exc.value.problems] == [(3, "person")]
    bad[1][3] = "kam_boris"
    bad[1][0] = "2026-12"
    with pytest.raises(PlanImportError) as exc:
        plans_import_xlsx(actor=org.director, file=_xlsx(bad))
    assert [(p.row, p.column) for p in exc.value.problems] == [(4, "turnover")]
    assert not Plan.objects.filter(person=org.kam_boris).exists()  # nothing from that file
    exported = plans_export_rows(user=org.director, period="2026-11")
    Plan.objects.filter(level="person").delete()
    assert plans_import_xlsx(actor=org.director, file=_xlsx(exported)) == 3
    assert Plan.objects.get(person=org.kam_anna).turnover == D("300")
    # Hugo's export holds North's plans, not the company's.
    assert {r[1] for r in plans_export_rows(user=org.head_north, period="2026-11")} == {
        "person",
        "department",
    }


def test_settings_only_for_management(org):
    with pytest.raises(PermissionDenied):
        plan_settings_update(actor=org.head_north, plans_income=True)
    with pytest.raises(ValidationError):
        plan_settings_update(actor=org.director, active_min_turnover="-3")
    assert date(2026, 1, 1)


def test_lowering_a_child_of_an_over_split_is_not_refused(org):
    _set(org.director, level="department", department=org.north, turnover="1000")
    _set(org.head_north, level="person", person=org.kam_boris, turnover="800")
    _set(org.head_north, level="person", person=org.kam_anna, turnover="400", confirm_over=True)
    # Rita lowers Anna's plan: still 100 over, but less than before (200): saved, warned.
    plan = _set(org.regional_north, level="person", person=org.kam_anna, turnover="300")
    assert plan.turnover == D("300") and plan.over == {"turnover": D("100.00")}
    with pytest.raises(ValidationError):  # raising it again is refused
        _set(org.regional_north, level="person", person=org.kam_anna, turnover="350")
