"""How every app reads its settings: one ``conf.py`` per app with an :class:`AppSettings`.

An app declares its ``LMS_``-prefixed settings once, with their defaults and what they mean::

    app_settings = AppSettings(
        "lrs",
        {"LMS_XAPI_STATEMENT_LIMIT": 500},
        beat=lambda value: {"lrs-forward": {"task": "...", "schedule": value("LMS_...")}},
    )
    app_settings.LMS_XAPI_STATEMENT_LIMIT   # Django's setting if set, else the default

Values are read from ``django.conf.settings`` at each access, so ``override_settings`` reaches
them. The host project's settings module (``lms.settings.base``) does not repeat the defaults:
it takes from the environment only the variables that are set (:meth:`env_overrides`, cast like
the default) and gathers each app's Celery beat entries (:meth:`beat_schedule`).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings as django_settings

__all__ = ["AppSettings", "collect"]

BeatFactory = Callable[[Callable[[str], Any]], dict[str, dict[str, Any]]]


class AppSettings:
    def __init__(
        self, app: str, defaults: Mapping[str, Any], *, beat: BeatFactory | None = None
    ) -> None:
        for name in defaults:
            if not name.startswith("LMS_"):
                raise ValueError(f"{app}: setting {name} must be prefixed LMS_")
        self.app = app
        self.defaults = dict(defaults)
        self._beat = beat

    def __getattr__(self, name: str) -> Any:
        defaults = self.__dict__.get("defaults", {})
        if name not in defaults:
            raise AttributeError(f"{self.__dict__.get('app')} has no setting {name}")
        return getattr(django_settings, name, defaults[name])

    def get(self, name: str) -> Any:
        """The value of ``name``: Django's setting when set, else this app's default."""
        return self.__getattr__(name)

    def env_overrides(self, env: Any, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
        """The settings of this app that the environment sets, cast like their defaults
        (``env`` is a django-environ ``Env``)."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, default in self.defaults.items():
            if name not in environ:
                continue
            if isinstance(default, bool):
                values[name] = env.bool(name)
            elif isinstance(default, int):
                values[name] = env.int(name)
            elif isinstance(default, float):
                values[name] = env.float(name)
            elif isinstance(default, list | tuple):
                values[name] = env.list(name)
            else:
                values[name] = env.str(name)
        return values

    def beat_schedule(self, values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        """This app's Celery beat entries, given the settings being built (``values``)."""
        if self._beat is None:
            return {}
        return self._beat(lambda name: values.get(name, self.defaults[name]))


def collect(app_names: Iterable[str]) -> list[AppSettings]:
    """The :class:`AppSettings` of each app in ``app_names`` that has a ``conf`` module with
    one (as ``app_settings``)."""
    found = []
    for app in app_names:
        if importlib.util.find_spec(f"{app}.conf") is None:
            continue
        module = importlib.import_module(f"{app}.conf")
        app_settings = getattr(module, "app_settings", None)
        if isinstance(app_settings, AppSettings):
            found.append(app_settings)
    return found
