"""The shape of the code: one bounded context per app, none holding most of the code."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["lms", "courses", "lrs", "learners", "progress", "reports", "credentials"]
LIBRARIES = ["integrations", "common"]


def _lines(package: str) -> int:
    return sum(
        len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def test_no_app_holds_more_than_a_third_of_the_code():
    sizes = {package: _lines(package) for package in APPS + LIBRARIES}
    total = sum(sizes.values())
    too_big = {app: f"{sizes[app] / total:.0%}" for app in APPS if sizes[app] > total / 3}
    assert not too_big, f"apps over a third of the {total} lines: {too_big}"


def test_the_lrs_is_an_app_of_its_own_with_its_urls_and_migrations():
    for path in ("lrs/apps.py", "lrs/urls.py", "lrs/models.py", "lrs/migrations/0001_initial.py"):
        assert (ROOT / path).exists(), path
    assert not (ROOT / "progress" / "xapi").exists()
    assert not (ROOT / "progress" / "reports").exists()
