"""The translation catalogues: every tracked .po compiles with ``msgfmt --check`` and with
Django's ``compilemessages``, says which language it is for, and its committed .mo is what the
.po compiles to (so a translation added to a .po is not silently missing at run time)."""

from __future__ import annotations

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(
    ROOT / name
    for name in subprocess.run(
        ["git", "ls-files", "*.po"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
)
needs_msgfmt = pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext not installed")


def _id(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _header(po: Path) -> dict[str, str]:
    text = po.read_text(encoding="utf-8")
    block = text.split('msgid ""\nmsgstr ""\n', 1)[1].split("\n\n", 1)[0]
    fields = {}
    for line in block.splitlines():
        line = line.strip().strip('"').replace("\\n", "")
        if ": " in line:
            name, value = line.split(": ", 1)
            fields[name] = value
    return fields


def test_there_are_catalogues():
    assert any("credentials/locale/es_MX" in _id(po) for po in CATALOGUES)


@pytest.mark.parametrize("po", CATALOGUES, ids=_id)
def test_each_catalogue_names_its_language_and_charset(po):
    header = _header(po)
    language = po.parent.parent.name  # .../locale/<language>/LC_MESSAGES/django.po
    assert header.get("Language") == language
    assert header.get("Content-Type") == "text/plain; charset=UTF-8"
    assert "Plural-Forms" in header


@needs_msgfmt
@pytest.mark.parametrize("po", CATALOGUES, ids=_id)
def test_each_catalogue_passes_msgfmt_check_and_matches_its_mo(po, tmp_path):
    compiled = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "-o", str(compiled), str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr, result.stderr
    committed = po.with_suffix(".mo")
    if committed.exists() or _tracked(committed):
        with compiled.open("rb") as fresh, committed.open("rb") as kept:
            assert gettext.GNUTranslations(kept)._catalog == (
                gettext.GNUTranslations(fresh)._catalog
            ), f"{_id(committed)} is stale: compile {_id(po)} again"


def _tracked(path: Path) -> bool:
    return bool(
        subprocess.run(
            ["git", "ls-files", str(path.relative_to(ROOT))],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )


@needs_msgfmt
def test_compilemessages_compiles_every_catalogue(tmp_path, settings, monkeypatch):
    # On a copy: compilemessages writes the .mo files next to the .po files it finds.
    for po in CATALOGUES:
        target = tmp_path / po.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(po, target)
    settings.LOCALE_PATHS = []
    monkeypatch.chdir(tmp_path)
    call_command("compilemessages", verbosity=0)
    for po in CATALOGUES:
        assert (tmp_path / po.relative_to(ROOT)).with_suffix(".mo").exists(), _id(po)
