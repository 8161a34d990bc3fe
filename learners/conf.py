"""Settings of the learners app, with their defaults (override them in Django settings or
through environment variables of the same names). Read them through :func:`setting` or
:data:`app_settings`; both see ``override_settings``."""

from __future__ import annotations

from typing import Any

from common.appconf import AppSettings

app_settings = AppSettings(
    "learners",
    {
        # DOMAIN.md: one non-binary CURP with sex "X" has been reported, so accepting it is a
        # setting.
        "LMS_CURP_ALLOW_X_SEX": True,
        # Rows per database batch when importing CSV files.
        "LMS_IMPORT_BATCH_SIZE": 2000,
        # At most this many row errors and warnings are kept on an import job (counts are exact).
        "LMS_IMPORT_MAX_REPORTED": 1000,
        # Hours an uploaded roster (CURPs, names, e-mail) is kept after its import finished; 0
        # deletes it as soon as the import is done or failed. Celery beat purges older ones
        # (docs/operations.md, "Files and who may read them").
        "LMS_IMPORT_FILE_RETENTION_HOURS": 0.0,
    },
    beat=lambda value: {
        "learners-import-files-purge": {
            "task": "progress.tasks.purge_import_files",
            "schedule": 15 * 60.0,
        }
    },
)


def setting(name: str) -> Any:
    """The value of the ``LMS_*`` setting ``name``, or the app default."""
    return app_settings.get(name)
