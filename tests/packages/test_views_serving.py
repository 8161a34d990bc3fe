"""Serving packages' files from Capacita's origin: types, ranges, caching headers, who may
read them, and nothing outside the package."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage

from learners.models import Enrollment
from packages.models import PackageUnit, PackageVersion
from packages.services import package_import
from packages.views import content_type_for, parse_range
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def scorm(author):
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    return result


def url(version: PackageVersion, path: str) -> str:
    return f"/packages/{version.uuid}/{path}"


def test_staff_gets_the_file_with_type_and_headers(client, author, scorm):
    client.force_login(author)
    response = client.get(url(scorm.version, "sco/index.html"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b.PAGE
    assert response["Content-Type"] == "text/html"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Cache-Control"].startswith("private, max-age=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert response["ETag"].startswith('"')
    assert response["Content-Length"] == str(len(b.PAGE))
    again = client.get(url(scorm.version, "sco/index.html"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("header", "status", "first", "last"),
    [
        ("bytes=0-99", 206, 0, 99),
        ("bytes=10000-", 206, 10000, 10239),
        ("bytes=-40", 206, 10200, 10239),
        ("bytes=10200-999999", 206, 10200, 10239),
    ],
)
def test_single_ranges_get_206(client, author, scorm, header, status, first, last):
    client.force_login(author)
    response = client.get(url(scorm.version, "sco/video.mp4"), HTTP_RANGE=header)
    assert response.status_code == status
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(b.VIDEO)}"
    body = b"".join(response.streaming_content)
    assert body == b.VIDEO[first : last + 1]
    assert response["Content-Length"] == str(len(body))


@pytest.mark.parametrize("header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0"])
def test_unsatisfiable_ranges_get_416(client, author, scorm, header):
    client.force_login(author)
    response = client.get(url(scorm.version, "sco/video.mp4"), HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(b.VIDEO)}"


def test_multiple_ranges_and_other_units_get_the_whole_file(client, author, scorm):
    client.force_login(author)
    for header in ("bytes=0-1,5-6", "items=0-1"):
        response = client.get(url(scorm.version, "sco/video.mp4"), HTTP_RANGE=header)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b.VIDEO


def test_content_types_table():
    assert content_type_for("a/app.js") == "text/javascript"
    assert content_type_for("m.mjs") == "text/javascript"
    assert content_type_for("d.json") == "application/json"
    assert content_type_for("f.woff2") == "font/woff2"
    assert content_type_for("v.MP4") == "video/mp4"
    assert content_type_for("c.vtt") == "text/vtt"
    assert content_type_for("x.unknownext") == "application/octet-stream"


def test_parse_range_edges():
    assert parse_range("", 10) is None
    assert parse_range("bytes=5-2", 10) is None
    assert parse_range("bytes=0-0", 10) == (0, 0)
    assert parse_range("bytes=-20", 10) == (0, 9)
    assert parse_range("bytes=10-", 10) is False
    assert parse_range("bytes=0-", 0) is False


def test_anonymous_is_sent_to_login(client, scorm, settings):
    response = client.get(url(scorm.version, "sco/index.html"))
    assert response.status_code == 302
    from django.shortcuts import resolve_url

    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=/packages/")


def test_a_teacher_not_enrolled_gets_403_and_an_enrolled_one_gets_the_file(client, teacher, scorm):
    client.force_login(teacher)
    assert client.get(url(scorm.version, "sco/index.html")).status_code == 403
    enrollment = Enrollment.objects.create(user=teacher, course=scorm.course)
    assert client.get(url(scorm.version, "sco/index.html")).status_code == 200
    enrollment.status = Enrollment.Status.UNENROLLED
    enrollment.save()
    assert client.get(url(scorm.version, "sco/index.html")).status_code == 403


def test_a_teacher_of_a_course_that_places_the_unit_may_read_it(client, teacher, author, scorm):
    from tests.courses.factories import (
        CoursePageFactory,
        LessonPageFactory,
        ModulePageFactory,
        spanish_catalog,
    )

    other = CoursePageFactory(parent=spanish_catalog())
    lesson = LessonPageFactory(parent=ModulePageFactory(parent=other))
    unit = PackageUnit.objects.get(package=scorm.package)
    lesson.body = [("packaged_content", {"unit": str(unit.uuid)})]
    lesson.save_revision(user=author).publish()
    Enrollment.objects.create(user=teacher, course=other)
    client.force_login(teacher)
    assert client.get(url(scorm.version, "sco/index.html")).status_code == 200
    lesson.refresh_from_db()
    lesson.body = []
    lesson.save_revision(user=author).publish()
    assert client.get(url(scorm.version, "sco/index.html")).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "../../../etc/passwd",
        "%2e%2e/%2e%2e/imsmanifest.xml",
        "sco/%2e%2e/%2e%2e/x",
        "sco/..%2fimsmanifest.xml",
        "%2fetc%2fpasswd",
        "sco%5cindex.html",
        "sco\\index.html",
        "./sco/index.html",
        "sco//index.html",
        "C:/x",
        "missing.html",
    ],
)
def test_nothing_outside_the_package_is_reachable(client, author, scorm, path):
    # A file the package does not list, next to its prefix in storage.
    default_storage.save(f"{scorm.version.storage_prefix.rstrip('/')}-secret.txt", b.upload(b"no"))
    client.force_login(author)
    response = client.get(f"/packages/{scorm.version.uuid}/{path}")
    assert response.status_code == 404


def test_another_versions_files_are_not_reachable_through_this_one(client, author, scorm):
    other = package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    client.force_login(author)
    assert client.get(url(scorm.version, "au1/index.html")).status_code == 404
    assert client.get(url(other.version, "au1/index.html")).status_code == 200


def test_unknown_version_is_404(client, author):
    client.force_login(author)
    response = client.get("/packages/00000000-0000-0000-0000-000000000000/index.html")
    assert response.status_code == 404


def test_the_staff_flag_without_admin_access_is_not_enough(client, scorm):
    user = get_user_model().objects.create_user("x@example.mx", "x@example.mx", "x", is_staff=True)
    client.force_login(user)
    assert client.get(url(scorm.version, "sco/index.html")).status_code == 403


@pytest.mark.services
def test_serving_from_s3_alike(client, author, s3_storage):
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    keys = s3_storage["client"].list_objects_v2(Bucket=s3_storage["bucket"])["Contents"]
    assert {k["Key"] for k in keys} >= {result.version.storage_name("sco/video.mp4")}
    client.force_login(author)
    response = client.get(url(result.version, "sco/video.mp4"), HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b.VIDEO[100:200]


@pytest.mark.services
def test_ranges_from_s3_are_read_with_ranged_gets_not_whole_downloads(
    client, author, s3_storage, monkeypatch
):
    """S3File downloads the whole object before its first byte: a seek into a long video
    would cost the whole video on every range request. The view asks S3 for the range."""
    from storages.backends.s3 import S3File

    result = package_import(upload=b.upload(b.scorm12()), user=author)

    def whole_download(self):
        raise AssertionError("the whole object was downloaded")

    monkeypatch.setattr(S3File, "_get_file", whole_download)
    ranges: list[str] = []
    s3_client = s3_storage["client"]  # the test's own client: watch the storage's instead
    from django.core.files.storage import default_storage

    default_storage.connection.meta.client.meta.events.register(
        "provide-client-params.s3.GetObject",
        lambda params, **kw: ranges.append(params.get("Range")),
    )
    client.force_login(author)
    video = url(result.version, "sco/video.mp4")
    response = client.get(video, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b.VIDEO[100:200]
    whole = client.get(video)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == b.VIDEO
    assert ranges == ["bytes=100-199", f"bytes=0-{len(b.VIDEO) - 1}"]
    assert s3_client is not default_storage.connection.meta.client


@pytest.mark.services
def test_a_file_missing_from_s3_is_404(client, author, s3_storage):
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    s3_storage["client"].delete_object(
        Bucket=s3_storage["bucket"], Key=result.version.storage_name("sco/video.mp4")
    )
    client.force_login(author)
    assert client.get(url(result.version, "sco/video.mp4")).status_code == 404
    response = client.get(url(result.version, "sco/video.mp4"), HTTP_RANGE="bytes=0-9")
    assert response.status_code == 404
