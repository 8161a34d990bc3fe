"""Staff API: POST/GET /api/v1/packages/ and /api/v1/packages/<id>/."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import GroupPagePermission

from packages.models import Package
from tests.courses.factories import spanish_catalog
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


def zip_file(data: bytes, name: str = "curso.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_post_imports_and_answers_201_with_ids_and_iris(client, author):
    client.force_login(author)
    response = client.post("/api/v1/packages/", {"file": zip_file(b.multi_au_cmi5())})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["package"]["format"] == "cmi5" and body["package"]["version"] == 1
    assert body["course"]["cmi5_id"] == b.COURSE_ID
    assert body["course"]["activity_id"].startswith("http://testserver/xapi/activities/course/")
    assert len(body["modules"]) == 3 and len(body["lessons"]) == 5
    publisher_ids = [lsn["units"][0]["identifier"] for lsn in body["lessons"]]
    assert f"{b.COURSE_ID}/au/1" in publisher_ids
    # A unit's activity_id is the launch's activityId, a part of its lesson.
    for lesson in body["lessons"]:
        (unit,) = lesson["units"]
        assert unit["activity_id"] == f"{lesson['activity_id']}/cmi5/{unit['id']}"


def test_post_refused_answers_400_listing_every_problem_with_its_path(client, author):
    client.force_login(author)
    bad = b.make_zip(
        {
            "imsmanifest.xml": b.scorm12_manifest(mastery="150", href="nope.html"),
            "sco/index.html": b.PAGE,
            "sco/video.mp4": b.VIDEO,
        }
    )
    response = client.post("/api/v1/packages/", {"file": zip_file(bad)})
    assert response.status_code == 400
    errors = {(e["field"], e["rule"]) for e in response.json()["errors"]}
    assert errors == {
        ("/manifest/organizations/organization[1]/item[1]/adlcp:masteryscore", "mastery_score"),
        ("/manifest/resources[1]/resource[1]/@href", "url_missing"),
    }
    assert not Package.objects.exists()


def test_post_unsafe_zip_is_400_naming_the_entry(client, author):
    client.force_login(author)
    response = client.post("/api/v1/packages/", {"file": zip_file(b.make_zip({"../x.html": b"x"}))})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "zip:../x.html"


def test_post_without_file_or_with_bad_mode_is_400(client, author):
    client.force_login(author)
    response = client.post("/api/v1/packages/", {"mode": "course"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    response = client.post("/api/v1/packages/", {"file": zip_file(b.scorm12()), "mode": "book"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "mode"


def test_lesson_mode_with_parent(client, author):
    from tests.courses.factories import CoursePageFactory, ModulePageFactory

    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    client.force_login(author)
    response = client.post(
        "/api/v1/packages/",
        {"file": zip_file(b.scorm2004()), "mode": "lesson", "parent": module.pk},
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["lessons"]) == 1
    assert len(response.json()["lessons"][0]["units"]) == 3


def test_list_and_detail(client, author):
    client.force_login(author)
    created = client.post("/api/v1/packages/", {"file": zip_file(b.scorm12())}).json()
    listing = client.get("/api/v1/packages/")
    assert listing.status_code == 200
    assert [p["id"] for p in listing.json()] == [created["package"]["id"]]
    detail = client.get(f"/api/v1/packages/{created['package']['id']}/")
    assert detail.status_code == 200
    assert detail.json()["units"][0]["mastery_score"] == 0.8
    assert client.get("/api/v1/packages/999999/").status_code == 404


def test_anonymous_and_teachers_are_refused(client, teacher):
    assert client.get("/api/v1/packages/").status_code in (401, 403)
    assert client.post("/api/v1/packages/", {"file": zip_file(b.scorm12())}).status_code in (
        401,
        403,
    )
    client.force_login(teacher)
    assert client.get("/api/v1/packages/").status_code == 403
    assert client.post("/api/v1/packages/", {"file": zip_file(b.scorm12())}).status_code == 403
    assert not Package.objects.exists()


def test_an_editor_with_add_permission_on_the_catalog_may_import(client, teacher):
    group = Group.objects.create(name="Autores de paquetes")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(group=group, page=spanish_catalog(), permission_type="add")
    teacher.groups.add(group)
    client.force_login(teacher)
    response = client.post("/api/v1/packages/", {"file": zip_file(b.scorm12())})
    assert response.status_code == 201, response.content


def test_endpoints_are_in_the_openapi_schema(client, author):
    client.force_login(author)
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "post" in schema["paths"]["/api/v1/packages/"]
    assert "get" in schema["paths"]["/api/v1/packages/{package_id}/"]
    post = schema["paths"]["/api/v1/packages/"]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"201", "400", "403"} <= set(post["responses"])


def test_list_queries_do_not_grow_with_packages(client, author):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(author)
    client.post("/api/v1/packages/", {"file": zip_file(b.scorm12())})
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/packages/").status_code == 200
    client.post("/api/v1/packages/", {"file": zip_file(b.multi_au_cmi5())})
    client.post("/api/v1/packages/", {"file": zip_file(b.scorm2004())})
    with CaptureQueriesContext(connection) as three:
        response = client.get("/api/v1/packages/")
    assert len(response.json()) == 3
    assert 0 < len(three.captured_queries) == len(one.captured_queries)


def test_a_reimport_answers_updated_with_the_previous_version_and_the_changes(client, author):
    client.force_login(author)
    first = client.post("/api/v1/packages/", {"file": zip_file(b.one_au_cmi5())}).json()
    assert first["package"]["updated"] is False and first["package"]["previous_version"] is None
    assert first["changes"] == {"added": [], "removed": [], "renamed": []}
    second_xml = b.cmi5_xml(
        [
            b.au(f"{b.COURSE_ID}/au/1", "Introducción al curso", "au1/index.html"),
            b.au(f"{b.COURSE_ID}/au/2", "Cierre", "au1/index.html"),
        ],
        title="Robótica 2",
    )
    data = b.make_zip({"cmi5.xml": second_xml, "au1/index.html": b.PAGE})
    response = client.post("/api/v1/packages/", {"file": zip_file(data)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["package"]["id"] == first["package"]["id"]
    assert body["package"]["created"] is False and body["package"]["updated"] is True
    assert body["package"]["version"] == 2 and body["package"]["previous_version"] == 1
    assert body["package"]["previous_title"] == "Robótica"
    assert body["changes"]["added"] == [{"identifier": f"{b.COURSE_ID}/au/2", "title": "Cierre"}]
    assert body["changes"]["renamed"] == [
        {
            "identifier": f"{b.COURSE_ID}/au/1",
            "title": "Introducción al curso",
            "previous_title": "Introducción",
        }
    ]
    third = b.make_zip(
        {
            "cmi5.xml": b.cmi5_xml([b.au(f"{b.COURSE_ID}/au/2", "Cierre", "au1/index.html")]),
            "au1/index.html": b.PAGE,
        }
    )
    body = client.post("/api/v1/packages/", {"file": zip_file(third)}).json()
    # Its lesson is named; an AU without moveOn (NotApplicable) never made it count.
    assert body["changes"]["removed"] == [
        {
            "identifier": f"{b.COURSE_ID}/au/1",
            "title": "Introducción al curso",
            "learners": 0,
            "lesson_id": first["lessons"][0]["id"],
            "lesson_title": "Introducción al curso",
            "lesson_stops_counting": False,
        }
    ]
    # A unit retired by one version and back in the next is reported as added again.
    body = client.post("/api/v1/packages/", {"file": zip_file(data)}).json()
    assert [c["identifier"] for c in body["changes"]["added"]] == [f"{b.COURSE_ID}/au/1"]
    assert body["changes"]["removed"] == []


def test_the_schema_documents_the_reimport_fields(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    components = schema["components"]["schemas"]
    imported = components["ImportedPackage"]["properties"]
    assert {"updated", "previous_version", "previous_title"} <= imported.keys()
    changes = components["UnitChanges"]["properties"]
    assert set(changes) == {"added", "removed", "renamed"}
    assert "changes" in components["ImportResult"]["required"]
    removed = components["RemovedUnit"]["properties"]
    assert {"lesson_id", "lesson_title", "lesson_stops_counting"} <= removed.keys()
