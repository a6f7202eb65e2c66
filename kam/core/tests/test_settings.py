"""Production configuration: refuses to start without its secret, debug off, `check --deploy` clean.

Each check runs Django in a fresh interpreter with a clean environment, since the test run's own
settings (kam.settings_test, KAM_TESTING=1) are exactly what must not leak into these answers.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[3]


def run(code_or_args: list[str], tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "KAM_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kam.settings",
        "PYTHONPATH": str(PROJECT),
        **env,
    }
    return subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, *code_or_args],
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env() -> dict[str, str]:
    return {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "kam.example.com"}


SETUP = "import django; django.setup(); from django.conf import settings; "


def test_settings_refuse_to_load_without_secret_key(tmp_path):
    result = run(["-c", SETUP + "print('started')"], tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    assert "started" not in result.stdout


def test_debug_without_secret_key_starts_for_development(tmp_path):
    result = run(["-c", SETUP + "print(settings.DEBUG)"], tmp_path, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_debug_is_off_unless_asked_for(tmp_path):
    code = SETUP + "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.ALLOWED_HOSTS)"
    result = run(["-c", code], tmp_path, **production_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True ['kam.example.com']"


@pytest.mark.parametrize("value", ["0", "false", "no", ""])
def test_debug_stays_off_for_false_like_values(tmp_path, value):
    result = run(["-c", SETUP + "print(settings.DEBUG)"], tmp_path, DEBUG=value, **production_env())
    assert result.stdout.strip() == "False", result.stderr


def test_deploy_check_reports_no_issues(tmp_path):
    result = run(["-m", "django", "check", "--deploy"], tmp_path, **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_check_catches_a_weak_secret_key(tmp_path):
    """The check above can fail: a short key is reported (security.W009)."""
    env = {**production_env(), "SECRET_KEY": "short"}
    result = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
