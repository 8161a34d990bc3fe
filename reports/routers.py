"""The reports database: a read replica is read, never migrated or written.

Reports choose their database explicitly (``reports.conf.database()``): monitors'
reads go to ``LMS_REPORTS_DATABASE``; the refresh reads and writes the primary. This router
only keeps ``migrate`` (and the test runner's set-up) off a replica alias.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS


class ReportsDatabaseRouter:
    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        replica = getattr(settings, "LMS_REPORTS_DATABASE", DEFAULT_DB_ALIAS)
        if db != DEFAULT_DB_ALIAS and db == replica:
            return False
        return None
