"""The English message catalogue is complete, committed compiled, and in step with the code.

The msgids are the Vietnamese texts; materiel/locale/en/LC_MESSAGES/django.po holds their English and
django.mo its compiled form, committed so that nothing needs gettext at run time. How to refresh
both: docs/translation.md.
"""

import ast
import gettext
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parent.parent / "materiel"
MESSAGES = Path("locale") / "en" / "LC_MESSAGES"
PO = PACKAGE / MESSAGES / "django.po"
MO = PACKAGE / MESSAGES / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%%")


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def read_po(path: Path) -> list[Entry]:
    """The entries of a .po file (a small reader for what makemessages writes)."""
    entries, entry, target = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry = None
            continue
        entry = entry or Entry()
        if line.startswith("#~"):
            entry.obsolete = True
        elif line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.msgctxt, target = ast.literal_eval(line[8:]), "msgctxt"
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = ast.literal_eval(line[13:]), "msgid_plural"
        elif line.startswith("msgid "):
            entry.msgid, target = ast.literal_eval(line[6:]), "msgid"
        elif line.startswith("msgstr"):
            index = int(line[7 : line.index("]")]) if line.startswith("msgstr[") else 0
            entry.msgstr[index], target = ast.literal_eval(line[line.index(" ") + 1 :]), index
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(target, int):
                entry.msgstr[target] += text
            else:
                setattr(entry, target, getattr(entry, target) + text)
    return entries


def compiled(path: Path) -> dict:
    with path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_every_entry_is_translated_none_is_fuzzy_and_placeholders_match():
    entries = read_po(PO)
    header, messages = entries[0], entries[1:]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert "charset=UTF-8" in header.msgstr[0] and "Plural-Forms: nplurals=2;" in header.msgstr[0]
    assert len(messages) > 500
    problems = []
    for entry in messages:
        if entry.obsolete:
            problems.append(("obsolete", entry.msgid))
        if "fuzzy" in entry.flags:
            problems.append(("fuzzy", entry.msgid))
        expected = 2 if entry.msgid_plural is not None else 1
        if len(entry.msgstr) != expected or not all(entry.msgstr.values()):
            problems.append(("empty", entry.msgid))
        for text in entry.msgstr.values():
            if sorted(set(PLACEHOLDER.findall(text))) != sorted(set(PLACEHOLDER.findall(entry.msgid))):
                problems.append(("placeholders", entry.msgid))
    assert not problems, problems


def test_the_committed_mo_is_a_fresh_compile_of_the_po(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt is missing: install gettext (scripts/system-deps.sh)")
    fresh = tmp_path / "django.mo"
    subprocess.run([msgfmt, "--check-format", "-o", str(fresh), str(PO)], check=True)
    assert compiled(fresh) == compiled(MO), "django.mo is stale: run `make messages` (docs/translation.md)"


def test_makemessages_finds_no_text_missing_from_the_catalogue(tmp_path, settings, monkeypatch):
    """Extract the texts of the code as it is now into a copy of the catalogue: nothing may be new."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: install gettext (scripts/system-deps.sh)")
    copy = tmp_path / "materiel"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo", "data"))
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], no_obsolete=True, add_location="file", verbosity=0)
    fresh = [e for e in read_po(copy / MESSAGES / "django.po")[1:] if not e.obsolete]
    committed = {(e.msgctxt, e.msgid) for e in read_po(PO)[1:]}
    missing = sorted(e.msgid for e in fresh if (e.msgctxt, e.msgid) not in committed)
    untranslated = sorted(e.msgid for e in fresh if "fuzzy" in e.flags or not all(e.msgstr.values()))
    stale = sorted(msgid for _, msgid in committed - {(e.msgctxt, e.msgid) for e in fresh})
    assert not missing, f"texts not in django.po (run `make messages`, then translate): {missing}"
    assert not untranslated, f"untranslated after extraction: {untranslated}"
    assert not stale, f"django.po keeps texts the code no longer has (run `make messages`): {stale}"
