"""Factories of the course page tree and taxonomy (factory_boy + wagtail-factories).

Pages are created under a parent with ``SomePageFactory(parent=...)``; the Spanish catalog
created by the migrations is the usual root (``spanish_catalog()``).
"""

from __future__ import annotations

import uuid
from typing import Any

import factory
import wagtail_factories
from wagtail.models import Locale

from courses.models import CatalogPage, CoursePage, LessonPage, ModulePage, Sector, Skill, Topic


def spanish_catalog() -> CatalogPage:
    return CatalogPage.objects.get(locale__language_code="es-mx")


def english_catalog() -> CatalogPage:
    return CatalogPage.objects.get(locale__language_code="en")


class SectorFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"Sector {n}")
    name_en = factory.Sequence(lambda n: f"Sector {n} (en)")
    slug = factory.Sequence(lambda n: f"sector-{n}")

    class Meta:
        model = Sector
        django_get_or_create = ("slug",)


class TopicFactory(SectorFactory):
    name = factory.Sequence(lambda n: f"Tema {n}")
    slug = factory.Sequence(lambda n: f"tema-{n}")

    class Meta:
        model = Topic
        django_get_or_create = ("slug",)


class SkillFactory(SectorFactory):
    name = factory.Sequence(lambda n: f"Habilidad {n}")
    slug = factory.Sequence(lambda n: f"habilidad-{n}")

    class Meta:
        model = Skill
        django_get_or_create = ("slug",)


class CoursePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Curso {n}")
    slug = factory.Sequence(lambda n: f"curso-{n}")
    summary = "Un curso de prueba para docentes."
    level = "basico"
    estimated_hours = 10
    language = "es-mx"
    passing_score = 70
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="es-mx"))

    class Meta:
        model = CoursePage
        skip_postgeneration_save = True

    @factory.post_generation
    def facets(self, create: bool, extracted: dict[str, list[Any]] | None, **kwargs: Any) -> None:
        if create and extracted:
            for name, items in extracted.items():
                getattr(self, name).set(items)
            self.save()


class ModulePageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Módulo {n}")
    slug = factory.Sequence(lambda n: f"modulo-{n}")
    summary = "Un módulo."
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="es-mx"))

    class Meta:
        model = ModulePage


class LessonPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Lección {n}")
    slug = factory.Sequence(lambda n: f"leccion-{n}")
    estimated_minutes = 15
    required = True
    body = factory.LazyFunction(
        lambda: [
            {"type": "paragraph", "value": "<p>Texto de la lección.</p>", "id": str(uuid.uuid4())}
        ]
    )
    locale = factory.LazyFunction(lambda: Locale.objects.get(language_code="es-mx"))

    class Meta:
        model = LessonPage


def option(text: str, *, correct: bool = False, feedback: str = "", id: str | None = None) -> dict:
    return {
        "type": "item",
        "id": id or str(uuid.uuid4()),
        "value": {"text": text, "is_correct": correct, "feedback": feedback},
    }


def question(
    prompt: str,
    options: list[dict],
    *,
    kind: str = "single",
    explanation: str = "",
    id: str | None = None,
) -> dict:
    return {
        "type": "item",
        "id": id or str(uuid.uuid4()),
        "value": {"prompt": prompt, "kind": kind, "options": options, "explanation": explanation},
    }


def knowledge_check(
    questions: list[dict],
    *,
    pass_mark: int = 70,
    title: str = "Comprueba lo aprendido",
    id: str = "kc-1",
) -> dict:
    """A raw ``knowledge_check`` stream block with explicit ids (so tests can answer it)."""
    return {
        "type": "knowledge_check",
        "id": id,
        "value": {
            "title": title,
            "instructions": "Elige las respuestas.",
            "pass_mark": pass_mark,
            "questions": questions,
        },
    }


def sample_check(*, pass_mark: int = 50, id: str = "kc-1") -> dict:
    """Two questions: q1 single (o1a right), q2 multiple (o2a and o2c right)."""
    return knowledge_check(
        [
            question(
                "¿Qué es un sensor?",
                [
                    option(
                        "Un dispositivo que mide", correct=True, feedback="FEEDBACK-OK-1A", id="o1a"
                    ),
                    option("Un actuador", feedback="FEEDBACK-KO-1B", id="o1b"),
                ],
                explanation="EXPLANATION-1",
                id="q1",
            ),
            question(
                "¿Cuáles son lenguajes?",
                [
                    option("Python", correct=True, feedback="FEEDBACK-OK-2A", id="o2a"),
                    option("HTTP", feedback="FEEDBACK-KO-2B", id="o2b"),
                    option("C++", correct=True, feedback="FEEDBACK-OK-2C", id="o2c"),
                ],
                kind="multiple",
                explanation="EXPLANATION-2",
                id="q2",
            ),
        ],
        pass_mark=pass_mark,
        id=id,
    )


def build_course(
    *,
    parent: CatalogPage | None = None,
    modules: int = 2,
    lessons: int = 2,
    with_check: bool = True,
    **course_kwargs: Any,
) -> CoursePage:
    """A published course with ``modules`` by ``lessons``; the first lesson of each module
    carries :func:`sample_check` (block id ``kc-<module index>``)."""
    parent = parent or spanish_catalog()
    # As in the admin, a page takes its parent's locale: an English catalog's course is English
    # content, and a course page speaks the language of its content.
    course_kwargs.setdefault("locale", parent.locale)
    course = CoursePageFactory(parent=parent, **course_kwargs)
    for m in range(modules):
        module = ModulePageFactory(
            parent=course,
            title=f"Módulo {m + 1}",
            slug=f"modulo-{m + 1}",
            locale=course.locale,
        )
        for n in range(lessons):
            body = [
                {
                    "type": "paragraph",
                    "value": f"<p>Lección {m + 1}.{n + 1}</p>",
                    "id": str(uuid.uuid4()),
                }
            ]
            if with_check and n == 0:
                body.append(sample_check(id=f"kc-{m + 1}"))
            LessonPageFactory(
                parent=module,
                title=f"Lección {m + 1}.{n + 1}",
                slug=f"leccion-{m + 1}-{n + 1}",
                body=body,
                locale=course.locale,
            )
    return course
