"""Writes for plans (SP-1): set a plan for the company, a department or a person, split a
parent's plan among its children, the plan rules, and plans from an XLSX file.

Who may set what (``Action.PLAN_SET``; the unit must lie among the people the actor sees,
else Http404 as for a missing one):

- the director or an administrator: every plan (the company's, any department's, anyone's);
- a head of department: the plans of the sub-departments below their department and of the
  people in their department's subtree (not their own);
- a regional manager: the plans of their reports.

A split that takes the children past the parent is refused with a message saying by how
much, unless the actor is the head of the parent's department (or the director) and passes
``confirm_over``: then it is saved, and the plan returned carries ``over`` (the measures and
by how much) so the page can warn.
"""

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.periods import month_of
from kam.core.selectors import company_settings
from kam.core.services import audit_record, model_changes
from kam.org.models import Department, Role, User
from kam.org.policy import Action, require
from kam.org.selectors import acting_for, visible_people
from kam.plans import rules
from kam.plans.models import Plan, PlanSettings
from kam.plans.rules import Period, PeriodError
from kam.plans.selectors import IMPORT_COLUMNS, parent_for, plan_settings, plan_values

# How far ahead a plan may be set.
PLAN_FUTURE_YEARS = 5
MAX_COUNT = 10**9
COUNT_MEASURES = (rules.ACTIVE_CLIENTS, rules.NEW_CLIENTS)


def period_check(period: Period | str, *, field: str = "period") -> Period:
    """A period (or its code) aligned to the company's fiscal year, from the company's
    history start to ``PLAN_FUTURE_YEARS`` ahead."""
    fiscal = company_settings().fiscal_year_start_month
    if isinstance(period, str):
        try:
            period = rules.period_parse(period, fiscal)
        except PeriodError as exc:
            raise ValidationError({field: str(exc)}) from None
    if period.kind not in rules.KINDS:
        raise ValidationError({field: _("Unknown period kind.")})
    aligned = rules.period_containing(period.starts_on, period.kind, fiscal)
    if aligned.starts_on != period.starts_on:
        raise ValidationError(
            {field: _("The period does not start where the company's fiscal periods start.")}
        )
    earliest = month_of(bounds.history_start())
    today = timezone.localdate()
    latest = date(today.year + PLAN_FUTURE_YEARS, today.month, 1)
    if period.starts_on < earliest or period.starts_on > latest:
        raise ValidationError(
            {
                field: _("Plans may be set from %(earliest)s to %(latest)s.")
                % {"earliest": f"{earliest:%Y-%m}", "latest": f"{latest:%Y-%m}"}
            }
        )
    return aligned


def _amount(value, field: str) -> Decimal:
    if value is None:
        raise ValidationError({field: _("Give a value (0 for none).")})
    amount = bounds.check_amount(value, field=field)
    if amount < 0:
        raise ValidationError({field: _("A plan cannot be negative.")})
    return amount


def _count(value, field: str) -> int:
    if value is None:
        raise ValidationError({field: _("Give a value (0 for none).")})
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise ValidationError({field: _("Give a whole number.")})
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({field: _("Give a whole number.")}) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise ValidationError({field: _("Give a whole number.")})
    if number < 0:
        raise ValidationError({field: _("A plan cannot be negative.")})
    if number > MAX_COUNT:
        raise ValidationError({field: _("At most %(max)d.") % {"max": MAX_COUNT}})
    return int(number)


# --- who may set which plan ------------------------------------------------------------------


def _in_subtree(department: Department | None, root: Department | None) -> bool:
    return bool(department and root and department.path.startswith(root.path))


def _may_set(person: User, level: str, department: Department | None, target: User | None):
    if not person.is_active:
        return False
    if person.is_superuser or person.role in {Role.DIRECTOR, Role.ADMIN}:
        return True
    if person.role == Role.HEAD and person.department_id:
        if level == Plan.Level.DEPARTMENT:
            return _in_subtree(department, person.department) and department != person.department
        if level == Plan.Level.PERSON:
            return target != person and (
                _in_subtree(target.department, person.department) or target.manager_id == person.pk
            )
    if person.role == Role.REGIONAL and level == Plan.Level.PERSON:
        return target.manager_id == person.pk
    return False


def _require_unit(actor, level: str, department: Department | None, person: User | None):
    require(actor, Action.PLAN_SET)
    if level == Plan.Level.PERSON:
        if not visible_people(actor).filter(pk=person.pk).exists():
            raise Http404(_("Not found."))
    elif level == Plan.Level.DEPARTMENT and not actor.sees_everything:
        roots = [p.department for p in acting_for(actor) if p.department_id]
        if not any(_in_subtree(department, root) for root in roots):
            raise Http404(_("Not found."))
    if not any(_may_set(p, level, department, person) for p in acting_for(actor)):
        raise PermissionDenied(
            _(
                "The director sets the company's and the departments' plans, a head of "
                "department those of the sub-departments and people below, a regional manager "
                "those of their reports."
            )
        )


def _may_confirm_over(actor, parent: Plan) -> bool:
    """The head of the parent plan's department (or above), or the director."""
    dept = parent.department or (parent.person.department if parent.person_id else None)
    for p in acting_for(actor):
        if p.is_superuser or p.role in {Role.DIRECTOR, Role.ADMIN}:
            return True
        if p.role == Role.HEAD and _in_subtree(dept, p.department):
            return True
    return False


def _unit_label(plan: Plan) -> str:
    if plan.level == Plan.Level.COMPANY:
        return str(_("the company"))
    return str(plan.person or plan.department)


def _over_error(gaps: dict, parent: Plan) -> ValidationError:
    over = rules.split_over(gaps)
    return ValidationError(
        {
            measure: _(
                "The split exceeds the plan of %(unit)s by %(amount)s: lower it or ask the head "
                "of the department to confirm."
            )
            % {"unit": _unit_label(parent), "amount": amount}
            for measure, amount in over.items()
        }
    )


def _children_values(parent: Plan) -> list[dict]:
    return [plan_values(child) for child in parent.children.all()]


# --- plan_set --------------------------------------------------------------------------------


@dataclass
class _Unit:
    level: str
    department: Department | None
    person: User | None


def _unit(level: str, department, person) -> _Unit:
    if level not in Plan.Level.values:
        raise ValidationError({"level": _("Choose company, department or person.")})
    if level == Plan.Level.COMPANY:
        if department is not None or person is not None:
            raise ValidationError({"level": _("A company plan names no department or person.")})
        return _Unit(level, None, None)
    if level == Plan.Level.DEPARTMENT:
        if department is None:
            raise ValidationError({"department": _("Choose the department.")})
        if person is not None:
            raise ValidationError({"person": _("A department's plan names no person.")})
        return _Unit(level, department, None)
    if person is None:
        raise ValidationError({"person": _("Choose the person.")})
    return _Unit(level, person.department, person)


def plan_set(
    *,
    actor,
    period: Period | str,
    level: str,
    department: Department | None = None,
    person: User | None = None,
    turnover,
    income=None,
    active_clients,
    new_clients,
    parent: Plan | None = None,
    confirm_over: bool = False,
) -> Plan:
    """Create or update the plan of one unit for one period (audited with before and after).

    ``parent``: the plan this one is split from; by default the nearest plan above (the
    manager's, the department's or an ancestor department's, the company's). The returned
    plan's ``over`` maps the measures on which a split was saved past its parent (confirmed
    by the head) to by how much; empty otherwise."""
    unit = _unit(level, department, person)
    _require_unit(actor, unit.level, unit.department, unit.person)
    period = period_check(period)
    values = {
        rules.TURNOVER: _amount(turnover, rules.TURNOVER),
        rules.ACTIVE_CLIENTS: _count(active_clients, rules.ACTIVE_CLIENTS),
        rules.NEW_CLIENTS: _count(new_clients, rules.NEW_CLIENTS),
        rules.INCOME: None,
    }
    if income is not None:
        if not plan_settings().plans_income:
            raise ValidationError(
                {
                    rules.INCOME: _(
                        "The company does not plan income: turn it on in the plan settings."
                    )
                }
            )
        values[rules.INCOME] = _amount(income, rules.INCOME)
    with transaction.atomic():
        existing = (
            Plan.objects.select_for_update()
            .filter(
                kind=period.kind,
                starts_on=period.starts_on,
                level=unit.level,
                **(
                    {"person": unit.person}
                    if unit.level == Plan.Level.PERSON
                    else {"department": unit.department}
                ),
            )
            .first()
        )
        plan = existing or Plan(
            kind=period.kind,
            starts_on=period.starts_on,
            level=unit.level,
            department=unit.department,
            person=unit.person,
        )
        if parent is None:
            parent = parent_for(
                level=unit.level, department=unit.department, person=unit.person, period=period
            )
        elif (
            parent.kind != period.kind
            or parent.starts_on != period.starts_on
            or (plan.pk and parent.pk == plan.pk)
        ):
            raise ValidationError({"parent": _("The parent plan is of another period.")})
        # How far each split was over before this change: a change that does not take it
        # further is not refused (lowering one child of an over-split parent must be possible).
        before = {}
        for key, whole in (("parent", parent), ("self", existing)):
            if whole is not None:
                gaps = rules.split_check(plan_values(whole), _children_values(whole))
                before[key] = rules.split_over(gaps)
        changes = model_changes(
            plan,
            {
                **values,
                "parent": parent,
                "currency": company_settings().base_currency,
                "set_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        plan.full_clean()
        plan.save()
        over: dict = {}
        # The split this plan belongs to, and the split of this plan among its own children.
        for key, whole in (("parent", parent), ("self", plan)):
            if whole is None:
                continue
            whole.refresh_from_db()
            gaps = rules.split_check(plan_values(whole), _children_values(whole))
            found = rules.split_over(gaps)
            was = before.get(key, {})
            further = any(amount > was.get(m, 0) for m, amount in found.items())
            if further and not (confirm_over and _may_confirm_over(actor, whole)):
                raise _over_error(gaps, whole)
            over.update(found)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE if existing else AuditEntry.Action.CREATE,
            instance=plan,
            summary=f"plan {plan}" + (f" (over the parent: {over})" if over else ""),
            changes={k: [v[0] if existing else None, v[1]] for k, v in changes.items()},
        )
    plan.over = over
    return plan


def plan_settings_update(
    *,
    actor,
    plans_income: bool | None = None,
    active_min_documents: int | None = None,
    active_min_turnover=None,
) -> PlanSettings:
    """Change the plan rules: whether income is planned, what makes a client active."""
    require(actor, Action.PLAN_SETTINGS_EDIT)
    data = {}
    if plans_income is not None:
        data["plans_income"] = bool(plans_income)
    if active_min_documents is not None:
        count = _count(active_min_documents, "active_min_documents")
        if not 1 <= count <= 1000:
            raise ValidationError({"active_min_documents": _("Between 1 and 1000.")})
        data["active_min_documents"] = count
    if active_min_turnover is not None:
        data["active_min_turnover"] = _amount(active_min_turnover, "active_min_turnover")
    with transaction.atomic():
        settings = PlanSettings.objects.select_for_update().get(pk=plan_settings().pk)
        changes = model_changes(settings, data)
        settings.full_clean()
        settings.save()
        if changes:
            audit_record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=settings,
                summary="plan settings",
                changes=changes,
            )
    return settings


# --- XLSX import -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportProblem:
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return _("row %(row)d, column %(column)s: %(reason)s") % {
            "row": self.row,
            "column": self.column,
            "reason": self.reason,
        }


class PlanImportError(ValidationError):
    """The file was refused whole; ``problems`` lists each with its row, column and reason."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


LEVEL_ORDER = {Plan.Level.COMPANY: 0, Plan.Level.DEPARTMENT: 1, Plan.Level.PERSON: 1000}
MAX_IMPORT_ROWS = 20_000


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # a spreadsheet turned "2026-11" into a date (or datetime)
        return f"{value:%Y-%m}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    bounds.check_text(text)
    return text


def _read_rows(file) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    data = file.read() if hasattr(file, "read") else file
    try:
        sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
    except Exception:
        raise PlanImportError([ImportProblem(1, "-", _("This is not an XLSX file."))]) from None
    rows = sheet.iter_rows(values_only=True)
    header = [str(h or "").strip().lower() for h in next(rows, ())]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c != rules.INCOME]
    if missing:
        raise PlanImportError(
            [ImportProblem(1, c, _("The column is missing from the header.")) for c in missing]
        )
    out = []
    for number, cells in enumerate(rows, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        if len(out) >= MAX_IMPORT_ROWS:
            raise PlanImportError(
                [ImportProblem(number, "-", _("At most %(n)d rows.") % {"n": MAX_IMPORT_ROWS})]
            )
        out.append((number, dict(zip(header, cells, strict=False))))
    return out


def _resolve(number: int, row: dict, problems: list) -> dict | None:
    def bad(column, reason):
        problems.append(ImportProblem(number, column, str(reason)))

    try:
        texts = {c: _cell_text(row.get(c)) for c in IMPORT_COLUMNS}
    except ValidationError as exc:
        bad("-", exc.messages[0])
        return None
    level = texts["level"].lower()
    department = person = None
    if level == Plan.Level.DEPARTMENT:
        name = texts["department"]
        found = list(
            Department.objects.filter(pk=int(name)) if name.isdigit() else Department.objects.none()
        ) or list(Department.objects.filter(name=name)[:2])
        if len(found) != 1:
            bad("department", _("No such department.") if not found else _("Ambiguous name."))
            return None
        department = found[0]
    elif level == Plan.Level.PERSON:
        person = User.objects.filter(username=texts["person"], is_active=True).first()
        if person is None:
            bad("person", _("No such user."))
            return None
    elif level != Plan.Level.COMPANY:
        bad("level", _("Write company, department or person."))
        return None
    return {
        "period": texts["period"],
        "level": level,
        "department": department,
        "person": person,
        "turnover": texts["turnover"] or None,
        "income": texts.get("income") or None,
        "active_clients": texts["active_clients"] or None,
        "new_clients": texts["new_clients"] or None,
    }


def _sort_key(item):
    number, data = item
    depth = data["department"].path.count("/") if data["department"] is not None else 0
    return (LEVEL_ORDER[data["level"]] + (depth if data["level"] == "department" else 0), number)


def plans_import_xlsx(*, actor, file, confirm_over: bool = False) -> int:
    """Plans from an XLSX sheet with the columns of the export (period, level, department,
    person (username), turnover, income, active_clients, new_clients), all or nothing: any
    problem refuses the file (PlanImportError with each row, column and reason) and nothing
    changes. Parents are set before their children, whatever the rows' order. Returns the
    number of plans written."""
    require(actor, Action.PLAN_SET)
    problems: list[ImportProblem] = []
    parsed = []
    for number, row in _read_rows(file):
        data = _resolve(number, row, problems)
        if data is not None:
            parsed.append((number, data))
    if problems:
        raise PlanImportError(problems)
    with transaction.atomic():
        for number, data in sorted(parsed, key=_sort_key):
            try:
                with transaction.atomic():
                    plan_set(actor=actor, confirm_over=confirm_over, **data)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column = field if field in IMPORT_COLUMNS else "-"
                    for message in messages:
                        problems.append(ImportProblem(number, column, message))
            except Http404:
                problems.append(ImportProblem(number, data["level"], _("Not found.")))
            except PermissionDenied as exc:
                problems.append(ImportProblem(number, "level", str(exc)))
        if problems:
            problems.sort(key=lambda p: p.row)
            transaction.set_rollback(True)
            raise PlanImportError(problems)
        audit_record(
            actor=actor,
            action=AuditEntry.Action.IMPORT,
            entity="plans.plan",
            summary=f"plans imported from XLSX: {len(parsed)} rows",
        )
    return len(parsed)
