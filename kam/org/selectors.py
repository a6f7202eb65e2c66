"""Reads for the organisation, and the scope rule that every other app builds on (SE-1, SE-2).

``visible_owner_filter(user)`` answers "which clients may this person see?" as a Q object over
an account's owner and department, so that clients, sales lines and every later record that hangs
off a client can be scoped with the same rule, given the path to the account.
"""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from kam.org.models import Department, Deputyship, Role, User


def acting_for(user: User, *, on: date | None = None) -> list[User]:
    """The user and everyone whose rights they hold today by a deputyship order (SE-2)."""
    on = on or timezone.localdate()
    absent_ids = Deputyship.objects.filter(
        deputy=user, starts_on__lte=on, ends_on__gte=on
    ).values_list("absent_id", flat=True)
    return [user, *User.objects.filter(pk__in=list(absent_ids))]


def person_scope(person: User, *, prefix: str = "") -> Q | None:
    """The Q for one person's own rights (no deputyships); None means everything."""
    if not person.is_active:
        return Q(pk__in=[])
    if person.sees_everything:
        return None
    owner = f"{prefix}owner"
    department_path = f"{prefix}department__path__startswith"
    if person.role in {Role.HEAD, Role.SUPPORT}:
        if person.department_id is None:
            return Q(**{owner: person})
        return Q(**{department_path: person.department.path}) | Q(**{owner: person})
    if person.role == Role.REGIONAL:
        return Q(**{owner: person}) | Q(**{f"{owner}__manager": person})
    return Q(**{owner: person})


def visible_owner_filter(user: User, *, prefix: str = "") -> Q | None:
    """What accounts ``user`` may see, as a Q on the account reached by ``prefix``.

    ``prefix`` is the lookup path from the queried model to its account, with a trailing
    ``__`` (``"account__"`` for sales lines). Returns None when the user sees everything.
    """
    if not user.is_authenticated:
        return Q(pk__in=[])
    combined = Q(pk__in=[])
    for person in acting_for(user):
        q = person_scope(person, prefix=prefix)
        if q is None:
            return None
        combined |= q
    return combined


class ClientScopedQuerySet(QuerySet):
    """``Model.objects.visible_to(user)`` for any model that hangs off a client (SE-1): the
    rows whose client the user may see. The path to the client is the model's
    ``ACCOUNT_PATH`` (``"order__account__"``), ``"account__"`` when it has none."""

    def visible_to(self, user):
        q = visible_owner_filter(user, prefix=getattr(self.model, "ACCOUNT_PATH", "account__"))
        return self if q is None else self.filter(q)


def department_subtree(department: Department):
    return Department.objects.filter(path__startswith=department.path)


def person_people(person: User) -> Q | None:
    """The Q over people for one person's own rights (no deputyships); None means everyone."""
    if not person.is_active:
        return Q(pk__in=[])
    if person.sees_everything:
        return None
    q = Q(pk=person.pk) | Q(manager=person)
    if person.role in {Role.HEAD, Role.SUPPORT} and person.department_id:
        q |= Q(department__path__startswith=person.department.path)
    return q


def visible_people(user: User, *, on: date | None = None):
    """People whose work the user may see: themselves, their reports, their department subtree,
    and the same for everyone whose rights they hold today by a deputyship order (SE-2), as
    ``visible_owner_filter`` does for clients."""
    qs = User.objects.filter(is_active=True).select_related("department", "manager")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.sees_everything:
        return qs  # no deputyship adds to everyone (and no query to find out)
    combined = Q(pk__in=[])
    for person in acting_for(user, on=on):
        q = person_people(person)
        if q is None:
            return qs
        combined |= q
    return qs.filter(combined)
