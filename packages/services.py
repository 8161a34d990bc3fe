"""Writes of the packages app: importing a package (and re-importing a new version of it).

:func:`package_import` is the one entry point of the ``import_package`` command and of the
import jobs that the admin view and the API queue (``packages.import_jobs``). It reads the zip
safely (``packages.zipsafe``), validates its manifest (``packages.manifests``), then, in one
transaction, writes the rows, creates or updates the pages as drafts and stores the files under
the version's prefix. If any step fails, the transaction is rolled back and the files already
stored are deleted: nothing is half-imported.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.models import CatalogPage, CoursePage, LessonPage, ModulePage, ascii_slug
from packages import manifests, zipsafe
from packages.conf import app_settings
from packages.models import Package, PackageBlock, PackageUnit, PackageVersion
from packages.problems import PackageRefused, Problem
from packages.selectors import unit_learner_counts

logger = logging.getLogger(__name__)

FAMILY_OF = {
    manifests.CMI5: Package.Family.CMI5,
    manifests.SCORM12: Package.Family.SCORM,
    manifests.SCORM2004: Package.Family.SCORM,
}


@dataclass(frozen=True)
class UnitChange:
    """A unit a re-import added, removed (retired) or renamed. ``previous_title`` is set for a
    renamed unit; ``learners`` (removed units) is how many learners have started it.

    For a removed unit, ``lesson_id``/``lesson_title`` name the lesson that showed it, and
    ``lesson_stops_counting`` says the import saved a draft of that lesson that no longer
    counts toward its course (``required`` False: every unit it shows is retired); it takes
    effect when the draft is published."""

    identifier: str
    title: str
    previous_title: str = ""
    learners: int = 0
    lesson_id: int | None = None
    lesson_title: str = ""
    lesson_stops_counting: bool = False


@dataclass
class UnitChanges:
    """What a new version changed in the package's units, compared with the previous one."""

    added: list[UnitChange] = field(default_factory=list)
    removed: list[UnitChange] = field(default_factory=list)
    renamed: list[UnitChange] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UnitChanges:
        """Read back the ``changes`` of an import's JSON (an import job's stored result)."""
        known = set(UnitChange.__dataclass_fields__)

        def changes(key: str) -> list[UnitChange]:
            return [
                UnitChange(**{name: value for name, value in item.items() if name in known})
                for item in data.get(key, [])
            ]

        return cls(added=changes("added"), removed=changes("removed"), renamed=changes("renamed"))

    @property
    def removed_with_learners(self) -> list[UnitChange]:
        return [change for change in self.removed if change.learners]

    @property
    def reidentified(self) -> set[str]:
        """Removed units with the title of an added one: most likely the authoring tool gave
        the same unit a new identifier, which makes it another activity for the LRS."""
        added = {change.title for change in self.added}
        return {change.identifier for change in self.removed if change.title in added}


@dataclass
class ImportResult:
    """What an import created or updated; ``as_dict()`` is the JSON of the API and command.

    For a re-import (``created`` False), ``previous_version`` and ``previous_title`` are the
    package's before this upload, and ``changes`` what the new version did to its units."""

    package: Package
    version: PackageVersion
    created: bool
    course: CoursePage | None
    modules: list[tuple[PackageBlock, ModulePage]] = field(default_factory=list)
    lessons: list[tuple[LessonPage, list[PackageUnit]]] = field(default_factory=list)
    previous_version: int | None = None
    previous_title: str = ""
    changes: UnitChanges = field(default_factory=UnitChanges)

    def as_dict(self) -> dict[str, Any]:
        from packages.selectors import import_result_dict

        return import_result_dict(self)


def _unique_slug(parent: Page, title: str, fallback: str) -> str:
    base = (ascii_slug(title) or fallback)[:200]
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, number = base, 2
    while slug in taken:
        slug = f"{base}-{number}"
        number += 1
    return slug


def _summary(text: str, title: str) -> str:
    return (text or title)[:600]


def _add_draft(parent: Page, page: Page, user: Any) -> Page:
    page.live = False
    page.has_unpublished_changes = True
    parent.add_child(instance=page)
    page.save_revision(user=user, log_action=True)
    return page


def _revise(page: Page, user: Any, **changes: Any) -> Page:
    """Save a new draft revision of ``page`` with ``changes`` (never published here)."""
    draft = page.get_latest_revision_as_object()
    changed = False
    for name, value in changes.items():
        if getattr(draft, name) != value:
            setattr(draft, name, value)
            changed = True
    if changed:
        draft.save_revision(user=user, log_action=True)
        page.refresh_from_db()
    return page


def _unit_body(units: list[PackageUnit]) -> list[tuple[str, dict[str, str]]]:
    return [("packaged_content", {"unit": str(unit.uuid)}) for unit in units]


def _body_unit_uuids(lesson: LessonPage) -> list[str]:
    return [
        str(block.value.get("unit"))
        for block in lesson.get_latest_revision_as_object().body
        if block.block_type == "packaged_content"
    ]


def _parent_for(
    mode: str, parent_id: int | None, parsed: manifests.ParsedPackage, user: Any
) -> Page:
    if mode == Package.Mode.COURSE:
        if parent_id is None:
            catalog = (
                CatalogPage.objects.filter(locale__language_code="es-mx").first()
                or CatalogPage.objects.first()
            )
            if catalog is None:
                raise PackageRefused(
                    [Problem("parent", "required", _("No hay un catálogo donde crear el curso."))]
                )
            return catalog
        parent = CatalogPage.objects.filter(pk=parent_id).first()
        if parent is None:
            raise PackageRefused(
                [
                    Problem(
                        "parent",
                        "invalid",
                        _("En modo curso, parent debe ser el id de un catálogo."),
                    )
                ]
            )
        return parent
    if parent_id is None:
        raise PackageRefused(
            [Problem("parent", "required", _("En modo lección, indica el id del módulo (parent)."))]
        )
    module = ModulePage.objects.filter(pk=parent_id).first()
    if module is None:
        raise PackageRefused(
            [Problem("parent", "invalid", _("parent debe ser el id de un módulo."))]
        )
    if parsed.format == manifests.CMI5 and len(parsed.units) != 1:
        raise PackageRefused(
            [
                Problem(
                    "mode",
                    "invalid",
                    _(
                        "Un curso cmi5 con varias AU se importa en modo curso; "
                        "en modo lección, una sola AU."
                    ),
                )
            ]
        )
    return module


def _check_can_add(parent: Page, user: Any) -> None:
    if user is None:  # the management command: an operator on the server
        return
    if not parent.permissions_for_user(user).can_add_subpage():
        raise PackageRefused(
            [Problem("parent", "permission", _("No tienes permiso para crear páginas ahí."))]
        )


def _check_can_edit(page: Page | None, user: Any) -> None:
    if user is None or page is None:
        return
    if not page.permissions_for_user(user).can_edit():
        raise PackageRefused(
            [
                Problem(
                    "package",
                    "permission",
                    _("No tienes permiso para editar las páginas de este paquete."),
                )
            ]
        )


def _store_files(
    extracted: zipsafe.ExtractedPackage, version: PackageVersion, stored: list[str]
) -> None:
    for name in sorted(extracted.files):
        wanted = version.storage_name(name)
        with extracted.path_of(name).open("rb") as handle:
            saved = default_storage.save(wanted, File(handle, name=name))
        stored.append(saved)
        if saved != wanted:
            raise PackageRefused(
                [
                    Problem(
                        f"zip:{name}",
                        "storage_name",
                        _("El almacenamiento no acepta este nombre de archivo."),
                    )
                ]
            )


def package_version_files_delete(*, names: list[str]) -> None:
    """Delete a package version's stored files (after the version's row is deleted)."""
    _delete_stored(names)


def _delete_stored(stored: list[str]) -> None:
    for name in stored:
        try:
            default_storage.delete(name)
        except Exception:
            logger.exception("packages: could not delete %s after a failed import", name)


def _module_for(
    package: Package,
    block_id: str,
    title: str,
    description: str,
    order: int,
    course: CoursePage,
    user: Any,
    result: ImportResult,
) -> ModulePage:
    block, _created = PackageBlock.objects.get_or_create(
        package=package, identifier=block_id, defaults={"title": title[:255], "order": order}
    )
    block.title, block.order = title[:255], order
    module = block.module
    if module is None:
        module = ModulePage(
            title=title[:255],
            slug=_unique_slug(course, title, "modulo"),
            summary=_summary(description, ""),
            locale=course.locale,
        )
        _add_draft(course, module, user)
        block.module = module
    else:
        _revise(module, user, title=title[:255])
    block.save()
    result.modules.append((block, module))
    return module


def _write_units(
    package: Package,
    version: PackageVersion,
    parsed: manifests.ParsedPackage,
    changes: UnitChanges,
) -> list[PackageUnit]:
    kind_of = {
        "": PackageUnit.Kind.AU,
        "sco": PackageUnit.Kind.SCO,
        "asset": PackageUnit.Kind.ASSET,
    }
    existing = {unit.identifier: unit for unit in package.units.all()}
    units = []
    for order, parsed_unit in enumerate(parsed.units):
        known = existing.pop(parsed_unit.identifier, None)
        unit = known or PackageUnit(package=package, identifier=parsed_unit.identifier)
        title = parsed_unit.title[:255]
        if known is None or known.retired:
            changes.added.append(UnitChange(parsed_unit.identifier, title))
        elif known.title != title:
            changes.renamed.append(UnitChange(parsed_unit.identifier, title, known.title))
        unit.version = version
        unit.kind = kind_of.get(parsed_unit.scorm_type, PackageUnit.Kind.SCO)
        unit.title = parsed_unit.title[:255]
        unit.description = parsed_unit.description
        unit.launch_url = parsed_unit.launch_url
        unit.parameters = parsed_unit.parameters
        unit.move_on = parsed_unit.move_on
        unit.mastery_score = parsed_unit.mastery_score
        unit.launch_method = parsed_unit.launch_method
        unit.activity_type = parsed_unit.activity_type
        unit.entitlement_key = parsed_unit.entitlement_key
        unit.completion_threshold = parsed_unit.completion_threshold
        unit.data_from_lms = parsed_unit.data_from_lms
        unit.block = parsed_unit.block
        unit.block_path = parsed_unit.block_path
        unit.objectives = parsed_unit.objectives
        unit.order = order
        unit.retired = False
        unit.save()
        units.append(unit)
    # Units a new version dropped keep their rows and lessons: learners' records stay.
    dropped = [gone for gone in existing.values() if not gone.retired]
    started = unit_learner_counts(dropped)
    for gone in dropped:
        changes.removed.append(
            UnitChange(gone.identifier, gone.title, learners=started[gone.pk].started)
        )
    for gone in existing.values():
        gone.retired = True
        gone.save(update_fields=["retired"])
    return units


def _lesson_required(unit: PackageUnit) -> bool:
    # A cmi5 AU with moveOn NotApplicable does not count toward the course (cmi5 §9.6.2).
    return unit.move_on != "NotApplicable"


def _build_course(
    package: Package,
    parsed: manifests.ParsedPackage,
    units: list[PackageUnit],
    parent: Page,
    user: Any,
    result: ImportResult,
) -> None:
    course = package.course
    if course is None:
        course = CoursePage(
            title=parsed.title[:255],
            slug=_unique_slug(parent, parsed.title, "curso"),
            summary=_summary(parsed.description, parsed.title),
            locale=parent.locale,
        )
        _add_draft(parent, course, user)
        package.course = course
        package.save(update_fields=["course"])
    else:
        _revise(course, user, title=parsed.title[:255])
    result.course = course
    blocks = {block.identifier: block for block in parsed.blocks}
    # Modules in the order their first unit appears; units at the top level share one module.
    order_of_groups: list[str] = []
    for unit in units:
        if unit.block not in order_of_groups:
            order_of_groups.append(unit.block)
    modules: dict[str, ModulePage] = {}
    for order, group in enumerate(order_of_groups):
        block = blocks.get(group)
        title = block.title if block else parsed.title
        description = block.description if block else ""
        modules[group] = _module_for(
            package, group, title, description, order, course, user, result
        )
    for unit in units:
        lesson = unit.lesson
        if lesson is None:
            lesson = LessonPage(
                title=unit.title,
                slug=_unique_slug(modules[unit.block], unit.title, "leccion"),
                body=_unit_body([unit]),
                required=_lesson_required(unit),
                locale=course.locale,
            )
            _add_draft(modules[unit.block], lesson, user)
            unit.lesson = lesson
            unit.save(update_fields=["lesson"])
        else:
            # A unit back from retirement makes its lesson count again (its moveOn permitting).
            _revise(lesson, user, title=unit.title, required=_lesson_required(unit))
        result.lessons.append((lesson, [unit]))
    _retire_lessons(package, user, result.changes)


def _build_lesson(
    package: Package,
    parsed: manifests.ParsedPackage,
    units: list[PackageUnit],
    parent: Page | None,
    user: Any,
    result: ImportResult,
) -> None:
    lesson = next((unit.lesson for unit in units if unit.lesson is not None), None)
    # Units back from retirement (they kept their lesson); new units have none yet.
    returning = {change.identifier for change in result.changes.added}
    returned = [unit for unit in units if unit.identifier in returning and unit.lesson_id]
    if lesson is None and parent is None:
        # A version whose units are all new: they join the lesson of the retired ones.
        lesson = next(
            (
                unit.lesson
                for unit in package.units.filter(lesson__isnull=False).select_related("lesson")
            ),
            None,
        )
    if lesson is None:
        assert parent is not None
        lesson = LessonPage(
            title=parsed.title[:255],
            slug=_unique_slug(parent, parsed.title, "leccion"),
            body=_unit_body(units),
            locale=parent.locale,
        )
        _add_draft(parent, lesson, user)
        course = parent.get_parent()
        package.course = course.specific if course else None
        package.save(update_fields=["course"])
    else:
        # New units of the new version go at the end of the lesson; the others stay placed.
        placed = set(_body_unit_uuids(lesson))
        draft = lesson.get_latest_revision_as_object()
        missing = [unit for unit in units if str(unit.uuid) not in placed]
        # A unit back from retirement makes the lesson count again (its moveOn permitting);
        # otherwise ``required`` stays the author's.
        counts_again = not draft.required and any(_lesson_required(unit) for unit in returned)
        if missing or draft.title != parsed.title[:255] or counts_again:
            for name, value in _unit_body(missing):
                draft.body.append((name, value))
            draft.title = parsed.title[:255]
            if counts_again:
                draft.required = True
            draft.save_revision(user=user, log_action=True)
            lesson.refresh_from_db()
    for unit in units:
        if unit.lesson_id != lesson.pk:
            unit.lesson = lesson
            unit.save(update_fields=["lesson"])
    result.course = package.course
    result.lessons.append((lesson, units))
    _retire_lessons(package, user, result.changes)


def _retire_lessons(package: Package, user: Any, changes: UnitChanges) -> None:
    """Name the lesson of each unit this version retired, and make a lesson that shows no
    current unit any more stop counting toward its course.

    A retired unit cannot be launched, so nothing can complete its lesson: left required, it
    would keep every learner of the course from finishing it. Such a lesson (every unit its
    body shows is retired) gets a draft revision with ``required`` False, which goes through
    the review workflow like any other change; a lesson that still shows a current unit (a
    SCORM lesson that lost one of its SCOs) is left as it is. Only units retired by this
    version are looked at, so an author who made the lesson required again keeps her choice.
    """
    if not changes.removed:
        return
    retired = {
        unit.identifier: unit
        for unit in package.units.filter(
            identifier__in=[change.identifier for change in changes.removed]
        ).select_related("lesson")
    }
    stops: dict[int, bool] = {}  # lesson pk → whether this import made it stop counting
    for index, change in enumerate(changes.removed):
        unit = retired.get(change.identifier)
        lesson = unit.lesson if unit is not None else None
        if lesson is None:
            continue
        if lesson.pk not in stops:
            stops[lesson.pk] = _shows_only_retired_units(lesson) and (
                lesson.get_latest_revision_as_object().required
            )
            if stops[lesson.pk]:
                _revise(lesson, user, required=False)
        changes.removed[index] = UnitChange(
            change.identifier,
            change.title,
            learners=change.learners,
            lesson_id=lesson.pk,
            lesson_title=lesson.draft_title or lesson.title,
            lesson_stops_counting=stops[lesson.pk],
        )


def _shows_only_retired_units(lesson: LessonPage) -> bool:
    """Whether the lesson's draft shows packaged units and every one of them is retired (or
    gone): then nothing in it can be launched."""
    uuid_field = PackageUnit._meta.get_field("uuid")
    shown = set()
    for value in _body_unit_uuids(lesson):
        try:
            shown.add(uuid_field.to_python(value))
        except ValidationError:  # a block with no unit chosen
            continue
    if not shown:
        return False
    return not PackageUnit.objects.filter(uuid__in=shown, retired=False).exists()


def package_import(
    *,
    upload: IO[bytes],
    mode: str = Package.Mode.COURSE,
    parent_id: int | None = None,
    user: Any = None,
    expected_package_id: int | None = None,
    on_imported: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Import a cmi5 or SCORM zip, or a new version of a package imported before.

    ``mode`` is ``course`` (a course page under the catalog ``parent_id``, the Spanish catalog
    by default) or ``lesson`` (one lesson under the module ``parent_id``). A package already
    imported (same cmi5 course id or SCORM manifest identifier) is updated in place: a new
    version, the same pages and units. Pages are created as drafts, never published. ``user``
    must be allowed to add pages there (``None``: the command line). Raises
    :class:`PackageRefused` with every problem found; then nothing is stored.
    ``expected_package_id``: the upload must be a new version of that package (the admin's
    "upload a new version" form), or it is refused. ``on_imported`` runs inside the import's
    transaction once everything is written: if it raises, the import is undone too.
    """
    if mode not in Package.Mode.values:
        raise PackageRefused([Problem("mode", "invalid", _("mode debe ser course o lesson."))])
    with zipsafe.extracted(upload) as extracted:
        parsed = manifests.parse_package(extracted.read_bytes, extracted.files)
        stored: list[str] = []
        try:
            with transaction.atomic():
                result = _import_parsed(
                    parsed, extracted, mode, parent_id, user, stored, expected_package_id
                )
                if on_imported is not None:
                    on_imported(result)
        except BaseException:
            _delete_stored(stored)
            raise
    return result


def _other_package_problem(found: str, expected: Package | None) -> Problem:
    """The problem of a zip uploaded as a new version of ``expected`` whose identifier is
    another one."""
    return Problem(
        "file",
        "other_package",
        _(
            "Este zip es otro paquete (identificador %(found)s), no una versión "
            "nueva de %(expected)s. Impórtalo desde la lista de paquetes."
        )
        % {"found": found, "expected": expected.identifier if expected else "?"},
    )


class _Rollback(Exception):
    """Raised inside the import's transaction by a preview, so that nothing it wrote stays."""


@dataclass(frozen=True)
class ImportPreview:
    """What importing a zip would do, without doing it (:func:`package_import_preview`).

    ``package_id`` is the package it would update (None: a new package), ``title`` the title
    the package has now (or the zip's, when new), ``version`` the number the upload would get.
    """

    package_id: int | None
    title: str
    format: str
    identifier: str
    version: int
    previous_version: int | None
    changes: UnitChanges

    @property
    def updates(self) -> bool:
        return self.package_id is not None


def package_import_preview(
    *,
    upload: IO[bytes],
    mode: str = Package.Mode.COURSE,
    parent_id: int | None = None,
    user: Any = None,
    expected_package_id: int | None = None,
) -> ImportPreview:
    """Check a zip as :func:`package_import` would, and say whether it is a new package or a
    new version of one, and what that version would add, retire or rename. Runs the whole
    import in a transaction that is rolled back and stores no file: nothing stays. Raises
    :class:`PackageRefused` as the import would."""
    if mode not in Package.Mode.values:
        raise PackageRefused([Problem("mode", "invalid", _("mode debe ser course o lesson."))])
    with zipsafe.extracted(upload) as extracted:
        parsed = manifests.parse_package(extracted.read_bytes, extracted.files)
        try:
            with transaction.atomic():
                result = _import_parsed(
                    parsed,
                    extracted,
                    mode,
                    parent_id,
                    user,
                    [],
                    expected_package_id,
                    store_files=False,
                )
                preview = ImportPreview(
                    package_id=None if result.created else result.package.pk,
                    title=result.previous_title or result.package.title,
                    format=result.package.format,
                    identifier=result.package.identifier,
                    version=result.version.number,
                    previous_version=result.previous_version,
                    changes=result.changes,
                )
                raise _Rollback
        except _Rollback:
            pass
    return preview


def _import_parsed(
    parsed: manifests.ParsedPackage,
    extracted: zipsafe.ExtractedPackage,
    mode: str,
    parent_id: int | None,
    user: Any,
    stored: list[str],
    expected_package_id: int | None = None,
    *,
    store_files: bool = True,
) -> ImportResult:
    family = FAMILY_OF[parsed.format]
    package = (
        Package.objects.select_for_update()
        .filter(family=family, identifier=parsed.identifier)
        .first()
    )
    if expected_package_id is not None and (package is None or package.pk != expected_package_id):
        expected = Package.objects.filter(pk=expected_package_id).first()
        raise PackageRefused([_other_package_problem(parsed.identifier, expected)])
    created = package is None
    previous_title = "" if package is None else package.title
    parent: Page | None = None
    if package is None:
        parent = _parent_for(mode, parent_id, parsed, user)
        _check_can_add(parent, user)
        package = Package.objects.create(
            family=family,
            identifier=parsed.identifier,
            format=parsed.format,
            schema_version=parsed.schema_version,
            title=parsed.title[:255],
            mode=mode,
        )
    else:
        _check_can_edit(package.course, user)
        package.format = parsed.format
        package.schema_version = parsed.schema_version
        package.title = parsed.title[:255]
        package.save()
        # Its pages may have been deleted since: then they are made again, where asked.
        if package.mode == Package.Mode.COURSE and package.course is None:
            parent = _parent_for(Package.Mode.COURSE, parent_id, parsed, user)
            _check_can_add(parent, user)
        elif (
            package.mode == Package.Mode.LESSON
            and not package.units.filter(lesson__isnull=False).exists()
        ):
            parent = _parent_for(Package.Mode.LESSON, parent_id, parsed, user)
            _check_can_add(parent, user)
    last = package.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = PackageVersion(
        package=package,
        number=last + 1,
        manifest_name=parsed.manifest_name,
        uploaded_by=user,
        sha256=extracted.sha256,
        size=extracted.size,
        files={name: [entry.size, entry.sha256] for name, entry in extracted.files.items()},
    )
    root = app_settings.LMS_PACKAGE_STORAGE_PREFIX
    version.storage_prefix = f"{root}/{package.uuid}/v{version.number}-{version.uuid}/"
    version.save()
    result = ImportResult(
        package=package,
        version=version,
        created=created,
        course=None,
        previous_version=last or None,
        previous_title=previous_title,
    )
    units = _write_units(package, version, parsed, result.changes)
    if created:  # every unit is new: there is nothing to compare with
        result.changes = UnitChanges()
    if package.mode == Package.Mode.COURSE:
        assert parent is not None or package.course is not None
        _build_course(package, parsed, units, parent or package.course, user, result)
    else:
        _build_lesson(package, parsed, units, parent, user, result)
    if store_files:
        _store_files(extracted, version, stored)
    return result
