"""Course-content operations. Grading of knowledge checks happens only here, on the server.

Public entry point: :func:`knowledge_check_grade` (used by the grading API, by the lesson
page's no-JavaScript form, and by the progress app when it records a learner's attempt).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from courses.models import LessonPage


class KnowledgeCheckNotFound(Exception):
    """The lesson is not live or has no knowledge check with that block id."""


class GradingInputError(ValueError):
    """Answers that do not fit the knowledge check. ``field`` is the path of the bad input."""

    def __init__(self, field: str, rule: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.rule = rule
        self.message = message


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
