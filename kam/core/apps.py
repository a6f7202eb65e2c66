import unicodedata

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def _casefold(value):
    return value.casefold() if isinstance(value, str) else value


def unaccent(value):
    """PostgreSQL's ``unaccent`` for SQLite: "Rīgas" -> "Rigas" (marks dropped after NFKD)."""
    if not isinstance(value, str):
        return value
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", value) if not unicodedata.combining(ch)
    )


def sqlite_functions(sender, connection, **kwargs):
    """SQL functions SQLite lacks: ``kam_casefold`` (its LOWER folds ASCII letters only, so
    "Ā" would sort after "z"); sorts by name use it as Python's ``str.casefold``.
    ``kam_unaccent`` stands in for PostgreSQL's ``unaccent`` (searches without diacritics)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("kam_casefold", 1, _casefold, deterministic=True)
        connection.connection.create_function("kam_unaccent", 1, unaccent, deterministic=True)


class CoreConfig(AppConfig):
    name = "kam.core"
    label = "core"
    verbose_name = _("Company")

    def ready(self):
        connection_created.connect(sqlite_functions, dispatch_uid="kam.core.sqlite_functions")
        from kam.core import checks  # noqa: F401  (registers the deploy checks)
        from kam.core.cache_versions import connect_signals

        connect_signals()  # every committed write moves cached answers' version on
