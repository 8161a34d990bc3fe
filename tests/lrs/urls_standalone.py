"""The URLs of a site that installs only the LRS: ``/xapi/``, as the LRS documents."""

from django.urls import include, path

urlpatterns = [path("xapi/", include("lrs.urls"))]
