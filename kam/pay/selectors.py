"""Reads of pay, scoped by who may see whose pay (SP-3, SE-1): a KAM sees only their own
statements, a head of department or a regional manager their team's (the people they see,
``kam.org.selectors``), the director and the administrator everyone's. Sales support and the
credit controller see only their own, though they see every client: pay is not a client's
record. A statement out of sight answers 404, the same as a missing one."""

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.org.models import Role, User
from kam.org.policy import Action, can
from kam.org.selectors import acting_for, person_people, visible_people
from kam.pay.models import PayScheme, PayStatement, PayStatementLine, SchemeAssignment

# Roles that see the pay of the people under them; everyone else sees their own only.
MANAGERS = frozenset({Role.DIRECTOR, Role.ADMIN, Role.HEAD, Role.REGIONAL})


def pay_people_filter(user: User | None, *, prefix: str = "") -> Q:
    """The people (a Q over users reached by ``prefix``) whose pay ``user`` may see."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    combined = Q(pk__in=[])
    for person in acting_for(user):
        if person.is_superuser or person.role in MANAGERS:
            q = person_people(person)
            if q is None:
                return Q()  # everyone
        else:
            q = Q(pk=person.pk)
        combined |= q
    if not prefix:
        return combined
    ids = User.objects.filter(combined).values("pk")
    return Q(**{f"{prefix}in": ids})


def pay_people(user: User) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True)
        .filter(pay_people_filter(user))
        .order_by("last_name", "first_name", "username")
    )


def statement_list(
    *,
    user: User,
    period_code: str | None = None,
    person_id: int | None = None,
    status: str | None = None,
) -> QuerySet[PayStatement]:
    qs = PayStatement.objects.filter(pay_people_filter(user, prefix="person__")).select_related(
        "person", "approved_by", "locked_by"
    )
    if period_code:
        qs = qs.filter(period_code=period_code)
    if person_id:
        qs = qs.filter(person_id=person_id)
    if status:
        qs = qs.filter(status=status)
    return qs


def statement_get(*, user: User, pk: int) -> PayStatement:
    """A statement the user may see; 404 alike for missing, not yours and no id at all."""
    try:
        return statement_list(user=user).select_related("scheme", "computed_by").get(pk=pk)
    except (PayStatement.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such pay statement.")) from None


def statement_lines(*, statement: PayStatement) -> QuerySet[PayStatementLine]:
    """The lines of a statement already fetched through ``statement_get`` (so in sight)."""
    return statement.lines.select_related("account", "category", "adjusts").order_by(
        "kind", "date", "document", "pk"
    )


def may_see_all_schemes(user: User) -> bool:
    return can(user, Action.PAY_SCHEME_MANAGE) or can(user, Action.PAY_STATEMENT_PREPARE)


def scheme_list(*, user: User) -> QuerySet[PayScheme]:
    """Every scheme for those who manage schemes or prepare statements; the schemes one is
    (or was) paid by for everyone else."""
    qs = PayScheme.objects.all()
    if may_see_all_schemes(user):
        return qs
    return qs.filter(assignments__person__in=[p.pk for p in acting_for(user)]).distinct()


def scheme_get(*, user: User, pk: int) -> PayScheme:
    try:
        return scheme_list(user=user).get(pk=pk)
    except (PayScheme.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404(_("No such pay scheme.")) from None


def assignment_list(*, user: User, scheme: PayScheme | None = None) -> QuerySet[SchemeAssignment]:
    qs = SchemeAssignment.objects.filter(pay_people_filter(user, prefix="person__")).select_related(
        "person", "scheme"
    )
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    return qs.order_by("person__username", "starts_on")


def people_with_scheme(*, user: User, period) -> QuerySet[User]:
    """The people ``user`` sees (``visible_people``, as preparing asks) who are paid by a
    scheme on the period's first day."""
    return (
        visible_people(user)
        .filter(pay_assignments__starts_on__lte=period.starts_on)
        .filter(
            Q(pay_assignments__ends_on__isnull=True)
            | Q(pay_assignments__ends_on__gte=period.starts_on)
        )
        .distinct()
        .order_by("username")
    )
