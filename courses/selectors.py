"""Reads of course content, for templates, the catalog API and the apps above ``courses``.

Public entry points (the progress and credentials apps build on them):

- :func:`course_outline` — a course with its modules and lessons as small dataclasses, in
  three queries.
- :func:`node_for_activity_id`, :func:`course_for_activity_id`,
  :func:`lesson_for_activity_id` — resolve xAPI activity IRIs back to pages.
- :func:`live_courses` — the published courses (optionally of one locale).
- :func:`catalog_courses` — live courses filtered by the catalog's facets, each course once
  per site language (:func:`courses_for_locale`).
- :func:`course_offline_package` — what saving a course for offline reading downloads.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import translation
from wagtail.models import Locale, Page

from courses.forms import CatalogFilterForm
from courses.models import (
    CatalogPage,
    CoursePage,
    LessonPage,
    ModulePage,
    Sector,
    Skill,
    Topic,
)

ACTIVITY_KINDS: dict[str, type[Page]] = {
    "course": CoursePage,
    "module": ModulePage,
    "lesson": LessonPage,
}


@dataclass(frozen=True)
class LessonOutline:
    id: int
    title: str
    url: str | None
    activity_id: str
    has_knowledge_check: bool
    required: bool
    estimated_minutes: int
    knowledge_check_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleOutline:
    id: int
    title: str
    url: str | None
    activity_id: str
    summary: str
    lessons: list[LessonOutline] = field(default_factory=list)


@dataclass(frozen=True)
class CourseOutline:
    id: int
    title: str
    url: str | None
    activity_id: str
    passing_score: int
    estimated_hours: int
    locale: str
    modules: list[ModuleOutline] = field(default_factory=list)

    @property
    def lessons(self) -> list[LessonOutline]:
        """All lessons of the course, in reading order."""
        return [lesson for module in self.modules for lesson in module.lessons]

    @property
    def first_lesson(self) -> LessonOutline | None:
        lessons = self.lessons
        return lessons[0] if lessons else None


def _stream_types(stream: Any) -> list[tuple[str, str]]:
    """(block_type, id) of a StreamField's top-level blocks without building block values."""
    raw = getattr(stream, "raw_data", None)
    if raw is not None:
        return [(item["type"], item.get("id") or "") for item in raw]
    return [(block.block_type, block.id or "") for block in stream]


def course_pages(course: Any) -> list[Any]:
    """The course and its modules and lessons, in tree order, as specific pages."""
    return [course.specific, *course.get_descendants().specific()]


def course_outline(*, course_id: int, live_only: bool = True) -> CourseOutline:
    """The course's modules and lessons in tree order, with their IRIs and URLs.

    Three queries (course, modules, lessons) whatever the size of the course; page URLs come
    from Wagtail's cached site root paths. Drafts are left out unless ``live_only`` is False.
    Raises ``CoursePage.DoesNotExist`` for an unknown id.
    """
    course = CoursePage.objects.select_related("locale").get(pk=course_id)
    modules_qs = ModulePage.objects.child_of(course).select_related("locale")
    lessons_qs = LessonPage.objects.descendant_of(course).select_related("locale")
    if live_only:
        modules_qs = modules_qs.live()
        lessons_qs = lessons_qs.live()
    lessons_by_module: dict[str, list[LessonOutline]] = {}
    for lesson in lessons_qs.order_by("path"):
        checks = tuple(i for t, i in _stream_types(lesson.body) if t == "knowledge_check")
        lessons_by_module.setdefault(lesson.path[: -Page.steplen], []).append(
            LessonOutline(
                id=lesson.pk,
                title=lesson.title,
                url=lesson.get_url(),
                activity_id=lesson.activity_id,
                has_knowledge_check=bool(checks),
                required=lesson.required,
                estimated_minutes=lesson.estimated_minutes,
                knowledge_check_ids=checks,
            )
        )
    modules = [
        ModuleOutline(
            id=module.pk,
            title=module.title,
            url=module.get_url(),
            activity_id=module.activity_id,
            summary=module.summary,
            lessons=lessons_by_module.get(module.path, []),
        )
        for module in modules_qs.order_by("path")
    ]
    return CourseOutline(
        id=course.pk,
        title=course.title,
        url=course.get_url(),
        activity_id=course.activity_id,
        passing_score=course.passing_score,
        estimated_hours=course.estimated_hours,
        locale=course.locale.language_code,
        modules=modules,
    )


def parse_activity_id(activity_id: str) -> tuple[str, uuid.UUID] | None:
    """Split one of our activity IRIs into (kind, translation_key); None when it is not ours."""
    prefix = f"{settings.LMS_SITE_URL}/xapi/activities/"
    if not activity_id.startswith(prefix):
        return None
    kind, _, key = activity_id[len(prefix) :].partition("/")
    if kind not in ACTIVITY_KINDS or not key or "/" in key:
        return None
    try:
        return kind, uuid.UUID(key)
    except ValueError:
        return None


def _pick_translation(pages: list[Page], language: str | None) -> Page | None:
    """The translation in ``language`` if any, else the default language's, else the first."""
    if not pages:
        return None
    by_language = {page.locale.language_code: page for page in pages}
    for code in (language, settings.LANGUAGE_CODE):
        if code and code.lower() in by_language:
            return by_language[code.lower()]
    return pages[0]


def node_for_activity_id(
    activity_id: str, *, language: str | None = None, live_only: bool = False
) -> tuple[str, Page] | None:
    """Resolve a course/module/lesson IRI to ``(kind, specific page)``, or None.

    Translations share an IRI: the page in ``language`` (default: the active language) is
    returned when it exists, otherwise the default language's.
    """
    parsed = parse_activity_id(activity_id)
    if parsed is None:
        return None
    kind, key = parsed
    queryset = ACTIVITY_KINDS[kind].objects.filter(translation_key=key).select_related("locale")
    if live_only:
        queryset = queryset.live()
    page = _pick_translation(list(queryset.order_by("pk")), language or translation.get_language())
    return (kind, page) if page is not None else None


def course_for_activity_id(
    activity_id: str, *, language: str | None = None, live_only: bool = False
) -> CoursePage | None:
    """The course a course, module or lesson IRI belongs to (None if unknown)."""
    node = node_for_activity_id(activity_id, language=language, live_only=live_only)
    if node is None:
        return None
    kind, page = node
    if kind == "course":
        return page
    return (
        CoursePage.objects.ancestor_of(page).select_related("locale").first()
        if page is not None
        else None
    )


def lesson_for_activity_id(
    activity_id: str, *, language: str | None = None, live_only: bool = False
) -> LessonPage | None:
    """The lesson with this lesson IRI (None for other kinds or unknown IRIs)."""
    node = node_for_activity_id(activity_id, language=language, live_only=live_only)
    if node is None or node[0] != "lesson":
        return None
    return node[1]


def course_activity_id_of(*, page: Page) -> str | None:
    """The activity IRI of the course a module or lesson page belongs to (None: no course
    above it). Reads the tree by path, so it works on a page about to be deleted."""
    course = CoursePage.objects.ancestor_of(page).only("translation_key").first()
    return course.activity_id if course is not None else None


def lesson_counts_as_stored(*, lesson_id: int) -> bool:
    """Whether the lesson's row, as stored now, is live and required: whether it counts toward
    its course for the progress engine, which reads the live tree (drafts are revisions)."""
    return LessonPage.objects.filter(pk=lesson_id, live=True, required=True).exists()


def live_courses(*, locale: str | None = None) -> QuerySet[CoursePage]:
    """Published courses, in tree order; only those of ``locale`` when given."""
    queryset = CoursePage.objects.live().select_related("locale").order_by("path")
    if locale:
        queryset = queryset.filter(locale__language_code=locale.lower())
    return queryset


def courses_for_locale(locale: str) -> QuerySet[CoursePage]:
    """Each live course once, as seen from ``locale``'s site.

    A course appears in ``locale`` when translated, otherwise in the default language
    (untranslated courses stay visible on the English site, in Spanish). Activity IRIs are
    therefore never listed twice.
    """
    locale = locale.lower()
    default = settings.LANGUAGE_CODE.lower()
    queryset = live_courses()
    if locale == default:
        return queryset.filter(locale__language_code=locale)
    translated = CoursePage.objects.live().filter(locale__language_code=locale)
    return queryset.filter(
        Q(locale__language_code=locale)
        | (
            Q(locale__language_code=default)
            & ~Q(translation_key__in=translated.values("translation_key"))
        )
    )


def catalog_courses(
    *, filters: Mapping[str, Any], locale: str | None = None
) -> QuerySet[CoursePage]:
    """Live courses matching cleaned catalog filters (see :class:`courses.forms.CatalogFilterForm`).

    As seen from ``locale``'s site (:func:`courses_for_locale`; default: the default
    language). Facets are prefetched so listing them costs a fixed number of queries.
    """
    queryset = courses_for_locale(locale or settings.LANGUAGE_CODE)
    for name, relation in (("sector", "sectors"), ("topic", "topics"), ("skill", "skills")):
        if filters.get(name):
            queryset = queryset.filter(**{f"{relation}__slug": filters[name]})
    if filters.get("level"):
        queryset = queryset.filter(level=filters["level"])
    if filters.get("language"):
        queryset = queryset.filter(language=filters["language"])
    if filters.get("min_hours") is not None:
        queryset = queryset.filter(estimated_hours__gte=filters["min_hours"])
    if filters.get("max_hours") is not None:
        queryset = queryset.filter(estimated_hours__lte=filters["max_hours"])
    return queryset.distinct().prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("name")),
        Prefetch("topics", queryset=Topic.objects.order_by("name")),
        Prefetch("skills", queryset=Skill.objects.order_by("name")),
        "cover_image__renditions",
    )


@dataclass
class CatalogResult:
    form: CatalogFilterForm
    courses: list[CoursePage]

    @property
    def active(self) -> bool:
        return any(value not in (None, "") for value in self.form.cleaned_data.values())


def catalog_search(*, catalog: CatalogPage, params: Mapping[str, Any]) -> CatalogResult:
    """The catalog page's courses filtered by GET parameters; invalid filters are ignored
    (and reported on the form) so the page still lists courses."""
    form = CatalogFilterForm(params or None)
    filters = form.cleaned_filters()
    language = catalog.locale.language_code
    courses = list(catalog_courses(filters=filters, locale=language))
    # The catalog's own language first, then untranslated courses, each in tree order.
    courses.sort(key=lambda course: (course.locale.language_code != language, course.path))
    return CatalogResult(form=form, courses=courses)


@dataclass(frozen=True)
class LessonNavigation:
    course: CoursePage | None
    module: ModulePage | None
    previous: LessonPage | None
    next: LessonPage | None
    position: int
    total: int


def lesson_navigation(*, lesson: LessonPage) -> LessonNavigation:
    """The lesson's course and module and its neighbours in the course's reading order
    (previous/next cross module boundaries). Three queries."""
    steplen = Page.steplen
    module = ModulePage.objects.filter(path=lesson.path[:-steplen]).first()
    course = CoursePage.objects.filter(path=lesson.path[: -2 * steplen]).first()
    if course is None:
        return LessonNavigation(None, module, None, None, 1, 1)
    siblings = list(
        LessonPage.objects.descendant_of(course).live().select_related("locale").order_by("path")
    )
    ids = [page.pk for page in siblings]
    if lesson.pk not in ids:  # a draft being previewed
        return LessonNavigation(course, module, None, None, 1, len(ids) or 1)
    index = ids.index(lesson.pk)
    return LessonNavigation(
        course=course,
        module=module,
        previous=siblings[index - 1] if index > 0 else None,
        next=siblings[index + 1] if index + 1 < len(siblings) else None,
        position=index + 1,
        total=len(siblings),
    )


def locale_codes() -> list[str]:
    """Language codes of the content locales."""
    return list(Locale.objects.values_list("language_code", flat=True))


def taxonomy_term(*, kind: str, slug: str) -> Sector | Skill | None:
    """The sector or skill snippet with ``slug`` (``kind`` is ``"sector"`` or ``"skill"``), or
    None: what an alignment to one of them points at."""
    models_by_kind: dict[str, type[Sector] | type[Skill]] = {"sector": Sector, "skill": Skill}
    model = models_by_kind.get(kind)
    if model is None:
        return None
    return model.objects.filter(slug=slug).first()


# A lesson page's budget on first visit (docs/performance.md), used as its estimated size.
LESSON_PAGE_BYTES = 50 * 1024
# Offline copies of images are taken at this width: a 360 px phone at 2x picks it from srcset.
OFFLINE_IMAGE_WIDTH = 720


@dataclass(frozen=True)
class OfflinePackage:
    """A course's live lesson URLs and the estimated bytes of saving them with their images."""

    course_id: int
    lesson_urls: list[str]
    image_count: int
    estimated_bytes: int
    budget_bytes: int

    @property
    def fits(self) -> bool:
        return self.estimated_bytes <= self.budget_bytes


def _offline_image_bytes(image: Any) -> int:
    """The estimated size of the image at OFFLINE_IMAGE_WIDTH: its stored size scaled by area
    (no rendition is generated and no storage is asked, so this stays cheap on S3)."""
    width, height = max(image.width or 1, 1), max(image.height or 1, 1)
    stored = image.file_size or width * height // 4
    scale = min(1.0, OFFLINE_IMAGE_WIDTH / width) ** 2
    return max(int(stored * scale), 1024)


def course_offline_package(*, course_id: int) -> OfflinePackage:
    """What "Guardar para leer sin conexión" downloads for a course, and whether it fits the
    budget ``LMS_OFFLINE_COURSE_BUDGET_MB``. Raises ``CoursePage.DoesNotExist``."""
    from wagtail.images import get_image_model

    from courses.conf import app_settings

    outline = course_outline(course_id=course_id)
    urls = [lesson.url for lesson in outline.lessons if lesson.url]
    image_ids: list[int] = []
    for lesson in LessonPage.objects.filter(pk__in=[lesson.id for lesson in outline.lessons]):
        raw = getattr(lesson.body, "raw_data", None) or []
        image_ids += [
            item["value"]["image"]
            for item in raw
            if item.get("type") == "image"
            and isinstance(item.get("value"), dict)
            and isinstance(item["value"].get("image"), int)
        ]
    images = get_image_model().objects.only("width", "height", "file_size").in_bulk(image_ids)
    image_bytes = sum(_offline_image_bytes(images[pk]) for pk in image_ids if pk in images)
    return OfflinePackage(
        course_id=course_id,
        lesson_urls=urls,
        image_count=sum(1 for pk in image_ids if pk in images),
        estimated_bytes=len(urls) * LESSON_PAGE_BYTES + image_bytes,
        # Read at call time so override_settings and per-deploy settings apply.
        budget_bytes=int(app_settings.LMS_OFFLINE_COURSE_BUDGET_MB) * 1024 * 1024,
    )
