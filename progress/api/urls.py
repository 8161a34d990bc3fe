"""URL routes of this API module."""

from django.urls import path

urlpatterns: list = []

# --- progress engine (branch engine) ---------------------------------------------------------
from progress.api.progress import MyCourseProgressView  # noqa: E402

urlpatterns += [
    path("me/progress/<int:course_id>/", MyCourseProgressView.as_view(), name="me-progress"),
]
# --- end progress engine ---------------------------------------------------------------------
