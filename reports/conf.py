"""Report settings with their defaults (override them in Django settings)."""

from django.conf import settings

#: A cell counting fewer than this many people is suppressed.
DEFAULT_MIN_CELL = 5
#: Minutes between full refreshes of the fact table by Celery beat (the staleness bound).
DEFAULT_REFRESH_MINUTES = 15
#: Seconds an export download link stays valid.
DEFAULT_EXPORT_LINK_SECONDS = 600
#: Most groups one report may return (a two-dimension school x course table can be large).
DEFAULT_MAX_GROUPS = 20_000


def min_cell() -> int:
    return max(1, int(getattr(settings, "LMS_REPORT_MIN_CELL", DEFAULT_MIN_CELL)))


def refresh_minutes() -> int:
    return int(getattr(settings, "LMS_REPORT_REFRESH_MINUTES", DEFAULT_REFRESH_MINUTES))


def export_link_seconds() -> int:
    return int(getattr(settings, "LMS_REPORT_EXPORT_LINK_SECONDS", DEFAULT_EXPORT_LINK_SECONDS))


def max_groups() -> int:
    return int(getattr(settings, "LMS_REPORT_MAX_GROUPS", DEFAULT_MAX_GROUPS))


#: Most groups a table may hold when a page of it is asked for (``limit``/``offset``): the
#: whole table is still aggregated and suppressed, only the page is published.
DEFAULT_MAX_TABLE_GROUPS = 200_000


def max_table_groups() -> int:
    return max(
        max_groups(),
        int(getattr(settings, "LMS_REPORT_MAX_TABLE_GROUPS", DEFAULT_MAX_TABLE_GROUPS)),
    )


def export_bucket() -> str:
    """The S3 bucket for exports: its own setting, else the default storage's bucket, else ""."""
    return getattr(settings, "LMS_REPORT_EXPORT_BUCKET", "") or getattr(
        settings, "AWS_STORAGE_BUCKET_NAME", ""
    )


#: PostgreSQL work_mem for report statements (hash aggregation of national tables).
DEFAULT_WORK_MEM = "64MB"


def work_mem() -> str:
    return str(getattr(settings, "LMS_REPORT_WORK_MEM", DEFAULT_WORK_MEM))


def database() -> str:
    """The database alias reports read from (``LMS_REPORTS_DATABASE``): ``default``, or a
    read replica of it configured in ``DATABASES`` (see ``lms.settings.base``)."""
    return str(getattr(settings, "LMS_REPORTS_DATABASE", "default") or "default")
