"""Server-side views of the lesson page that are not plain Wagtail serving.

Without JavaScript, the knowledge-check form posts to the lesson page itself
(:meth:`courses.models.LessonPage.serve`): the answers are graded with the same service as
the API and the page is rendered again with the results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from courses import hooks
from courses.blocks import public_knowledge_check
from courses.services import (
    GradeResult,
    GradingInputError,
    KnowledgeCheckNotFound,
    knowledge_check_grade,
)

if TYPE_CHECKING:
    from django.http import HttpRequest

    from courses.models import LessonPage

ANSWER_PREFIX = "q-"


def lesson_body_items(
    lesson: LessonPage,
    *,
    results: dict[str, GradeResult] | None = None,
    submitted: dict[str, dict[str, list[str]]] | None = None,
    errors: dict[str, str] | None = None,
    last_results: dict[str, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The lesson's blocks for the template; knowledge checks in their learner-safe form,
    merged with the grading result of a submitted check (if any) or else the learner's last
    recorded result of it (``last_results``, from the ``capacita_knowledge_check_results``
    hook)."""
    results = results or {}
    last_results = last_results or {}
    submitted = submitted or {}
    errors = errors or {}
    items = []
    for block in lesson.body:
        if block.block_type != "knowledge_check":
            items.append({"block": block, "check": None})
            continue
        check = public_knowledge_check(block.id, block.value)
        result = results.get(block.id)
        chosen = submitted.get(block.id, {})
        by_question = {q.id: q for q in result.questions} if result else {}
        for question in check["questions"]:
            question["result"] = by_question.get(question["id"])
            for option in question["options"]:
                option["checked"] = option["id"] in chosen.get(question["id"], [])
        check["result"] = result
        check["last_result"] = None if result else last_results.get(block.id)
        check["error"] = errors.get(block.id)
        items.append({"block": block, "check": check})
    return items


def lesson_post_check(
    request: HttpRequest, lesson: LessonPage, *args: Any, **kwargs: Any
) -> TemplateResponse:
    """Grade a knowledge check posted as a plain form and render the lesson with results."""
    block_id = request.POST.get("block_id", "")
    answers = {
        key[len(ANSWER_PREFIX) :]: request.POST.getlist(key)
        for key in request.POST
        if key.startswith(ANSWER_PREFIX)
    }
    status = 200
    results: dict[str, GradeResult] = {}
    errors: dict[str, str] = {}
    try:
        graded = knowledge_check_grade(lesson_id=lesson.pk, block_id=block_id, answers=answers)
        missing = sum(1 for question in graded.questions if not question.selected)
        if missing:
            # Grading a blank answer would give away the explanations: ask for all of them.
            raise GradingInputError(
                "answers",
                "required",
                ngettext(
                    "Responde todas las preguntas antes de revisar: te falta %(n)d.",
                    "Responde todas las preguntas antes de revisar: te faltan %(n)d.",
                    missing,
                )
                % {"n": missing},
            )
        results[block_id] = graded
    except KnowledgeCheckNotFound:
        status = 404
        errors[block_id] = "not_found"
    except GradingInputError as exc:
        status = 400
        errors[block_id] = exc.message
    else:
        # Recorded before the last results are read, as the browser's statement would be.
        hooks.knowledge_check_graded(request, lesson, results[block_id])
    context = lesson.get_context(request, *args, **kwargs)
    context["body_items"] = lesson_body_items(
        lesson,
        results=results,
        submitted={block_id: answers},
        errors=errors,
        last_results=hooks.knowledge_check_results(request, lesson),
    )
    return TemplateResponse(request, lesson.get_template(request), context, status=status)
