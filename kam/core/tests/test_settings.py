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


def collect_static(root: Path) -> None:
    """What the operator's ``kam collectstatic`` writes, into ``root``, in this process: the
    production storage, only not compressing JavaScript and maps (a minute of CPU for Swagger
    UI and ReDoc, and no part of what the check looks at)."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings
    from whitenoise.compress import Compressor

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    skip = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "js", "map"]
    with override_settings(
        STATIC_ROOT=root, STORAGES=storages, WHITENOISE_SKIP_COMPRESS_EXTENSIONS=skip
    ):
        call_command("collectstatic", interactive=False, verbosity=0)


def test_deploy_check_reports_no_issues(tmp_path):
    collect_static(tmp_path / "staticfiles")  # STATIC_ROOT's default under KAM_DATA_DIR
    result = run(["-m", "django", "check", "--deploy"], tmp_path, **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_deploy_check_fails_before_collectstatic(tmp_path):
    """Issue 7 §1: without collected static files every page answers 500 with DEBUG off; the
    deploy check says so (it used to report no issues)."""
    result = run(["-m", "django", "check", "--deploy"], tmp_path, **production_env())
    assert result.returncode != 0
    assert "kam.E001" in result.stderr + result.stdout
    assert "collectstatic" in result.stderr + result.stdout


def test_deploy_check_catches_a_weak_secret_key(tmp_path):
    """The check above can fail: a short key is reported (security.W009)."""
    env = {**production_env(), "SECRET_KEY": "short"}
    result = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], tmp_path, **env)
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr
