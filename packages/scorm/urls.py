"""Routes of the SCORM run-time, included by packages/urls.py under /packages/scorm/."""

from django.urls import path

from packages.scorm import views

urlpatterns = [
    path("units/<uuid:unit>/attempts", views.attempt_open, name="scorm-attempt-open"),
    path("attempts/<uuid:attempt>/commit", views.attempt_commit, name="scorm-commit"),
]
