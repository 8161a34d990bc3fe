"""Course content: the catalog → course → module → lesson page tree and its taxonomy snippets.

Every course, module and lesson exposes ``activity_id``, the xAPI activity IRI built from the
page's ``translation_key``: a UUID that translations share, that rename and move keep, and that
a copy gets afresh (Wagtail resets it on copy), as DESIGN.md "Identifiers" requires.

The course page knows nothing of learners or credentials: other apps add to it through the
``capacita_course_page_sections`` and ``capacita_lesson_page_scripts`` hooks
(see ``courses/hooks.py`` and docs/content.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from anyascii import anyascii
from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import blocks as wagtail_blocks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField

from courses import hooks
from courses.blocks import RICH_TEXT_FEATURES, LessonBodyBlock
from courses.offline import mark_offline_readable

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    # The mixins below are only ever mixed into pages: let the checker see them as pages.
    from wagtail.models import Page as _PageBase
else:
    _PageBase = object


LEVEL_CHOICES = [
    ("basico", _("Básico")),
    ("intermedio", _("Intermedio")),
    ("avanzado", _("Avanzado")),
]


class TaxonomySnippet(models.Model):
    """A catalog facet editable by authors: Spanish ``name``, English ``name_en``, stable slug.

    Kept plain (not a TranslatableMixin snippet) so a facet has one slug and one row across
    languages; filters and the API use the slug, templates show :attr:`label`.
    """

    name = models.CharField(_("nombre"), max_length=120)
    name_en = models.CharField(_("nombre en inglés"), max_length=120, blank=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    panels = [FieldPanel("name"), FieldPanel("name_en"), FieldPanel("slug")]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (English when active and filled in)."""
        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class Sector(TaxonomySnippet):
    """An economic sector of DOMAIN.md's sectoral tables (automotriz, aeroespacial, ...)."""

    class Meta(TaxonomySnippet.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectores")


class Topic(TaxonomySnippet):
    """An emerging-technology topic (inteligencia artificial, robótica, ...)."""

    class Meta(TaxonomySnippet.Meta):
        verbose_name = _("tema")
        verbose_name_plural = _("temas")


class Skill(TaxonomySnippet):
    """A transversal skill (inglés, competencias digitales, comunicación, trabajo en equipo)."""

    class Meta(TaxonomySnippet.Meta):
        verbose_name = _("habilidad")
        verbose_name_plural = _("habilidades")


def ascii_slug(value: str) -> str:
    """An ASCII slug, transliterated: "Introducción a la IA" → "introduccion-a-la-ia"."""
    return slugify(anyascii(value or ""))


class CourseContentPageForm(WagtailAdminPageForm):
    """Admin form of catalog, course, module and lesson pages: slugs are stored as ASCII even
    when an author types accents or ñ (URLs stay readable and portable)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            typed = self.fields["slug"]
            self.fields["slug"] = AsciiSlugField(
                max_length=typed.max_length,
                required=typed.required,
                label=typed.label,
                help_text=typed.help_text,
                widget=typed.widget,
            )


class AsciiSlugField(forms.SlugField):
    """Transliterates before validating, so "Introducción a la IA" is accepted as
    "introduccion-a-la-ia" instead of refused."""

    def to_python(self, value: Any) -> str:
        # Django's CharField gives its empty_value ("") for empty input, never None here.
        return ascii_slug(super().to_python(value) or "")


class ContentLanguageMixin(_PageBase):
    """A page speaks the language of its content: ``<html lang>`` and interface strings follow
    the page's locale, also in an admin preview or when reached from another language's URL."""

    def _in_content_language(
        self, serve: Any, request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        language = self.locale.language_code
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = serve(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()  # render now, while the page's language is active
        return response

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._in_content_language(super().serve, request, *args, **kwargs)

    def serve_preview(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self._in_content_language(super().serve_preview, request, *args, **kwargs)


class ActivityPageMixin(ContentLanguageMixin):
    """Gives a page its stable xAPI activity IRI (and the language of its content)."""

    activity_kind: str = ""

    @property
    def activity_id(self) -> str:
        return activity_iri(self.activity_kind, str(self.translation_key))


def activity_iri(kind: str, translation_key: str) -> str:
    """The activity IRI of a course/module/lesson with this translation key."""
    return f"{settings.LMS_SITE_URL}/xapi/activities/{kind}/{translation_key}"


class CatalogPage(ContentLanguageMixin, Page):
    """The site's home: the course catalog with filters. Root of each language's site."""

    base_form_class = CourseContentPageForm

    intro = RichTextField(_("introducción"), blank=True, features=RICH_TEXT_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("catálogo")
        verbose_name_plural = _("catálogos")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from courses.selectors import catalog_search

        context = super().get_context(request, *args, **kwargs)
        result = catalog_search(catalog=self, params=request.GET)
        context["catalog"] = result
        context["courses"] = result.courses
        context["filter_form"] = result.form
        return context


class CoursePage(ActivityPageMixin, Page):
    """A course: what a teacher enrols in. Its modules are its children."""

    activity_kind = "course"
    base_form_class = CourseContentPageForm

    summary: models.TextField[str, str] = models.TextField(_("resumen"), max_length=600)
    cover_image: models.ForeignKey[Any, Any] = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("imagen de portada"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sectors = ParentalManyToManyField(
        "courses.Sector", verbose_name=_("sectores"), blank=True, related_name="courses"
    )
    topics = ParentalManyToManyField(
        "courses.Topic", verbose_name=_("temas"), blank=True, related_name="courses"
    )
    skills = ParentalManyToManyField(
        "courses.Skill", verbose_name=_("habilidades"), blank=True, related_name="courses"
    )
    level: models.CharField[str, str] = models.CharField(
        _("nivel"), max_length=12, choices=LEVEL_CHOICES, default="basico"
    )
    estimated_hours: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        _("horas estimadas"), default=10, validators=[MinValueValidator(1)]
    )
    language: models.CharField[str, str] = models.CharField(
        _("idioma del curso"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="es-mx",
        help_text=_("Idioma en que se imparte el curso."),
    )
    learning_outcomes = StreamField(
        [("outcome", wagtail_blocks.CharBlock(label=_("Resultado"), max_length=400))],
        verbose_name=_("resultados de aprendizaje"),
        blank=True,
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("cursos previos"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
    )
    passing_score: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(
        _("calificación aprobatoria"),
        default=70,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Promedio mínimo (de 0 a 100) de las comprobaciones para acreditar el curso."),
    )
    colour: models.CharField[str, str] = models.CharField(
        _("color"),
        max_length=7,
        default="#0b5d3b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Usa un color como #0b5d3b."))],
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [
                FieldPanel("level"),
                FieldPanel("estimated_hours"),
                FieldPanel("language"),
                FieldPanel("passing_score"),
                FieldPanel("colour"),
            ],
            heading=_("Datos del curso"),
        ),
        MultiFieldPanel(
            [
                # Checkboxes: a multiple <select> needs Ctrl-click and loses choices silently.
                FieldPanel("sectors", widget=forms.CheckboxSelectMultiple),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("skills", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Clasificación"),
        ),
        FieldPanel("learning_outcomes"),
        FieldPanel("prerequisites"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("summary")]

    # Not text to translate: the same colour in every language (a translator's "#0b5d3b"
    # would otherwise be a string segment and could come back invalid).
    override_translatable_fields = [SynchronizedField("colour")]

    parent_page_types = ["courses.CatalogPage"]
    subpage_types = ["courses.ModulePage"]

    class Meta:
        verbose_name = _("curso")
        verbose_name_plural = _("cursos")

    @property
    def content_language_name(self) -> str:
        """The language the page is written in, named: its locale's. A translation copies
        ``language`` from its source, so an English translation would otherwise read "Español"."""
        code = self.locale.language_code
        return str(dict(settings.LANGUAGES).get(code, self.get_language_display()))

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return mark_offline_readable(request, super().serve(request, *args, **kwargs))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from courses.selectors import CourseOutline, course_outline

        context = super().get_context(request, *args, **kwargs)
        if self.pk is None:  # previewing a course that has not been saved yet
            context["outline"] = CourseOutline(
                id=0,
                title=self.title,
                url=None,
                activity_id="",
                passing_score=self.passing_score,
                estimated_hours=self.estimated_hours,
                locale="",
            )
        else:
            # Previews show draft modules and lessons too; the public page only live ones.
            context["outline"] = course_outline(
                course_id=self.pk, live_only=not getattr(request, "is_preview", False)
            )
        context["hook_sections"] = hooks.course_page_sections(request, self)
        context["hook_actions"] = hooks.course_page_actions(request, self)
        statuses = hooks.lesson_statuses(request, self) if self.pk is not None else {}
        context["lesson_statuses"] = statuses
        return context


class ModulePage(ActivityPageMixin, Page):
    """A module of a course: an ordered group of lessons."""

    activity_kind = "module"
    base_form_class = CourseContentPageForm

    summary: models.TextField[str, str] = models.TextField(_("resumen"), blank=True, max_length=600)

    content_panels = [*Page.content_panels, FieldPanel("summary")]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("módulo")
        verbose_name_plural = _("módulos")

    @property
    def course(self) -> CoursePage | None:
        parent = self.get_parent()
        return parent.specific if parent else None

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        lessons = LessonPage.objects.none()
        if self.pk is not None:  # an unsaved module (a preview) has no lessons yet
            lessons = LessonPage.objects.child_of(self)
            if not getattr(request, "is_preview", False):
                lessons = lessons.live().public()
        context["lessons"] = lessons
        return context


class LessonPage(ActivityPageMixin, Page):
    """A lesson: the content a teacher studies, possibly with knowledge checks."""

    activity_kind = "lesson"
    base_form_class = CourseContentPageForm

    body = StreamField(LessonBodyBlock(), verbose_name=_("contenido"), blank=True)
    estimated_minutes: models.PositiveSmallIntegerField[int, int] = (
        models.PositiveSmallIntegerField(
            _("minutos estimados"), default=20, validators=[MinValueValidator(1)]
        )
    )
    required: models.BooleanField[bool, bool] = models.BooleanField(
        _("obligatoria"),
        default=True,
        help_text=_("Las lecciones obligatorias cuentan para completar el curso."),
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("estimated_minutes"), FieldPanel("required")],
            heading=_("Datos de la lección"),
        ),
        FieldPanel("body"),
    ]

    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("lección")
        verbose_name_plural = _("lecciones")

    @property
    def knowledge_check_ids(self) -> list[str]:
        """Stream-block ids of this lesson's knowledge checks, in order."""
        return [block.id for block in self.body if block.block_type == "knowledge_check"]

    @property
    def has_knowledge_check(self) -> bool:
        return any(block.block_type == "knowledge_check" for block in self.body)

    @property
    def has_packaged_content(self) -> bool:
        """Whether a cmi5 AU or SCORM SCO runs in this lesson: it is done when they are."""
        return any(block.block_type == "packaged_content" for block in self.body)

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Without JavaScript the knowledge-check form posts here and the page comes back
        # with the results (graded on the server, as with the API).
        if request.method == "POST":
            from courses.views import lesson_post_check

            def post_check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return lesson_post_check(request, self, *args, **kwargs)

            return self._in_content_language(post_check, request, *args, **kwargs)
        return mark_offline_readable(request, super().serve(request, *args, **kwargs))

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from courses.selectors import lesson_navigation
        from courses.views import lesson_body_items

        context = super().get_context(request, *args, **kwargs)
        navigation = lesson_navigation(lesson=self)
        context["navigation"] = navigation
        context["module"] = navigation.module
        context["course"] = navigation.course
        context["hook_scripts"] = hooks.lesson_page_scripts(request, self)
        # The lesson's own status, for the "lesson done / next lesson" note at its end.
        statuses = hooks.lesson_statuses(request, navigation.course) if navigation.course else {}
        context["lesson_status"] = statuses.get(self.activity_id) if statuses else None
        context["body_items"] = lesson_body_items(
            self,
            last_results=hooks.knowledge_check_results(request, self) if self.pk else None,
        )
        return context
