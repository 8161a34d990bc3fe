"""Learner API enrolments: list, enrol, unenrol; each learner sees only their own."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from learners.models import Enrollment
from tests.courses.factories import CoursePageFactory, spanish_catalog
from tests.learners.learners_factories import UserFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
URL = "/api/v1/me/enrollments/"


@pytest.fixture
def course():
    return CoursePageFactory(parent=spanish_catalog(), title="Python para docentes")


@pytest.fixture
def learner():
    return UserFactory()


@pytest.fixture
def api(learner) -> APIClient:
    client = APIClient()
    client.force_authenticate(learner)
    return client


def _errors(response) -> set[tuple[str, str]]:
    return {(error["field"], error["rule"]) for error in response.json()["errors"]}


def test_enrol_then_list_own_enrolments(api, learner, course):
    response = api.post(URL, {"course": course.pk}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["course"] == course.pk
    assert body["status"] == "active"
    assert body["course_activity_id"] == course.activity_id
    listed = api.get(URL).json()
    assert [item["id"] for item in listed] == [body["id"]]


def test_list_shows_only_own_enrolments_with_bounded_queries(
    api, learner, course, django_assert_max_num_queries
):
    other = UserFactory()
    Enrollment.objects.create(user=other, course=course)
    for _ in range(5):
        Enrollment.objects.create(
            user=learner,
            course=CoursePageFactory(parent=spanish_catalog()),
        )
    with django_assert_max_num_queries(4):
        listed = api.get(URL).json()
    assert len(listed) == 5
    assert all(item["course"] != course.pk for item in listed)


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({}, ("course", "required")),
        ({"course": "abc"}, ("course", "invalid")),
        ({"course": 0}, ("course", "min_value")),
        ({"course": 999_999}, ("course", "does_not_exist")),
    ],
)
def test_enrol_with_bad_input_is_400_naming_course(api, payload, expected):
    response = api.post(URL, payload, format="json")
    assert response.status_code == 400
    assert _errors(response) == {expected}


def test_enrol_twice_is_400_already_enrolled(api, course):
    api.post(URL, {"course": course.pk}, format="json")
    response = api.post(URL, {"course": course.pk}, format="json")
    assert response.status_code == 400
    assert _errors(response) == {("course", "already_enrolled")}


def test_enrol_without_prerequisites_is_400_prerequisites(api, learner, course):
    advanced = CoursePageFactory(parent=spanish_catalog(), title="Ciencia de datos")
    advanced.prerequisites.add(course)
    advanced.save()
    response = api.post(URL, {"course": advanced.pk}, format="json")
    assert response.status_code == 400
    assert _errors(response) == {("course", "prerequisites")}
    assert "Python para docentes" in response.json()["detail"]
    Enrollment.objects.create(user=learner, course=course, completed_at=timezone.now())
    assert api.post(URL, {"course": advanced.pk}, format="json").status_code == 201


def test_unenrol_own_enrolment_then_again_is_404(api, learner, course):
    enrollment_id = api.post(URL, {"course": course.pk}, format="json").json()["id"]
    assert api.delete(f"{URL}{enrollment_id}/").status_code == 204
    assert Enrollment.objects.get(pk=enrollment_id).status == "unenrolled"
    assert api.delete(f"{URL}{enrollment_id}/").status_code == 404
    listed = api.get(URL).json()
    assert listed[0]["status"] == "unenrolled"


def test_unenrol_another_learners_enrolment_is_404(api, course):
    other = Enrollment.objects.create(user=UserFactory(), course=course)
    response = api.delete(f"{URL}{other.pk}/")
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "active"


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", URL), ("post", URL), ("delete", f"{URL}1/")],
)
def test_enrolment_endpoints_refuse_anonymous_requests(method, path):
    response = getattr(APIClient(), method)(path, {"course": 1}, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["errors"][0]["rule"] == "not_authenticated"


def test_token_authentication_works_for_enrolments(learner, course):
    from rest_framework.authtoken.models import Token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=learner).key}")
    assert client.post(URL, {"course": course.pk}, format="json").status_code == 201
