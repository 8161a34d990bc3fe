"""Package routes, mounted under /api/v1/ by lms/urls.py."""

from django.urls import path

from packages.api import views
from packages.cmi5 import api as cmi5_api
from packages.scorm import api as scorm_api

urlpatterns = [
    path("packages/", views.PackageListCreateView.as_view(), name="package-list"),
    path("packages/<int:package_id>/", views.PackageDetailView.as_view(), name="package-detail"),
    path(
        "packages/imports/<uuid:job>/",
        views.PackageImportDetailView.as_view(),
        name="package-import-detail",
    ),
    path(
        "packages/imports/<uuid:job>/retry/",
        views.PackageImportRetryView.as_view(),
        name="package-import-retry",
    ),
    path("packages/cmi5/launch/", cmi5_api.Cmi5LaunchView.as_view(), name="cmi5-launch"),
    path("packages/cmi5/waive/", cmi5_api.Cmi5WaiveView.as_view(), name="cmi5-waive"),
    path(
        "packages/cmi5/registrations/<uuid:registration>/",
        cmi5_api.Cmi5RegistrationView.as_view(),
        name="cmi5-registration",
    ),
    path(
        "packages/cmi5/sessions/<str:session_id>/abandon/",
        cmi5_api.Cmi5AbandonView.as_view(),
        name="cmi5-abandon",
    ),
    path(
        "packages/scorm/status/",
        scorm_api.ScormLessonStatusView.as_view(),
        name="scorm-lesson-status",
    ),
    path(
        "packages/scorm/attempts/<uuid:attempt>/",
        scorm_api.ScormAttemptView.as_view(),
        name="scorm-attempt",
    ),
    path(
        "packages/scorm/attempts/<uuid:attempt>/abandon/",
        scorm_api.ScormAbandonView.as_view(),
        name="scorm-abandon",
    ),
]
