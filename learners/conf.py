"""Defaults of the progress app's settings; read them through :func:`setting`."""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # DOMAIN.md: one non-binary CURP with sex "X" has been reported, so accepting it is a setting.
    "LMS_CURP_ALLOW_X_SEX": True,
    # Rows per database batch when importing CSV files.
    "LMS_IMPORT_BATCH_SIZE": 2000,
    # At most this many row errors and warnings are kept on an import job (the counts are exact).
    "LMS_IMPORT_MAX_REPORTED": 1000,
    # Hours an uploaded roster (CURPs, names, e-mail) is kept after its import finished; 0
    # deletes it as soon as the import is done or failed. Celery beat purges older ones.
    "LMS_IMPORT_FILE_RETENTION_HOURS": 0,
}


def setting(name: str) -> Any:
    """The value of the ``LMS_*`` setting ``name``, or the app default."""
    return getattr(settings, name, DEFAULTS[name])
