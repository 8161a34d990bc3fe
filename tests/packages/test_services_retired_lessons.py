"""A lesson whose packaged units are all retired stops counting toward its course: the import
saves a draft with ``required`` False, and publishing it brings the course of the learners who
had done everything else to completion, without revoking anyone's."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from courses.models import LessonPage
from learners.models import Enrollment
from learners.services import enrollment_create
from lrs.models import Statement
from packages.models import PackageUnit
from packages.services import package_import
from progress.engine.receivers import _RefreshAfterCommit
from progress.models import CourseProgress
from tests.packages import builders as b
from tests.progress.engine_support import lesson_statement, store

pytestmark = pytest.mark.django_db

ADL_COMPLETED = "http://adlnet.gov/expapi/verbs/completed"


def course_zip(*, second: bool = True) -> bytes:
    """A cmi5 course of three required AUs in two blocks; ``second`` False drops "Sensores 2"."""
    sensors = [b.au(f"{b.COURSE_ID}/au/1", "Sensores 1", "a1.html", attrs='moveOn="Completed"')]
    if second:
        sensors.append(
            b.au(f"{b.COURSE_ID}/au/2", "Sensores 2", "a2.html", attrs='moveOn="Completed"')
        )
    xml = b.cmi5_xml(
        [
            b.block(f"{b.COURSE_ID}/block/1", "Sensores", sensors),
            b.block(
                f"{b.COURSE_ID}/block/2",
                "Actuadores",
                [b.au(f"{b.COURSE_ID}/au/3", "Actuadores", "a3.html", attrs='moveOn="Completed"')],
            ),
        ]
    )
    return b.make_zip({"cmi5.xml": xml, **{f"a{n}.html": b.PAGE for n in (1, 2, 3)}})


def lesson_of(number: int) -> LessonPage:
    unit = PackageUnit.objects.get(identifier=f"{b.COURSE_ID}/au/{number}")
    return LessonPage.objects.get(pk=unit.lesson_id)


def draft_required(lesson: LessonPage) -> bool:
    return lesson.get_latest_revision_as_object().required


def publish_all(course, user) -> None:
    for page in [course, *course.get_descendants().specific()]:
        page.get_latest_revision().publish(user=user)


def complete(user, *numbers: int) -> None:
    for minute, number in enumerate(numbers):
        store(lesson_statement(user, "completed", lesson_of(number).activity_id, minute=minute))


def learner(name: str):
    # An e-mail: completing the course issues its credential to it.
    return get_user_model().objects.create_user(name, f"{name}@example.mx", "x")


def course_row(user, course) -> CourseProgress | None:
    return CourseProgress.objects.filter(user=user, course_iri=course.activity_id).first()


def test_a_lesson_whose_unit_is_retired_gets_a_draft_that_no_longer_counts(author):
    first = package_import(upload=b.upload(course_zip()), user=author)
    publish_all(first.course, author)

    result = package_import(upload=b.upload(course_zip(second=False)), user=author)

    lesson = lesson_of(2)
    assert not draft_required(lesson)
    # A draft: the live lesson still counts until the draft goes through review.
    assert lesson.live and lesson.required and lesson.has_unpublished_changes
    assert draft_required(lesson_of(1)) and draft_required(lesson_of(3))
    (removed,) = result.changes.removed
    assert (removed.lesson_id, removed.lesson_title) == (lesson.pk, "Sensores 2")
    assert removed.lesson_stops_counting
    answer = result.as_dict()["changes"]["removed"][0]
    assert (answer["lesson_id"], answer["lesson_title"]) == (lesson.pk, "Sensores 2")
    assert answer["lesson_stops_counting"] is True


def test_a_unit_back_in_a_later_version_makes_its_lesson_count_again(author):
    package_import(upload=b.upload(course_zip()), user=author)
    package_import(upload=b.upload(course_zip(second=False)), user=author)
    assert not draft_required(lesson_of(2))

    result = package_import(upload=b.upload(course_zip()), user=author)

    assert draft_required(lesson_of(2))
    assert [change.identifier for change in result.changes.added] == [f"{b.COURSE_ID}/au/2"]
    assert not PackageUnit.objects.filter(retired=True).exists()


def test_a_retired_unit_whose_lesson_never_counted_changes_nothing(author):
    """moveOn NotApplicable: the lesson was optional already; the import says nothing more."""
    package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    intro = PackageUnit.objects.get(identifier=f"{b.COURSE_ID}/au/intro").lesson
    revisions = intro.revisions.count()
    xml = b.multi_au_cmi5_xml().replace(
        b.au(f"{b.COURSE_ID}/au/intro", "Bienvenida", "intro.html", attrs='moveOn="NotApplicable"'),
        "",
    )
    files = ("b1/a1.html", "b1/a2.html", "b2/a3.html")
    data = b.make_zip({"cmi5.xml": xml, **{name: b.PAGE for name in files}})
    result = package_import(upload=b.upload(data), user=author)
    (removed,) = result.changes.removed
    assert removed.lesson_id == intro.pk and not removed.lesson_stops_counting
    assert intro.revisions.count() == revisions


def test_lesson_mode_a_lesson_that_still_shows_current_units_keeps_counting(author):
    from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog

    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    package_import(upload=b.upload(b.scorm2004()), mode="lesson", parent_id=module.pk, user=author)
    lesson = LessonPage.objects.child_of(module).get()
    revisions = lesson.revisions.count()

    two_scos = '<item identifier="MOD1"><title>Parte 1</title>' + b.sco_item(1) + "</item>"
    two_scos += b.sco_item(2)
    result = package_import(upload=b.upload(b.scorm2004(items=two_scos)), user=author)

    (removed,) = result.changes.removed
    assert removed.identifier == "ITEM3"
    assert removed.lesson_id == lesson.pk and not removed.lesson_stops_counting
    lesson.refresh_from_db()
    assert draft_required(lesson)
    assert lesson.revisions.count() == revisions  # nothing to revise: same title and units


def test_lesson_mode_a_version_of_all_new_units_joins_the_lesson_of_the_retired_ones(author):
    """Every unit of the old version retired, a new one added: the lesson shows a current unit
    again, so it keeps counting (this re-import used to stop on an assertion)."""
    from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog

    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    package_import(upload=b.upload(b.scorm12()), mode="lesson", parent_id=module.pk, user=author)
    items = (
        '<item identifier="ITEM2" identifierref="RES1"><title>Lección SCORM</title>'
        "<adlcp:masteryscore>80</adlcp:masteryscore></item>"
    )
    result = package_import(upload=b.upload(b.scorm12(items=items)), user=author)
    lesson = LessonPage.objects.child_of(module).get()
    (removed,) = result.changes.removed
    assert removed.lesson_id == lesson.pk and not removed.lesson_stops_counting
    assert [u.lesson_id for u in PackageUnit.objects.all()] == [lesson.pk, lesson.pk]
    assert draft_required(lesson)
    assert len(lesson.get_latest_revision_as_object().body) == 2


@pytest.fixture
def published_course(author, django_capture_on_commit_callbacks):
    """The three-lesson course, published, and three enrolled teachers: ``almost`` did every
    lesson but "Sensores 2", ``done`` did all three, ``behind`` only "Sensores 1"."""
    course = package_import(upload=b.upload(course_zip()), user=author).course
    publish_all(course, author)
    learners = {name: learner(name) for name in ("almost", "done", "behind")}
    with django_capture_on_commit_callbacks(execute=True):
        for user in learners.values():
            enrollment_create(user=user, course_id=course.pk)
        complete(learners["almost"], 1, 3)
        complete(learners["done"], 1, 2, 3)
        complete(learners["behind"], 1)
    return course, learners


def course_completions(course) -> set[str]:
    """Ids of the LMS's statements that the course was completed, not voided."""
    return {
        str(statement_id)
        for statement_id in Statement.objects.filter(
            verb=ADL_COMPLETED, activity=course.activity_id, voided=False
        ).values_list("statement_id", flat=True)
    }


def test_publishing_the_draft_completes_the_course_of_who_did_everything_else(
    author, published_course, django_capture_on_commit_callbacks
):
    course, learners = published_course
    almost, done, behind = learners["almost"], learners["done"], learners["behind"]
    assert course_row(almost, course).completed_at is None
    before = course_row(done, course)
    assert before.completed_at is not None
    assert course_completions(course) == {str(before.statement_id)}

    with django_capture_on_commit_callbacks(execute=True):
        package_import(upload=b.upload(course_zip(second=False)), user=author)
    assert course_row(almost, course).completed_at is None  # a draft changes nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        lesson_of(2).get_latest_revision().publish(user=author)

    row = course_row(almost, course)
    assert row.completed_at is not None and row.percent == 100
    enrollment = Enrollment.objects.get(user=almost, course=course)
    assert enrollment.completed_at == row.completed_at
    assert course_completions(course) == {str(before.statement_id), str(row.statement_id)}
    # Nobody lost anything: who had finished keeps her completion and its statement.
    after = course_row(done, course)
    assert (after.completed_at, after.statement_id) == (before.completed_at, before.statement_id)
    assert not Statement.objects.filter(voiding=True).exists()
    assert course_row(behind, course).completed_at is None


def test_the_refresh_can_run_twice(author, published_course, django_capture_on_commit_callbacks):
    from progress.tasks import course_refresh_for_learners, course_requirements_lowered

    course, learners = published_course
    with django_capture_on_commit_callbacks(execute=True):
        package_import(upload=b.upload(course_zip(second=False)), user=author)
        lesson_of(2).get_latest_revision().publish(user=author)
    statements = Statement.objects.count()
    ids = [user.pk for user in learners.values()]
    with django_capture_on_commit_callbacks(execute=True):
        assert course_requirements_lowered(course.activity_id) == 1  # only "behind" is left
        assert course_refresh_for_learners(course.activity_id, ids) == 1  # completes skipped
    assert Statement.objects.count() == statements


def test_unpublishing_a_required_lesson_completes_the_course_of_who_did_the_rest(
    author, published_course, django_capture_on_commit_callbacks
):
    course, learners = published_course
    with django_capture_on_commit_callbacks(execute=True):
        lesson_of(2).unpublish(user=author)
    assert course_row(learners["almost"], course).completed_at is not None
    assert course_row(learners["behind"], course).completed_at is None


def test_deleting_a_required_lesson_completes_the_course_of_who_did_the_rest(
    author, published_course, django_capture_on_commit_callbacks
):
    course, learners = published_course
    with django_capture_on_commit_callbacks(execute=True):
        lesson_of(2).delete()
    assert course_row(learners["almost"], course).completed_at is not None


def refreshes(callbacks) -> list[_RefreshAfterCommit]:
    return [callback for callback in callbacks if isinstance(callback, _RefreshAfterCommit)]


def test_only_changes_that_lower_requirements_refresh_learners(
    author, published_course, django_capture_on_commit_callbacks
):
    course, _learners = published_course
    lesson = lesson_of(2)
    # (The test runs in one transaction, where a refresh already queued is not queued twice:
    # the changes that must queue nothing come first.)

    # Another title, still required: nothing to refresh.
    lesson.title = "Sensores dos"
    with django_capture_on_commit_callbacks() as callbacks:
        lesson.save_revision(user=author).publish(user=author)
    assert refreshes(callbacks) == []

    # A draft that makes it optional, not published: nothing yet.
    lesson.required = False
    with django_capture_on_commit_callbacks() as callbacks:
        lesson.save_revision(user=author)
    assert refreshes(callbacks) == []

    # An optional lesson made required (requirements go up: the learners' next statements
    # bring that in) and a new lesson published: nothing.
    optional = lesson_of(3)
    optional.required = False
    optional.save()  # as if it had always been optional
    optional.required = True
    with django_capture_on_commit_callbacks() as callbacks:
        optional.save_revision(user=author).publish(user=author)
        module = optional.get_parent()
        added = LessonPage(title="Nueva", slug="nueva", locale=module.locale)
        module.add_child(instance=added)
        added.save_revision(user=author).publish(user=author)
    assert refreshes(callbacks) == []

    # The optional draft published: once, for its course.
    with django_capture_on_commit_callbacks() as callbacks:
        lesson.get_latest_revision().publish(user=author)
    assert refreshes(callbacks) == [_RefreshAfterCommit(course.activity_id)]


def test_a_module_deleted_with_its_lessons_refreshes_its_course_once(
    author, published_course, django_capture_on_commit_callbacks
):
    course, learners = published_course
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        lesson_of(2).get_parent().delete()
    assert refreshes(callbacks) == [_RefreshAfterCommit(course.activity_id)]
    # "Sensores" held "Sensores 1" and "Sensores 2": "almost" has done what is left.
    assert course_row(learners["almost"], course).completed_at is not None
    assert course_row(learners["behind"], course).completed_at is None
