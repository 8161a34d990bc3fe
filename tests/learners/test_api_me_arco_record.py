"""ARCO with a learning record: the actor in /me/, statements in the export, and cancellation
that erases every personal field while the pseudonymous record stays."""

import uuid
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from learners.models import Enrollment
from lrs.identity import learner_actor
from lrs.models import LearnerIdentity, Statement
from lrs.services import statements_store
from tests.courses.factories import CoursePageFactory, spanish_catalog
from tests.learners.learners_factories import (  # noqa: F401
    SchoolFactory,
    TeacherProfileFactory,
    UserFactory,
    seeded_subsystems,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]
PASSWORD = "Aprender-2026-seguro"
EMAIL = "zoraida.quetzal@example.mx"


@pytest.fixture
def teacher():
    return TeacherProfileFactory(
        user=UserFactory(username=EMAIL, password=PASSWORD),
        first_name="Zoraida",
        paternal_surname="Quetzalcóatl",
        maternal_surname="Ixchelmar",
        school=SchoolFactory(),
    )


@pytest.fixture
def record(teacher):
    course = CoursePageFactory(parent=spanish_catalog())
    enrollment = Enrollment.objects.create(
        user=teacher.user, course=course, completed_at=timezone.now(), score=0.9
    )
    statement_id = uuid.uuid4()
    statements_store(
        statements=[
            {
                "id": str(statement_id),
                "actor": learner_actor(user=teacher.user),
                "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                "object": {"objectType": "Activity", "id": course.activity_id},
                "result": {"completion": True},
            }
        ]
    )
    return {"course": course, "enrollment": enrollment, "statement_id": statement_id}


@pytest.fixture
def api(teacher) -> APIClient:
    client = APIClient()
    client.force_authenticate(teacher.user)
    return client


def test_me_includes_the_opaque_xapi_actor(api, teacher):
    actor = api.get("/api/v1/me/").json()["actor"]
    identity = LearnerIdentity.objects.get(user=teacher.user)
    assert actor == {
        "objectType": "Agent",
        "account": {"homePage": "http://testserver", "name": identity.account_name},
    }
    assert EMAIL not in str(actor) and teacher.curp not in str(actor)


def test_export_includes_enrolments_and_statements(api, record):
    data = api.get("/api/v1/me/export/").json()
    assert [item["id"] for item in data["enrollments"]] == [record["enrollment"].pk]
    assert data["enrollments"][0]["score"] == 0.9
    assert data["xapi"]["actor"]["account"]["name"]
    assert [item["id"] for item in data["xapi"]["statements"]] == [str(record["statement_id"])]


def test_cancellation_leaves_no_personal_data_anywhere_and_keeps_the_record(api, teacher, record):
    curp = teacher.curp
    account_name = LearnerIdentity.objects.get(user=teacher.user).account_name
    response = api.post(
        "/api/v1/me/cancel/", {"password": PASSWORD, "confirm": True}, format="json"
    )
    assert response.status_code == 200
    dump = StringIO()
    call_command(
        "dumpdata",
        "auth",
        "progress",
        "authtoken",
        "sessions",
        stdout=dump,
    )
    everything = dump.getvalue()
    for personal in (curp, EMAIL, "zoraida", "Zoraida", "Quetzalc", "Ixchelmar"):
        assert personal not in everything, personal
    # The pseudonymous learning record is still there and still linked to the same learner row.
    enrollment = Enrollment.objects.get(pk=record["enrollment"].pk)
    assert enrollment.user_id == teacher.user_id
    assert (enrollment.score, enrollment.completed_at) == (0.9, record["enrollment"].completed_at)
    statement = Statement.objects.get(statement_id=record["statement_id"])
    assert statement.data["actor"]["account"]["name"] == account_name
    assert LearnerIdentity.objects.get(user_id=teacher.user_id).account_name == account_name
    assert get_user_model().objects.filter(pk=teacher.user_id).exists()
