"""Reads of the packages app: packages for the API and admin, who may read a package's files,
the activity IRI of a unit, and the JSON answer of an import."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from wagtail.models import Page

from courses.models import CoursePage
from learners.selectors import enrollment_list_for
from packages.models import (
    Package,
    PackageBlock,
    PackageImport,
    PackageUnit,
    PackageVersion,
    UnitPlacement,
)

if TYPE_CHECKING:
    from packages.services import ImportResult


def _with_related(packages: QuerySet[Package]) -> QuerySet[Package]:
    return packages.select_related("course").prefetch_related(
        "versions",
        Prefetch(
            "units",
            queryset=PackageUnit.objects.select_related("version", "lesson").order_by(
                "retired", "order"
            ),
        ),
    )


def package_list() -> QuerySet[Package]:
    """Every package, newest first, with its course, versions and units (a fixed number of
    queries however many packages)."""
    return _with_related(Package.objects.order_by("-updated_at", "-id"))


def package_get(*, package_id: int) -> Package | None:
    return _with_related(Package.objects.filter(pk=package_id)).first()


@dataclass(frozen=True)
class UnitCounts:
    """How many learners have started a unit and how many have satisfied it (no one named)."""

    started: int = 0
    satisfied: int = 0


def unit_learner_counts(units: Iterable[PackageUnit]) -> defaultdict[int, UnitCounts]:
    """Learners who started / satisfied each unit, by unit pk, in every lesson that shows it.

    A cmi5 AU: learners with a session the AU started (a session the LMS opened only to waive
    does not count as started), and those whose sessions meet the AU's moveOn (waived included),
    as the registration status reads them. A SCORM SCO: learners with an attempt, and those
    with an attempt Capacita recorded as satisfied. An asset records nothing: zero.
    """
    from lrs.cmi5 import move_on_met
    from lrs.models import Cmi5Session
    from packages.cmi5.services import AU_SEGMENT, split_au_activity_id
    from packages.scorm.models import ScormAttempt

    units = list(units)
    counts: defaultdict[int, UnitCounts] = defaultdict(UnitCounts)
    aus = {str(unit.uuid): unit.pk for unit in units if unit.kind == PackageUnit.Kind.AU}
    if aus:
        query = Q()
        for unit_uuid in aus:
            query |= Q(activity_id__endswith=f"{AU_SEGMENT}{unit_uuid}")
        # (unit pk, learner) → [started, completed, passed, waived], over all her sessions
        seen: dict[tuple[int, str], list[Any]] = {}
        rows = (
            Cmi5Session.objects.filter(query)
            .order_by("created_at", "pk")
            .values_list("activity_id", "actor_ifi", "state", "completed", "passed", "waived")
        )
        for activity_id, actor, state, completed, passed, waived in rows:
            found = split_au_activity_id(activity_id)
            if found is None or found[1] not in aus:
                continue
            key = (aus[found[1]], actor)
            entry = seen.setdefault(key, [False, False, False, False])
            entry[0] = entry[0] or state != Cmi5Session.State.WAIVED
            entry[1], entry[2] = entry[1] or completed, entry[2] or passed
            entry[3] = entry[3] or waived
        move_on = {unit.pk: unit.move_on or "NotApplicable" for unit in units}
        started: defaultdict[int, int] = defaultdict(int)
        satisfied: defaultdict[int, int] = defaultdict(int)
        for (unit_pk, _actor), (began, completed, passed, waived) in seen.items():
            started[unit_pk] += began
            satisfied[unit_pk] += move_on_met(
                move_on[unit_pk], completed=completed, passed=passed, waived=waived
            )
        for unit_pk in set(started) | set(satisfied):
            counts[unit_pk] = UnitCounts(started[unit_pk], satisfied[unit_pk])
    scos = [unit.pk for unit in units if unit.kind == PackageUnit.Kind.SCO]
    if scos:
        learners: defaultdict[int, set[int]] = defaultdict(set)
        done: defaultdict[int, set[int]] = defaultdict(set)
        attempts = ScormAttempt.objects.filter(unit_id__in=scos).values_list(
            "unit_id", "user_id", "recorded"
        )
        for unit_pk, user_pk, recorded in attempts:
            learners[unit_pk].add(user_pk)
            if (recorded or {}).get("satisfied"):
                done[unit_pk].add(user_pk)
        for unit_pk, users in learners.items():
            counts[unit_pk] = UnitCounts(len(users), len(done[unit_pk]))
    return counts


@dataclass(frozen=True)
class UnitRow:
    """A unit on the package's admin page: the unit, its activity IRI and its counts."""

    unit: PackageUnit
    activity_id: str
    counts: UnitCounts


@dataclass(frozen=True)
class PackageDetail:
    """What the package's admin page shows (a fixed number of queries)."""

    package: Package
    versions: list[PackageVersion]
    modules: list[Any]
    units: list[UnitRow]

    @property
    def latest(self) -> PackageVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def waivable(self) -> list[PackageUnit]:
        """AUs a staff member may waive for a learner: current cmi5 AUs shown in a lesson."""
        return [
            row.unit
            for row in self.units
            if row.unit.kind == PackageUnit.Kind.AU and not row.unit.retired and row.unit.lesson
        ]


def package_detail(*, package_id: int) -> PackageDetail | None:
    """A package with its version history (newest first, with who uploaded each), the modules
    its blocks became, and its units (current first) with their activity IRIs and counts."""
    package = (
        Package.objects.select_related("course")
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PackageVersion.objects.select_related("uploaded_by")
                .defer("files")
                .order_by("-number"),
            ),
            Prefetch(
                "blocks",
                queryset=PackageBlock.objects.select_related("module").order_by("order"),
            ),
            Prefetch(
                "units",
                queryset=PackageUnit.objects.select_related("version", "lesson").order_by(
                    "retired", "order"
                ),
            ),
        )
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        return None
    units = list(package.units.all())
    counts = unit_learner_counts(units)
    return PackageDetail(
        package=package,
        versions=list(package.versions.all()),
        modules=[block.module for block in package.blocks.all() if block.module is not None],
        units=[UnitRow(unit, unit_activity_id(unit), counts[unit.pk]) for unit in units],
    )


def learner_by_login(*, login: str) -> Any:
    """The active user whose username or e-mail is ``login`` (case-insensitive), or None."""
    from django.contrib.auth import get_user_model

    login = login.strip()
    if not login:
        return None
    found = list(
        get_user_model()
        .objects.filter(Q(username__iexact=login) | Q(email__iexact=login), is_active=True)
        .order_by("pk")[:2]
    )
    return found[0] if len(found) == 1 else None


def version_by_uuid(*, version_uuid: Any) -> PackageVersion | None:
    return PackageVersion.objects.select_related("package").filter(uuid=version_uuid).first()


def unit_by_uuid(*, unit_uuid: str) -> PackageUnit | None:
    units = PackageUnit.objects.select_related("package", "version", "lesson")
    try:
        return units.filter(uuid=unit_uuid).first()
    except (ValueError, ValidationError):  # not a UUID: no such unit
        return None


def unit_choices() -> list[tuple[str, str]]:
    """``(uuid, label)`` of every current unit, for the "Contenido empaquetado" block."""
    units = (
        PackageUnit.objects.filter(retired=False)
        .select_related("package")
        .order_by("package__title", "order")
    )
    return [(str(unit.uuid), f"{unit.package.title} — {unit.title}") for unit in units]


def unit_activity_id(unit: PackageUnit, lesson: Any = None) -> str:
    """The activity IRI of the statements about ``unit`` shown in ``lesson`` (by default its
    own lesson); "" when there is no lesson.

    A cmi5 AU: the launch's ``activityId``, ``<lesson IRI>/cmi5/<unit uuid>``
    (:func:`packages.cmi5.services.au_activity_id`; the AU id of cmi5.xml, ``unit.identifier``,
    is only the publisher id in their grouping). A SCORM SCO: ``<lesson IRI>/scorm/<unit
    uuid>`` (:func:`packages.scorm.services.sco_activity_id`). An asset makes no statements of
    its own: the lesson's IRI. Both ids depend on the lesson, so a unit placed in another
    lesson by a "Contenido empaquetado" block has another id there.
    """
    from packages.cmi5.services import au_activity_id
    from packages.scorm.services import sco_activity_id

    lesson = lesson if lesson is not None else unit.lesson
    if lesson is None:
        return ""
    if unit.kind == PackageUnit.Kind.AU:
        return au_activity_id(unit, lesson)
    if unit.kind == PackageUnit.Kind.SCO:
        return sco_activity_id(unit, lesson)
    return str(lesson.activity_id)


def courses_holding(package: Package) -> set[int]:
    """Ids of the courses whose learners may read ``package``: the course it became (or
    holds its lesson) and the courses of published lessons that place one of its units."""
    ids: set[int] = set()
    if package.course_id:
        ids.add(package.course_id)
    lessons = list(
        Page.objects.filter(
            pk__in=UnitPlacement.objects.filter(unit__package=package).values("lesson_id")
        )
    )
    for lesson in lessons:
        ids.update(CoursePage.objects.ancestor_of(lesson).values_list("pk", flat=True))
    return ids


def user_may_author(user: Any) -> bool:
    """Staff and authors: people who may enter the Wagtail admin."""
    return bool(
        user.is_authenticated and user.is_active and user.has_perm("wagtailadmin.access_admin")
    )


def user_may_read_package(*, user: Any, package: Package) -> bool:
    """Staff and authors always; a teacher when actively enrolled in a course holding it."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user_may_author(user):
        return True
    course_ids = courses_holding(package)
    if not course_ids:
        return False
    # An enrolment is in one language's course page; its translations hold the same package.
    keys = CoursePage.objects.filter(pk__in=course_ids).values("translation_key")
    return (
        enrollment_list_for(user=user)
        .filter(status="active", course__translation_key__in=keys)
        .exists()
    )


def unit_launch_path(unit: PackageUnit) -> str:
    """The launch URL of ``unit`` on Capacita's origin (its file in the latest version), or
    the absolute URL a cmi5 AU names."""
    from django.urls import reverse

    if unit.is_absolute:
        return unit.launch_url
    rest, _hash, fragment = unit.launch_url.partition("#")
    path, _mark, query = rest.partition("?")
    url = reverse("packages:file", kwargs={"version": unit.version.uuid, "path": path})
    if unit.kind != PackageUnit.Kind.AU and unit.parameters:
        # SCORM CAM: an item's parameters are appended to its resource's href.
        parameters = unit.parameters.lstrip("?&")
        query = f"{query}&{parameters}" if query else parameters
    return url + (f"?{query}" if query else "") + (f"#{fragment}" if fragment else "")


def _unit_dict(unit: PackageUnit, lesson: Any = None) -> dict[str, Any]:
    return {
        "id": str(unit.uuid),
        "identifier": unit.identifier,
        "kind": unit.kind,
        "title": unit.title,
        "activity_id": unit_activity_id(unit, lesson) or None,
        "launch_url": unit_launch_path(unit),
        "move_on": unit.move_on or None,
        "mastery_score": unit.mastery_score,
        "launch_method": unit.launch_method or None,
        "block": unit.block or None,
        "retired": unit.retired,
    }


def _page_dict(page: Any) -> dict[str, Any]:
    return {
        "id": page.pk,
        # The draft's title: imported pages are drafts, and a re-import revises them.
        "title": page.draft_title or page.title,
        "activity_id": page.activity_id,
    }


def package_dict(package: Package) -> dict[str, Any]:
    """A package as the API shows it: its latest version, course and units."""
    version = package.latest_version
    return {
        "id": package.pk,
        "uuid": str(package.uuid),
        "identifier": package.identifier,
        "format": package.format,
        "schema_version": package.schema_version,
        "title": package.title,
        "mode": package.mode,
        "version": version.number if version else None,
        "version_id": str(version.uuid) if version else None,
        "uploaded_at": version.uploaded_at.isoformat() if version else None,
        "sha256": version.sha256 if version else None,
        "course": _page_dict(package.course) if package.course else None,
        "units": [_unit_dict(unit) for unit in package.units.all()],
    }


def _change_dict(change: Any) -> dict[str, Any]:
    return {"identifier": change.identifier, "title": change.title}


def _removed_dict(change: Any) -> dict[str, Any]:
    # Flat keys named as ``UnitChange``'s fields, so a stored result reads back into one.
    return {
        **_change_dict(change),
        "learners": change.learners,
        "lesson_id": change.lesson_id,
        "lesson_title": change.lesson_title or None,
        "lesson_stops_counting": change.lesson_stops_counting,
    }


def import_result_dict(result: ImportResult) -> dict[str, Any]:
    """The JSON answer of an import (API 201, last line of ``import_package``)."""
    package = result.package
    course = None
    if result.course is not None:
        course = {**_page_dict(result.course)}
        if package.family == Package.Family.CMI5 and package.mode == Package.Mode.COURSE:
            course["cmi5_id"] = package.identifier
    return {
        "package": {
            "id": package.pk,
            "identifier": package.identifier,
            "title": package.title,
            "format": package.format,
            "schema_version": package.schema_version,
            "mode": package.mode,
            "version": result.version.number,
            "version_id": str(result.version.uuid),
            "created": result.created,
            "updated": not result.created,
            "previous_version": result.previous_version,
            "previous_title": result.previous_title or None,
        },
        "changes": {
            "added": [_change_dict(change) for change in result.changes.added],
            "removed": [_removed_dict(change) for change in result.changes.removed],
            "renamed": [
                {**_change_dict(change), "previous_title": change.previous_title}
                for change in result.changes.renamed
            ],
        },
        "course": course,
        "modules": [
            {**_page_dict(module), "block": block.identifier or None}
            for block, module in result.modules
        ],
        "lessons": [
            {**_page_dict(lesson), "units": [_unit_dict(unit, lesson) for unit in units]}
            for lesson, units in result.lessons
        ],
    }


def import_job_get(*, job_uuid: Any) -> PackageImport | None:
    try:
        return PackageImport.objects.filter(uuid=job_uuid).first()
    except ValidationError:
        return None


def import_job_list(*, limit: int = 20) -> list[PackageImport]:
    """The latest imports, newest first."""
    return list(
        PackageImport.objects.select_related("package").order_by("-created_at", "-id")[:limit]
    )


def import_job_errors(job: PackageImport) -> list[dict[str, str]]:
    """A refused import's problems in the API's error shape (``field``, ``rule``, ``message``)."""
    return [
        {"field": problem["path"], "rule": problem["rule"], "message": problem["message"]}
        for problem in job.problems
    ]


def import_job_dict(job: PackageImport) -> dict[str, Any]:
    """The JSON of an import job (``GET /api/v1/packages/imports/<id>/``)."""
    from django.urls import reverse

    return {
        "id": str(job.uuid),
        "url": reverse("api:package-import-detail", args=[job.uuid]),
        "status": job.status,
        "finished": job.finished,
        "file_name": job.original_name,
        "size": job.size,
        "mode": job.mode,
        "parent": job.parent_id,
        "package": job.package_id,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "attempts": job.attempts,
        "result": job.result if job.status == PackageImport.Status.IMPORTED else None,
        "errors": import_job_errors(job) if job.status == PackageImport.Status.REFUSED else [],
        "failure": job.failure or None,
    }
