"""The staff API answers what its OpenAPI schema says. The other API tests check that each path
is in the schema; SEP's systems and conformance tools generate clients from the schema, so
here every answer of every packages endpoint (successes and the documented errors) is
validated against the schema of its status code, with undocumented fields counted as errors."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from jsonschema import Draft202012Validator

from courses.models import LessonPage
from learners.models import Enrollment
from packages.models import PackageUnit
from tests.packages import builders as b
from tests.packages.test_cmi5_launch import publish_tree
from tests.packages.test_scorm_runtime import commit, open_attempt

pytestmark = pytest.mark.django_db


def _strict(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null alternative, and an object with
    listed properties takes no others."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _strict(value) for key, value in node.items()}
    if node.get("type") == "object" and "properties" in node:
        node.setdefault("additionalProperties", False)
    if node.pop("nullable", False):
        node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def schema(client, author) -> dict:
    client.force_login(author)
    return client.get("/api/v1/schema/", {"format": "json"}).json()


def check(schema: dict, path: str, method: str, response) -> None:
    operation = schema["paths"][path][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {path}: {status} undocumented"
    content = operation["responses"][status].get("content", {})
    assert "application/json" in content, f"{method.upper()} {path} {status}: no JSON schema"
    document = _strict(
        {**copy.deepcopy(content["application/json"]["schema"]), "components": schema["components"]}
    )
    errors = sorted(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in Draft202012Validator(document).iter_errors(response.json())
    )
    assert not errors, f"{method.upper()} {path} {status}: {errors}"


def zip_file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("curso.zip", data, content_type="application/zip")


def test_package_endpoints_answer_their_schema(client, schema):
    created = client.post("/api/v1/packages/", {"file": zip_file(b.multi_au_cmi5())})
    check(schema, "/api/v1/packages/", "post", created)
    again = client.post("/api/v1/packages/", {"file": zip_file(b.multi_au_cmi5())})
    check(schema, "/api/v1/packages/", "post", again)
    refused = client.post("/api/v1/packages/", {"file": zip_file(b.scorm12(mastery="150"))})
    assert refused.status_code == 400
    check(schema, "/api/v1/packages/", "post", refused)
    job_url = "/api/v1/packages/imports/{job}/"
    for answer in (created, refused):
        check(schema, job_url, "get", client.get(answer.json()["job"]["url"]))
        retry = client.post(answer.json()["job"]["url"] + "retry/")
        assert retry.status_code == 409
        check(schema, job_url + "retry/", "post", retry)
    missing = client.get("/api/v1/packages/imports/00000000-0000-0000-0000-000000000000/")
    check(schema, job_url, "get", missing)
    check(schema, "/api/v1/packages/", "get", client.get("/api/v1/packages/"))
    detail = f"/api/v1/packages/{created.json()['package']['id']}/"
    check(schema, "/api/v1/packages/{package_id}/", "get", client.get(detail))
    check(schema, "/api/v1/packages/{package_id}/", "get", client.get("/api/v1/packages/999999/"))


def test_a_queued_import_answers_its_schema(client, schema, settings):
    from unittest import mock

    settings.CELERY_TASK_ALWAYS_EAGER = False
    with mock.patch("packages.tasks.import_run.delay"):
        queued = client.post("/api/v1/packages/", {"file": zip_file(b.one_au_cmi5())})
    assert queued.status_code == 202
    check(schema, "/api/v1/packages/", "post", queued)
    check(schema, "/api/v1/packages/imports/{job}/", "get", client.get(queued["Location"]))


def test_cmi5_endpoints_answer_their_schema(client, schema, author, teacher):
    created = client.post("/api/v1/packages/", {"file": zip_file(b.multi_au_cmi5())}).json()
    unit = PackageUnit.objects.get(identifier=f"{b.COURSE_ID}/au/1")
    body = {"unit": str(unit.uuid), "lesson": unit.lesson_id, "user": teacher.pk}
    launch = client.post("/api/v1/packages/cmi5/launch/", body, content_type="application/json")
    assert launch.status_code == 201 and created
    check(schema, "/api/v1/packages/cmi5/launch/", "post", launch)
    bad = client.post(
        "/api/v1/packages/cmi5/launch/", {**body, "user": "x"}, content_type="application/json"
    )
    check(schema, "/api/v1/packages/cmi5/launch/", "post", bad)
    registration = launch.json()["registration"]
    status = client.get(f"/api/v1/packages/cmi5/registrations/{registration}/")
    check(schema, "/api/v1/packages/cmi5/registrations/{registration}/", "get", status)
    abandon = f"/api/v1/packages/cmi5/sessions/{launch.json()['session_id']}/abandon/"
    check(
        schema, "/api/v1/packages/cmi5/sessions/{session_id}/abandon/", "post", client.post(abandon)
    )
    waive = {**body, "reason": "Tested Out"}
    for _ in range(2):  # 201, then 409
        answer = client.post("/api/v1/packages/cmi5/waive/", waive, content_type="application/json")
        check(schema, "/api/v1/packages/cmi5/waive/", "post", answer)
    unreasonable = client.post(
        "/api/v1/packages/cmi5/waive/", {**body, "reason": "x"}, content_type="application/json"
    )
    check(schema, "/api/v1/packages/cmi5/waive/", "post", unreasonable)


def test_scorm_endpoints_answer_their_schema(client, schema, author, teacher):
    created = client.post("/api/v1/packages/", {"file": zip_file(b.scorm12())}).json()
    unit = PackageUnit.objects.get(identifier="ITEM1")
    publish_tree(LessonPage.objects.get(pk=unit.lesson_id), author)
    Enrollment.objects.create(user=teacher, course_id=created["course"]["id"])
    learner = Client()
    learner.force_login(teacher)
    launch = open_attempt(learner, unit)
    assert commit(learner, launch, {"cmi.core.lesson_location": "p2"}).status_code == 200
    status = client.get(
        "/api/v1/packages/scorm/status/", {"user": teacher.pk, "lesson": unit.lesson_id}
    )
    check(schema, "/api/v1/packages/scorm/status/", "get", status)
    missing = client.get("/api/v1/packages/scorm/status/", {"lesson": unit.lesson_id})
    check(schema, "/api/v1/packages/scorm/status/", "get", missing)
    attempt = f"/api/v1/packages/scorm/attempts/{launch['attempt']}/"
    check(schema, "/api/v1/packages/scorm/attempts/{attempt}/", "get", client.get(attempt))
    abandon = client.post(attempt + "abandon/")
    check(schema, "/api/v1/packages/scorm/attempts/{attempt}/abandon/", "post", abandon)
