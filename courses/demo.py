"""Demo content of the courses app, loaded by ``python manage.py load_demo``.

Reads course JSON files (schema: docs/content.md, "Demo content files") and builds the page
tree under the catalogs idempotently: pages are matched by slug under their parent, stream
block, question and option ids are derived from the slugs (UUID5), and a page is saved and
published again only when its content changed. Running it twice leaves the same tree.

Spanish pages come first; a file's ``translations.en`` becomes the English translation of
every page (``copy_for_translation`` to the English catalog, then its fields are filled), so
translations share ``translation_key`` and therefore activity IRIs.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from wagtail.models import Locale, Page, Site

from courses.models import CatalogPage, CoursePage, LessonPage, ModulePage, Sector, Skill, Topic

DEMO_CONTENT_DIR = Path(__file__).resolve().parent / "demo_content"
ID_NAMESPACE = uuid.UUID("6f1d3c1e-8a52-4f5e-9f0e-4c7b8f0a9d21")

CATALOG_TEXT = {
    "es-mx": {
        "title": "Catálogo de cursos",
        "intro": (
            "<p>Cursos cortos sobre tecnologías emergentes para docentes de educación media "
            "superior tecnológica. Filtra por sector, tema, nivel, idioma u horas.</p>"
        ),
    },
    "en": {
        "title": "Course catalog",
        "intro": (
            "<p>Short courses on emerging technologies for technical upper-secondary "
            "teachers. Filter by sector, topic, level, language or hours.</p>"
        ),
    },
}


class DemoContentError(ValueError):
    """A demo content file does not fit the schema; the message names file and place."""


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    courses: list[CoursePage] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


def _block_id(*parts: object) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(str(part) for part in parts)))


def _stream_block(block: dict[str, Any], path: str) -> dict[str, Any]:
    """A content-file block as Wagtail raw stream data with deterministic ids."""
    kind = block.get("type")
    value: Any = block.get("value")  # shaped by the block kind (docs/content.md)
    raw: dict[str, Any] = {"type": kind, "id": _block_id(path)}
    if kind == "knowledge_check":
        questions = []
        for q_index, question in enumerate(value.get("questions", [])):
            q_path = f"{path}/q{q_index}"
            options = [
                {
                    "type": "item",
                    "id": _block_id(q_path, f"o{o_index}"),
                    "value": {
                        "text": option.get("text", ""),
                        "is_correct": bool(option.get("is_correct")),
                        "feedback": option.get("feedback", ""),
                    },
                }
                for o_index, option in enumerate(question.get("options", []))
            ]
            questions.append(
                {
                    "type": "item",
                    "id": _block_id(q_path),
                    "value": {
                        "prompt": question.get("prompt", ""),
                        "kind": question.get("kind", "single"),
                        "explanation": question.get("explanation", ""),
                        "options": options,
                    },
                }
            )
        raw["value"] = {
            "title": value.get("title", ""),
            "instructions": value.get("instructions", ""),
            "pass_mark": value.get("pass_mark", 70),
            "questions": questions,
        }
    elif kind == "video":
        raw["value"] = {
            "title": value.get("title", ""),
            "file": None,
            "embed_url": value.get("embed_url", ""),
            "captions": None,
            "captions_language": value.get("captions_language", "es"),
            "transcript": value.get("transcript", ""),
        }
    else:
        raw["value"] = value
    return raw


def _lesson_body(blocks: Iterable[dict[str, Any]], path: str, where: str) -> list[dict]:
    body = [_stream_block(block, f"{path}/b{index}") for index, block in enumerate(blocks)]
    # Validate like the admin would (e.g. one correct option on single-choice questions).
    stream_block = LessonPage._meta.get_field("body").stream_block
    probe = LessonPage(body=body)
    try:
        stream_block.clean(probe.body)
    except ValidationError as exc:
        detail = exc.as_json_data() if hasattr(exc, "as_json_data") else str(exc)
        raise DemoContentError(f"{where}: invalid lesson body: {detail}") from exc
    return body


def _snapshot(page: Page, names: Iterable[str]) -> dict[str, Any]:
    values = {}
    for name in names:
        value = getattr(page, name)
        if hasattr(value, "get_prep_value"):
            value = json.dumps(value.get_prep_value(), sort_keys=True, default=str)
        values[name] = value
    return values


def _upsert(
    *,
    parent: Page,
    model: type[Page],
    slug: str,
    values: dict[str, Any],
    report: LoadReport,
    after_save: Callable[[Page], bool] | None = None,
) -> Page:
    """Create or update the child ``slug`` of ``parent`` and publish it if anything changed."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = model(slug=slug, locale=parent.locale, **values)
        parent.add_child(instance=page)
        if after_save:
            after_save(page)
        page.save_revision().publish()
        report.count("created")
        return page
    before = _snapshot(page, values)
    for name, value in values.items():
        setattr(page, name, value)
    changed = _snapshot(page, values) != before
    if after_save:
        changed = after_save(page) or changed
    if changed or not page.live or page.has_unpublished_changes:
        page.save_revision().publish()
        report.count("updated")
    else:
        report.count("unchanged")
    return page


def _set_facets(page: CoursePage, data: dict[str, Any], where: str) -> bool:
    changed = False
    for name, model in (("sectors", Sector), ("topics", Topic), ("skills", Skill)):
        slugs = list(data.get(name, []))
        items = list(model.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {item.slug for item in items})
        if missing:
            raise DemoContentError(f"{where}: unknown {name}: {', '.join(missing)}")
        current = {item.slug for item in getattr(page, name).all()}
        if current != set(slugs):
            getattr(page, name).set(items)
            changed = True
    return changed


def _outcomes(items: Iterable[str], path: str) -> list[dict[str, Any]]:
    return [
        {"type": "outcome", "value": text, "id": _block_id(path, "outcome", index)}
        for index, text in enumerate(items)
    ]


def _spanish_catalog() -> CatalogPage:
    catalog = (
        CatalogPage.objects.filter(locale__language_code="es-mx", depth=2).order_by("path").first()
    )
    if catalog is None:
        raise DemoContentError("no Spanish catalog page: run the migrations first")
    return catalog


def ensure_catalogs() -> tuple[CatalogPage, CatalogPage]:
    """The Spanish and English catalog pages (created by migration), with their texts."""
    spanish = _spanish_catalog()
    english = spanish.get_translation_or_none(Locale.objects.get(language_code="en"))
    if english is None:
        english = spanish.copy_for_translation(Locale.objects.get(language_code="en"))
    for page in (spanish, english):
        text = CATALOG_TEXT[page.locale.language_code]
        if page.title != text["title"] or page.intro != text["intro"] or not page.live:
            page.title = text["title"]
            page.intro = text["intro"]
            page.save_revision().publish()
    return spanish, english


def configure_site(*, site_url: str) -> Site:
    """Point the default Wagtail Site at ``site_url`` (host and port) and the catalog."""
    parts = urlsplit(site_url)
    if not parts.hostname:
        raise ValueError(f"site URL without a host: {site_url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    spanish = _spanish_catalog()
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = parts.hostname
    site.port = port
    site.root_page = spanish
    site.site_name = "Capacita"
    site.save()
    Site.clear_site_root_paths_cache()
    return site


def _load_course(
    data: dict[str, Any], where: str, catalog: CatalogPage, report: LoadReport
) -> CoursePage:
    slug = data["slug"]
    values = {
        "title": data["title"],
        "summary": data.get("summary", ""),
        "level": data.get("level", "basico"),
        "estimated_hours": int(data.get("estimated_hours", 10)),
        "passing_score": int(data.get("passing_score", 70)),
        "colour": data.get("colour", "#0b5d3b"),
        "language": data.get("language", "es-mx"),
        "learning_outcomes": _outcomes(data.get("learning_outcomes", []), slug),
    }
    course = _upsert(
        parent=catalog,
        model=CoursePage,
        slug=slug,
        values=values,
        report=report,
        after_save=lambda page: _set_facets(page, data, where),
    )
    for m_index, module_data in enumerate(data.get("modules", [])):
        module_where = f"{where} modules[{m_index}]"
        module = _upsert(
            parent=course,
            model=ModulePage,
            slug=module_data["slug"],
            values={"title": module_data["title"], "summary": module_data.get("summary", "")},
            report=report,
        )
        for l_index, lesson_data in enumerate(module_data.get("lessons", [])):
            lesson_where = f"{module_where} lessons[{l_index}]"
            path = f"{slug}/{module_data['slug']}/{lesson_data['slug']}"
            _upsert(
                parent=module,
                model=LessonPage,
                slug=lesson_data["slug"],
                values={
                    "title": lesson_data["title"],
                    "estimated_minutes": int(lesson_data.get("estimated_minutes", 20)),
                    "required": bool(lesson_data.get("required", True)),
                    "body": _lesson_body(lesson_data.get("body", []), path, lesson_where),
                },
                report=report,
            )
    return course


def _translated(page: Page, locale: Locale) -> Page:
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    return page.copy_for_translation(locale).specific


def _update_translation(page: Page, values: dict[str, Any], report: LoadReport) -> None:
    before = _snapshot(page, values)
    for name, value in values.items():
        setattr(page, name, value)
    if _snapshot(page, values) != before or not page.live or page.has_unpublished_changes:
        page.save_revision().publish()
        report.count("updated")
    else:
        report.count("unchanged")


def _load_translation(
    course: CoursePage, data: dict[str, Any], en: dict[str, Any], where: str, report: LoadReport
) -> None:
    locale = Locale.objects.get(language_code="en")
    slug = data["slug"]
    translated_course = _translated(course, locale)
    # Prerequisites point at the English translations where they exist.
    prerequisites = [
        page.get_translation_or_none(locale) or page for page in course.prerequisites.all()
    ]
    if {p.pk for p in translated_course.prerequisites.all()} != {p.pk for p in prerequisites}:
        translated_course.prerequisites.set([p.specific for p in prerequisites])
        translated_course.has_unpublished_changes = True
    _update_translation(
        translated_course,
        {
            "title": en.get("title", course.title),
            "summary": en.get("summary", course.summary),
            "language": "en",
            "learning_outcomes": _outcomes(en.get("learning_outcomes", []), f"{slug}/en"),
        },
        report,
    )
    source_modules = list(ModulePage.objects.child_of(course).order_by("path"))
    en_modules = en.get("modules", [])
    if len(en_modules) != len(source_modules):
        raise DemoContentError(f"{where}: translations.en.modules must match modules")
    for m_index, (module, module_en) in enumerate(zip(source_modules, en_modules, strict=True)):
        translated_module = _translated(module, locale)
        _update_translation(
            translated_module,
            {"title": module_en["title"], "summary": module_en.get("summary", "")},
            report,
        )
        lessons = list(LessonPage.objects.child_of(module).order_by("path"))
        lessons_en = module_en.get("lessons", [])
        if len(lessons_en) != len(lessons):
            raise DemoContentError(
                f"{where}: translations.en.modules[{m_index}].lessons must match the lessons"
            )
        for l_index, (lesson, lesson_en) in enumerate(zip(lessons, lessons_en, strict=True)):
            # Same ids as the Spanish lesson: a knowledge check is one activity in both.
            path = f"{slug}/{module.slug}/{lesson.slug}"
            lesson_where = f"{where} translations.en.modules[{m_index}].lessons[{l_index}]"
            _update_translation(
                _translated(lesson, locale),
                {
                    "title": lesson_en["title"],
                    "estimated_minutes": lesson.estimated_minutes,
                    "required": lesson.required,
                    "body": _lesson_body(lesson_en.get("body", []), path, lesson_where),
                },
                report,
            )


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DemoContentError(f"{path.name}: {exc}") from exc
    for key in ("slug", "title", "modules"):
        if key not in data:
            raise DemoContentError(f"{path.name}: missing {key!r}")
    return data


@transaction.atomic
def load_demo_courses(*, content_dir: Path | str | None = None) -> LoadReport:
    """Build (or bring up to date) the demo courses from ``content_dir/*.json``.

    Default folder: ``courses/demo_content``. All or nothing: a bad file rolls back the run
    and raises :class:`DemoContentError` naming the file and the place in it.
    """
    folder = Path(content_dir) if content_dir else DEMO_CONTENT_DIR
    files = sorted(folder.glob("*.json"))
    spanish, _english = ensure_catalogs()
    report = LoadReport()
    loaded: list[tuple[CoursePage, dict[str, Any], str]] = []
    for path in files:
        data = _read(path)
        course = _load_course(data, path.name, spanish, report)
        loaded.append((course, data, path.name))
    by_slug = {course.slug: course for course, _, _ in loaded}
    for course, data, where in loaded:
        wanted = data.get("prerequisites", [])
        missing = [slug for slug in wanted if slug not in by_slug]
        if missing:
            raise DemoContentError(f"{where}: unknown prerequisites: {', '.join(missing)}")
        if {page.slug for page in course.prerequisites.all()} != set(wanted):
            course.prerequisites.set([by_slug[slug] for slug in wanted])
            course.save_revision().publish()
    for course, data, where in loaded:
        en = data.get("translations", {}).get("en")
        if en:
            _load_translation(course, data, en, where, report)
    report.courses = [course for course, _, _ in loaded]
    return report
