"""Package routes, mounted under /api/v1/ by lms/urls.py."""

from django.urls import path

from packages.api import views

urlpatterns = [
    path("packages/", views.PackageListCreateView.as_view(), name="package-list"),
    path("packages/<int:package_id>/", views.PackageDetailView.as_view(), name="package-detail"),
]
