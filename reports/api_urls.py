"""SEP reports API routes, mounted under /api/v1/."""

from django.urls import path

from reports import api as reports_api

urlpatterns = [
    path(
        "reports/completion/",
        reports_api.CompletionReportView.as_view(),
        name="reports-completion",
    ),
    path("reports/summary/", reports_api.SummaryReportView.as_view(), name="reports-summary"),
    path("reports/trend/", reports_api.TrendReportView.as_view(), name="reports-trend"),
    path(
        "reports/exports/",
        reports_api.ExportListCreateView.as_view(),
        name="reports-exports",
    ),
    path(
        "reports/exports/<int:pk>/",
        reports_api.ExportDetailView.as_view(),
        name="reports-export-detail",
    ),
    path(
        "reports/exports/<int:pk>/download/",
        reports_api.ExportDownloadView.as_view(),
        name="reports-export-download",
    ),
]
