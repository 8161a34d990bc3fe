"""The service worker view and which pages it may keep for offline reading (courses/offline.py),
and the size estimate of saving a course (courses.selectors.course_offline_package)."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model

from courses import offline
from courses.models import LessonPage
from courses.selectors import LESSON_PAGE_BYTES, course_offline_package, course_outline
from learners.models import Enrollment
from tests.courses import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return factories.build_course(slug="sin-conexion", modules=1, lessons=2)


@pytest.fixture
def reader(client):
    user = get_user_model().objects.create_user("lectora", password="x")
    client.force_login(user)
    return user


def test_the_worker_is_served_at_the_root_for_the_whole_site_and_never_stale(client):
    offline._worker_source.cache_clear()
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    digest = hashlib.sha256()
    for name in offline.VERSIONED:
        digest.update(open(finders.find(name), "rb").read())  # noqa: SIM115
    # A deploy that changes the worker or its scripts is a new version (a new worker).
    assert f'var VERSION = "{digest.hexdigest()[:12]}";' in source
    assert "__VERSION__" not in source
    assert client.post("/sw.js").status_code == 405
    assert client.get("/en/sw.js").status_code == 404  # one worker, at the root only


def test_the_worker_keeps_only_marked_pages_and_never_admin_api_or_account_paths():
    source = open(finders.find(offline.SW_SOURCE), encoding="utf-8").read()  # noqa: SIM115
    assert 'response.headers.get("X-Capacita-Offline") === "page"' in source
    never = re.search(r"var NEVER = /(.+)/;", source).group(1)
    pattern = re.compile(never.replace("\\/", "/"))
    for path in (
        "/admin/",
        "/api/v1/me/",
        "/xapi/statements",
        "/cuenta/perfil/",
        "/en/cuenta/perfil/",
        "/credentials/wallet/",
        "/django-admin/",
    ):
        assert pattern.search(path), path
    for path in ("/", "/en/", "/curso/modulo-1/leccion-1-1/"):
        assert not pattern.search(path), path


def test_a_signed_in_reader_s_course_and_lesson_pages_are_marked_for_offline(
    client, course, reader
):
    outline = course_outline(course_id=course.pk)
    for url in (outline.url, outline.lessons[0].url):
        response = client.get(url)
        assert response.status_code == 200
        assert response[offline.OFFLINE_HEADER] == "page"
        assert response["Cache-Control"] == "private, no-cache"
        assert "Cookie" in response["Vary"]


def test_signed_out_pages_post_backs_and_personal_pages_are_never_marked(client, course):
    outline = course_outline(course_id=course.pk)
    lesson = outline.lessons[0]
    assert offline.OFFLINE_HEADER not in client.get(lesson.url)
    assert offline.OFFLINE_HEADER not in client.get(outline.url)
    user = get_user_model().objects.create_user("lector", password="x")
    client.force_login(user)
    # The no-JS POST-back carries graded answers: it must never be kept.
    answered = client.post(lesson.url, {"block_id": "kc-1", "q-q1": "o1a", "q-q2": "o2b"})
    assert answered.status_code == 200 and "Obtuviste" in answered.content.decode()
    assert offline.OFFLINE_HEADER not in answered
    assert offline.OFFLINE_HEADER not in client.get("/cuenta/perfil/")
    assert offline.OFFLINE_HEADER not in client.get("/")  # the catalog is not a course page


def test_every_page_has_the_connection_status_box(client, course):
    html = client.get("/").content.decode()
    assert 'id="connection-status" class="connection-status" role="status"' in html
    assert 'data-signed-in="false"' in html
    assert "Estás sin conexión." in html and "data-offline hidden" in html
    english = client.get("/en/").content.decode()
    assert "You are offline." in english and "{n} progress records waiting to be sent" in english


def _photo(size: tuple[int, int]) -> object:
    buffer = BytesIO()
    PILImage.new("RGB", size, "white").save(buffer, "PNG")
    return get_image_model().objects.create(title="f", file=ImageFile(buffer, name="f.png"))


def test_the_offline_estimate_counts_every_live_lesson_and_its_images(course, settings):
    image = _photo((1440, 600))
    lesson = LessonPage.objects.descendant_of(course).order_by("path").last()
    lesson.body = [
        *lesson.body.raw_data,
        {
            "type": "image",
            "id": str(uuid.uuid4()),
            "value": {"image": image.pk, "alt_text": "", "caption": ""},
        },
    ]
    lesson.save_revision().publish()
    draft = factories.LessonPageFactory(parent=lesson.get_parent(), live=False)
    package = course_offline_package(course_id=course.pk)
    assert draft.url not in package.lesson_urls and len(package.lesson_urls) == 2
    assert package.image_count == 1
    # Its size unknown, the image is guessed at a quarter byte a pixel, at 720 px wide (a
    # quarter of its area at 1440 px).
    assert package.estimated_bytes == 2 * LESSON_PAGE_BYTES + 1440 * 600 // 4 // 4
    image.file_size = 400_000
    image.save()
    package = course_offline_package(course_id=course.pk)
    assert package.estimated_bytes == 2 * LESSON_PAGE_BYTES + 400_000 // 4
    assert package.budget_bytes == 25 * 1024 * 1024 and package.fits

    settings.LMS_OFFLINE_COURSE_BUDGET_MB = 0
    package = course_offline_package(course_id=course.pk)
    assert package.budget_bytes == 0 and not package.fits


def test_only_an_enrolled_learner_is_offered_to_save_the_course(client, course, reader):
    outline = course_outline(course_id=course.pk)
    assert 'id="offline-save"' not in client.get(outline.url).content.decode()
    Enrollment.objects.create(user=reader, course=course)
    html = client.get(outline.url).content.decode()
    assert "Guardar para leer sin conexión" in html
    assert "el límite es de 25 MB por curso" in html
    manifest = json.loads(
        re.search(r'id="capacita-offline-manifest"[^>]*>(.*?)</script>', html, re.S).group(1)
    )
    assert manifest["lessons"] == [lesson.url for lesson in outline.lessons]
    assert manifest["budget"] == 25 * 1024 * 1024
    assert manifest["course"] == course.pk
    assert manifest["page"] == outline.url
    client.logout()
    assert 'id="offline-save"' not in client.get(outline.url).content.decode()


def test_a_one_lesson_course_is_about_0_1_mb_never_0_0(client, reader):
    # 50 KB rounds to "0.0 MB", which reads as nothing to save.
    small = factories.build_course(slug="corto", modules=1, lessons=1)
    Enrollment.objects.create(user=reader, course=small)
    html = client.get(course_outline(course_id=small.pk).url).content.decode()
    assert "unos 0.0 MB" not in html and "unos 0.1 MB" in html
