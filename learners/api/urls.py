"""Teacher account and enrolment API routes, mounted under /api/v1/."""

from django.urls import path

from learners.api import enrollments, me

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
