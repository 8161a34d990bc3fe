"""The suite's own plumbing (tests/conftest.py) does what it says."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def _flaky_flush(monkeypatch, failures: int, message: str = "deadlock detected") -> list[int]:
    calls: list[int] = []
    original = connection.ops.execute_sql_flush

    def flaky(sql_list):
        calls.append(1)
        if len(calls) <= failures:
            raise OperationalError(message)
        return original(sql_list)

    monkeypatch.setattr(connection.ops, "execute_sql_flush", flaky)
    return calls


def test_a_flush_that_deadlocks_with_a_late_write_is_tried_again(monkeypatch):
    calls = _flaky_flush(monkeypatch, failures=2)
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    assert len(calls) == 3


def test_a_flush_failing_for_another_reason_still_fails_at_once(monkeypatch):
    calls = _flaky_flush(monkeypatch, failures=1, message="relation does not exist")
    with pytest.raises(CommandError):
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
    assert len(calls) == 1
