"""Writes of pay (SP-3): schemes and their assignment, statements prepared, approved and
locked. Each service checks the policy, validates (the tables by ``kam.pay.rules``), writes in
its own transaction and leaves an audit record; a refusal changes nothing."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from kam.catalog.models import ProductCategory
from kam.core import bounds
from kam.core.models import AuditEntry
from kam.core.selectors import company_settings
from kam.core.services import audit_record, model_changes
from kam.org.models import Territory, User
from kam.org.policy import Action, require
from kam.org.selectors import acting_for, visible_people
from kam.pay import rules
from kam.pay.figures import EARNED, statement_figures
from kam.pay.models import PayScheme, PayStatement, PayStatementLine, SchemeAssignment
from kam.plans.rules import Period

SCHEME_FIELDS = (
    "name",
    "fixed_amount",
    "basis",
    "earned_on",
    "bands",
    "category_rates",
    "client_group_rates",
    "cuts",
    "currency",
)
# What a scheme's statements are computed from: frozen once a statement was approved with it.
MONEY_RULES = (
    "fixed_amount",
    "basis",
    "earned_on",
    "bands",
    "category_rates",
    "client_group_rates",
    "cuts",
)


def _rule(fn, raw, field):
    try:
        return fn(raw, field=field)
    except rules.RuleError as exc:
        raise ValidationError({exc.field: exc.message}) from None


def _overrides(raw, *, field: str, ids) -> dict:
    if not isinstance(raw, dict):
        raise ValidationError({field: _("Write a table per id.")})
    out = {}
    for key, table in raw.items():
        try:
            pk = int(key)
        except (TypeError, ValueError):
            raise ValidationError({field: _("%(key)s is not an id.") % {"key": key}}) from None
        if pk not in ids:
            raise ValidationError({field: _("There is no %(key)s.") % {"key": key}})
        if isinstance(table, int | float | str | Decimal):
            table = [[None, table]]  # a flat rate
        out[str(pk)] = rules.bands_dump(_rule(rules.bands_parse, table, field))
    return out


def _clean_scheme(data: dict) -> dict:
    """Parse and normalise a scheme's fields; ValidationError naming the field."""
    name = (data.get("name") or "").strip()
    bounds.check_text(name, field="name")
    if not name:
        raise ValidationError({"name": _("A scheme needs a name.")})
    if len(name) > 120:
        raise ValidationError({"name": _("At most 120 characters.")})
    fixed = bounds.check_amount(data.get("fixed_amount") or 0, field="fixed_amount", minimum=0)
    if data.get("basis") not in rules.BASES:
        raise ValidationError({"basis": _("Commission is on turnover or on income.")})
    if data.get("earned_on") not in rules.EARNED_ON:
        raise ValidationError({"earned_on": _("Commission is earned on invoiced or paid sales.")})
    bands = rules.bands_dump(_rule(rules.bands_parse, data.get("bands") or [], "bands"))
    categories = set(
        ProductCategory.objects.filter(
            pk__in=[k for k in (data.get("category_rates") or {}) if str(k).isdigit()]
        ).values_list("pk", flat=True)
    )
    groups = set(
        Territory.objects.filter(
            kind=Territory.Kind.SEGMENT,
            pk__in=[k for k in (data.get("client_group_rates") or {}) if str(k).isdigit()],
        ).values_list("pk", flat=True)
    )
    cuts = rules.cuts_dump(_rule(rules.cuts_parse, data.get("cuts") or {}, "cuts"))
    currency = (data.get("currency") or company_settings().base_currency).upper()
    if currency != company_settings().base_currency:
        raise ValidationError(
            {
                "currency": _("Pay is in the base currency %(c)s.")
                % {"c": company_settings().base_currency}
            }
        )
    return {
        "name": name,
        "fixed_amount": fixed,
        "basis": data["basis"],
        "earned_on": data["earned_on"],
        "bands": bands,
        "category_rates": _overrides(
            data.get("category_rates") or {}, field="category_rates", ids=categories
        ),
        "client_group_rates": _overrides(
            data.get("client_group_rates") or {}, field="client_group_rates", ids=groups
        ),
        "cuts": cuts,
        "currency": currency,
    }


@transaction.atomic
def scheme_create(
    *,
    actor,
    name: str,
    bands,
    fixed_amount: Decimal = Decimal("0"),
    basis: str = rules.TURNOVER,
    earned_on: str = rules.INVOICED,
    category_rates: dict | None = None,
    client_group_rates: dict | None = None,
    cuts: dict | None = None,
    currency: str | None = None,
) -> PayScheme:
    require(actor, Action.PAY_SCHEME_MANAGE)
    data = _clean_scheme(
        {
            "name": name,
            "bands": bands,
            "fixed_amount": fixed_amount,
            "basis": basis,
            "earned_on": earned_on,
            "category_rates": category_rates,
            "client_group_rates": client_group_rates,
            "cuts": cuts,
            "currency": currency,
        }
    )
    if PayScheme.objects.filter(name=data["name"]).exists():
        raise ValidationError({"name": _("A scheme of that name exists.")})
    scheme = PayScheme.objects.create(**data)
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=scheme,
        summary=f"pay scheme {scheme.name}",
        changes=data,
    )
    return scheme


@transaction.atomic
def scheme_update(*, actor, scheme: PayScheme, **changes) -> PayScheme:
    """Change a scheme. Its money rules are frozen once an approved or locked statement was
    computed with it (a locked statement is recomputed for corrections with its own scheme):
    make a new scheme and assign it from the next period instead."""
    require(actor, Action.PAY_SCHEME_MANAGE)
    unknown = set(changes) - set(SCHEME_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("Not a field of a pay scheme.")})
    scheme = PayScheme.objects.select_for_update().get(pk=scheme.pk)
    data = _clean_scheme({f: changes.get(f, getattr(scheme, f)) for f in SCHEME_FIELDS})
    if PayScheme.objects.filter(name=data["name"]).exclude(pk=scheme.pk).exists():
        raise ValidationError({"name": _("A scheme of that name exists.")})
    before = {f: getattr(scheme, f) for f in MONEY_RULES}
    touched = [f for f in MONEY_RULES if data[f] != before[f]]
    if touched and scheme.statements.filter(status__in=EARNED).exists():
        raise ValidationError(
            {
                touched[0]: _(
                    "Statements approved with this scheme read its rules: make a new scheme "
                    "and assign it from the next period."
                )
            }
        )
    diff = model_changes(scheme, data)
    if diff:
        scheme.full_clean()
        scheme.save()
        audit_record(
            actor=actor,
            action=AuditEntry.Action.UPDATE,
            instance=scheme,
            summary=f"pay scheme {scheme.name}",
            changes=diff,
        )
    return scheme


def _person_in_sight(actor, person) -> User:
    found = visible_people(actor).filter(pk=getattr(person, "pk", person)).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


@transaction.atomic
def scheme_assign(
    *, actor, person, scheme: PayScheme, starts: Period, ends: Period | None = None
) -> SchemeAssignment:
    """Pay ``person`` by ``scheme`` from the first month of ``starts`` through the last of
    ``ends`` (open without). Refused when it overlaps another of the person's assignments."""
    require(actor, Action.PAY_SCHEME_MANAGE)
    person = _person_in_sight(actor, person)
    starts_on = starts.starts_on
    ends_on = ends.ends_on if ends is not None else None
    bounds.check_date(starts_on, field="starts")
    bounds.check_date(ends_on, field="ends")
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends": _("The assignment ends before it starts.")})
    User.objects.select_for_update().filter(pk=person.pk).first()  # one assignment at a time
    overlap = (
        SchemeAssignment.objects.filter(person=person)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .select_related("scheme")
    )
    if ends_on is not None:
        overlap = overlap.filter(starts_on__lte=ends_on)
    other = overlap.first()
    if other is not None:
        message = (
            _(
                "%(person)s is already paid by %(scheme)s from %(from)s to %(to)s: "
                "assignments of one person may not overlap."
            )
            if other.ends_on
            else _(
                "%(person)s is already paid by %(scheme)s from %(from)s on: "
                "assignments of one person may not overlap."
            )
        )
        raise ValidationError(
            {
                "starts": message
                % {
                    "person": str(person),
                    "scheme": other.scheme.name,
                    "from": f"{other.starts_on:%Y-%m}",
                    "to": f"{other.ends_on:%Y-%m}" if other.ends_on else "",
                }
            }
        )
    a = SchemeAssignment.objects.create(
        person=person, scheme=scheme, starts_on=starts_on, ends_on=ends_on, assigned_by=actor
    )
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=a,
        summary=f"{person.username} paid by {scheme.name} from {starts_on:%Y-%m}",
        changes={
            "person": person.pk,
            "scheme": scheme.pk,
            "starts_on": starts_on,
            "ends_on": ends_on,
        },
    )
    return a


def _who(user) -> str:
    return str(user)


def _prepare_checks(actor, period: Period, as_of: date | None) -> tuple[date, date]:
    require(actor, Action.PAY_STATEMENT_PREPARE)
    as_of = as_of or timezone.localdate()
    since = company_settings().history_starts_on
    # Figures are of a day that has come: a future as_of would let a period "end" early.
    bounds.check_date(as_of, field="as_of", earliest=since, latest=timezone.localdate())
    bounds.check_date(period.starts_on, field="period", earliest=since)
    return as_of, since


@transaction.atomic
def statement_prepare(*, actor, person, period: Period, as_of: date | None = None) -> PayStatement:
    """Compute (or recompute) ``person``'s statement for ``period`` with the figures as of
    ``as_of`` (default today). A locked statement is never recomputed; an approved one goes back
    to draft. A period not yet ended (as of ``as_of``) gives a draft that cannot be approved."""
    as_of, since = _prepare_checks(actor, period, as_of)
    person = _person_in_sight(actor, person)
    return _prepare(actor=actor, person=person, period=period, as_of=as_of, since=since)


@transaction.atomic
def statements_prepare(
    *, actor, people, period: Period, as_of: date | None = None
) -> tuple[list[PayStatement], list[tuple[User, str]]]:
    """``statement_prepare`` for many people in one transaction (a head's "the whole team"):
    the policy, the bounds and who is in sight are checked once. Returns the statements and
    the people skipped with the reason (no scheme for the period, a locked statement)."""
    as_of, since = _prepare_checks(actor, period, as_of)
    ids = [getattr(p, "pk", p) for p in people]
    found = {u.pk: u for u in visible_people(actor).filter(pk__in=ids)}
    if len(found) != len(set(ids)):
        raise Http404(_("Not found."))
    done, skipped = [], []
    for pk in ids:
        # _prepare refuses before it writes anything: no savepoint needed per person.
        try:
            done.append(
                _prepare(actor=actor, person=found[pk], period=period, as_of=as_of, since=since)
            )
        except ValidationError as exc:
            skipped.append((found[pk], " ".join(m for ms in exc.message_dict.values() for m in ms)))
    return done, skipped


def _prepare(*, actor, person, period: Period, as_of: date, since: date) -> PayStatement:
    existing = (
        PayStatement.objects.select_for_update()
        .filter(person=person, period_kind=period.kind, starts_on=period.starts_on)
        .first()
    )
    if existing is not None and existing.status == PayStatement.Status.LOCKED:
        raise ValidationError(
            {
                "period": _(
                    "The statement of %(person)s for %(period)s is locked: it is never "
                    "recomputed; a correction goes to the next statement as an adjustment."
                )
                % {"person": _who(person), "period": period.code}
            }
        )
    figures = statement_figures(
        person=person,
        period=period,
        as_of=as_of,
        statement_id=existing.pk if existing else None,
        since=since,
    )
    if figures is None:
        raise ValidationError(
            {
                "person": _("%(person)s has no pay scheme for %(period)s.")
                % {"person": _who(person), "period": period.code}
            }
        )
    t = figures.totals
    values = {
        "period_code": period.code,
        "ends_on": period.ends_on,
        "as_of": as_of,
        "scheme": figures.scheme,
        "scheme_name": figures.scheme.name,
        "basis": figures.scheme.basis,
        "earned_on": figures.scheme.earned_on,
        "currency": figures.scheme.currency,
        "status": PayStatement.Status.DRAFT,
        "fixed": t.fixed,
        "commission": t.commission,
        "cut_percent": t.cut_percent,
        "cuts": t.cuts,
        "adjustments": t.adjustments,
        "variable": t.variable,
        "total": t.total,
        "plan_results": figures.plan,
        "computed_at": timezone.now(),
        "computed_by": actor if getattr(actor, "pk", None) else None,
        "approved_at": None,
        "approved_by": None,
    }
    if existing is None:
        statement = PayStatement.objects.create(
            person=person, period_kind=period.kind, starts_on=period.starts_on, **values
        )
        action, was = AuditEntry.Action.CREATE, None
    else:
        statement = existing
        was = {"status": existing.status, "total": existing.total}
        for k, v in values.items():
            setattr(statement, k, v)
        statement.save()
        # One DELETE, not a SELECT of the lines and a signal per line: nothing hangs off a line,
        # and the statement's save above already moved the data version
        # (kam.core.cache_versions).
        lines = PayStatementLine.objects.filter(statement=statement)
        lines._raw_delete(lines.db)
        action = AuditEntry.Action.UPDATE
    PayStatementLine.objects.bulk_create([line.model(statement) for line in figures.lines])
    audit_record(
        actor=actor,
        action=action,
        instance=statement,
        summary=f"pay statement {person.username} {period.code} prepared as of {as_of}",
        changes={
            "status": [was["status"], statement.status] if was else statement.status,
            "total": [was["total"], statement.total] if was else statement.total,
            "lines": len(figures.lines),
        },
    )
    return statement


def _statement_in_sight(actor, statement: PayStatement) -> PayStatement:
    _person_in_sight(actor, statement.person_id)
    return PayStatement.objects.select_for_update().get(pk=statement.pk)


@transaction.atomic
def statement_approve(*, actor, statement: PayStatement) -> PayStatement:
    """The head approves a draft of someone in their team, never their own (nor that of a
    person they stand in for), and only once the period has ended."""
    require(actor, Action.PAY_STATEMENT_APPROVE)
    statement = _statement_in_sight(actor, statement)
    if statement.person_id in {p.pk for p in acting_for(actor)}:
        raise ValidationError(
            {
                "statement": _(
                    "You may not approve your own pay statement (%(period)s): another head "
                    "or the director approves it."
                )
                % {"period": statement.period_code}
            }
        )
    if statement.status != PayStatement.Status.DRAFT:
        raise ValidationError(
            {
                "status": _("Only a draft can be approved; this statement is %(status)s.")
                % {"status": statement.get_status_display()}
            }
        )
    if statement.as_of <= statement.ends_on:
        raise ValidationError(
            {
                "period": _(
                    "The period %(period)s had not ended on %(day)s, the day the figures are "
                    "of: prepare the statement again after it ends."
                )
                % {"period": statement.period_code, "day": statement.as_of}
            }
        )
    statement.status = PayStatement.Status.APPROVED
    statement.approved_by = actor
    statement.approved_at = timezone.now()
    statement.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=statement,
        summary=f"pay statement {statement.period_code} approved",
        changes={"status": ["draft", "approved"], "total": statement.total},
    )
    return statement


@transaction.atomic
def statement_lock(*, actor, statement: PayStatement) -> PayStatement:
    """Lock an approved statement: from now on it never changes."""
    require(actor, Action.PAY_STATEMENT_LOCK)
    statement = _statement_in_sight(actor, statement)
    if statement.status != PayStatement.Status.APPROVED:
        raise ValidationError(
            {
                "status": _("Only an approved statement can be locked; this one is %(status)s.")
                % {"status": statement.get_status_display()}
            }
        )
    statement.status = PayStatement.Status.LOCKED
    statement.locked_by = actor
    statement.locked_at = timezone.now()
    statement.save(update_fields=["status", "locked_by", "locked_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=statement,
        summary=f"pay statement {statement.period_code} locked",
        changes={"status": ["approved", "locked"], "total": statement.total},
    )
    return statement
