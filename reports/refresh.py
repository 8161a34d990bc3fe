"""Keep ``ReportFact`` and ``ReportCourseTag`` in step with enrolments, profiles and courses.

Two paths: an enrolment that changes is re-synced on commit (``report_facts_sync``, enqueued
by ``reports.receivers``), and Celery beat rebuilds everything every
``LMS_REPORT_REFRESH_MINUTES`` (``report_facts_rebuild``), which also catches what no enrolment
save announces: a teacher moving school, a school changing subsystem, a course re-tagged.
That interval is the documented staleness bound.

A fact's place is the teacher's school (its state and subsystem), else the profile's own state
and subsystem. Unenrolled enrolments are not counted. Days are UTC calendar days.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from typing import Any, cast, overload

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from reports.backends import backend
from reports.models import ReportCourseTag, ReportFact, ReportRefresh, ReportRefreshRequest

UNENROLLED = "unenrolled"
CHUNK = 5000

_VALUES = (
    "id",
    "user_id",
    "course_id",
    "enrolled_at",
    "started_at",
    "completed_at",
    "credentialed_at",
    "hours_completed",
    "user__teacher_profile__state",
    "user__teacher_profile__subsystem_id",
    "user__teacher_profile__school_id",
    "user__teacher_profile__school__state",
    "user__teacher_profile__school__subsystem_id",
)


@overload
def _day(value: dt.datetime) -> dt.date: ...
@overload
def _day(value: dt.datetime | None) -> dt.date | None: ...
def _day(value: dt.datetime | None) -> dt.date | None:
    if value is None:
        return None
    if timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return value.date()


@overload
def _month(day: dt.date) -> dt.date: ...
@overload
def _month(day: dt.date | None) -> dt.date | None: ...
def _month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def default_locale_id() -> int | None:
    """The id of the site's default language (``None`` before any locale exists)."""
    from wagtail.models import Locale

    try:
        return int(Locale.get_default().pk)
    except Locale.DoesNotExist:
        return None


def original_courses(course_ids: Iterable[int]) -> dict[int, int]:
    """Each course page's original: the page of the same course in the site's default
    language. A teacher who studies the English translation counts in that course's figures,
    once, under its Spanish title (enrolments are kept per course across languages)."""
    from wagtail.models import Page

    pages: dict[int, Any] = dict(
        Page.objects.filter(pk__in=set(course_ids)).values_list("pk", "translation_key")
    )
    default = default_locale_id()
    originals: dict[Any, int] = dict(
        Page.objects.filter(translation_key__in=set(pages.values()), locale_id=default).values_list(
            "translation_key", "pk"
        )
    )
    return {pk: originals.get(key, pk) for pk, key in pages.items()}


def fact_from_values(row: dict[str, Any], originals: dict[int, int] | None = None) -> ReportFact:
    """The fact row for one enrolment given as ``Enrollment.objects.values(*_VALUES)``;
    ``originals`` maps translated course pages to their original (see ``original_courses``)."""
    enrolled = _day(cast(dt.datetime, row["enrolled_at"]))  # a NOT NULL column
    started = _day(row["started_at"])
    completed = _day(row["completed_at"])
    credentialed = _day(row["credentialed_at"])
    if completed and not started:
        started = completed  # a completion implies a start, even if none was recorded
    school_id = row["user__teacher_profile__school_id"]
    state = (
        row["user__teacher_profile__school__state"]
        if school_id
        else row["user__teacher_profile__state"]
    ) or ""
    subsystem_id = (
        row["user__teacher_profile__school__subsystem_id"]
        or row["user__teacher_profile__subsystem_id"]
    )
    return ReportFact(
        enrollment_id=row["id"],
        user_id=row["user_id"],
        course_id=(originals or {}).get(row["course_id"], row["course_id"]),
        state=state,
        subsystem_id=subsystem_id,
        school_id=school_id,
        enrolled_on=enrolled,
        enrolled_month=_month(enrolled),
        started_on=started,
        started_month=_month(started),
        completed_on=completed,
        completed_month=_month(completed),
        credentialed_on=credentialed,
        credentialed_month=_month(credentialed),
        days_to_complete=(completed - enrolled).days if completed and enrolled else None,
        hours_completed=float(row["hours_completed"] or 0),
    )


_UPDATE_FIELDS = [
    field.name
    for field in ReportFact._meta.concrete_fields
    if field.name not in ("id", "enrollment_id")
]


def _upsert(facts: list[ReportFact]) -> None:
    if facts:
        ReportFact.objects.bulk_create(
            facts,
            update_conflicts=True,
            unique_fields=["enrollment_id"],
            update_fields=_UPDATE_FIELDS,
        )


def _enrollments() -> Any:
    from learners.models import Enrollment

    return Enrollment.objects.exclude(status=UNENROLLED).filter(enrolled_at__isnull=False)


@transaction.atomic
def report_facts_sync(*, enrollment_ids: Iterable[int]) -> int:
    """Upsert the facts of ``enrollment_ids``; drop those now gone or unenrolled."""
    ids = list(enrollment_ids)
    rows = list(_enrollments().filter(pk__in=ids).values(*_VALUES))
    originals = original_courses(row["course_id"] for row in rows)
    _upsert([fact_from_values(row, originals) for row in rows])
    kept = {row["id"] for row in rows}
    ReportFact.objects.filter(enrollment_id__in=[i for i in ids if i not in kept]).delete()
    return len(rows)


def enrollment_chunks() -> Iterator[list[dict[str, Any]]]:
    """Every counted enrolment as ``values(*_VALUES)`` rows, ``CHUNK`` at a time by id."""
    last = 0
    queryset = _enrollments().order_by("pk").values(*_VALUES)
    while True:
        rows = list(queryset.filter(pk__gt=last)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def report_course_tags_sync() -> int:
    """Copy every course's sectors and topics into ``ReportCourseTag``."""
    from courses.models import CoursePage

    through = {
        "sector": CoursePage.sectors.through,
        "topic": CoursePage.topics.through,
    }
    tags: list[ReportCourseTag] = []
    for kind, model in through.items():
        target = "sector" if kind == "sector" else "topic"
        for course_id, slug, name in model.objects.values_list(
            "coursepage_id", f"{target}__slug", f"{target}__name"
        ):
            tags.append(ReportCourseTag(course_id=course_id, kind=kind, slug=slug, name=name))
    with transaction.atomic():
        ReportCourseTag.objects.all().delete()
        ReportCourseTag.objects.bulk_create(tags)
    return len(tags)


def report_facts_rebuild() -> ReportRefresh:
    """Rebuild every fact and course tag; readers keep seeing the old table until commit."""
    from django.apps import apps

    started = time.monotonic()
    report_course_tags_sync()
    try:
        apps.get_model("learners", "Enrollment")
    except LookupError:
        # No enrolment model in this installation yet: keep the facts, refresh the rest.
        rows = ReportFact.objects.count()
    else:
        rows = backend(DEFAULT_DB_ALIAS).facts_rebuild(using=DEFAULT_DB_ALIAS)
    from reports.snapshots import report_snapshots_refresh

    report_snapshots_refresh()
    report_cache_warm()
    return ReportRefresh.objects.create(
        finished_at=timezone.now(), rows=rows, seconds=round(time.monotonic() - started, 3)
    )


def report_cache_warm() -> None:
    """Put the national one-dimension tables in the cache, so no monitor waits for the first.

    Worth it with a shared cache (``REDIS_URL``); with the in-process default it warms only
    the process that ran the refresh.
    """
    from reports.query import DIMENSIONS, ReportQuery
    from reports.reports import completion_report
    from reports.scopes import NATIONAL, Scope

    for dimension in DIMENSIONS:
        completion_report(ReportQuery(group_by=(dimension,)), Scope(level=NATIONAL))


# A request left "queued" or "running" this long was lost with its worker: a new request may
# start over instead of joining it for ever.
REQUEST_ABANDONED_AFTER = dt.timedelta(minutes=30)


def report_refresh_request(*, user: Any) -> tuple[ReportRefreshRequest, bool]:
    """Ask for a full refresh now on behalf of ``user`` (a monitor; the view checks).

    Returns (request, created). While another request is queued or running it is returned
    instead, so many monitors clicking at once run one refresh. The task is enqueued on commit.
    """
    recent = timezone.now() - REQUEST_ABANDONED_AFTER
    with transaction.atomic():
        pending = (
            ReportRefreshRequest.objects.select_for_update()
            .filter(
                status__in=[
                    ReportRefreshRequest.Status.QUEUED,
                    ReportRefreshRequest.Status.RUNNING,
                ],
                requested_at__gte=recent,
            )
            .order_by("-requested_at")
            .first()
        )
        if pending is not None:
            return pending, False
        request = ReportRefreshRequest.objects.create(requested_by=user)

        def enqueue() -> None:
            from reports.tasks import run_report_refresh_request

            run_report_refresh_request.delay(request.pk)

        transaction.on_commit(enqueue)
    return request, True


def report_refresh_request_run(*, request_id: int) -> ReportRefreshRequest:
    """Run refresh request ``request_id``: running, then the full rebuild, then done (or failed).

    A finished request is left alone, so a redelivered task changes nothing.
    """
    with transaction.atomic():
        request = ReportRefreshRequest.objects.select_for_update().get(pk=request_id)
        if request.is_finished:
            return request
        request.status = ReportRefreshRequest.Status.RUNNING
        request.started_at = timezone.now()
        request.save(update_fields=["status", "started_at"])
    try:
        report_facts_rebuild()
    except Exception as problem:
        request.status = ReportRefreshRequest.Status.FAILED
        # The exception's class only: messages of database errors can quote row values.
        request.failure = type(problem).__name__
        request.finished_at = timezone.now()
        request.save(update_fields=["status", "failure", "finished_at"])
        raise
    request.status = ReportRefreshRequest.Status.DONE
    request.finished_at = timezone.now()
    request.save(update_fields=["status", "finished_at"])
    return request
