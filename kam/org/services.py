"""Writes for the organisation: departments, people, deputyships, API tokens."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from kam.core.models import AuditEntry
from kam.core.services import audit_record
from kam.org.models import ApiToken, Department, Deputyship, Role, Territory, User


@transaction.atomic
def department_create(*, actor, name: str, parent: Department | None = None) -> Department:
    dept = Department(name=name, parent=parent)
    dept.full_clean(exclude=["path"])
    dept.save()
    dept.path = f"{parent.path if parent else '/'}{dept.pk}/"
    dept.save(update_fields=["path"])
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=dept, summary=name)
    return dept


def department_paths_rebuild() -> None:
    """Recompute every department's ``path`` from the tree, e.g. after a department moved:
    its whole subtree's paths change, and the SE-1 scope of heads and support reads them.
    Departments are few, so a full walk is simplest and always right."""
    by_parent: dict[int | None, list[Department]] = {}
    for dept in Department.objects.all():
        by_parent.setdefault(dept.parent_id, []).append(dept)
    changed = []
    stack = [(d, "/") for d in by_parent.get(None, [])]
    while stack:
        dept, prefix = stack.pop()
        path = f"{prefix}{dept.pk}/"
        if dept.path != path:
            dept.path = path
            changed.append(dept)
        stack.extend((child, path) for child in by_parent.get(dept.pk, []))
    Department.objects.bulk_update(changed, ["path"])


def territory_get_or_create(*, name: str, kind: str = Territory.Kind.TERRITORY) -> Territory:
    obj, _ = Territory.objects.get_or_create(name=name, kind=kind)
    return obj


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    department: Department | None = None,
    manager: User | None = None,
    territory: Territory | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
    user = User(
        username=username,
        role=role,
        first_name=first_name,
        last_name=last_name,
        email=email,
        department=department,
        manager=manager,
        territory=territory,
        is_staff=is_staff or role == Role.ADMIN,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=user,
        summary=f"{username} ({role})",
    )
    return user


@transaction.atomic
def deputyship_create(
    *, actor, absent: User, deputy: User, starts_on: date, ends_on: date, order_ref: str
) -> Deputyship:
    obj = Deputyship(
        absent=absent, deputy=deputy, starts_on=starts_on, ends_on=ends_on, order_ref=order_ref
    )
    obj.full_clean()
    obj.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=obj,
        summary=f"{deputy} deputises for {absent} {starts_on}..{ends_on}, order {order_ref}",
    )
    return obj


@transaction.atomic
def api_token_create(*, actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token; returns it and the plain key, which is never stored."""
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, key_hash=ApiToken.hash_key(key), prefix=key[4:12]
    )
    audit_record(actor=actor, action=AuditEntry.Action.CREATE, instance=token, summary=name)
    return token, key


def api_token_authenticate(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
