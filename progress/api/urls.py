"""Learner API routes, mounted under /api/v1/."""

from django.urls import path

from progress.api import enrollments, me
from progress.api import reports as reports_api
from progress.api.progress import MyCourseProgressView

urlpatterns = [
    path("auth/token/", me.TokenView.as_view(), name="auth-token"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/export/", me.ExportView.as_view(), name="me-export"),
    path("me/cancel/", me.CancelView.as_view(), name="me-cancel"),
    path("me/enrollments/", enrollments.EnrollmentListView.as_view(), name="me-enrollments"),
    path(
        "me/enrollments/<int:pk>/",
        enrollments.EnrollmentDetailView.as_view(),
        name="me-enrollment-detail",
    ),
]

# --- progress engine (branch engine) ---------------------------------------------------------

urlpatterns += [
    path("me/progress/<int:course_id>/", MyCourseProgressView.as_view(), name="me-progress"),
]
# --- end progress engine ---------------------------------------------------------------------


# --- reports (SEP monitoring) -----------------------------------------------------------------

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
