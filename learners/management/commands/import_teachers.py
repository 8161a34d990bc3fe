"""``python manage.py import_teachers FILE [--enroll COURSE_ID]``: upsert a teacher roster."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learners.management.commands._import_common import run_import
from learners.models import ImportJob


class Command(BaseCommand):
    help = (
        "Import a teacher roster from a CSV file (columns: curp, nombre, primer_apellido, "
        "segundo_apellido, correo, entidad, subsistema, cct, funcion). Valid rows are upserted "
        "by CURP; bad rows are listed with their line number."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of the CSV file (UTF-8 or Windows-1252)")
        parser.add_argument(
            "--enroll",
            type=int,
            metavar="COURSE_ID",
            help="also enrol every imported teacher in this course (prerequisites enforced)",
        )
        parser.add_argument(
            "--background",
            action="store_true",
            help="queue the import for a Celery worker instead of running it here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run_import(
            self,
            kind=ImportJob.Kind.TEACHERS,
            path=options["file"],
            background=options["background"],
            enroll_course_id=options["enroll"],
        )
