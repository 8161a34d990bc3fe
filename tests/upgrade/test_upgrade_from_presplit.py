"""Issue 12: a PostgreSQL database populated at the commit before the split of ``progress/``
(statements, documents, profiles, enrolments, progress, awards, report facts), migrated by
this code, holds every row and gives every answer it gave before (tests/upgrade/upgrade.py).

Runs in CI's services step, where DATABASE_URL points at PostgreSQL; skipped elsewhere, but a
failure when LMS_TEST_REQUIRE_SERVICES is set and PostgreSQL cannot be reached. It works on a
database of its own (created and dropped here) and needs the repository's history for
``git archive`` of the base commit (``LMS_UPGRADE_FROM`` to choose another).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.upgrade import upgrade

pytestmark = pytest.mark.services


def _skip_or_fail(reason: str) -> None:
    if os.environ.get("LMS_TEST_REQUIRE_SERVICES"):
        pytest.fail(f"LMS_TEST_REQUIRE_SERVICES is set: {reason}")
    pytest.skip(reason)


@pytest.fixture
def postgres_server() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not upgrade.is_postgres(url):
        _skip_or_fail("the upgrade check needs PostgreSQL (DATABASE_URL=postgres://...)")
    problem = upgrade.server_reachable(url)
    if problem is not None:
        _skip_or_fail(f"PostgreSQL at DATABASE_URL is not reachable: {problem}")
    return url


@pytest.fixture
def base_commit() -> str:
    commit = upgrade.base_commit()
    found = subprocess.run(
        ["git", "-C", str(upgrade.ROOT), "cat-file", "-e", f"{commit}^{{commit}}"],
        capture_output=True,
    )
    if found.returncode != 0:
        _skip_or_fail(f"commit {commit} is not in this checkout's history (git archive needs it)")
    return commit


def test_a_database_from_before_the_split_keeps_every_row_and_answer(
    postgres_server: str, base_commit: str, tmp_path: Path
) -> None:
    differences = upgrade.run_upgrade(postgres_server, tmp_path, commit=base_commit)
    assert not differences, upgrade.report(differences)
