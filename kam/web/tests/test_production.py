"""The production path, for real: DEBUG=0, collectstatic, gunicorn via ``kam serve``, PostgreSQL.

The servers are subprocesses reading the test database, so the data is committed
(``transaction=True``). Two servers on two ports share the database and Redis (db 15) and must
behave as one: a session, the sign-in throttle and a radar settings edit hold across them. The
servers' database connections are counted in pg_stat_activity by their application_name.
"""

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from http.cookies import SimpleCookie
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from kam.org.models import User
from kam.org.services import api_token_create
from kam.testing import PASSWORD, build_org, make_account, make_product, make_sales

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the production path runs on PostgreSQL"
    ),
    pytest.mark.django_db(transaction=True),
]

REDIS_URL = "redis://127.0.0.1:6379/15"
WORKERS, THREADS = 2, 2
STARTUP_SECONDS = 90  # two cores shared by many: a cold Django start can take a while


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_flush() -> bool:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).flushdb()
    except redis.RedisError:
        return False
    return True


def server_env(tmp, *, app_name: str, redis: bool) -> dict:
    db = settings.DATABASES["default"]  # at test time: the test database
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    url = (
        f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
        f"?application_name={app_name}"
    )
    env = {k: v for k, v in os.environ.items() if k not in {"KAM_TESTING", "DEBUG"}}
    env.update(
        DJANGO_SETTINGS_MODULE="kam.settings",
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY="production-path-test-secret-" + "x" * 40,
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp / "static"),
        KAM_DATA_DIR=str(tmp),
        CONN_MAX_AGE="60",
        PYTHONUNBUFFERED="1",
    )
    if redis:
        env["REDIS_URL"] = REDIS_URL
    return env


def kam(env, *args, timeout=180) -> str:
    done = subprocess.run(  # noqa: S603 (our own command line)
        [sys.executable, "-m", "kam", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, f"kam {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


class Server:
    """``kam serve`` in its own process group, so stopping it leaves nothing behind."""

    def __init__(self, tmp, name, *, redis):
        self.name = name
        self.port = free_port()
        self.env = server_env(tmp, app_name=name, redis=redis)
        self.log = tmp / f"{name}.log"
        self.proc = None

    def start(self):
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(  # noqa: S603 (our own command line)
                [
                    *(sys.executable, "-m", "kam", "serve", f"127.0.0.1:{self.port}"),
                    *("--workers", str(WORKERS), "--threads", str(THREADS)),
                ],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def wait_until_up(self):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"kam serve exited:\n{self.log.read_text()}")
            try:
                if self.request("GET", "/healthz")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"kam serve did not answer in time:\n{self.log.read_text()}")

    def stop(self):
        """SIGQUIT: gunicorn's quick shutdown; the whole group is killed if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGQUIT)

    def wait_until_stopped(self):
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)
        # Workers of a killed master are in its group; none may outlive the test.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def request(self, method, path, *, headers=None, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            # TLS ends at the proxy in production; the proxy says so in X-Forwarded-Proto.
            conn.request(
                method, path, body=body, headers={"X-Forwarded-Proto": "https", **(headers or {})}
            )
            response = conn.getresponse()
            return response.status, response.headers, response.read()
        finally:
            conn.close()


class Browser:
    """Cookies and CSRF by hand, so one browser can talk to either server."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, server, method, path, *, form=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"https://127.0.0.1:{server.port}"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        status, response_headers, content = server.request(method, path, headers=headers, body=body)
        for raw in response_headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(raw).items():
                self.cookies[name] = morsel.value
        return status, response_headers, content.decode("utf-8", "replace")

    def sign_in(self, server, username, password):
        status, _, page = self.request(server, "GET", "/login/")
        assert status == 200, page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        return self.request(
            server,
            "POST",
            "/login/",
            form={"csrfmiddlewaretoken": token, "username": username, "password": password},
        )


def pg_connections(app_name: str) -> int:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
            [settings.DATABASES["default"]["NAME"], app_name],
        )
        return cur.fetchone()[0]


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, tmp_path_factory):
    """Two production servers, started once for the module and always stopped.

    With Redis (CI, this machine) they share its cache and cache sessions in it; without, they
    still share sessions and the throttle through the database, which is what is asserted.
    """
    use_redis = redis_flush()
    tmp = tmp_path_factory.mktemp("production")
    pair = [Server(tmp, f"kam-test-{n}", redis=use_redis) for n in "ab"]
    try:
        out = kam(pair[0].env, "collectstatic", "--noinput")
        assert "static files copied" in out, out
        for server in pair:
            server.start()
        for server in pair:
            server.wait_until_up()
        yield pair
    finally:
        for server in pair:
            server.stop()
        for server in pair:
            server.wait_until_stopped()
        with django_db_blocker.unblock():
            # Let the servers' connections go before the test database is dropped.
            for _ in range(50):
                if sum(pg_connections(s.name) for s in pair) == 0:
                    break
                time.sleep(0.1)
        if use_redis:
            redis_flush()


@pytest.fixture
def company():
    org = build_org()
    # The suite hashes passwords with MD5 for speed, which production does not accept; store
    # them as production does (PBKDF2), with few iterations: the server upgrades them on use.
    User.objects.update(password=PBKDF2PasswordHasher().encode(PASSWORD, "kamtestsalt", 1000))
    client = make_account(owner=org.kam_anna, legal_name="Rīgas Slimnīca SIA")
    other = make_account(owner=org.kam_sigrid, legal_name="Kurzemes Aptieka SIA")
    product = make_product()
    make_sales(
        product=product,
        sales=[
            (account, date(2026, month, 10), Decimal(revenue), Decimal(revenue) / 2)
            for month in range(1, 11)
            for account, revenue in ((client, "1200.00"), (other, "300.00"))
        ],
    )
    return org, client


def test_production_path_serves_every_page_and_the_api(servers, company):
    a, _ = servers
    _org, client = company
    browser = Browser()
    status, headers, _ = browser.sign_in(a, "director", PASSWORD)
    assert (status, headers["Location"]) == (302, "/")

    for path in ("/", "/clients/", f"/clients/{client.pk}/", "/radar/"):
        status, _, page = browser.request(a, "GET", path)
        assert status == 200, (path, page[:500])
        assert "Rīgas Slimnīca" in page or path == "/", path
    status, headers, csv = browser.request(a, "GET", "/radar/export.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert "Rīgas Slimnīca" in csv

    _, _, home = browser.request(a, "GET", "/")
    css = re.search(r'href="(/static/kam/kam\.[0-9a-f]+\.css)"', home)
    assert css, "the stylesheet is not served under its hashed (collected) name"
    status, headers, _ = a.request("GET", css[1])
    assert status == 200 and headers["Content-Type"].startswith("text/css")

    key = kam(a.env, "token", "create", "director").strip()
    status, _, body = a.request("GET", "/api/clients/", headers={"Authorization": f"Bearer {key}"})
    assert status == 200
    assert "Rīgas Slimnīca SIA" in {row["legal_name"] for row in json.loads(body)["items"]}


def test_the_server_holds_at_most_workers_times_threads_connections(servers, company):
    a, _ = servers
    peak = 0

    def hit(n):
        return a.request("GET", "/healthz" if n % 3 else "/login/")[0]

    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(hit, n) for n in range(300)]
        while not all(f.done() for f in futures):
            peak = max(peak, pg_connections(a.name))
            time.sleep(0.05)
        statuses = [f.result() for f in futures]
    peak = max(peak, pg_connections(a.name))
    assert statuses.count(200) == 300
    # Connections are kept (CONN_MAX_AGE=60), but one per thread at most.
    assert 1 <= peak <= WORKERS * THREADS


def test_two_servers_share_sessions_the_throttle_and_settings(servers, company):
    a, b = servers
    # A session made through one server works through the other.
    browser = Browser()
    assert browser.sign_in(a, "director", PASSWORD)[0] == 302
    status, _, page = browser.request(b, "GET", "/clients/")
    assert status == 200 and "Rīgas Slimnīca" in page
    if "REDIS_URL" in a.env:  # the session is cached in the shared Redis, not in a process
        import redis

        assert redis.Redis.from_url(REDIS_URL).keys("kam:*cached_db*")

    # The throttle tripped through one holds through the other, the right password included.
    for _ in range(settings.KAM_LOGIN_ACCOUNT_LIMIT):
        status, _, page = Browser().sign_in(a, "kam_anna", "wrong-password")
        assert status == 200 and "did not match" in page
    status, _, page = Browser().sign_in(b, "kam_anna", PASSWORD)
    assert status == 429
    assert "Too many failed sign-ins; try again in 15 minutes." in page

    # A radar settings edit through one is seen through the other.
    _, key = api_token_create(actor=None, user=company[0].director, name="test")
    bearer = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    status, _, body = b.request("GET", "/api/radar/settings", headers=bearer)
    assert status == 200
    before = Decimal(json.loads(body)["key_share_pct"] or "0")
    wanted = before + Decimal("1.5")
    status, _, body = a.request(
        "PATCH",
        "/api/radar/settings",
        headers=bearer,
        body=json.dumps({"key_share_pct": str(wanted)}),
    )
    assert status == 200, body
    status, _, body = b.request("GET", "/api/radar/settings", headers=bearer)
    assert Decimal(json.loads(body)["key_share_pct"]) == wanted


def test_parallel_guesses_get_no_more_password_checks_than_the_limit(servers, company):
    a, b = servers
    limit = settings.KAM_LOGIN_ACCOUNT_LIMIT

    def guess(n):
        return Browser().sign_in((a, b)[n % 2], "kam_boris", f"guess-{n}")[0]

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(guess, range(12)))
    # Every attempt is on record before its password is checked, so of 12 guesses at once
    # across both servers exactly `limit` are checked (200, wrong) and the rest refused (429).
    assert sorted(statuses) == [200] * limit + [429] * (12 - limit)
