"""The Latvian and Russian catalogues stay complete: every message translated and not fuzzy,
the placeholders of every translation the same as its English, the committed .mo the compiled
form of its .po, and no string in the source that the catalogue lacks.

A message left untranslated shows English in the middle of a Latvian page; a placeholder that
differs raises KeyError (or shows the wrong number) only when that sentence is first said; a
stale .mo shows the old texts although the .po is right, because Django reads only the .mo.
"""

import ast
import gettext
import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = ["lv", "ru"]
NPLURALS = {"lv": 3, "ru": 3}

# printf-style conversions as Python's % operator reads them, "%%" included; {name} for
# str.format strings.
PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
BRACES = re.compile(r"\{[^{}]*\}")


def _po(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgid_plural, msgstr ({index: text}) and
    flags. Enough of the format for what makemessages writes; obsolete (#~) entries skipped."""
    entries: list[dict] = []
    entry: dict | None = None
    field = None
    for raw in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
        else:
            keyword, value = line.split(" ", 1)
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if keyword.startswith("msgstr[") else 0
                entry["msgstr"][field] = text
            else:
                field = keyword
                entry[keyword] = text
    return [e for e in entries if e["msgid"]]  # not the header


def _name(entry: dict) -> str:
    context = entry.get("msgctxt")
    return f"{context}|{entry['msgid']}" if context else entry["msgid"]


def _placeholders(text: str, entry: dict) -> Counter:
    found = Counter(BRACES.findall(text))
    if "python-format" in entry["flags"]:
        found.update(PRINTF.findall(text))
    else:
        # Not a format string: "%" is a literal ("20 %"), but a named placeholder is still one.
        found.update(re.findall(r"%\([^)]*\)\w", text))
    return found


@pytest.fixture(scope="module", params=LANGUAGES)
def catalogue(request):
    return request.param, parse_po(_po(request.param))


def test_every_message_is_translated_and_none_is_fuzzy(catalogue):
    language, entries = catalogue
    assert len(entries) > 500, "the parser found too few messages"
    untranslated = [
        _name(e)
        for e in entries
        if not e["msgstr"]
        or not all(e["msgstr"].values())
        or ("msgid_plural" in e and len(e["msgstr"]) != NPLURALS[language])
    ]
    fuzzy = [_name(e) for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == [], f"{language}: untranslated messages"
    assert fuzzy == [], f"{language}: fuzzy messages (check the guess, then drop the flag)"


def test_translations_keep_the_placeholders_of_the_english(catalogue):
    language, entries = catalogue
    wrong = []
    for entry in entries:
        for index, text in entry["msgstr"].items():
            english = entry["msgid_plural"] if index and "msgid_plural" in entry else entry["msgid"]
            if _placeholders(text, entry) != _placeholders(english, entry):
                wrong.append((_name(entry), index, text))
    assert wrong == [], f"{language}: placeholders differ from the English"


def test_the_plural_rule_is_the_languages_own(catalogue):
    language, _entries = catalogue
    header = _po(language).read_text(encoding="utf-8").split("\n\n", 1)[0]
    assert f"nplurals={NPLURALS[language]};" in header.replace('"\n"', "")


def test_the_committed_mo_is_the_compiled_po(catalogue):
    """Django reads only the .mo: it must hold exactly the .po's translations."""
    language, entries = catalogue
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as f:
        compiled = gettext.GNUTranslations(f)._catalog
    expected = {}
    for entry in entries:
        key = entry["msgid"]
        if entry.get("msgctxt"):
            key = f"{entry['msgctxt']}\x04{key}"
        if "msgid_plural" in entry:
            expected.update({(key, i): text for i, text in entry["msgstr"].items()})
        else:
            expected[key] = entry["msgstr"][0]
    compiled = {k: v for k, v in compiled.items() if k != ""}  # the header
    assert compiled == expected, f"{language}: run `kam compilemessages` and commit the .mo"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue_and_counts_nothing_missing(language):
    msgfmt = shutil.which("msgfmt")
    result = subprocess.run(  # noqa: S603 - gettext's msgfmt on our own catalogue
        [msgfmt, "--check", "--statistics", "-o", os.devnull, str(_po(language))],
        capture_output=True,
        text=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    assert result.returncode == 0, result.stderr
    assert "translated message" in result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("lv", {"minutes": "mēģiniet vēlreiz pēc 5 minūtēm", "at": "Ieva Ozola uzņēmumā Aurora"}),
        ("ru", {"minutes": "попробуйте снова через 5 минут", "at": "Ieva Ozola в Aurora"}),
    ],
)
def test_texts_added_by_issue_7_speak_the_language(language, expected):
    """A sample of today's strings, said by the code that says them."""
    from kam.clients.forms import ReassignForm
    from kam.org.policy import RULES, Action
    from kam.radar.forms import SETTINGS_GROUPS
    from kam.web.auth import locked_message

    # Looked up through other names, so that makemessages does not take this file's English
    # for strings of the source.
    say, say_in = translation.gettext, translation.pgettext
    with translation.override(language):
        locked = locked_message(5)
        at = say_in("change history", "%(contact)s at %(client)s") % {
            "contact": "Ieva Ozola",
            "client": "Aurora",
        }
        who = say_in("change history header", "Who")
        what = say_in("change history header", "What")
        texts = {
            "Ownership history": say("Ownership history"),
            "Your clients": say("Your clients"),
            "archive denied": str(RULES[Action.CLIENT_ARCHIVE].denied),
            "criteria group": str(SETTINGS_GROUPS[0][0]),
            "reassign label": str(ReassignForm.base_fields["owner"].label),
        }
    assert expected["minutes"] in locked
    assert at == expected["at"]
    assert who != what, "the change history's Who and What headers read alike"
    with translation.override("en"):
        english = {
            "Ownership history": "Ownership history",
            "Your clients": "Your clients",
            "archive denied": str(RULES[Action.CLIENT_ARCHIVE].denied),
            "criteria group": str(SETTINGS_GROUPS[0][0]),
            "reassign label": str(ReassignForm.base_fields["owner"].label),
        }
    assert {k: v for k, v in texts.items() if v == english[k]} == {}


@pytest.mark.skipif(
    shutil.which("xgettext") is None or shutil.which("msgmerge") is None,
    reason="GNU gettext's xgettext and msgmerge are not installed",
)
def test_the_catalogues_hold_every_string_the_source_marks(tmp_path):
    """makemessages over a copy of the source (a couple of seconds): a string marked since the
    catalogues were last refreshed comes out untranslated, and this names it."""
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "kam"
    shutil.copytree(
        source, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "static", "tests")
    )
    cwd = Path.cwd()
    os.chdir(tmp_path)  # makemessages reads the tree it runs in and writes to its locale dir
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages", locale=LANGUAGES, no_obsolete=True, verbosity=0, ignore_patterns=[]
            )
    finally:
        os.chdir(cwd)
    for language in LANGUAGES:
        entries = parse_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        missing = [
            _name(e) for e in entries if "fuzzy" in e["flags"] or not all(e["msgstr"].values())
        ]
        assert missing == [], f"{language}: marked in the source, missing from the catalogue"
