"""Rebuild the report facts, course tags and national snapshots now (what Celery beat runs)."""

from typing import Any

from django.core.management.base import BaseCommand

from reports.refresh import report_facts_rebuild


class Command(BaseCommand):
    help = "Rebuild SEP report facts, course tags and national snapshots (beat does it too)."

    def handle(self, *args: Any, **options: Any) -> None:
        refresh = report_facts_rebuild()
        self.stdout.write(f"{refresh.rows} enrolment facts refreshed in {refresh.seconds:.1f} s")
