"""Who a ``kam`` command runs as: the person named with ``--user``, or the operator at the
console, the first person the policy gives an action to (``holders``). Errors are one line
(CommandError), never a traceback."""

from django.core.management.base import CommandError

from kam.org.models import User
from kam.org.policy import Action, holders


def active_user(username: str) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"no active user named {username!r}")
    return user


def console_operator(username: str | None, *, action: Action, nobody: str) -> User:
    """``--user``, else the first holder of ``action`` (by id); ``nobody`` is the error when
    there is none yet."""
    if username:
        return active_user(username)
    user = User.objects.filter(holders(action)).order_by("pk").first()
    if user is None:
        raise CommandError(nobody)
    return user
