"""Learner API routes, mounted under /api/v1/."""

from django.urls import path

from progress.api import me

urlpatterns = [
    path("auth/token/", me.TokenView.as_view(), name="auth-token"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/export/", me.ExportView.as_view(), name="me-export"),
    path("me/cancel/", me.CancelView.as_view(), name="me-cancel"),
]


# --- reports (SEP monitoring) -----------------------------------------------------------------
from progress.api import reports as reports_api  # noqa: E402

urlpatterns += [
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
# --- end reports ------------------------------------------------------------------------------
