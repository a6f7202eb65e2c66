"""``kam serve``: gunicorn (gthread) with DEBUG off, Django's development server only with DEBUG=1."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connections

from kam.settings import env_int
from kam.web.management.commands import serve


@pytest.fixture
def started(monkeypatch):
    """What gunicorn would have been started with (the one call to the outside world)."""
    configs = []
    monkeypatch.setattr(serve.ProductionServer, "run", lambda self: configs.append(self.cfg))
    return configs


def test_without_debug_it_is_gunicorn_with_threads_from_the_settings(settings, started, capsys):
    settings.DEBUG = False
    settings.KAM_WORKERS, settings.KAM_THREADS, settings.KAM_TIMEOUT = 3, 5, 45
    call_command("serve", "0.0.0.0:9001")
    (cfg,) = started
    assert cfg.worker_class_str == "gthread"
    assert (cfg.workers, cfg.threads, cfg.timeout) == (3, 5, 45)
    assert cfg.bind == ["0.0.0.0:9001"]
    assert cfg.accesslog == "-"
    assert "http://0.0.0.0:9001/" in capsys.readouterr().out


def test_flags_override_the_settings_and_a_bare_port_is_local(settings, started):
    settings.DEBUG = False
    call_command("serve", "9002", "--workers", "1", "--threads", "2")
    (cfg,) = started
    assert (cfg.workers, cfg.threads, cfg.bind) == (1, 2, ["127.0.0.1:9002"])


def test_with_debug_it_is_the_development_server_without_kept_connections(
    settings, started, monkeypatch
):
    settings.DEBUG = True
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    ran = []
    monkeypatch.setattr(serve, "call_command", lambda *a, **kw: ran.append((a, kw)))
    call_command("serve", "127.0.0.1:9003")
    assert started == []
    assert ran[0][0] == ("runserver", "127.0.0.1:9003")
    assert connections.settings["default"]["CONN_MAX_AGE"] == 0


def test_without_collected_static_files_it_says_what_to_run(settings, started, tmp_path):
    settings.DEBUG = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path
    with pytest.raises(CommandError, match="run `kam collectstatic --noinput` first"):
        call_command("serve")
    assert started == []
    (tmp_path / "staticfiles.json").write_text("{}")
    call_command("serve")
    assert len(started) == 1


@pytest.mark.parametrize(
    "addrport,bind",
    [("127.0.0.1:8000", "127.0.0.1:8000"), ("8080", "127.0.0.1:8080"), ("[::1]:8000", "[::1]:8000"),
     ("localhost:80", "localhost:80")],
)  # fmt: skip
def test_addresses(addrport, bind):
    assert serve.bind_address(addrport) == bind


@pytest.mark.parametrize("addrport", ["nonsense", "1.2.3.4:99999", "1.2.3.4:", ":"])
def test_a_bad_address_is_a_clear_error(addrport):
    with pytest.raises(CommandError, match="is not ADDR:PORT"):
        serve.bind_address(addrport)


def test_a_bad_worker_count_in_the_environment_is_named(monkeypatch):
    monkeypatch.setenv("KAM_WORKERS", "zero")
    with pytest.raises(ImproperlyConfigured, match="KAM_WORKERS must be a whole number >= 1"):
        env_int("KAM_WORKERS", 2, minimum=1)
    monkeypatch.setenv("KAM_WORKERS", "0")
    with pytest.raises(ImproperlyConfigured, match="KAM_WORKERS"):
        env_int("KAM_WORKERS", 2, minimum=1)
    monkeypatch.setenv("KAM_WORKERS", "6")
    assert env_int("KAM_WORKERS", 2, minimum=1) == 6
