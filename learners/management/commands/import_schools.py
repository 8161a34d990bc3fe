"""``python manage.py import_schools FILE``: upsert schools by CCT from a CSV file."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learners.management.commands._import_common import run_import
from learners.models import ImportJob


class Command(BaseCommand):
    help = (
        "Import schools from a CSV file (columns: cct, nombre, entidad, municipio, subsistema). "
        "Valid rows are upserted by CCT; bad rows are listed with their line number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8 or Windows-1252)")
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the import for a Celery worker instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run_import(
            self,
            kind=ImportJob.Kind.SCHOOLS,
            path=options["file"],
            background=options["background"],
        )
