"""KAM's one settings module, driven by environment variables (12-factor).

DATABASE_URL   database (default: a SQLite file ``kam.sqlite3`` in KAM_DATA_DIR)
SECRET_KEY     required unless DEBUG is on; production refuses to start without it
DEBUG          "1"/"true" turns on debug mode; off by default
ALLOWED_HOSTS  comma separated; default "127.0.0.1,localhost" in debug, empty otherwise
KAM_DATA_DIR   where the SQLite file lives (default: the working directory)
CONN_MAX_AGE   seconds a database connection is kept for reuse (default 60; 0 closes it after
               each request)
REDIS_URL      the shared cache (e.g. redis://127.0.0.1:6379/0); unset: each process's memory
EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS, EMAIL_USE_SSL,
DEFAULT_FROM_EMAIL   SMTP for reminders and notices (no EMAIL_HOST: mail goes to the console)
KAM_MEDIA_DIR  uploaded documents such as signed contracts (default: KAM_DATA_DIR/media)
KAM_BEHIND_PROXY  "1" (default): trust X-Forwarded-Proto and the right-most X-Forwarded-For,
               which the reverse proxy in front must set; "0" when clients reach KAM directly

``kam serve`` (production server, gunicorn, when DEBUG is off):
KAM_WORKERS    worker processes (default 2)
KAM_THREADS    threads per worker (default 4)
KAM_TIMEOUT    seconds before a silent worker is restarted (default 60)

Database connections: each gunicorn thread keeps at most one connection open (for CONN_MAX_AGE
seconds), so one app server holds at most KAM_WORKERS x KAM_THREADS connections; n servers hold
n x that. Keep the sum (plus cron jobs and a margin) below PostgreSQL's max_connections
(default 100), or put PgBouncer in between.

Several app servers behave as one when they share the database and REDIS_URL: sessions and the
sign-in throttle live in the database, the cache in Redis. Without REDIS_URL each process has
its own cache, which is right only for development and tests.

Sign-in throttle (kam/web/auth.py): KAM_LOGIN_ACCOUNT_LIMIT failures per account (default 5)
or KAM_LOGIN_ADDRESS_LIMIT per address (default 20) within KAM_LOGIN_WINDOW_MINUTES (default 15)
lock further sign-ins for that account or address until the oldest of them ages out.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or number < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number >= {minimum}, not {value!r}.")
    return number


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG")
TESTING = env_bool("KAM_TESTING")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "kam-insecure-development-key-never-use-in-production"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment, or set DEBUG=1 for development."
        )

_hosts = os.environ.get(
    "ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG or TESTING else ""
)
ALLOWED_HOSTS = [h.strip() for h in _hosts.split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

DATA_DIR = Path(os.environ.get("KAM_DATA_DIR", Path.cwd()))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'kam.sqlite3'}"),
        # Persistent connections are bounded by the server's threads (see the module doc);
        # the health check replaces a connection the database closed meanwhile.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a write is in progress; IMMEDIATE transactions take the
    # write lock at BEGIN so two writers queue instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
        "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("KAM_SQLITE_TEST_NAME")}
    # The running totals' index carries its amounts (INCLUDE) for index-only reads on
    # PostgreSQL; SQLite builds it without them, which is all this warning says.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",  # ships Swagger UI files, so /api/docs needs no CDN
    "template_partials",
    "kam.core",
    "kam.org",
    "kam.clients",
    "kam.catalog",
    "kam.sales",
    "kam.pricing",
    "kam.contracts",
    "kam.receivables",
    "kam.credit",
    "kam.orders",
    "kam.plans",
    "kam.pay",
    "kam.promotions",
    "kam.imports",
    "kam.demo",
    "kam.radar",
    "kam.activity",
    "kam.relations",
    "kam.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "kam.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "kam.core.middleware.RequestGuardMiddleware",  # NUL/control chars 400, over-size 413, /api/ JSON
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kam.web.context_processors.company",
                "kam.web.context_processors.notifications",
            ],
        },
    }
]

# Shared state lives in the database or Redis, never in one process, so several app servers
# behave as one. Sessions: the database; with Redis in front of it (cached_db) when REDIS_URL
# is set. Not cached_db on the local-memory cache: another process would keep serving a session
# from its own memory after a sign-out elsewhere.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "kam",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    # One process's memory: development and tests only. Several servers need REDIS_URL.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The production server (kam serve with DEBUG off): see the module doc for the connection rule.
# Imports (issue 8): uploads of the import page and the API are kept here (checksummed, listed
# with their run); files above KAM_IMPORT_MAX_MB are refused; KAM_IMPORT_RUNNER is how a run
# goes to the background: "process" (a detached `kam import_run`), "thread", or "inline"
# (in the request, for tests).
KAM_IMPORT_DIR = Path(os.environ.get("KAM_IMPORT_DIR", DATA_DIR / "imports"))
KAM_IMPORT_MAX_MB = env_int("KAM_IMPORT_MAX_MB", 500, minimum=1)
KAM_IMPORT_RUNNER = os.environ.get("KAM_IMPORT_RUNNER", "process")

# Uploaded documents (a contract's signed file): KAM_MEDIA_DIR, served only through views that
# check who may see them, never as static files.
MEDIA_ROOT = Path(os.environ.get("KAM_MEDIA_DIR", DATA_DIR / "media"))
MEDIA_URL = "/media/"

# Mail (payment reminders, order notices; issue 9 §8): SMTP from the environment. Without
# EMAIL_HOST, mail is written to the console (development); tests use a real local SMTP server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kam@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
KAM_WORKERS = env_int("KAM_WORKERS", 2, minimum=1)
KAM_THREADS = env_int("KAM_THREADS", 4, minimum=1)
KAM_TIMEOUT = env_int("KAM_TIMEOUT", 60, minimum=1)

# Sign-in throttle, counted in the database (kam.web.models.SignInFailure) so it holds across
# servers: per account and per address, within a sliding window.
KAM_LOGIN_ACCOUNT_LIMIT = env_int("KAM_LOGIN_ACCOUNT_LIMIT", 5, minimum=1)
KAM_LOGIN_ADDRESS_LIMIT = env_int("KAM_LOGIN_ADDRESS_LIMIT", 20, minimum=1)
KAM_LOGIN_WINDOW_MINUTES = env_int("KAM_LOGIN_WINDOW_MINUTES", 15, minimum=1)

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("lv", _("Latvian")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["kam.formats"]  # English day-first, one date format (kam/formats/en)
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Riga")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]  # kam/ is the project package, not an app
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
# Source maps are read by browser developer tools only; brotli at its best quality takes most of
# collectstatic's minutes on them (5 MB of the API docs' maps), for no user's benefit.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Security: secure defaults in production; plain HTTP only when DEBUG is on.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG and not TESTING
CSRF_COOKIE_SECURE = not DEBUG and not TESTING
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG and not TESTING)
# Trust X-Forwarded-Proto only behind a proxy that overwrites it (KAM_BEHIND_PROXY=0 otherwise);
# the sign-in throttle then takes the client's address from X-Forwarded-For as well.
KAM_BEHIND_PROXY = env_bool("KAM_BEHIND_PROXY", True)
if KAM_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint reports each step of printing a PDF ("Step 7 - Adding PDF metadata") at INFO:
    # noise on the console of `kam statement` and in the server's log.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
