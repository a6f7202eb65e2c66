"""The throwaway database every benchmark runs in (shared by the scripts in this folder).

from _db import ensure_database   # the script's folder is on sys.path when it runs
"""

from pathlib import Path


def ensure_database(url: str, *, fresh: bool, postgres_only: str = "") -> None:
    """Create the database ``url`` names if it is missing (dropped first with ``fresh``).

    A SQLite URL: the file's folder is created and, with ``fresh``, the file removed (with its
    WAL files). ``postgres_only``: the benchmark measures PostgreSQL alone, and this message
    ends the run when ``url`` is not PostgreSQL."""
    import dj_database_url

    cfg = dj_database_url.parse(url)
    if cfg["ENGINE"] == "django.db.backends.sqlite3":
        if postgres_only:
            raise SystemExit(postgres_only)
        path = Path(cfg["NAME"])
        path.parent.mkdir(parents=True, exist_ok=True)
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    with psycopg.connect(**maintenance_conninfo(cfg), autocommit=True) as conn:
        name = cfg["NAME"]
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def maintenance_conninfo(cfg: dict) -> dict:
    """psycopg connection arguments for the server's ``postgres`` database (to create or drop
    another), from a parsed ``DATABASE_URL``."""
    conninfo = {
        "dbname": "postgres",
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
    }
    return {k: v for k, v in conninfo.items() if v}


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database ``url`` names (a benchmark's throwaway one)."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    cfg = dj_database_url.parse(url)
    with psycopg.connect(**maintenance_conninfo(cfg), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(cfg["NAME"])))
