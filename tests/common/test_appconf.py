"""Every app reads its settings one way: ``conf.app_settings`` with prefixed, documented
defaults that ``override_settings`` reaches; the host settings only read the environment."""

from __future__ import annotations

import ast
from pathlib import Path

import environ
import pytest
from django.test import override_settings

from common.appconf import AppSettings, collect

ROOT = Path(__file__).resolve().parents[2]
APPS = ["lms", "courses", "lrs", "learners", "progress", "reports", "credentials"]


def test_a_value_is_read_at_each_access_so_override_settings_reaches_it():
    conf = AppSettings("demo", {"LMS_DEMO_LIMIT": 5})
    assert conf.LMS_DEMO_LIMIT == 5
    with override_settings(LMS_DEMO_LIMIT=9):
        assert conf.LMS_DEMO_LIMIT == 9 and conf.get("LMS_DEMO_LIMIT") == 9
    assert conf.LMS_DEMO_LIMIT == 5


def test_unknown_and_unprefixed_names_are_refused():
    conf = AppSettings("demo", {"LMS_DEMO_LIMIT": 5})
    with pytest.raises(AttributeError):
        conf.LMS_OTHER  # noqa: B018
    with pytest.raises(ValueError, match="prefixed LMS_"):
        AppSettings("demo", {"DEMO_LIMIT": 5})


@pytest.mark.parametrize(
    ("default", "raw", "expected"),
    [
        (True, "false", False),
        (3, "12", 12),
        (1.5, "2.25", 2.25),
        ("a", "b", "b"),
        ([], "x,y", ["x", "y"]),
    ],
)
def test_the_environment_overrides_only_what_it_sets_cast_like_the_default(default, raw, expected):
    conf = AppSettings("demo", {"LMS_DEMO_VALUE": default, "LMS_DEMO_OTHER": 1})
    environ_vars = {"LMS_DEMO_VALUE": raw}
    env = environ.Env()
    env.ENVIRON = environ_vars
    assert conf.env_overrides(env, environ_vars) == {"LMS_DEMO_VALUE": expected}


def test_beat_entries_come_from_each_app_with_the_values_being_built():
    conf = AppSettings(
        "demo",
        {"LMS_DEMO_EVERY": 15.0},
        beat=lambda value: {"demo": {"task": "demo.task", "schedule": value("LMS_DEMO_EVERY")}},
    )
    assert conf.beat_schedule({}) == {"demo": {"task": "demo.task", "schedule": 15.0}}
    assert conf.beat_schedule({"LMS_DEMO_EVERY": 60.0})["demo"]["schedule"] == 60.0


def test_the_site_gathers_every_apps_beat_entries(settings):
    assert set(settings.CELERY_BEAT_SCHEDULE) == {
        "lrs-forward-statements",
        "lrs-forward-documents",
        "lrs-statement-log-sweep",
        "learners-import-files-purge",
        "reports-refresh",
        "packages-cmi5-abandon",
        "packages-scorm-abandon",
        "packages-import-sweep",
        "packages-orphan-files",
    }


def test_the_host_settings_do_not_repeat_an_apps_defaults():
    """lms/settings/*.py may set an app's setting only as a deliberate production choice or
    a test need, never to restate its default."""
    declared = {name for conf in collect(APPS) for name in conf.defaults}
    allowed = {
        # Computed from DATABASES (a replica configured or not).
        "LMS_REPORTS_DATABASE",
    }
    tree = ast.parse((ROOT / "lms" / "settings" / "base.py").read_text())
    assigned = {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert (assigned & declared) - allowed == set()


def test_every_app_setting_is_prefixed_and_every_app_has_one_conf():
    confs = collect(APPS)
    assert {conf.app for conf in confs} == {"courses", "lrs", "learners", "reports", "credentials"}
    for conf in confs:
        assert all(name.startswith("LMS_") for name in conf.defaults)
