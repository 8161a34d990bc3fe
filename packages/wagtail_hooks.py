"""Wagtail registration of the packages app: the "Paquetes" admin view and menu item, and the
hooks that let a lesson's "Contenido empaquetado" block list and show units."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from courses.hooks import PACKAGED_CONTENT, PACKAGED_UNITS
from packages import admin_views, rendering, selectors


@hooks.register("register_admin_urls")
def register_package_urls() -> list:
    return [
        path("packages/", admin_views.package_index, name="packages_admin"),
        path(
            "packages/<int:package_id>/",
            admin_views.package_detail,
            name="packages_admin_detail",
        ),
        path("packages/preview/", admin_views.package_preview, name="packages_admin_preview"),
        path(
            "packages/imports/<uuid:job>/",
            admin_views.package_import_detail,
            name="packages_admin_import",
        ),
        path(
            "packages/imports/<uuid:job>/status/",
            admin_views.package_import_status,
            name="packages_admin_import_status",
        ),
        path(
            "packages/imports/<uuid:job>/retry/",
            admin_views.package_import_retry,
            name="packages_admin_import_retry",
        ),
        path(
            "packages/<int:package_id>/preview/",
            admin_views.package_preview,
            name="packages_admin_detail_preview",
        ),
        path(
            "packages/<int:package_id>/waive/",
            admin_views.package_waive,
            name="packages_admin_waive",
        ),
    ]


class PackagesMenuItem(MenuItem):
    def is_shown(self, request: HttpRequest) -> bool:
        return admin_views.may_import(request.user)


@hooks.register("register_admin_menu_item")
def register_packages_menu_item() -> MenuItem:
    return PackagesMenuItem(
        _("Paquetes"), reverse("packages_admin"), icon_name="folder-open-inverse", order=305
    )


@hooks.register(PACKAGED_UNITS)
def packaged_units() -> list[tuple[str, str]]:
    return selectors.unit_choices()


@hooks.register(PACKAGED_CONTENT)
def packaged_content(request: HttpRequest | None, lesson_page: Any, unit_uuid: str) -> str:
    return rendering.unit_frame(request, lesson_page, unit_uuid)
