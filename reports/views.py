"""The SEP reports dashboard in the Wagtail admin: map, charts, tables, drill-down, exports.

Drill-down: the country by state → a state by subsystem → a subsystem by school → a school
by course. Every figure comes through the same report functions as the API, so scopes and
suppression hold here exactly as there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from learners.models import Subsystem
from reports import charts, wording
from reports.exports import (
    REPORTS,
    export_download_link,
    export_job_create,
    export_job_for_monitor,
)
from reports.models import (
    ExportJob,
    ReportCourseTag,
    ReportFact,
    ReportRefresh,
    ReportRefreshRequest,
)
from reports.query import QueryError, ReportQuery, parse_query
from reports.refresh import report_refresh_request
from reports.reports import (
    DIMENSION_LABELS,
    completion_report,
    summary_report,
    trend_report,
)
from reports.scopes import NATIONAL, SCHOOL, Scope, ScopeError, scope_for_user

FILTER_KEYS = (
    "state", "subsystem", "school", "course", "sector", "topic", "date_from", "date_to",
)  # fmt: skip


def _scope(request: HttpRequest) -> Scope:
    scope = scope_for_user(request.user)
    if scope is None:
        raise PermissionDenied(_("Los reportes son solo para monitores de la SEP."))
    return scope


def _link(params: dict[str, str], **changes: str | None) -> str:
    merged = {**params, **changes}
    return "?" + urlencode({k: v for k, v in merged.items() if v})


def _drill_dimension(query: ReportQuery, scope: Scope) -> str:
    if scope.level == SCHOOL or query.school:
        return "course"
    if query.subsystem and (query.state or scope.state):
        return "school"
    if query.state or scope.state:
        return "subsystem"
    return "state"


def _row_link(row: dict[str, Any], dimension: str, params: dict[str, str]) -> str | None:
    if row.get("suppressed") or not row.get(dimension):
        return None
    if dimension == "state":
        return _link(params, state=row["state"], subsystem=None, school=None)
    if dimension == "subsystem":
        return _link(params, subsystem=row["subsystem"], school=None)
    if dimension == "school":
        return _link(params, school=row["school"])
    return None


def _filter_choices(scope: Scope) -> dict[str, list[tuple[str, str]]]:
    from wagtail.models import Page

    from learners.mexico import STATES

    states = [
        (s.inegi, s.name) for s in STATES if scope.level == NATIONAL or s.inegi == scope.state
    ]
    course_ids = ReportFact.objects.values_list("course_id", flat=True).distinct()
    courses = [
        (str(pk), title)
        for pk, title in Page.objects.filter(pk__in=course_ids)
        .order_by("title")
        .values_list("pk", "title")
    ]
    tags: dict[str, list[tuple[str, str]]] = {"sector": [], "topic": []}
    for kind, slug, name in (
        ReportCourseTag.objects.order_by("kind", "name")
        .values_list("kind", "slug", "name")
        .distinct()
    ):
        tags[kind].append((slug, name))
    return {
        "state": states,
        "subsystem": list(
            Subsystem.objects.filter(active=True).order_by("name").values_list("code", "name")
        ),
        "course": courses,
        "sector": tags["sector"],
        "topic": tags["topic"],
    }


def dashboard(request: HttpRequest) -> TemplateResponse:
    """The dashboard page (GET parameters as in the reports API, without group_by)."""
    scope = _scope(request)
    raw = {key: request.GET[key] for key in FILTER_KEYS if request.GET.get(key)}
    error: QueryError | ScopeError | None = None
    try:
        query = scope.narrow(parse_query(raw, allow_group_by=False))
    except (QueryError, ScopeError) as problem:
        error, query, raw = problem, scope.narrow(ReportQuery()), {}
    dimension = _drill_dimension(query, scope)
    params = query.as_params()
    try:
        table = completion_report(query.with_changes(group_by=(dimension,)), scope)
        summary = summary_report(query, scope)
        trend = trend_report(query, scope)
        map_query = query.with_changes(
            group_by=("state",),
            state=None if scope.level == NATIONAL else query.state,
            subsystem=None,
            school=None,
        )
        by_state = completion_report(map_query, scope)
    except QueryError as problem:  # an unknown subsystem or CCT in the URL
        error = problem
        query, params, dimension = (
            scope.narrow(ReportQuery()),
            {},
            _drill_dimension(scope.narrow(ReportQuery()), scope),
        )
        table = completion_report(query.with_changes(group_by=(dimension,)), scope)
        summary, trend = summary_report(query, scope), trend_report(query, scope)
        by_state = completion_report(query.with_changes(group_by=("state",)), scope)
    rows = []
    for row in table["results"]:
        rows.append(
            {
                **row,
                "key": row.get(dimension),
                "name": row.get(f"{dimension}_name"),
                "href": _row_link(row, dimension, params),
                "rate_text": charts.percent(row["completion_rate"]),
            }
        )
    map_values = {
        row["state"]: {
            "rate": row["completion_rate"],
            "text": _("suprimido")
            if row["suppressed"]
            else (
                _("%(rate)s de conclusión, %(enrolled)s inscritos")
                % {"rate": charts.percent(row["completion_rate"]), "enrolled": row["enrolled"]}
            ),
        }
        for row in by_state["results"]
        if row["state"]
    }
    map_link = _link(
        {k: v for k, v in params.items() if k not in ("subsystem", "school")}, state="%s"
    )
    choices = _filter_choices(scope)
    breadcrumbs = [(_("Nacional") if scope.level == NATIONAL else _("Mi ámbito"), _link({}))]
    if query.state:
        names = dict(_filter_choices_states())
        breadcrumbs.append((names.get(query.state, query.state), _link({"state": query.state})))
    if query.subsystem:
        breadcrumbs.append(
            (
                dict(choices["subsystem"]).get(query.subsystem, query.subsystem),
                _link({"state": query.state or "", "subsystem": query.subsystem}),
            )
        )
    if query.school:
        breadcrumbs.append((query.school, _link(params)))
    context = {
        "scope": scope,
        "query": query,
        "params": params,
        "error": error,
        "dimension": dimension,
        "dimension_label": DIMENSION_LABELS[dimension],
        "rows": rows,
        "table": table,
        "summary": summary["total"],
        "summary_rate": charts.percent(summary["total"]["completion_rate"]),
        "trend": trend["results"],
        "map_svg": charts.states_map(
            map_values, link=map_link.replace("%25s", "%s"), selected=query.state
        ),
        "legend": charts.legend(),
        "bar_svg": charts.bar_chart(
            [
                {
                    "label": row["name"] or _("Sin dato"),
                    "rate": row["completion_rate"],
                    "href": row["href"],
                }
                for row in rows
            ],
            title=_("Tasa de conclusión por %(dimension)s")
            % {"dimension": str(DIMENSION_LABELS[dimension]).lower()},
        ),
        "trend_svg": charts.trend_chart(
            trend["results"],
            {"enrolled": _("Inscripciones"), "completed": _("Conclusiones")},
            title=_("Inscripciones y conclusiones por mes"),
        ),
        "choices": choices,
        "raw": raw,
        "breadcrumbs": breadcrumbs,
        "freshness": table,
        "reports": REPORTS,
        "place_title": wording.place_title(query, scope),
        "computed": wording.computed_at(_last_refresh()),
        "refresh_request": _refresh_request_status(ReportRefreshRequest.objects.first()),
    }
    # Asking beyond the scope is 403, as in the API; the page still shows the scope's figures
    # and names the parameter.
    status = 403 if isinstance(error, ScopeError) else 200
    return TemplateResponse(request, "reports/dashboard.html", context, status=status)


def _last_refresh() -> Any:
    return (
        ReportRefresh.objects.order_by("-finished_at").values_list("finished_at", flat=True).first()
    )


def _refresh_request_status(request: ReportRefreshRequest | None) -> dict[str, Any] | None:
    """The latest refresh request in words: "En cola", "En proceso", "Terminada a las 10:42"."""
    if request is None:
        return None
    if request.status == ReportRefreshRequest.Status.DONE and request.finished_at:
        text = _("Actualización terminada a las %(time)s.") % {
            "time": wording.local_time(request.finished_at)
        }
    elif request.status == ReportRefreshRequest.Status.FAILED:
        text = _("La actualización falló; vuelve a solicitarla o avisa a soporte.")
    elif request.status == ReportRefreshRequest.Status.RUNNING:
        text = _("Actualización en proceso (solicitada a las %(time)s)…") % {
            "time": wording.local_time(request.requested_at)
        }
    else:
        text = _("Actualización en cola (solicitada a las %(time)s)…") % {
            "time": wording.local_time(request.requested_at)
        }
    return {
        "id": request.pk,
        "status": request.status,
        "finished": request.is_finished,
        "text": text,
    }


@require_POST
def refresh_request(request: HttpRequest) -> HttpResponse:
    """Ask for the figures to be recomputed now (monitors only); back to the same view."""
    _scope(request)
    _job, created = report_refresh_request(user=request.user)
    if not created:
        messages.info(request, _("Ya hay una actualización en curso; se muestra su estado."))
    params = {key: request.POST[key] for key in FILTER_KEYS if request.POST.get(key)}
    return redirect(reverse("progress_reports:dashboard") + _link(params))


def refresh_status(request: HttpRequest, pk: int) -> JsonResponse:
    """The state of refresh request ``pk`` in words, which the dashboard polls."""
    _scope(request)
    job = get_object_or_404(ReportRefreshRequest, pk=pk)
    status = _refresh_request_status(job) or {}
    return JsonResponse({**status, "computed": wording.computed_at(_last_refresh())})


def _filter_choices_states() -> list[tuple[str, str]]:
    from learners.mexico import STATES

    return [(s.inegi, s.name) for s in STATES]


@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    """Start an export of what the dashboard shows; then show its progress page."""
    scope = _scope(request)
    report = request.POST.get("report", "completion")
    fmt = request.POST.get("format", "csv")
    if report not in REPORTS or fmt not in ExportJob.Format.values:
        messages.error(request, _("Formato o reporte de exportación no válido."))
        return redirect("progress_reports:dashboard")
    params = {key: request.POST[key] for key in FILTER_KEYS if request.POST.get(key)}
    if report == "completion":
        params["group_by"] = request.POST.get("group_by") or "state"
    try:
        job = export_job_create(
            user=request.user, scope=scope, params=params, report=report, fmt=fmt
        )
    except ScopeError as problem:
        # A plain 403: Wagtail's admin turns a raised PermissionDenied into a redirect home.
        return HttpResponseForbidden(f"{problem.field}: {problem.message}")
    except QueryError as problem:
        messages.error(request, _("No se pudo exportar: %(problem)s") % {"problem": problem})
        return redirect("progress_reports:dashboard")
    return redirect("progress_reports:export", pk=job.pk)


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The export's progress page; with ``?format=json`` the status the page polls."""
    scope = _scope(request)
    try:
        job = export_job_for_monitor(user=request.user, scope=scope, pk=pk)
    except ExportJob.DoesNotExist:
        raise Http404 from None
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    link = expires = expires_text = None
    if job.status == ExportJob.Status.DONE:
        url, when = export_download_link(job)
        link, expires = url, when.isoformat()
        expires_text = _expiry_text(when)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "status_display": job.get_status_display(),
                "progress": job.progress,
                "row_count": job.row_count,
                "download_url": link,
                "download_expires_at": expires,
                "download_expires_text": expires_text,
                "failure": job.failure,
            }
        )
    return TemplateResponse(
        request,
        "reports/export.html",
        {
            "job": job,
            "download_url": link,
            "download_expires_at": expires,
            "download_expires_text": expires_text,
            "report_name": wording.report_name(job.report),
            "filters": wording.describe_params(job.params or {}),
            "requested_when": wording.local_datetime(job.created_at),
        },
    )


def _expiry_text(when: Any) -> str:
    """ "El enlace caduca a las 10:52 (4 de diciembre de 2026)", in local time."""
    return _("El enlace caduca a las %(time)s (%(when)s).") % {
        "time": wording.local_time(when),
        "when": wording.local_date(when),
    }
