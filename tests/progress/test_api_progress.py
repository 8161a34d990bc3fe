"""GET /api/v1/me/progress/{course_id}/: the learner's own progress, nobody else's."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from courses.selectors import course_outline
from learners.models import Enrollment
from tests.courses.factories import build_course
from tests.progress.engine_support import course_stream, lesson_statement, make_learner, store

pytestmark = [
    pytest.mark.django_db,
]


@pytest.fixture
def course():
    return build_course(modules=2, lessons=2, passing_score=70)


@pytest.fixture
def outline(course):
    return course_outline(course_id=course.pk)


def url(course_id: int) -> str:
    return reverse("api:me-progress", kwargs={"course_id": course_id})


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_new_enrolment_shows_nothing_done_and_resumes_at_the_first_lesson(course, outline):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    body = client_for(user).get(url(course.pk)).json()
    assert body["percent"] == 0 and body["completed"] is False and body["completed_at"] is None
    assert body["hours"] == 0 and body["resume_url"] == outline.lessons[0].url
    assert [(x["activity_id"], x["status"]) for x in body["lessons"]] == [
        (lesson.activity_id, "not_started") for lesson in outline.lessons
    ]


def test_progress_reflects_the_learners_statements(course, outline):
    user = make_learner()
    Enrollment.objects.create(user=user, course=course)
    first, second = outline.modules[0].lessons
    store(
        lesson_statement(user, "passed", first.activity_id, minute=1, scaled=0.8),
        lesson_statement(user, "progressed", second.activity_id, minute=2, progress=40),
    )
    body = client_for(user).get(url(course.pk)).json()
    assert body["percent"] == 25 and body["hours"] == 0.25
    assert body["resume_url"] == second.url
    statuses = {x["activity_id"]: (x["status"], x["progress_percent"]) for x in body["lessons"]}
    assert statuses[first.activity_id] == ("passed", 100)
    assert statuses[second.activity_id] == ("in_progress", 40)


def test_a_completed_course(course, outline):
    user = make_learner()
    enrollment = Enrollment.objects.create(user=user, course=course)
    store(*course_stream(user, outline, score=0.9))
    body = client_for(user).get(url(course.pk)).json()
    enrollment.refresh_from_db()
    assert body["completed"] is True and body["percent"] == 100 and body["resume_url"] is None
    assert body["completed_at"] is not None and enrollment.completed_at is not None
    assert body["score"] == pytest.approx(0.9) == enrollment.score
    assert enrollment.hours_completed == pytest.approx(1.0) and enrollment.started_at is not None


def test_each_learner_sees_only_their_own_progress(course, outline):
    me, other = make_learner(), make_learner()
    Enrollment.objects.create(user=me, course=course)
    Enrollment.objects.create(user=other, course=course)
    store(*course_stream(other, outline))
    body = client_for(me).get(url(course.pk)).json()
    assert body["percent"] == 0 and body["completed"] is False


def test_not_enrolled_or_unknown_course_is_404(course):
    user = make_learner()
    client = client_for(user)
    response = client.get(url(course.pk))
    assert response.status_code == 404 and response.json()["detail"]
    assert client.get(url(999_999)).status_code == 404
    enrollment = Enrollment.objects.create(user=user, course=course)
    enrollment.status = "cancelled"
    enrollment.save()
    assert client.get(url(course.pk)).status_code == 404


def test_anonymous_callers_are_refused(course):
    response = APIClient().get(url(course.pk))
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["field"] == "non_field_errors"


def test_the_query_count_does_not_grow_with_the_course(django_assert_max_num_queries):
    user = make_learner()
    small = build_course(modules=1, lessons=1)
    big = build_course(modules=4, lessons=5)
    for course in (small, big):
        Enrollment.objects.create(user=user, course=course)
        outline = course_outline(course_id=course.pk)
        store(*course_stream(user, outline)[:6])
    client = client_for(user)
    for course in (small, big):
        with django_assert_max_num_queries(10):
            assert client.get(url(course.pk)).status_code == 200


def test_the_endpoint_is_in_the_openapi_schema():
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/me/progress/{course_id}/"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403", "404"}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert {"percent", "completed", "completed_at", "hours", "resume_url", "lessons"} <= set(
        component["properties"]
    )
