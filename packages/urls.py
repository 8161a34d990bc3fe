"""Routes of the packages app, mounted at /packages/ by lms/urls.py."""

from django.urls import include, path

from packages import views

app_name = "packages"

urlpatterns = [
    path("", include("packages.cmi5.urls")),
    path("scorm/", include("packages.scorm.urls")),
    path("<uuid:version>/<path:path>", views.package_file, name="file"),
]
