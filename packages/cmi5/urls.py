"""cmi5 routes, included by packages/urls.py under /packages/cmi5/."""

from django.urls import path

from packages.cmi5 import views

urlpatterns = [
    path(
        "cmi5/launch/<uuid:unit_uuid>/<int:lesson_id>/",
        views.launch,
        name="cmi5-launch",
    ),
    path("cmi5/fetch/", views.fetch, {"token": ""}, name="cmi5-fetch-base"),
    path("cmi5/fetch/<str:token>/", views.fetch, name="cmi5-fetch"),
]
