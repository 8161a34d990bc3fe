"""StreamField blocks of a lesson body.

Block names are part of the content contract (docs/content.md, demo content JSON): ``heading``,
``paragraph``, ``image``, ``video``, ``document``, ``callout``, ``code``, ``knowledge_check``
and ``packaged_content``.

Knowledge checks keep their answer key (``is_correct``) and per-option ``feedback`` on the
server: templates and the API serialise questions through :func:`public_knowledge_check`,
which drops them, and grading happens in :func:`courses.services.knowledge_check_grade`.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageChooserBlock

from courses import hooks

RICH_TEXT_FEATURES = ["bold", "italic", "h3", "h4", "ol", "ul", "link"]

CODE_LANGUAGES = [
    ("python", "Python"),
    ("bash", "Bash"),
    ("cpp", "C++"),
    ("c", "C"),
    ("javascript", "JavaScript"),
    ("html", "HTML"),
    ("sql", "SQL"),
    ("text", _("Texto")),
]

CALLOUT_KINDS = [("info", _("Información")), ("tip", _("Consejo")), ("warning", _("Advertencia"))]

QUESTION_KINDS = [("single", _("Una respuesta")), ("multiple", _("Varias respuestas"))]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        form_classname = "title"
        template = "courses/blocks/heading.html"


class ImageBlock(blocks.StructBlock):
    """An image with mandatory alternative text, rendered as responsive renditions."""

    image = ImageChooserBlock(label=_("Imagen"))
    alt_text = blocks.CharBlock(
        label=_("Texto alternativo"),
        max_length=250,
        help_text=_("Describe la imagen para quien no puede verla (obligatorio)."),
    )
    caption = blocks.CharBlock(label=_("Pie de imagen"), required=False, max_length=250)

    class Meta:
        icon = "image"
        template = "courses/blocks/image.html"


class VideoBlock(blocks.StructBlock):
    """A video uploaded as a document (media storage) or embedded from a URL.

    Captions are a WebVTT document; the transcript is rich text shown under the player, so
    the lesson is usable without playing the video (and on a poor connection).
    """

    title = blocks.CharBlock(label=_("Título"), max_length=200)
    file = DocumentChooserBlock(
        label=_("Archivo de video"), required=False, help_text=_("MP4 o WebM subido al sitio.")
    )
    embed_url = blocks.URLBlock(
        label=_("URL para insertar"), required=False, help_text=_("YouTube, Vimeo, ...")
    )
    captions = DocumentChooserBlock(
        label=_("Subtítulos (WebVTT)"), required=False, help_text=_("Archivo .vtt")
    )
    captions_language = blocks.CharBlock(
        label=_("Idioma de los subtítulos"), required=False, max_length=10, default="es"
    )
    transcript = blocks.RichTextBlock(
        label=_("Transcripción"), required=False, features=RICH_TEXT_FEATURES
    )

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not value.get("file") and not value.get("embed_url"):
            raise StructBlockValidationError(
                block_errors={
                    "file": ErrorList([ValidationError(_("Sube un archivo o indica una URL."))]),
                    "embed_url": ErrorList(
                        [ValidationError(_("Sube un archivo o indica una URL."))]
                    ),
                }
            )
        if value.get("captions") and value["captions"].file_extension != "vtt":
            raise StructBlockValidationError(
                block_errors={
                    "captions": ErrorList(
                        [ValidationError(_("Los subtítulos deben ser un archivo .vtt."))]
                    )
                }
            )
        return value

    class Meta:
        icon = "media"
        template = "courses/blocks/video.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Documento"))
    title = blocks.CharBlock(
        label=_("Título del enlace"), required=False, help_text=_("Por omisión, el del documento.")
    )
    description = blocks.TextBlock(label=_("Descripción"), required=False)

    class Meta:
        icon = "doc-full"
        template = "courses/blocks/document.html"


class CalloutBlock(blocks.StructBlock):
    kind = blocks.ChoiceBlock(label=_("Tipo"), choices=CALLOUT_KINDS, default="info")
    title = blocks.CharBlock(label=_("Título"), required=False, max_length=200)
    text = blocks.RichTextBlock(label=_("Texto"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "info-circle"
        template = "courses/blocks/callout.html"


class CodeBlock(blocks.StructBlock):
    language = blocks.ChoiceBlock(label=_("Lenguaje"), choices=CODE_LANGUAGES, default="python")
    code = blocks.TextBlock(label=_("Código"))
    caption = blocks.CharBlock(label=_("Pie"), required=False, max_length=250)

    class Meta:
        icon = "code"
        template = "courses/blocks/code.html"


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Texto de la opción"), max_length=500)
    is_correct = blocks.BooleanBlock(label=_("Es correcta"), required=False)
    feedback = blocks.TextBlock(
        label=_("Retroalimentación"),
        required=False,
        help_text=_("Se muestra después de responder, si la persona eligió esta opción."),
    )

    class Meta:
        icon = "radio-full"


class QuestionBlock(blocks.StructBlock):
    prompt = blocks.TextBlock(label=_("Pregunta"))
    kind = blocks.ChoiceBlock(label=_("Tipo"), choices=QUESTION_KINDS, default="single")
    options = blocks.ListBlock(OptionBlock(), label=_("Opciones"), min_num=2)
    explanation = blocks.TextBlock(
        label=_("Explicación"),
        required=False,
        help_text=_("Se muestra después de responder."),
    )

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        correct = sum(1 for option in value["options"] if option["is_correct"])
        if correct == 0:
            raise StructBlockValidationError(
                block_errors={
                    "options": ErrorList(
                        [ValidationError(_("Marca al menos una opción correcta."))]
                    )
                }
            )
        if value["kind"] == "single" and correct != 1:
            raise StructBlockValidationError(
                block_errors={
                    "options": ErrorList(
                        [
                            ValidationError(
                                _("Una pregunta de una respuesta lleva exactamente una correcta.")
                            )
                        ]
                    )
                }
            )
        return value

    class Meta:
        icon = "help"


class KnowledgeCheckBlock(blocks.StructBlock):
    """A short graded quiz. Its stream-block id identifies it in the grading URL and in xAPI."""

    title = blocks.CharBlock(label=_("Título"), max_length=200)
    instructions = blocks.TextBlock(label=_("Instrucciones"), required=False)
    pass_mark = blocks.IntegerBlock(
        label=_("Calificación aprobatoria (%)"), min_value=0, max_value=100, default=70
    )
    questions = blocks.ListBlock(QuestionBlock(), label=_("Preguntas"), min_num=1)

    class Meta:
        icon = "tick-inverse"
        template = "courses/blocks/knowledge_check.html"


class PackagedContentBlock(blocks.StructBlock):
    """ "Contenido empaquetado": one launchable unit (a cmi5 AU or a SCORM SCO) of an imported
    package. ``courses`` knows nothing of packages: the choices and the rendering come from the
    app that registers the ``capacita_packaged_units`` and ``capacita_packaged_content`` hooks
    (``packages``); ``unit`` keeps the unit's UUID."""

    unit = blocks.ChoiceBlock(
        label=_("Unidad (AU o SCO)"),
        choices=hooks.packaged_unit_choices,
        help_text=_("Una unidad de un paquete cmi5 o SCORM importado (menú Paquetes)."),
    )

    def get_context(
        self, value: Any, parent_context: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        context["packaged_html"] = hooks.packaged_content(
            parent_context.get("request"), parent_context.get("page"), str(value.get("unit") or "")
        )
        return context

    class Meta:
        icon = "folder-open-inverse"
        template = "courses/blocks/packaged_content.html"


class LessonBodyBlock(blocks.StreamBlock):
    heading = HeadingBlock(label=_("Encabezado"))
    paragraph = blocks.RichTextBlock(
        label=_("Párrafo"), features=RICH_TEXT_FEATURES, template="courses/blocks/paragraph.html"
    )
    image = ImageBlock(label=_("Imagen"))
    video = VideoBlock(label=_("Video"))
    document = DocumentBlock(label=_("Documento descargable"))
    callout = CalloutBlock(label=_("Recuadro"))
    code = CodeBlock(label=_("Código"))
    knowledge_check = KnowledgeCheckBlock(label=_("Comprobación de conocimientos"))
    packaged_content = PackagedContentBlock(label=_("Contenido empaquetado"))


# A prompt that already says how many options to choose ("(Selecciona todas las que apliquen)"):
# the page then does not add its own hint, which read twice.
_KIND_HINT_IN_PROMPT = re.compile(
    r"(todas las que apliquen|todas las correctas|elige una|selecciona una|una opción|"
    r"all that apply|choose one|select one)",
    re.IGNORECASE,
)


def public_knowledge_check(block_id: str, value: Any) -> dict[str, Any]:
    """The learner-safe view of a knowledge check: no ``is_correct``, no ``feedback``.

    ``value`` is the StructValue of a ``knowledge_check`` block. Question and option ids are
    the ListBlock item ids, which the grading endpoint expects back.
    """
    questions = []
    for question in value["questions"].bound_blocks:
        questions.append(
            {
                "id": question.id,
                "prompt": question.value["prompt"],
                "kind": question.value["kind"],
                "prompt_states_kind": bool(_KIND_HINT_IN_PROMPT.search(question.value["prompt"])),
                "options": [
                    {"id": option.id, "text": option.value["text"]}
                    for option in question.value["options"].bound_blocks
                ],
            }
        )
    return {
        "id": block_id,
        "title": value["title"],
        "instructions": value["instructions"],
        "pass_mark": value["pass_mark"],
        "questions": questions,
    }
