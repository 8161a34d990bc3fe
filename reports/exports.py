"""Report exports: CSV and XLSX built in the background, stored in S3 (or media/), audited.

``export_job_create`` records who asked for what (the ExportJob row is the audit record:
user, time, report, filters, scope) and enqueues the build on commit. ``export_job_build``
runs in a Celery worker: it recomputes the report under the recorded scope, writes the file,
stores it through ``integrations.storage.s3`` when a bucket is configured (else Django's
default storage under ``exports/``) and marks the job done.

The file goes only to the monitor who asked for it, while her monitoring scope still covers
the export's (``export_job_for_monitor``). Download links expire: S3 presigned URLs, handed out
only after that check, or a signed Django URL whose view checks it again on every request. Keys
carry a random folder, so a path cannot be guessed from the job's number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from integrations.storage import s3
from reports import conf
from reports.aggregate import FIGURES
from reports.models import ExportJob
from reports.query import QueryError, parse_query
from reports.reports import (
    DIMENSION_LABELS,
    completion_report,
    summary_report,
    trend_report,
)
from reports.scopes import Scope, ScopeError, scope_covers

logger = logging.getLogger(__name__)

REPORTS = ("completion", "summary", "trend")
# Kept from before the split of progress/: links handed out then stay valid.
_SIGNING_SALT = "progress.reports.export-download"
_CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIGURE_HEADERS = {
    "enrolled": "Inscritos",
    "started": "Iniciaron",
    "completed": "Concluyeron",
    "credentialed": "Con credencial",
    "completion_rate": "Tasa de conclusión",
    "median_days_to_complete": "Mediana de días para concluir",
    "hours_completed": "Horas de formación concluidas",
}
TREND_HEADERS = {
    "enrolled": "Inscripciones",
    "started": "Inicios",
    "completed": "Conclusiones",
    "credentialed": "Credenciales",
}
SUPPRESSED_MARK = "*"


def _scope_to_json(scope: Scope) -> dict[str, Any]:
    return {**scope.as_json(), "school_id": scope.school_id}


def _scope_from_json(data: dict[str, Any]) -> Scope:
    return Scope(
        level=data["level"],
        state=data.get("state"),
        school_id=data.get("school_id"),
        school_cct=data.get("school"),
    )


@transaction.atomic
def export_job_create(
    *, user: Any, scope: Scope, params: dict[str, str], report: str, fmt: str
) -> ExportJob:
    """Record an export request (the audit record) and enqueue its build on commit.

    ``params`` must be valid for ``report`` (see ``parse_query``; a ``QueryError`` names the
    parameter as ``params.<name>``); they are stored narrowed to the caller's scope, so the
    audit shows exactly what was exported.
    """
    try:
        parsed = parse_query(params, require_group_by=report == "completion")
    except QueryError as error:
        raise error.within("params") from None
    query = scope.narrow(parsed)
    job = ExportJob.objects.create(
        created_by=user,
        report=report,
        format=fmt,
        params=query.as_params(),
        scope=_scope_to_json(scope),
    )
    logger.info("report export %s requested by user %s: %s", job.pk, user.pk, job.params)

    def enqueue() -> None:
        from reports.tasks import build_report_export

        build_report_export.delay(job.pk)

    transaction.on_commit(enqueue)
    return job


def _progress(job: ExportJob, percent: int, **fields: Any) -> None:
    job.progress = percent
    for name, value in fields.items():
        setattr(job, name, value)
    ExportJob.objects.filter(pk=job.pk).update(progress=percent, **fields)


def _table(job: ExportJob) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the job's report, suppressed cells marked and emptied."""
    scope = _scope_from_json(job.scope)
    query = parse_query(job.params, require_group_by=job.report == "completion")
    if job.report == "trend":
        payload = trend_report(query, scope)
        trend_header = ["Mes", *TREND_HEADERS.values()]
        rows = [
            [point["month"], *(_value(point[name]) for name in TREND_HEADERS)]
            for point in payload["results"]
        ]
        return trend_header, rows
    figure_header = [*FIGURE_HEADERS.values(), "Suprimido"]
    if job.report == "summary":
        total = summary_report(query, scope)["total"]
        return ["Ámbito", *figure_header], [["Total", *_figures(total)]]
    payload = completion_report(query, scope)
    dims = payload["group_by"]
    header: list[str] = []
    for dimension in dims:
        label = str(DIMENSION_LABELS[dimension])
        header += [f"{label} (clave)", label]
    header += figure_header
    rows = [[*_keys(row, dims), *_figures(row)] for row in payload["results"]]
    blank = ["", ""] * (len(dims) - 1)
    for margin in ("row_totals", "column_totals"):
        for row in payload.get(margin, []):
            present = [d for d in dims if d in row]
            keys = _keys(row, present)
            keys = [*keys, "Total", ""] if margin == "row_totals" else ["Total", "", *keys]
            rows.append([*keys, *_figures(row)])
    rows.append(["Total", "", *blank, *_figures(payload["total"])])
    return header, rows


def _keys(row: dict[str, Any], dims: list[str]) -> list[Any]:
    keys: list[Any] = []
    for dimension in dims:
        keys += [row.get(dimension) or "", row.get(f"{dimension}_name") or ""]
    return keys


def _value(value: Any) -> Any:
    return SUPPRESSED_MARK if value is None else value


def _figures(row: dict[str, Any]) -> list[Any]:
    if row.get("suppressed"):
        return [SUPPRESSED_MARK] * len(FIGURES) + ["sí"]
    return [("" if row[name] is None else row[name]) for name in FIGURES] + ["no"]


def _metadata(job: ExportJob) -> list[tuple[str, str]]:
    return [
        ("Reporte", job.report),
        ("Generado", timezone.now().isoformat()),
        ("Ámbito", str(job.scope.get("level"))),
        *[(name, str(value)) for name, value in sorted(job.params.items())],
        (
            "Privacidad",
            f"Celdas con menos de {conf.min_cell()} personas suprimidas ({SUPPRESSED_MARK}),"
            " con supresión complementaria.",
        ),
    ]


def render_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    # UTF-8 with a BOM so spreadsheet programs read the accents right.
    return buffer.getvalue().encode("utf-8-sig")


def render_xlsx(header: list[str], rows: list[list[Any]], metadata: list[tuple[str, str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Reporte")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    about = workbook.create_sheet("Parámetros")
    for item in metadata:
        about.append(list(item))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _s3_config() -> s3.S3Config:
    return s3.S3Config(
        endpoint_url=getattr(settings, "AWS_S3_ENDPOINT_URL", None),
        access_key=getattr(settings, "AWS_ACCESS_KEY_ID", None),
        secret_key=getattr(settings, "AWS_SECRET_ACCESS_KEY", None),
        region=getattr(settings, "AWS_S3_REGION_NAME", None) or "us-east-1",
        addressing_style=getattr(settings, "AWS_S3_ADDRESSING_STYLE", "path") or "path",
    )


def export_job_build(*, job_id: int) -> ExportJob:
    """Build, store and finish export ``job_id``. A finished job is left as it is."""
    job = ExportJob.objects.get(pk=job_id)
    if job.is_finished:
        return job
    _progress(job, 5, status=ExportJob.Status.RUNNING, started_at=timezone.now())
    try:
        header, rows = _table(job)
        _progress(job, 50, row_count=len(rows))
        if job.format == ExportJob.Format.XLSX:
            body = render_xlsx(header, rows, _metadata(job))
        else:
            body = render_csv(header, rows)
        _progress(job, 80)
        # The random folder is a second line of defence: access is checked by the views.
        key = f"exports/{timezone.now():%Y/%m}/{secrets.token_urlsafe(18)}/{job.filename}"
        bucket = conf.export_bucket()
        if bucket:
            s3.put_bytes(
                _s3_config(),
                bucket=bucket,
                key=key,
                body=body,
                content_type=_CONTENT_TYPES[job.format],
            )
            storage = "s3"
        else:
            key = default_storage.save(key, ContentFile(body))
            storage = "local"
        _progress(
            job,
            100,
            status=ExportJob.Status.DONE,
            storage=storage,
            file_key=key,
            finished_at=timezone.now(),
        )
    except Exception as error:
        logger.exception("report export %s failed", job.pk)
        _progress(
            job,
            job.progress,
            status=ExportJob.Status.FAILED,
            failure=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    return job


def export_download_link(job: ExportJob) -> tuple[str, dt.datetime]:
    """An expiring link to the finished file and when it expires; counted for the audit."""
    seconds = conf.export_link_seconds()
    expires_at = timezone.now() + dt.timedelta(seconds=seconds)
    if job.storage == "s3":
        url = s3.presigned_get_url(
            _s3_config(),
            bucket=conf.export_bucket(),
            key=job.file_key,
            expires_in=seconds,
            filename=job.filename,
        )
    else:
        token = signing.dumps({"job": job.pk, "user": job.created_by_id}, salt=_SIGNING_SALT)
        path = reverse("api:reports-export-download", kwargs={"pk": job.pk})
        url = f"{settings.LMS_SITE_URL}{path}?token={token}"
    ExportJob.objects.filter(pk=job.pk).update(last_downloaded_at=timezone.now())
    return url, expires_at


def export_local_token_valid(job: ExportJob, token: str) -> bool:
    """Whether ``token`` is a current (unexpired) download token for ``job`` and its monitor."""
    try:
        data = signing.loads(token, salt=_SIGNING_SALT, max_age=conf.export_link_seconds())
    except signing.BadSignature:
        return False
    return data.get("job") == job.pk and data.get("user") == job.created_by_id


def export_job_for_monitor(*, user: Any, scope: Scope, pk: int) -> ExportJob:
    """The export ``pk`` if ``user`` may see it; ``ExportJob.DoesNotExist`` if it is not hers.

    Only the monitor who asked for an export gets it (another monitor's export, even one inside
    her scope, does not exist for her), and only while her current ``scope`` still covers the
    scope the export was made under: a coordinator moved to another state or narrowed to one
    school loses her wider exports (``ScopeError``, answered with 403).
    """
    job = ExportJob.objects.get(pk=pk, created_by_id=user.pk)
    if not scope_covers(scope, job.scope):
        raise ScopeError(
            "scope", _("El alcance de la exportación está fuera de tu alcance de monitoreo.")
        )
    return job


def export_local_read(job: ExportJob) -> bytes:
    """The bytes of a locally stored export, counting the download."""
    with default_storage.open(job.file_key, "rb") as handle:
        body = handle.read()
    from django.db.models import F

    ExportJob.objects.filter(pk=job.pk).update(download_count=F("download_count") + 1)
    return body


def content_type(job: ExportJob) -> str:
    return _CONTENT_TYPES[job.format]
