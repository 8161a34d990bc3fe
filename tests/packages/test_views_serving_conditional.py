"""Served package files, what test_views_serving.py leaves out: ``If-Range`` (a player resuming
a download of a file that has since changed gets the whole file, not a stale piece), ``HEAD``
(players probe media with it), other methods refused, a 206 keeping the caching headers, and
the content types of audio, styles, images and captions an authoring tool's export holds."""

from __future__ import annotations

import pytest

from packages.services import package_import
from packages.views import content_type_for
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def video_url(author, client) -> str:
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    client.force_login(author)
    return f"/packages/{result.version.uuid}/sco/video.mp4"


def test_if_range_with_the_current_etag_gets_the_range(client, video_url):
    etag = client.get(video_url)["ETag"]
    response = client.get(video_url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert response.status_code == 206
    assert b"".join(response.streaming_content) == b.VIDEO[:10]
    assert response["ETag"] == etag
    assert response["Cache-Control"].startswith("private, max-age=")
    assert response["Accept-Ranges"] == "bytes"


def test_if_range_with_another_etag_gets_the_whole_file(client, video_url):
    response = client.get(video_url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"otra-version"')
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b.VIDEO
    assert "Content-Range" not in response


def test_head_answers_the_headers_without_a_body(client, video_url):
    response = client.head(video_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "video/mp4"
    assert response["Content-Length"] == str(len(b.VIDEO))
    assert response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == b""


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_other_methods_are_refused(client, video_url, method):
    assert getattr(client, method)(video_url).status_code == 405


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("audio/voz.mp3", "audio/mpeg"),
        ("audio/voz.m4a", "audio/mp4"),
        ("css/story.css", "text/css"),
        ("img/logo.svg", "image/svg+xml"),
        ("img/foto.png", "image/png"),
        ("video/clase.webm", "video/webm"),
        ("subtitulos/es.vtt", "text/vtt"),
        ("story.html", "text/html"),
        ("data/quiz.xml", "application/xml"),
    ],
)
def test_content_types_of_common_export_files(name, expected):
    assert content_type_for(name).split(";")[0] == expected
