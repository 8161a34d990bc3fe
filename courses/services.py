"""Course-content operations. Grading of knowledge checks happens only here, on the server.

Public entry point: :func:`knowledge_check_grade` (used by the grading API, by the lesson
page's no-JavaScript form, and by the progress app when it records a learner's attempt).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.errors import InputError
from courses.models import LessonPage, ascii_slug
from courses.selectors import course_pages


class KnowledgeCheckNotFound(Exception):
    """The lesson is not live or has no knowledge check with that block id."""


class GradingInputError(InputError):
    """Answers that do not fit the knowledge check. ``field`` is the path of the bad input."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(field, rule, message)


@dataclass(frozen=True)
class QuestionResult:
    id: str
    correct: bool
    selected: list[str]
    feedback: list[str]
    explanation: str


@dataclass(frozen=True)
class GradeResult:
    """Outcome of one attempt, shaped like an xAPI ``result.score`` plus per-question detail."""

    lesson_id: int
    block_id: str
    raw: int
    min: int
    max: int
    scaled: float
    pass_mark: int
    passed: bool
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(self.scaled * 100)

    @property
    def answered(self) -> int:
        return sum(1 for question in self.questions if question.selected)


# Authors often open an option's feedback with the verdict ("Correcto: es larga…"), which the
# page already states for the question: kept, it read "Correcto." twice.
_LEADING_VERDICT = re.compile(
    r"^\s*[¡!]?\s*(?:correct[oa]?|incorrect[oa]?|exacto|right|wrong)\b\s*[.:;,!\u2014\u2013-]*\s*",
    re.IGNORECASE,
)


def feedback_without_verdict(text: str) -> str:
    """``text`` without a leading "Correcto"/"Incorrecto" (or English) verdict; "" if nothing
    else is left."""
    rest = _LEADING_VERDICT.sub("", text, count=1).strip()
    return rest[:1].upper() + rest[1:] if rest else ""


def _find_check(lesson: LessonPage, block_id: str) -> Any:
    for block in lesson.body:
        if block.block_type == "knowledge_check" and block.id == block_id:
            return block.value
    raise KnowledgeCheckNotFound(f"lesson {lesson.pk} has no knowledge check {block_id!r}")


def _validate_answers(check: Any, answers: Any) -> dict[str, list[str]]:
    if not isinstance(answers, Mapping):
        raise GradingInputError("answers", "invalid", "answers must be an object")
    questions = {question.id: question.value for question in check["questions"].bound_blocks}
    cleaned: dict[str, list[str]] = {}
    for question_id, selected in answers.items():
        path = f"answers.{question_id}"
        if question_id not in questions:
            raise GradingInputError(
                path, "unknown_question", f"{question_id!r} is not a question of this check"
            )
        if not isinstance(selected, list) or not all(isinstance(o, str) for o in selected):
            raise GradingInputError(path, "invalid", "must be a list of option ids")
        options = {option.id for option in questions[question_id]["options"].bound_blocks}
        unknown = [option for option in selected if option not in options]
        if unknown:
            raise GradingInputError(
                path, "unknown_option", f"{unknown[0]!r} is not an option of this question"
            )
        unique = list(dict.fromkeys(selected))
        if questions[question_id]["kind"] == "single" and len(unique) > 1:
            raise GradingInputError(path, "single_choice", "choose only one option")
        cleaned[question_id] = unique
    return cleaned


def knowledge_check_grade(
    *, lesson_id: int, block_id: str, answers: Mapping[str, list[str]]
) -> GradeResult:
    """Grade answers to a live lesson's knowledge check.

    ``answers`` maps question ids to lists of chosen option ids (ids are the ListBlock item
    ids that templates and the API expose). A question is right when exactly its correct
    options are chosen; unanswered questions count as wrong. ``raw`` is the number of right
    questions, ``scaled = raw / max`` and ``passed`` is ``scaled * 100 >= pass_mark``.
    Feedback of the chosen options (without a leading verdict such as "Correcto:", which the
    question's ``correct`` already gives) and each question's explanation are returned.

    Raises :class:`KnowledgeCheckNotFound` (unknown/non-live lesson or block) and
    :class:`GradingInputError` (unknown question or option, several options on a
    single-choice question, wrong types).
    """
    lesson = LessonPage.objects.live().filter(pk=lesson_id).first()
    if lesson is None:
        raise KnowledgeCheckNotFound(f"no live lesson {lesson_id}")
    check = _find_check(lesson, block_id)
    cleaned = _validate_answers(check, answers)
    results = []
    for question in check["questions"].bound_blocks:
        options = question.value["options"].bound_blocks
        selected = cleaned.get(question.id, [])
        correct_ids = {option.id for option in options if option.value["is_correct"]}
        results.append(
            QuestionResult(
                id=question.id,
                correct=set(selected) == correct_ids,
                selected=selected,
                feedback=[
                    text
                    for option in options
                    if option.id in selected
                    and (text := feedback_without_verdict(option.value["feedback"] or ""))
                ],
                explanation=question.value["explanation"] or "",
            )
        )
    raw = sum(1 for result in results if result.correct)
    maximum = len(results)
    scaled = raw / maximum if maximum else 0.0
    pass_mark = check["pass_mark"] if check["pass_mark"] is not None else 0
    return GradeResult(
        lesson_id=lesson.pk,
        block_id=block_id,
        raw=raw,
        min=0,
        max=maximum,
        scaled=round(scaled, 4),
        pass_mark=pass_mark,
        # Compare in integers so 7/10 against a pass mark of 70 is not lost to rounding.
        passed=raw * 100 >= pass_mark * maximum if maximum else pass_mark == 0,
        questions=results,
    )


# --- Editorial review of a whole course ------------------------------------------------------


class CourseSubmissionError(InputError):
    """A course that cannot go to review yet; ``problems`` says what is missing, page by page."""

    def __init__(self, problems: list[str], *, rule: str = "not_ready") -> None:
        super().__init__(None, rule, "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class CourseSubmission:
    """What :func:`course_submit_for_review` sent: the course and the pages that went with it."""

    course_id: int
    submitted_page_ids: list[int]
    resumed: bool


def _localize_translation(page: Any) -> Any | None:
    """The wagtail-localize translation whose target is ``page`` (None for a source page)."""
    from wagtail_localize.models import Translation

    return (
        Translation.objects.filter(
            source__object_id=page.translation_key,
            target_locale_id=page.locale_id,
            enabled=True,
        )
        .select_related("source")
        .first()
    )


def _translation_problems(page: Any, translation: Any) -> list[str]:
    """Why the translated text would not save (a title too long…), checked before any write."""
    try:
        candidate = translation.source.get_ephemeral_translated_instance(translation.target_locale)
        candidate.full_clean()
        if candidate.slug != ascii_slug(candidate.slug):
            raise ValidationError(
                {
                    "slug": _("Usa solo letras sin acentos, números y guiones: «%(slug)s».")
                    % {"slug": ascii_slug(candidate.slug)}
                }
            )
    except ValidationError as error:
        details = (
            [f"{field}: {' '.join(texts)}" for field, texts in error.message_dict.items()]
            if hasattr(error, "error_dict")
            else error.messages
        )
        return [
            _("«%(title)s» (%(locale)s) no es válida: %(detail)s")
            % {"title": page.title, "locale": page.locale.language_code, "detail": detail}
            for detail in details
        ]
    return []


def _segments_without_translation(translation: Any) -> Any:
    from django.db.models import Exists, OuterRef
    from wagtail_localize.models import StringSegment, StringTranslation

    translated = StringTranslation.objects.filter(
        translation_of_id=OuterRef("string_id"),
        context_id=OuterRef("context_id"),
        locale_id=translation.target_locale_id,
        has_error=False,
    )
    return (
        StringSegment.objects.filter(source_id=translation.source_id)
        .exclude(Exists(translated))
        .select_related("context", "string")
    )


def _translate_slug_from_title(translation: Any, *, user: Any) -> None:
    """A translator does not have to look for the slug (in the "Promocionar" tab): left
    untranslated, it becomes the ASCII slug of the translated title."""
    from wagtail_localize.models import StringSegment, StringTranslation

    from courses.models import ascii_slug

    if not _segments_without_translation(translation).filter(context__path="slug").exists():
        return
    segments = StringSegment.objects.filter(source_id=translation.source_id).select_related(
        "context", "string"
    )
    segment = segments.filter(context__path="slug").first()
    title_segment = segments.filter(context__path="title").first()
    if segment is None or title_segment is None:
        return
    title = StringTranslation.objects.filter(
        translation_of=title_segment.string,
        context=title_segment.context,
        locale_id=translation.target_locale_id,
        has_error=False,
    ).first()
    if title is None or not ascii_slug(title.data):
        return
    StringTranslation.objects.update_or_create(
        translation_of=segment.string,
        locale_id=translation.target_locale_id,
        context=segment.context,
        defaults={
            "data": ascii_slug(title.data),
            "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL,
            "last_translated_by": user,
        },
    )


# Names a translator sees in the translation editor's tabs, for the paths wagtail-localize uses.
def _field_name(path: str) -> str:
    names = {
        "title": _("título"),
        "slug": _("slug (pestaña Promocionar)"),
        "seo_title": _("título SEO (pestaña Promocionar)"),
        "search_description": _("descripción para buscadores (pestaña Promocionar)"),
    }
    head = path.split(".", 1)[0]
    return str(names.get(head, head.replace("_", " ")))


def _untranslated_fields(translation: Any) -> list[str]:
    paths = _segments_without_translation(translation).values_list("context__path", flat=True)
    return list(dict.fromkeys(_field_name(path) for path in paths))


def _needs_review(page: Any) -> bool:
    return not page.live or page.has_unpublished_changes


@transaction.atomic
def course_submit_for_review(*, course_id: int, user: Any) -> CourseSubmission:
    """Send a course with its modules and lessons to the "Revisión de cursos" workflow at once.

    For a translation (wagtail-localize), every page must be fully translated first; the
    translated strings are then written into a draft revision of each page, so the reviewer
    sees and approves exactly the English text. Pages already live and unchanged stay out.
    A course whose review asked for changes is resumed (keeping its history and comment); its
    modules and lessons get a new review. Approving the course approves them too (see
    :func:`course_review_cascade`). Nothing is written when a page is not ready.
    """
    from courses.models import CoursePage

    course = CoursePage.objects.get(pk=course_id)
    pages = course_pages(course)
    translations = {page.pk: _localize_translation(page) for page in pages}
    problems = []
    for page in pages:
        translation = translations[page.pk]
        if translation is None:
            continue
        _translate_slug_from_title(translation, user=user)
        total, done = translation.get_progress()
        if done < total:
            missing = _untranslated_fields(translation)
            problems.append(
                ngettext(
                    "«%(title)s»: falta %(missing)d de %(total)d textos por traducir (%(fields)s).",
                    "«%(title)s»: faltan %(missing)d de %(total)d textos por traducir (%(fields)s).",  # noqa: E501
                    total - done,
                )
                % {
                    "title": page.title,
                    "missing": total - done,
                    "total": total,
                    "fields": ", ".join(missing),
                }
            )
    if problems:
        raise CourseSubmissionError(problems, rule="untranslated")
    for page in pages:
        translation = translations[page.pk]
        if translation is not None:
            problems.extend(_translation_problems(page, translation))
    if problems:
        raise CourseSubmissionError(problems, rule="translation_invalid")

    submitted: list[int] = []
    resumed = False
    for page in pages:
        translation = translations[page.pk]
        if translation is not None:
            # Draft only: publishing is the reviewer's approval.
            translation.save_target(user=user, publish=False)
            page = page.__class__.objects.get(pk=page.pk)
        state = page.current_workflow_state
        needs_changes = state is not None and state.status == state.STATUS_NEEDS_CHANGES
        if needs_changes and page.pk == course.pk:
            state.resume(user=user)
            resumed = True
            submitted.append(page.pk)
            continue
        if state is not None:
            if state.status == state.STATUS_IN_PROGRESS:
                continue  # already waiting for a reviewer
            state.cancel(user=user)
        if not _needs_review(page):
            continue
        if page.get_latest_revision() is None:
            page.save_revision(user=user)
        workflow = page.get_workflow()
        if workflow is None:
            raise CourseSubmissionError(
                [_("«%(title)s» no tiene flujo de revisión.") % {"title": page.title}],
                rule="no_workflow",
            )
        workflow.start(page, user)
        submitted.append(page.pk)
    if not submitted:
        raise CourseSubmissionError(
            [_("«%(title)s» no tiene cambios por revisar.") % {"title": course.title}],
            rule="nothing_to_review",
        )
    return CourseSubmission(course_id=course.pk, submitted_page_ids=submitted, resumed=resumed)


def course_review_cascade(*, task_state_id: int, user: Any) -> list[int]:
    """Carry a reviewer's decision on a course to its modules and lessons under review.

    Approved: their pending review tasks are approved by the same reviewer (so they are
    published with the course). Changes requested: their reviews are cancelled, the course
    alone carries the comment, and the next submission sends them again. Returns the ids of
    the pages whose review changed.
    """
    from wagtail.models import TaskState

    from courses.models import CoursePage

    task_state = TaskState.objects.select_related("workflow_state").get(pk=task_state_id)
    reviewed = task_state.workflow_state.content_object
    course = getattr(reviewed, "specific", reviewed)
    if not isinstance(course, CoursePage):
        return []
    changed = []
    approved = task_state.status == TaskState.STATUS_APPROVED
    for page in course.get_descendants().specific():
        state = page.current_workflow_state
        if state is None:
            continue
        if approved and state.status == state.STATUS_IN_PROGRESS:
            current = state.current_task_state
            if current is not None and current.status == TaskState.STATUS_IN_PROGRESS:
                current.task.specific.on_action(current, user, "approve")
                changed.append(page.pk)
        elif not approved:
            state.cancel(user=user)
            changed.append(page.pk)
    return changed


def course_review_comment(*, page: Any) -> tuple[str, Any] | None:
    """The reviewer's comment (and the task state) when a page's review asked for changes."""
    from wagtail.models import TaskState

    state = page.current_workflow_state
    if state is None or state.status != state.STATUS_NEEDS_CHANGES:
        return None
    rejected = (
        TaskState.objects.filter(workflow_state=state, status=TaskState.STATUS_REJECTED)
        .select_related("finished_by")
        .order_by("-finished_at")
        .first()
    )
    if rejected is None:
        return None
    return rejected.comment, rejected
