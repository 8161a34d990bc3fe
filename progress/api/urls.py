"""Learner API routes, mounted under /api/v1/."""

from django.urls import path

from progress.api import me

urlpatterns = [
    path("auth/token/", me.TokenView.as_view(), name="auth-token"),
    path("me/", me.MeView.as_view(), name="me"),
    path("me/export/", me.ExportView.as_view(), name="me-export"),
    path("me/cancel/", me.CancelView.as_view(), name="me-cancel"),
]
