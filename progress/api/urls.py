"""Learner progress API routes, mounted under /api/v1/."""

from django.urls import path

from progress.api.progress import MyCourseProgressView

urlpatterns = [
    path("me/progress/<int:course_id>/", MyCourseProgressView.as_view(), name="me-progress"),
]
