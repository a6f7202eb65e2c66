"""Cached reads that are correct by construction (issue 7 §3).

A cached answer is stored under a key made of everything that decides it (the reader's scope,
the question, the language, today's date) plus the *data version*: a counter that every
committed write to the database moves on. A write never has to know which answers it
invalidates: after it commits, no later read finds an entry made before it.

What moves the version on:

- every model save or delete, and every many-to-many change, through Django's signals
  (connected in ``kam.core.apps``), after the transaction commits;
- raw-SQL writes that bypass the ORM call ``data_changed()`` themselves (the ledger's writes
  also save an audit entry, which moves it too).

The counter lives in the Django cache, so every app server shares it when the cache is shared
(Redis in production, ``REDIS_URL``); a lost counter (an evicted key) restarts from the clock,
which also leaves every older entry unreachable. Entries expire after ``TTL`` seconds as a
last safety net for writes made outside the app (a psql session, a restore)."""

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone, translation

VERSION_KEY = "kam:data-version"
TTL = 15 * 60


def data_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # missing (evicted or never read): a fresh start leaves old keys behind
        cache.set(VERSION_KEY, time.time_ns(), timeout=None)


def data_changed() -> None:
    """Move the data version on now and again once the current transaction commits: a read
    between the two may store what it saw before the commit, under a version the commit then
    leaves behind (and a test, whose transaction never commits, still sees its own writes)."""
    _bump()
    transaction.on_commit(_bump)


# Writes that decide no cached answer: a session saved at login would otherwise empty the cache.
_IGNORED = {"sessions.session"}


def _on_write(sender, **kwargs) -> None:
    if sender._meta.label_lower not in _IGNORED:
        data_changed()


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_write, dispatch_uid=f"kam.core.cache_versions.{id(signal)}")


def _shared_cache() -> bool:
    """Is the cache one every app process shares? A process's own memory is not: a write in
    one worker would not move the version another worker reads (the tests run in one)."""
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    return not backend.endswith("LocMemCache") or getattr(settings, "TESTING", False)


def cached(parts: tuple, compute: Callable[[], Any], *, timeout: int = TTL) -> Any:
    """``compute()``, or its answer stored under ``parts`` + language + today + data version.

    ``parts`` must name everything else the answer depends on, the reader's scope first.
    Without a shared cache (no ``REDIS_URL``, several processes) nothing is cached."""
    if not _shared_cache():
        return compute()
    described = "\x1f".join(
        [translation.get_language() or "", timezone.localdate().isoformat(), *map(str, parts)]
    )
    digest = hashlib.sha256(described.encode()).hexdigest()
    key = f"kam:cached:{data_version()}:{digest}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=timeout)
    return value


def scope_key(user) -> str:
    """Who may share an answer: everyone who sees every client shares "all"; anybody else
    only with themselves (their scope depends on their team, deputyships and role)."""
    if getattr(user, "sees_everything", False) and user.is_active:
        return "all"
    return f"user-{user.pk}"
