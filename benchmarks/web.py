"""Pages under load: KAM's production server beside a hello-world Django app (issue 7 §3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kam_bench_data \\
        uv run --frozen python benchmarks/web.py [--duration 15] [--connections 20] [--pages ...]

1. ``kam collectstatic`` into ``benchmarks/out/static`` (git-ignored), then two gunicorn servers
   with the same settings (``-k gthread --workers 2 --threads 4``, ``DEBUG=0``, a secret,
   ``SECURE_SSL_REDIRECT=0``, ``ALLOWED_HOSTS=127.0.0.1``): KAM (``kam.wsgi``) and a hello-world
   Django app (``benchmarks/hello_wsgi.py``).
2. Log in through the login form as the director (and a KAM who has clients, for their home
   page) to get session cookies.
3. For each page: one request alone (its time), then ``wrk`` with N connections for D seconds
   (a Lua script sends the session cookie, picks a random client per request for the client
   card, and prints p50/p95/p99 from wrk's own histogram). The hello-world runs once, first.
4. Print a table: alone, p50, p95, p99, req/s and the share of the hello-world's req/s.

The load tool runs on the same machine as the servers, so it takes CPU from them: compare the
ratio against the hello-world of the same run, not absolute figures between machines.
"""

import argparse
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"

PAGES = {
    "home-director": ("director", "/"),
    "home-kam": ("kam", "/"),
    "clients": ("director", "/clients/"),
    "clients-income": ("director", "/clients/?sort=-income"),
    "clients-page-500": ("director", "/clients/?page=500"),
    "radar": ("director", "/radar/"),
    "card-random": ("director", None),  # /clients/<random id>/
}

LUA = """
local ids = {%(ids)s}
local path = "%(path)s"
wrk.headers["Cookie"] = "%(cookie)s"
math.randomseed(%(seed)d)
request = function()
  local p = path
  if #ids > 0 then p = "/clients/" .. ids[math.random(#ids)] .. "/" end
  return wrk.format("GET", p)
end
done = function(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format(
    "RESULT {\\"requests\\": %%d, \\"seconds\\": %%f, \\"p50\\": %%d, \\"p95\\": %%d, "
    .. "\\"p99\\": %%d, \\"max\\": %%d, \\"errors\\": %%d, \\"timeouts\\": %%d, \\"non2xx\\": %%d}\\n",
    summary.requests, s, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env() -> dict:
    env = dict(os.environ)
    env.update(
        DEBUG="0",
        SECRET_KEY=env.get("SECRET_KEY") or "benchmark-" + "x" * 40,
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(OUT / "static"),
        LOG_LEVEL="WARNING",
    )
    # The page cache every app server shares (Redis database 7, emptied per run).
    env.setdefault("REDIS_URL", "redis://127.0.0.1:6379/7")
    return env


def start(app: str, port: int, args, env: dict, cwd: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        app,
        "-k",
        "gthread",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    proc = subprocess.Popen(command, cwd=cwd, env=env, start_new_session=True)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                sys.exit(f"{app} did not start (exit {proc.returncode})")
            time.sleep(0.3)
    stop(proc)
    sys.exit(f"{app} did not listen on {port} within 60 s")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def login(base: str, username: str, password: str) -> str:
    """Sign in through the login form; the ``Cookie`` header value of the session.

    The production cookies are ``Secure``, so the requests say they came through an HTTPS
    proxy (``X-Forwarded-Proto``, as the reverse proxy in docs/operations.md sets it) and the
    cookies are carried by hand."""
    host = urllib.parse.urlsplit(base).netloc
    https = {"X-Forwarded-Proto": "https"}

    def cookies_of(response) -> dict:
        out = {}
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            out[name.strip()] = rest.split(";", 1)[0]
        return out

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    first = urllib.request.Request(f"{base}/login/", headers=https)  # noqa: S310 -- http://127.0.0.1
    with opener.open(first) as response:
        page = response.read().decode()
        jar = cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    headers = {
        **https,
        "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
        "Origin": f"https://{host}",
        "Referer": f"https://{host}/login/",
    }
    try:
        response = opener.open(urllib.request.Request(f"{base}/login/", data, headers))  # noqa: S310
    except urllib.error.HTTPError as redirect:  # 302 to the home page: signed in
        response = redirect
    jar.update(cookies_of(response))
    if not jar.get("sessionid"):
        sys.exit(f"could not log in as {username}: wrong --password?")
    return f"sessionid={jar['sessionid']}"


def alone(base: str, path: str, cookie: str, runs: int = 3) -> float:
    """Best of ``runs`` single requests, in seconds (the first also warms caches)."""
    best = float("inf")
    for _ in range(runs):
        request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
        t = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            response.read()
            if response.status != 200:
                sys.exit(f"{path}: HTTP {response.status}")
        best = min(best, time.perf_counter() - t)
    return best


def load(base: str, path: str, cookie: str, ids: list[int], args) -> dict:
    script = LUA % {
        "ids": ", ".join(map(str, ids)),
        "path": path or "/",
        "cookie": cookie,
        "seed": random.randrange(1 << 30),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        done = subprocess.run(  # noqa: S603 -- wrk with our own arguments
            [  # noqa: S607 -- wrk from PATH, as installed
                "wrk",
                f"-t{args.wrk_threads}",
                f"-c{args.connections}",
                f"-d{args.duration}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                base + (path or "/"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(f.name)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    r = json.loads(line[len("RESULT ") :])
    r["rps"] = r["requests"] / r["seconds"]
    return r


def people(password: str) -> tuple[str, str, list[int]]:
    """The director's and a KAM's username, and 2,000 random client ids (for the card)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.db.models import Count

    from kam.clients.models import Account
    from kam.org.models import Role, User

    director = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("pk").first()
    kam = (
        User.objects.filter(role=Role.KAM, is_active=True)
        .annotate(n=Count("accounts"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
        .first()
    )
    if director is None or kam is None:
        sys.exit("no director or KAM with clients: build the database with kam demo")
    ids = list(Account.objects.order_by("?").values_list("pk", flat=True)[:2000])
    return director.username, kam.username, ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker")
    parser.add_argument("--password", default="bench-demo", help="password of the demo users")
    parser.add_argument("--pages", nargs="*", choices=list(PAGES), default=list(PAGES))
    parser.add_argument("--no-load", action="store_true", help="only the single requests")
    parser.add_argument("--skip-collectstatic", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("set DATABASE_URL to the benchmark database")
    OUT.mkdir(parents=True, exist_ok=True)
    env = server_env()
    if not args.skip_collectstatic:
        done = subprocess.run(
            [sys.executable, "-m", "kam", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
        )
        if done.returncode:
            print(
                "collectstatic failed with the hashed storage: timing with unhashed static "
                "files (benchmarks/settings_fallback.py)",
                flush=True,
            )
            env["DJANGO_SETTINGS_MODULE"] = "settings_fallback"
            env["PYTHONPATH"] = os.pathsep.join(
                [str(ROOT / "benchmarks"), str(ROOT), env.get("PYTHONPATH", "")]
            )
            subprocess.run(
                [sys.executable, "-m", "kam", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                env=env,
                check=True,
            )
    import redis

    redis.Redis.from_url(env["REDIS_URL"]).flushdb()  # no page cached by an earlier run
    director, kam, ids = people(args.password)
    kam_port, hello_port = free_port(), free_port()
    servers = [start("kam.wsgi", kam_port, args, env, ROOT)]
    servers.append(start("hello_wsgi", hello_port, args, env, ROOT / "benchmarks"))
    results: dict[str, dict] = {}
    try:
        base, hello = f"http://127.0.0.1:{kam_port}", f"http://127.0.0.1:{hello_port}"
        cookies = {"director": login(base, director, args.password)}
        cookies["kam"] = login(base, kam, args.password)
        if not args.no_load:
            alone(hello, "/", "")
            results["hello-world"] = {"alone": None, **load(hello, "/", "", [], args)}
            print(f"hello-world {results['hello-world']['rps']:,.0f} req/s", flush=True)
        for name in args.pages:
            who, path = PAGES[name]
            card_ids = ids if path is None else []
            first = path or f"/clients/{ids[0]}/"
            r = {"alone": alone(base, first, cookies[who])}
            if not args.no_load:
                r.update(load(base, path, cookies[who], card_ids, args))
            results[name] = r
            print(f"{name} done", flush=True)
    finally:
        for proc in servers:
            stop(proc)
    report(results, args)


def report(results: dict, args) -> None:
    hello = results.get("hello-world", {}).get("rps")
    print()
    print(
        f"{args.connections} connections, {args.duration} s per page, gunicorn gthread "
        f"{args.workers} workers x {args.threads} threads"
    )
    print(
        f"{'page':<18} {'alone':>9} {'p50':>9} {'p95':>9} {'p99':>9} {'req/s':>9} "
        f"{'vs hello':>9} {'errors':>7}"
    )

    def ms(us):
        return "—" if us is None else f"{us / 1000:,.1f} ms"

    for name, r in results.items():
        alone_s = "—" if r.get("alone") is None else f"{r['alone'] * 1000:,.0f} ms"
        rps = r.get("rps")
        ratio = f"{rps / hello * 100:.1f} %" if rps and hello else "—"
        errors = r.get("errors", 0) + r.get("timeouts", 0) + r.get("non2xx", 0)
        print(
            f"{name:<18} {alone_s:>9} {ms(r.get('p50')):>9} {ms(r.get('p95')):>9} "
            f"{ms(r.get('p99')):>9} {(f'{rps:,.1f}' if rps else '—'):>9} {ratio:>9} {errors:>7}"
        )
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (OUT / f"web-{stamp}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
