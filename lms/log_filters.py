"""Logging filters (imported by LOGGING before the app registry is ready: no models here)."""

from __future__ import annotations

import logging


class LRSNotFoundFilter(logging.Filter):
    """Drop ``django.request``'s "Not Found" warning for LRS resources.

    A 404 there is an ordinary answer (no such document or statement yet), not a broken link:
    logging it buried real warnings under one line per launch of every xAPI tool.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if getattr(record, "status_code", None) != 404 or request is None:
            return True
        return not getattr(request, "path_info", "").startswith("/xapi/")
