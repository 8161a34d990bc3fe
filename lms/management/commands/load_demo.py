"""``python manage.py load_demo``: the demo site, idempotently.

Wires the demo steps of every app: courses (catalog, courses, translations, site address)
and the demo users. Other apps add their steps here as calls to their own ``demo.py``.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from courses.demo import DemoContentError, configure_site, load_demo_courses
from credentials.demo import load_demo_credentials
from lms.demo_progress import load_demo_progress

# username → (groups, is_staff, e-mail, first name)
DEMO_USERS: dict[str, tuple[list[str], str, str]] = {
    "docente": ([], "docente@capacita.local", "Docente"),
    "autor": (["Course authors"], "autor@capacita.local", "Autora"),
    "revisor": (["Course reviewers"], "revisor@capacita.local", "Revisor"),
    "monitor_sep": (["Monitores SEP"], "monitor@capacita.local", "Monitor SEP"),
}


def ensure_demo_users(*, password: str | None) -> tuple[str | None, list[str]]:
    """Create the demo users (and the "Monitores SEP" group, with no page permissions).

    With ``password`` every demo user gets it. Without, users created now get a generated
    password (returned) and existing ones keep theirs. Returns (new password, created names).
    """
    Group.objects.get_or_create(name="Monitores SEP")
    generated = None
    created_names = []
    user_model = get_user_model()
    for username, (group_names, email, first_name) in DEMO_USERS.items():
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"email": email, "first_name": first_name}
        )
        if password:
            user.set_password(password)
        elif created:
            generated = generated or secrets.token_urlsafe(12)
            user.set_password(generated)
        if created:
            created_names.append(username)
        user.save()
        user.groups.add(*[Group.objects.get(name=name) for name in group_names])
    return generated, created_names


class _DemoPart(Protocol):
    """What each app's demo loader reports: lines to print."""

    def lines(self) -> list[str]: ...


class Command(BaseCommand):
    help = (
        "Load the demo site: courses in Spanish and English, site address, demo users, an LRS "
        "client, a teacher with a school and an enrolment, achievements and a microcredential."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            default=None,
            help=(
                "Address the site is served at; must equal LMS_SITE_URL, which every link, "
                "activity IRI and credential id is built from (default: LMS_SITE_URL)."
            ),
        )
        parser.add_argument(
            "--content-dir",
            type=Path,
            default=None,
            help="Folder of course JSON files (default: courses/demo_content).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site_url = settings.LMS_SITE_URL.rstrip("/")
        asked = (options["site_url"] or site_url).rstrip("/")
        if asked != site_url:
            # The server started next reads LMS_SITE_URL too: a demo loaded for another
            # address would put a dead host in every link, IRI and credential id.
            raise CommandError(
                f"--site-url {asked} differs from LMS_SITE_URL ({site_url}), which every link, "
                f"activity IRI and credential id is built from. Run LMS_SITE_URL={asked} "
                "python manage.py load_demo and serve with the same variable (or set it in "
                ".env); make demo HOST=… PORT=… does both."
            )
        if options["verbosity"] < 2:
            # Publishing logs a line per page (and per search/reference task): keep the
            # output to the summary below (eager Celery tasks log a line each, too).
            for name in ("wagtail", "django_tasks", "celery"):
                logging.getLogger(name).setLevel(logging.WARNING)
        try:
            with transaction.atomic():
                # Publishing a course creates its achievement (credentials listens), so the
                # credentials step counts what this run created from here on.
                started_at = timezone.now()
                report = load_demo_courses(content_dir=options["content_dir"])
                configure_site(site_url=site_url)
                generated, created = ensure_demo_users(password=settings.LMS_DEMO_PASSWORD or None)
                # Credentials first: the progress step ends by refreshing the report tables
                # and their cache, so nothing after it can roll back what the cache shows.
                credentials_demo = load_demo_credentials(
                    courses=report.courses, created_since=started_at
                )
                demos: list[_DemoPart] = [
                    load_demo_progress(teacher_username="docente", courses=report.courses),
                    credentials_demo,
                ]
        except (DemoContentError, ValueError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc

        out = self.stdout.write
        out(
            self.style.SUCCESS(
                f"Courses: {len(report.courses)} ({report.created} pages created, "
                f"{report.updated} updated, {report.unchanged} unchanged)."
            )
        )
        out(f"Site:      {site_url}/  (English: {site_url}/en/)")
        out(f"Admin:     {site_url}/admin/")
        out(f"API:       {site_url}/api/v1/docs/")
        for course in report.courses:
            out(f"  - {course.title}: {site_url}{course.url}")
        if settings.LMS_DEMO_PASSWORD:
            shown = "the value of LMS_DEMO_PASSWORD"
        elif generated:
            shown = generated
        else:
            shown = (
                "unchanged (printed when the users were created; set LMS_DEMO_PASSWORD to reset)"
            )
        out("Demo logins (user / password):")
        for username in DEMO_USERS:
            out(f"  {username:<12} {shown}")
        if created:
            out(f"Created users: {', '.join(created)}")
        for demo in demos:
            for line in demo.lines():
                out(line)
