"""Report settings with their defaults (override them in Django settings or through environment
variables of the same names). The functions below read them at each call, so
``override_settings`` reaches them."""

from __future__ import annotations

from django.conf import settings

from common.appconf import AppSettings

#: A cell counting fewer than this many people is suppressed.
DEFAULT_MIN_CELL = 5
#: Minutes between full refreshes of the fact table by Celery beat (the staleness bound).
DEFAULT_REFRESH_MINUTES = 15
#: Seconds an export download link stays valid.
DEFAULT_EXPORT_LINK_SECONDS = 600
#: Most groups one report may return (a two-dimension school x course table can be large).
DEFAULT_MAX_GROUPS = 20_000


def min_cell() -> int:
    return max(1, int(app_settings.LMS_REPORT_MIN_CELL))


def refresh_minutes() -> int:
    return int(app_settings.LMS_REPORT_REFRESH_MINUTES)


def export_link_seconds() -> int:
    return int(app_settings.LMS_REPORT_EXPORT_LINK_SECONDS)


def max_groups() -> int:
    return int(app_settings.LMS_REPORT_MAX_GROUPS)


#: Most groups a table may hold when a page of it is asked for (``limit``/``offset``): the
#: whole table is still aggregated and suppressed, only the page is published.
DEFAULT_MAX_TABLE_GROUPS = 200_000


def max_table_groups() -> int:
    return max(
        max_groups(),
        int(app_settings.LMS_REPORT_MAX_TABLE_GROUPS),
    )


def export_bucket() -> str:
    """The S3 bucket for exports: its own setting, else the default storage's bucket, else ""."""
    return str(app_settings.LMS_REPORT_EXPORT_BUCKET) or getattr(
        settings, "AWS_STORAGE_BUCKET_NAME", ""
    )


#: PostgreSQL work_mem for report statements (hash aggregation of national tables).
DEFAULT_WORK_MEM = "64MB"

app_settings = AppSettings(
    "reports",
    {
        "LMS_REPORT_MIN_CELL": DEFAULT_MIN_CELL,
        "LMS_REPORT_REFRESH_MINUTES": DEFAULT_REFRESH_MINUTES,
        "LMS_REPORT_EXPORT_LINK_SECONDS": DEFAULT_EXPORT_LINK_SECONDS,
        # The S3 bucket for exports; empty = the default storage's bucket.
        "LMS_REPORT_EXPORT_BUCKET": "",
        "LMS_REPORT_MAX_GROUPS": DEFAULT_MAX_GROUPS,
        "LMS_REPORT_MAX_TABLE_GROUPS": DEFAULT_MAX_TABLE_GROUPS,
        "LMS_REPORT_WORK_MEM": DEFAULT_WORK_MEM,
        # The database alias reports read from: "default", or a read replica (lms.settings.base
        # sets "reports" when REPORTS_DATABASE_URL is given).
        "LMS_REPORTS_DATABASE": "default",
    },
    # Facts, course tags and national snapshots rebuilt on this beat (the staleness bound).
    beat=lambda value: {
        "reports-refresh": {
            "task": "progress.reports.refresh_facts",
            "schedule": int(value("LMS_REPORT_REFRESH_MINUTES")) * 60,
        }
    },
)


def work_mem() -> str:
    return str(app_settings.LMS_REPORT_WORK_MEM)


def database() -> str:
    """The database alias reports read from (``LMS_REPORTS_DATABASE``): ``default``, or a
    read replica of it configured in ``DATABASES`` (see ``lms.settings.base``)."""
    return str(app_settings.LMS_REPORTS_DATABASE or "default")
