"""A service's refusal (``common.errors.InputError``) is mapped once, by the API's exception
handler, to a 400 whose body names the field and the rule.

One test per service error through an endpoint that raises it. ``ImportFileError`` and
``CourseSubmissionError`` are raised by no API endpoint (imports and course review are admin
screens), so a throwaway DRF view calls the real service to show that they, too, would answer
in the one shape.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from common.errors import InputError
from common.json_input import UnsafeInputError, printable_path
from courses.models import LessonPage
from courses.services import CourseSubmissionError, GradingInputError
from credentials.models import Award
from credentials.services import AwardError
from credentials.verification import VerificationInputError
from learners.imports import ImportFileError
from reports.models import ExportJob
from reports.query import QueryError
from tests.courses import factories as course_factories
from tests.credentials.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.reports.reports_builders import make_monitor

pytestmark = pytest.mark.django_db


def _body(response: Any) -> Any:
    return json.loads(response.content)


def _errors(response: Any) -> list[tuple[str, str]]:
    return [(item["field"], item["rule"]) for item in _body(response)["errors"]]


@pytest.mark.parametrize(
    "error_class",
    [
        QueryError,
        GradingInputError,
        CourseSubmissionError,
        VerificationInputError,
        AwardError,
        ImportFileError,
        UnsafeInputError,
    ],
)
def test_every_service_input_error_is_an_input_error_and_a_value_error(error_class):
    assert issubclass(error_class, InputError) and issubclass(error_class, ValueError)


# --- through the endpoints that raise them -----------------------------------------------------


@pytest.fixture
def monitor() -> APIClient:
    client = APIClient()
    client.force_authenticate(make_monitor("monitor-errores"))
    return client


def test_query_error_names_the_report_parameter(monitor):
    response = monitor.get("/api/v1/reports/completion/?group_by=galaxia")
    assert response.status_code == 400
    assert _errors(response) == [("group_by", "choice")]
    assert "galaxia" in _body(response)["detail"]


def test_query_error_of_an_export_names_the_parameter_inside_params(monitor):
    body = {"report": "completion", "format": "csv", "params": {"group_by": "state,state"}}
    response = monitor.post("/api/v1/reports/exports/", body, format="json")
    assert response.status_code == 400
    assert _errors(response) == [("params.group_by", "unique")]
    assert not ExportJob.objects.exists()


def test_grading_input_error_names_the_answer():
    course = course_factories.build_course(modules=1, lessons=1)
    lesson = LessonPage.objects.descendant_of(course).order_by("path").first()
    response = APIClient().post(
        f"/api/v1/lessons/{lesson.pk}/checks/kc-1/grade/",
        {"answers": {"q1": ["o-none"]}},
        format="json",
    )
    assert response.status_code == 400
    assert _errors(response) == [("answers.q1", "unknown_option")]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"jwt": "not.a.jws"}, "jwt"),
        ({"credential": {"type": ["VerifiableCredential"]}}, "credential"),
        ({"credential": "neither json nor a jws"}, "credential"),
        ({"image": base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode()}, "image"),
        (
            {"image": base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()},
            "image",
        ),
    ],
)
def test_verification_input_error_names_the_input_it_came_in(body, field, settings):
    settings.LMS_CREDENTIALS_VERIFY_RATE = "100000/minute"
    response = APIClient().post("/api/v1/credentials/verify", body, format="json")
    assert response.status_code == 400
    assert _errors(response) == [(field, "unreadable")]


def test_award_error_names_the_learner_without_an_e_mail_address():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="credentials", codename__in=["add_award", "change_award"]
        )
    )
    achievement = AchievementFactory(issuer=IssuerFactory())
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(
        "/api/v1/credentials/awards/",
        {"achievement": str(achievement.uuid), "user_id": UserFactory(email="").pk, "reason": "x"},
        format="json",
    )
    assert response.status_code == 400
    assert _errors(response) == [("user_id", "no_email")]
    assert not Award.objects.exists()


def test_unsafe_input_error_from_the_json_parser_names_the_path():
    response = APIClient().post(
        "/api/v1/auth/token/",
        '{"username": {"deep": [1, 2, NaN]}, "password": "x"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    assert _errors(response) == [("username.deep[2]", "number.finite")]


# --- services no API endpoint calls, through a throwaway view ----------------------------------


class _CallService(APIView):
    """Calls ``service`` and answers 200; whatever it raises goes to the API's handler."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    service: Callable[[], Any] = staticmethod(lambda: None)

    def post(self, request: Request) -> Response:
        self.service()
        return Response({})


def _call(service: Callable[[], Any]) -> Any:
    view = _CallService.as_view(service=staticmethod(service))
    response = view(APIRequestFactory().post("/", {}, format="json"))
    response.render()
    return response


def test_import_file_error_names_the_file():
    from learners.imports import TEACHER_COLUMNS, TEACHER_REQUIRED, read_rows

    response = _call(lambda: read_rows("", columns=TEACHER_COLUMNS, required=TEACHER_REQUIRED))
    assert response.status_code == 400
    assert _errors(response) == [("file", "empty")]
    missing = _call(lambda: read_rows("curp\n", columns=TEACHER_COLUMNS, required=TEACHER_REQUIRED))
    assert _errors(missing) == [("file", "missing_columns")]


def test_course_submission_error_is_about_the_course_as_a_whole():
    from courses.services import course_submit_for_review

    course = course_factories.build_course(modules=1, lessons=1)  # live, nothing to review
    response = _call(lambda: course_submit_for_review(course_id=course.pk, user=UserFactory()))
    assert response.status_code == 400
    assert _errors(response) == [("non_field_errors", "nothing_to_review")]
    assert course.title in _body(response)["detail"]


# --- any InputError ---------------------------------------------------------------------------


def _raise(error: Exception) -> None:
    raise error


_plain_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
)


@given(field=st.none() | _plain_text, rule=_plain_text, message=_plain_text)
def test_any_input_error_is_a_400_with_its_field_rule_and_message(field, rule, message):
    response = _call(lambda: _raise(InputError(field, rule, message)))
    assert response.status_code == 400
    assert _body(response) == {
        "detail": message,
        "errors": [{"field": field or "non_field_errors", "rule": rule, "message": message}],
    }


@given(field=st.none() | st.text(), rule=st.text(), message=st.text())
def test_an_input_error_quoting_nul_or_lone_surrogates_still_answers_400(field, rule, message):
    response = _call(lambda: _raise(InputError(field, rule, message)))
    assert response.status_code == 400
    item = _body(response)["errors"][0]
    assert item["field"] == printable_path(field or "non_field_errors")
    assert (item["rule"], item["message"]) == (printable_path(rule), printable_path(message))
