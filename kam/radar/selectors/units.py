"""The levels and units a user may look at the radar by, and the rows of a unit (SE-1)."""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kam.clients.models import Account
from kam.org.models import Department, Role, User
from kam.org.selectors import acting_for, visible_people
from kam.radar.models import Level


def default_level(user) -> str:
    """The level a person looks at first: their own book for KAMs, the department for heads."""
    if user.sees_everything:
        return Level.COMPANY
    if user.role in {Role.HEAD, Role.SUPPORT}:
        return Level.DEPARTMENT
    return Level.MANAGER


def _check_level(level: str) -> str:
    if level not in Level.values:
        raise ValueError(f"unknown level {level!r}; choose one of {', '.join(Level.values)}")
    return level


def department_units(user) -> QuerySet[Department]:
    if user.sees_everything:
        return Department.objects.all()
    q = Q(pk__in=[])
    for person in acting_for(user):
        if person.department_id:
            q |= Q(path__startswith=person.department.path)
    return Department.objects.filter(q)


def manager_units(user) -> QuerySet[User]:
    # ``visible_people`` honours deputyships (SE-2), as the department units do.
    return visible_people(user)


def unit_choices(*, user, level: str) -> list[tuple[int, str]]:
    """The units a user may narrow the radar to at ``level`` (empty at company level)."""
    if _check_level(level) == Level.DEPARTMENT:
        return [(d.pk, d.name) for d in department_units(user).order_by("path")]
    if level == Level.MANAGER:
        # EXISTS on the owner index, not a join of every client with DISTINCT over the people
        # (2.3 s of the radar page at 108,000 clients).
        owns = Account.objects.filter(owner=OuterRef("pk"))
        people = manager_units(user).filter(Exists(owns))
        return [(p.pk, str(p)) for p in people.order_by("last_name", "first_name", "username")]
    return []


def _unit_rows(user, level: str, unit_id: int | None) -> tuple[QuerySet, str]:
    """The accounts to show, and the unit's name; Http404 for a unit the user may not pick."""
    accounts = Account.objects.visible_to(user)
    if unit_id is None or level == Level.COMPANY:
        return accounts, str(_("Company")) if level == Level.COMPANY else ""
    if level == Level.DEPARTMENT:
        dept = department_units(user).filter(pk=unit_id).first()
        if dept is None:
            raise Http404("No such department.")
        return accounts.filter(department__path__startswith=dept.path), dept.name
    person = manager_units(user).filter(pk=unit_id).first()
    if person is None:
        raise Http404("No such key account manager.")
    return accounts.filter(owner=person), str(person)
