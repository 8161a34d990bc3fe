"""Outgoing mail for the embedded default: each message is written to a private folder (owner
only, outside ``media/``), and the log says only that a mail was written and where.

Django's console backend prints whole messages — the recipient's address and live
confirmation and password-reset links — to standard output, which is the log. This backend
keeps them in files only the operator can read, so a demo user can still confirm a sign-up
(``ls -t var/mail | head -1``), and no address or token link reaches the log.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail.backends.filebased import EmailBackend as FileBasedEmailBackend
from django.core.mail.message import EmailMessage

__all__ = ["PrivateFolderEmailBackend"]

logger = logging.getLogger(__name__)


class PrivateFolderEmailBackend(FileBasedEmailBackend):
    """Write each sending's messages to one file in ``EMAIL_FILE_PATH``, mode 0600 in a 0700
    folder; log the file's name and the number of messages, nothing from the messages."""

    # Set by Django's backend (``__init__`` and ``_get_filename``); absent from its stubs.
    file_path: str
    _fname: str

    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, file_path=file_path, **kwargs)
        folder = Path(self.file_path)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(folder, 0o700)

    def open(self) -> bool:
        if self.stream is None:
            path = self._get_filename()
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            self.stream = os.fdopen(descriptor, "ab")
            return True
        return False

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        if sent:
            logger.info("%d mail(s) written to %s", sent, os.path.basename(self._fname))
        return sent
