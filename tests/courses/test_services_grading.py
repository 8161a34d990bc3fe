"""Server-side grading of knowledge checks (courses.services.knowledge_check_grade)."""

import pytest

from courses.models import LessonPage
from courses.services import GradingInputError, KnowledgeCheckNotFound, knowledge_check_grade
from tests.courses import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson():
    course = factories.build_course(modules=1, lessons=1)
    return LessonPage.objects.descendant_of(course).get()


def grade(lesson, answers, block_id="kc-1"):
    return knowledge_check_grade(lesson_id=lesson.pk, block_id=block_id, answers=answers)


def test_all_right_scores_full_marks_with_the_chosen_feedback_and_explanations(lesson):
    result = grade(lesson, {"q1": ["o1a"], "q2": ["o2a", "o2c"]})
    assert (result.raw, result.min, result.max, result.scaled) == (2, 0, 2, 1.0)
    assert result.passed
    first, second = result.questions
    assert first.correct and second.correct
    assert first.feedback == ["FEEDBACK-OK-1A"]
    assert second.feedback == ["FEEDBACK-OK-2A", "FEEDBACK-OK-2C"]
    assert (first.explanation, second.explanation) == ("EXPLANATION-1", "EXPLANATION-2")


def test_single_choice_wrong_option_is_wrong_and_returns_that_options_feedback(lesson):
    result = grade(lesson, {"q1": ["o1b"], "q2": ["o2a", "o2c"]})
    assert not result.questions[0].correct
    assert result.questions[0].feedback == ["FEEDBACK-KO-1B"]
    assert result.raw == 1


@pytest.mark.parametrize("chosen", [["o2a"], ["o2c"], ["o2a", "o2b", "o2c"], ["o2b"], []], ids=str)
def test_multiple_choice_is_right_only_with_exactly_the_correct_set(lesson, chosen):
    result = grade(lesson, {"q1": ["o1a"], "q2": chosen})
    assert result.questions[1].correct is False


def test_duplicate_option_ids_count_once(lesson):
    result = grade(lesson, {"q1": ["o1a", "o1a"], "q2": ["o2a", "o2c", "o2a"]})
    assert result.raw == 2


def test_partial_answers_count_unanswered_questions_as_wrong(lesson):
    result = grade(lesson, {"q1": ["o1a"]})
    assert (result.raw, result.max, result.scaled) == (1, 2, 0.5)
    assert result.questions[1].selected == []
    assert result.questions[1].correct is False
    assert result.answered == 1


def test_no_answers_at_all_scores_zero(lesson):
    result = grade(lesson, {})
    assert (result.raw, result.scaled, result.passed) == (0, 0.0, False)


@pytest.mark.parametrize(
    ("pass_mark", "answers", "passed"),
    [
        (50, {"q1": ["o1a"]}, True),  # exactly at the mark: 1/2 = 50 %
        (51, {"q1": ["o1a"]}, False),  # just above it
        (0, {}, True),  # a zero mark passes with nothing right
        (100, {"q1": ["o1a"], "q2": ["o2a", "o2c"]}, True),
        (100, {"q1": ["o1a"], "q2": ["o2a"]}, False),
    ],
)
def test_pass_mark_edges(pass_mark, answers, passed):
    course = factories.CoursePageFactory(parent=factories.spanish_catalog())
    module = factories.ModulePageFactory(parent=course)
    lesson = factories.LessonPageFactory(
        parent=module, body=[factories.sample_check(pass_mark=pass_mark)]
    )
    result = grade(lesson, answers)
    assert result.passed is passed
    assert result.pass_mark == pass_mark


def test_two_thirds_against_a_mark_of_67_is_not_lost_to_rounding():
    check = factories.knowledge_check(
        [
            factories.question(
                f"P{n}",
                [factories.option("sí", correct=True, id="y"), factories.option("no", id="n")],
                id=f"q{n}",
            )
            for n in range(3)
        ],
        pass_mark=67,
    )
    course = factories.CoursePageFactory(parent=factories.spanish_catalog())
    module = factories.ModulePageFactory(parent=course)
    lesson = factories.LessonPageFactory(parent=module, body=[check])
    result = grade(lesson, {"q0": ["y"], "q1": ["y"], "q2": ["n"]})
    assert result.raw == 2
    assert result.passed is False  # 66.67 % < 67 %
    assert grade(lesson, {"q0": ["y"], "q1": ["y"], "q2": ["y"]}).passed


@pytest.mark.parametrize(
    ("answers", "field", "rule"),
    [
        ({"nope": ["o1a"]}, "answers.nope", "unknown_question"),
        ({"q1": ["o2a"]}, "answers.q1", "unknown_option"),
        ({"q1": ["o1a", "o1b"]}, "answers.q1", "single_choice"),
        ({"q1": "o1a"}, "answers.q1", "invalid"),
        ({"q1": [1]}, "answers.q1", "invalid"),
        (["q1"], "answers", "invalid"),
    ],
)
def test_bad_answers_raise_naming_the_field_and_rule(lesson, answers, field, rule):
    with pytest.raises(GradingInputError) as error:
        grade(lesson, answers)
    assert (error.value.field, error.value.rule) == (field, rule)


def test_unknown_block_or_lesson_is_not_found(lesson):
    with pytest.raises(KnowledgeCheckNotFound):
        grade(lesson, {}, block_id="missing")
    with pytest.raises(KnowledgeCheckNotFound):
        knowledge_check_grade(lesson_id=999_999, block_id="kc-1", answers={})


def test_a_lesson_that_is_not_live_cannot_be_graded(lesson):
    lesson.unpublish()
    with pytest.raises(KnowledgeCheckNotFound):
        grade(lesson, {"q1": ["o1a"]})
