"""The production static path (issue 7 §1): ``collectstatic`` into the manifest storage that
``DEBUG=0`` uses, then the pages that load static files answer 200 from it; and the deploy check
says so when the manifest is missing or stale, before a visitor meets a 500."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.test import override_settings
from whitenoise.compress import Compressor

from kam.core.checks import MANIFEST_MISSING, MANIFEST_STALE

pytestmark = pytest.mark.django_db

MANIFEST = "whitenoise.storage.CompressedManifestStaticFilesStorage"
VENDOR = Path(settings.BASE_DIR) / "static" / "vendor"
SKIP_COMPRESS = list(Compressor.SKIP_COMPRESS_EXTENSIONS)


def _storages():
    return {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST}}


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """One collectstatic for the module, the real one except that JavaScript and source maps
    are not brotli/gzip-compressed: Swagger UI's and ReDoc's 8 MB take a minute of CPU, and the
    manifest (what failed) is built all the same."""
    root = tmp_path_factory.mktemp("static")
    skip = [*SKIP_COMPRESS, "js", "map"]
    with override_settings(
        STATIC_ROOT=root,
        STORAGES=_storages(),
        DEBUG=False,
        WHITENOISE_SKIP_COMPRESS_EXTENSIONS=skip,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def production_static(collected):
    with override_settings(STATIC_ROOT=collected, STORAGES=_storages(), DEBUG=False):
        yield collected


def _deploy_errors():
    return [
        e
        for e in checks.run_checks(include_deployment_checks=True)
        if e.id in {MANIFEST_MISSING, MANIFEST_STALE}
    ]


def test_collectstatic_writes_a_manifest_of_every_vendored_file(collected):
    paths = json.loads((collected / "staticfiles.json").read_text())["paths"]
    for f in VENDOR.iterdir():
        if f.suffix in {".js", ".css"}:
            assert f"vendor/{f.name}" in paths


def test_no_vendored_file_names_a_file_that_is_not_shipped():
    """The manifest storage follows ``sourceMappingURL`` and CSS ``url()``/``@import``: each
    must be a data: URI or a file that is here, or collectstatic fails."""
    refs = re.compile(
        rb"sourceMappingURL=([^\s*'\"]+)|url\(\s*['\"]?([^'\")]+)|@import\s+['\"]([^'\"]+)"
    )
    for f in VENDOR.iterdir():
        if f.suffix not in {".js", ".css"}:
            continue
        for match in refs.finditer(f.read_bytes()):
            target = next(g for g in match.groups() if g).decode()
            if target.startswith(("data:", "#", "http:", "https:", "//")):
                continue
            assert (f.parent / target).exists(), f"{f.name} names {target}, which is not shipped"


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/api/docs"])
def test_pages_answer_200_with_debug_off_and_the_manifest_storage(production_static, client, url):
    response = client.get(url, secure=True)
    assert response.status_code == 200
    # The page links the fingerprinted copies that only the manifest knows.
    assert re.search(r"/static/[\w/.-]+\.[0-9a-f]{12}\.(js|css)", response.content.decode())


def test_deploy_check_passes_on_a_fresh_manifest(production_static):
    assert _deploy_errors() == []


def test_deploy_check_fails_without_a_manifest(tmp_path):
    with override_settings(STATIC_ROOT=tmp_path / "empty", STORAGES=_storages(), DEBUG=False):
        errors = _deploy_errors()
    assert [e.id for e in errors] == [MANIFEST_MISSING]
    assert "collectstatic" in errors[0].hint


def test_deploy_check_fails_when_a_file_changed_after_collectstatic(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "extra.css").write_text("body { color: black; }\n")
    root = tmp_path / "root"
    # Only this folder is collected: the check is the same, without compressing ReDoc again.
    with override_settings(
        STATIC_ROOT=root,
        STATICFILES_DIRS=[source],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES=_storages(),
        DEBUG=False,
    ):
        call_command("collectstatic", interactive=False, verbosity=0)
        assert _deploy_errors() == []
        (source / "extra.css").write_text("body { color: red; }\n")
        errors = _deploy_errors()
        assert [e.id for e in errors] == [MANIFEST_STALE]
        assert "extra.css" in errors[0].msg
        (source / "new.js").write_text("console.log(1);\n")
        errors = _deploy_errors()
        assert "new.js" in errors[0].msg


def test_deploy_check_is_silent_when_debug_storage_is_plain(settings):
    # The development storage needs no manifest: nothing to report.
    assert settings.STORAGES["staticfiles"]["BACKEND"].endswith("StaticFilesStorage")
    assert "Manifest" not in settings.STORAGES["staticfiles"]["BACKEND"]
    assert _deploy_errors() == []
