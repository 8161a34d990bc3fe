"""SEP report endpoints: completion, summary, trend and exports. Monitors only.

Every endpoint narrows the request to the caller's monitoring scope (national, one state, one
school); a user without a scope gets 403. Bad parameters get 400 naming the parameter and the
rule. Figures in cells of fewer than ``LMS_REPORT_MIN_CELL`` people come back as null with
``suppressed: true``.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import ErrorSerializer
from common.auth import signed_in_user
from reports.exports import (
    REPORTS,
    content_type,
    export_download_link,
    export_job_create,
    export_job_for_monitor,
    export_local_read,
    export_local_token_valid,
)
from reports.models import ExportJob
from reports.query import DIMENSIONS, parse_query
from reports.reports import completion_report, summary_report, trend_report
from reports.scopes import Scope, ScopeError, scope_for_user


class IsReportMonitor(BasePermission):
    """Authenticated users with a monitoring scope (superusers, SEP monitors)."""

    message = gettext_lazy("Los reportes son solo para monitores de la SEP.")

    def has_permission(self, request: Request, view: Any) -> bool:
        scope = scope_for_user(request.user)
        request.report_scope = scope  # type: ignore[attr-defined]
        return scope is not None


def _report_scope(request: Request) -> Scope:
    """The scope ``IsReportMonitor`` found for the user of this request."""
    scope: Scope | None = getattr(request, "report_scope", None)
    if scope is None:
        raise PermissionDenied
    return scope


def _run(function: Any, request: Request, **options: Any) -> Response:
    try:
        query = parse_query(request.query_params, **options)
        return Response(function(query, _report_scope(request)))
    except ScopeError as error:
        raise _scope_denied(error) from error


def _scope_denied(error: ScopeError, prefix: str = "") -> PermissionDenied:
    """403 naming the parameter that reaches outside the scope and the rule it broke."""
    return PermissionDenied(
        {f"{prefix}{error.field}": [serializers.ErrorDetail(error.message, error.rule)]}
    )


# --- schema -----------------------------------------------------------------------------------

_FILTER_PARAMETERS = [
    OpenApiParameter("state", str, description="INEGI state code, 01..32."),
    OpenApiParameter("subsystem", str, description="Subsystem code (dgeti, conalep, ...)."),
    OpenApiParameter("school", str, description="School CCT."),
    OpenApiParameter("course", int, description="Course id."),
    OpenApiParameter("sector", str, description="Sector slug."),
    OpenApiParameter("topic", str, description="Topic slug."),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Enrolled on or after."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Enrolled on or before."),
]
_PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit",
        int,
        description="A page of the rows: at most this many (1..LMS_REPORT_MAX_GROUPS). "
        "Suppression, margins and `count` are those of the whole table, which may then hold "
        "up to LMS_REPORT_MAX_TABLE_GROUPS groups.",
    ),
    OpenApiParameter("offset", int, description="Rows to skip before the page (default 0)."),
]
_GROUP_BY = OpenApiParameter(
    "group_by",
    str,
    required=True,
    description=f"One or two of {', '.join(DIMENSIONS)}, comma-separated.",
)


class FiguresSerializer(serializers.Serializer):
    enrolled = serializers.IntegerField(allow_null=True)
    started = serializers.IntegerField(allow_null=True)
    completed = serializers.IntegerField(allow_null=True)
    credentialed = serializers.IntegerField(allow_null=True)
    completion_rate = serializers.FloatField(allow_null=True)
    median_days_to_complete = serializers.FloatField(allow_null=True)
    hours_completed = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class GroupRowSerializer(FiguresSerializer):
    """A group: one ``<dimension>`` code and ``<dimension>_name`` per grouped dimension."""

    state = serializers.CharField(required=False, allow_null=True)
    state_name = serializers.CharField(required=False)
    subsystem = serializers.CharField(required=False, allow_null=True)
    subsystem_name = serializers.CharField(required=False)
    school = serializers.CharField(required=False, allow_null=True, help_text="CCT")
    school_name = serializers.CharField(required=False)
    course = serializers.IntegerField(required=False, allow_null=True)
    course_name = serializers.CharField(required=False)
    sector = serializers.CharField(required=False, allow_null=True)
    sector_name = serializers.CharField(required=False)
    topic = serializers.CharField(required=False, allow_null=True)
    topic_name = serializers.CharField(required=False)
    month = serializers.CharField(required=False, allow_null=True, help_text="YYYY-MM")
    month_name = serializers.CharField(required=False)


class ScopeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["national", "state", "school"])
    state = serializers.CharField(allow_null=True)
    school = serializers.CharField(allow_null=True)


class _ReportHeader(serializers.Serializer):
    filters = serializers.DictField(child=serializers.CharField())
    scope = ScopeSerializer()
    min_cell = serializers.IntegerField()
    generated_at = serializers.DateTimeField()
    refreshed_at = serializers.DateTimeField(allow_null=True)
    staleness_bound_minutes = serializers.IntegerField()


class CompletionReportSerializer(_ReportHeader):
    group_by = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField(help_text="Rows of the whole table (all pages).")
    limit = serializers.IntegerField(required=False, allow_null=True)
    offset = serializers.IntegerField(required=False)
    results = GroupRowSerializer(many=True)
    row_totals = GroupRowSerializer(many=True, required=False)
    column_totals = GroupRowSerializer(many=True, required=False)
    total = FiguresSerializer()


class SummaryReportSerializer(_ReportHeader):
    total = FiguresSerializer()


class TrendPointSerializer(serializers.Serializer):
    month = serializers.CharField()
    enrolled = serializers.IntegerField(allow_null=True)
    started = serializers.IntegerField(allow_null=True)
    completed = serializers.IntegerField(allow_null=True)
    credentialed = serializers.IntegerField(allow_null=True)


class TrendReportSerializer(_ReportHeader):
    results = TrendPointSerializer(many=True)


_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="A parameter broke a rule."),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Not a monitor, or outside the scope."),
}


# --- figures ----------------------------------------------------------------------------------


class CompletionReportView(APIView):
    permission_classes = [IsReportMonitor]

    @extend_schema(
        operation_id="reports_completion",
        summary="Enrolment and completion figures grouped by one or two dimensions",
        parameters=[_GROUP_BY, *_FILTER_PARAMETERS, *_PAGE_PARAMETERS],
        responses={200: CompletionReportSerializer, **_ERRORS},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        return _run(completion_report, request, require_group_by=True)


class SummaryReportView(APIView):
    permission_classes = [IsReportMonitor]

    @extend_schema(
        operation_id="reports_summary",
        summary="The figures of everything selected, as one cell",
        parameters=_FILTER_PARAMETERS,
        responses={200: SummaryReportSerializer, **_ERRORS},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        return _run(summary_report, request, allow_group_by=False)


class TrendReportView(APIView):
    permission_classes = [IsReportMonitor]

    @extend_schema(
        operation_id="reports_trend",
        summary="Enrolments, starts, completions and credentials per month",
        parameters=_FILTER_PARAMETERS,
        responses={200: TrendReportSerializer, **_ERRORS},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        return _run(trend_report, request, allow_group_by=False)


# --- exports ----------------------------------------------------------------------------------


class ExportJobSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()
    download_expires_at = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "report",
            "format",
            "params",
            "status",
            "progress",
            "row_count",
            "created_at",
            "finished_at",
            "failure",
            "download_url",
            "download_expires_at",
        ]

    def _link(self, job: ExportJob) -> tuple[str | None, str | None]:
        cache = self.context.setdefault("links", {})
        if job.pk not in cache:
            if job.status == ExportJob.Status.DONE and self.context.get("with_link"):
                url, expires = export_download_link(job)
                cache[job.pk] = (url, expires.isoformat())
            else:
                cache[job.pk] = (None, None)
        return cache[job.pk]

    def get_download_url(self, job: ExportJob) -> str | None:
        return self._link(job)[0]

    def get_download_expires_at(self, job: ExportJob) -> str | None:
        return self._link(job)[1]


class ExportCreateSerializer(serializers.Serializer):
    report = serializers.ChoiceField(choices=list(REPORTS), default="completion")
    format = serializers.ChoiceField(choices=ExportJob.Format.choices, default="csv")
    params = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text="The report parameters, as for the report endpoint (group_by, filters, dates).",
    )


class ExportListCreateView(APIView):
    permission_classes = [IsReportMonitor]

    @extend_schema(
        operation_id="reports_exports_list",
        summary="Your recent report exports",
        responses={200: ExportJobSerializer(many=True), **_ERRORS},
        tags=["reports"],
    )
    def get(self, request: Request) -> Response:
        jobs = ExportJob.objects.filter(created_by=signed_in_user(request)).order_by("-created_at")[
            :50
        ]
        return Response(ExportJobSerializer(jobs, many=True).data)

    @extend_schema(
        operation_id="reports_exports_create",
        summary="Export a report as CSV or XLSX (built in the background)",
        request=ExportCreateSerializer,
        responses={202: ExportJobSerializer, **_ERRORS},
        tags=["reports"],
    )
    def post(self, request: Request) -> Response:
        serializer = ExportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        scope: Scope = _report_scope(request)
        try:
            job = export_job_create(
                user=request.user,
                scope=scope,
                params=data["params"],
                report=data["report"],
                fmt=data["format"],
            )
        except ScopeError as error:
            raise _scope_denied(error, prefix="params.") from error
        job.refresh_from_db()
        body = ExportJobSerializer(job, context={"with_link": True}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


class ExportDetailView(APIView):
    permission_classes = [IsReportMonitor]

    @extend_schema(
        operation_id="reports_exports_retrieve",
        summary="An export's progress and, once done, an expiring download link",
        responses={200: ExportJobSerializer, 404: OpenApiResponse(ErrorSerializer), **_ERRORS},
        tags=["reports"],
    )
    def get(self, request: Request, pk: int) -> Response:
        job = _export_for(request, pk)
        return Response(ExportJobSerializer(job, context={"with_link": True}).data)


def _export_for(request: Request, pk: int) -> ExportJob:
    """The caller's own export, while her scope covers it (404 if not hers, 403 if too wide)."""
    try:
        return export_job_for_monitor(user=request.user, scope=_report_scope(request), pk=pk)
    except ExportJob.DoesNotExist:
        raise Http404 from None
    except ScopeError as error:
        raise PermissionDenied(error.message) from error


class ExportDownloadView(APIView):
    """The embedded default's stand-in for an S3 presigned link: a signed, expiring URL that
    works only for the monitor who asked for the export, while her scope covers it."""

    permission_classes = [IsReportMonitor]

    @extend_schema(
        operation_id="reports_exports_download",
        summary="Download your locally stored export through its signed, expiring link",
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            403: OpenApiResponse(
                ErrorSerializer,
                description="Not a monitor; missing, wrong or expired token; or the export's "
                "scope is outside your monitoring scope.",
            ),
            404: OpenApiResponse(ErrorSerializer, description="No such export of yours."),
        },
        tags=["reports"],
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        job = _export_for(request, pk)
        if job.status != ExportJob.Status.DONE or job.storage != "local":
            raise Http404
        if not export_local_token_valid(job, request.query_params.get("token", "")):
            raise PermissionDenied(_("El enlace de descarga no es válido o ya caducó."))
        response = HttpResponse(export_local_read(job), content_type=content_type(job))
        response["Content-Disposition"] = f'attachment; filename="{job.filename}"'
        response["Cache-Control"] = "private, no-store"
        return response
