"""Logging filters (imported by LOGGING before the app registry is ready: no models here)."""

from __future__ import annotations

import logging
import re


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


class PersonalDataFilter(logging.Filter):
    """Blank out e-mail addresses and the secret parts of confirmation and password-reset links
    in every record a handler writes.

    The code logs neither, but Django's own records carry request paths ("Bad Request:
    /cuenta/confirmar/<uid>/<token>/" for a used link, runserver's access lines) and a
    library's message may quote an address; this is the net under all of them.
    """

    _EMAIL = re.compile(r"(?:mailto:)?[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
    _TOKEN_PATH = re.compile(r"(/cuenta/(?:confirmar|contrasena)/)[^/\s?#\"']+/[^/\s?#\"']+")
    # The one-time cmi5 fetch URL (packages/cmi5), plain or URL-encoded in a launch URL.
    _FETCH_PATH = re.compile(
        r"((?:/|%2F)packages(?:/|%2F)cmi5(?:/|%2F)fetch(?:/|%2F))[^/%&\s?#\"']+"
    )

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to the formatter
            return True
        cleaned = self._TOKEN_PATH.sub(r"\1[oculto]", self._EMAIL.sub("[correo]", message))
        cleaned = self._FETCH_PATH.sub(r"\1[oculto]", cleaned)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
