"""Capacita host project: settings, URLs, API router, Celery app. Wiring only."""

from .celery import app as celery_app

__all__ = ("celery_app",)
