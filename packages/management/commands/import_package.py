"""``python manage.py import_package FILE [--mode course|lesson] [--parent ID]``.

Prints the import's JSON (the same as ``POST /api/v1/packages/``) on its last line; a refused
package prints ``{"refused": true, "problems": [...]}`` and exits with status 1.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from packages.models import Package
from packages.problems import PackageRefused
from packages.services import package_import


class Command(BaseCommand):
    help = "Import a cmi5 or SCORM 1.2/2004 zip as draft pages (or a new version of one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The zip exported by the authoring tool.")
        parser.add_argument("--mode", choices=Package.Mode.values, default=Package.Mode.COURSE)
        parser.add_argument(
            "--parent", type=int, default=None, help="Catalog (course) or module (lesson) page id."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            handle = open(options["file"], "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CommandError(f"{options['file']}: {error.strerror}") from error
        with handle:
            try:
                result = package_import(
                    upload=handle, mode=options["mode"], parent_id=options["parent"]
                )
            except PackageRefused as refused:
                self.stdout.write(json.dumps(refused.as_dict(), ensure_ascii=False))
                raise SystemExit(1) from refused
        self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
