"""URL routes of the credentials API (under /api/v1/)."""

from django.urls import path

from credentials.api import views

urlpatterns = [
    path("credentials/verify", views.VerifyView.as_view(), name="credentials-verify"),
    path("credentials/awards/", views.AwardCreateView.as_view(), name="credentials-award-create"),
    path(
        "credentials/awards/<uuid:uuid>/revoke",
        views.AwardRevokeView.as_view(),
        name="credentials-award-revoke",
    ),
    path("me/credentials/", views.MyCredentialsView.as_view(), name="me-credentials"),
    path(
        "me/credentials/export/",
        views.MyCredentialsExportView.as_view(),
        name="me-credentials-export",
    ),
]
