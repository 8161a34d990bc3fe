"""The tracking script and the progress section that the progress app adds to course pages."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from courses.selectors import course_outline
from learners.models import Enrollment
from lrs.identity import learner_actor
from tests.courses.factories import build_course
from tests.progress.engine_support import lesson_statement, make_learner, store

pytestmark = pytest.mark.django_db


@pytest.fixture
def course():
    return build_course(modules=1, lessons=2, passing_score=70)


def tracking_config(html: str) -> dict | None:
    match = re.search(
        r'<script id="capacita-tracking" type="application/json">(.*?)</script>', html, re.S
    )
    return json.loads(match.group(1)) if match else None


def test_signed_in_learners_get_the_tracking_script_with_their_own_actor(course):
    outline = course_outline(course_id=course.pk)
    lesson = outline.lessons[0]
    user = make_learner()
    client = Client()
    client.force_login(user)
    html = client.get(lesson.url).content.decode()
    assert "progress/tracking.js" in html
    config = tracking_config(html)
    assert config["actor"] == learner_actor(user=user)
    assert config["endpoint"] == "/xapi/statements"
    assert config["lesson"] == lesson.activity_id
    assert config["module"] == outline.modules[0].activity_id
    assert config["course"] == outline.activity_id
    assert config["checks"] == list(lesson.knowledge_check_ids)
    assert config["csrfToken"]
    # No personal data in what the page hands to the script.
    assert user.username not in json.dumps(config)


def test_anonymous_readers_are_not_tracked(course):
    html = Client().get(course_outline(course_id=course.pk).lessons[0].url).content.decode()
    assert tracking_config(html) is None and "progress/tracking.js" not in html


def test_the_course_page_shows_progress_and_where_to_continue_to_enrolled_learners(course):
    outline = course_outline(course_id=course.pk)
    user = make_learner()
    client = Client()
    client.force_login(user)
    assert 'id="course-progress"' not in client.get(outline.url).content.decode()

    Enrollment.objects.create(user=user, course=course)
    html = client.get(outline.url).content.decode()
    assert 'data-percent="0"' in html and f'href="{outline.lessons[0].url}"' in html

    store(lesson_statement(user, "passed", outline.lessons[0].activity_id, scaled=1.0))
    html = client.get(outline.url).content.decode()
    assert 'data-percent="50"' in html
    assert "Continuar donde te quedaste" in html
    assert f'href="{outline.lessons[1].url}" data-resume' in html


def test_the_tracking_script_is_served():
    from django.contrib.staticfiles import finders

    with open(finders.find("progress/tracking.js"), encoding="utf-8") as script:
        source = script.read()
    assert "crypto.randomUUID" in source and "localStorage" in source


def test_a_preview_records_nothing_and_shows_no_learner_header(course, rf):
    # A reviewer previewing a draft (Wagtail preview, workflow preview) is not a learner:
    # no tracking script (so no statement), no account links, no offline queue banner.
    from courses.models import LessonPage

    lesson = LessonPage.objects.get(pk=course_outline(course_id=course.pk).lessons[0].id)
    reviewer = make_learner()
    client = Client()
    client.force_login(reviewer)
    # The preview request goes through the middleware with the editor's session cookie.
    original = rf.get("/admin/pages/", HTTP_COOKIE=f"sessionid={client.cookies['sessionid'].value}")
    original.user = reviewer
    response = lesson.make_preview_request(original_request=original)
    html = response.content.decode()
    assert response.status_code == 200 and lesson.title in html
    assert tracking_config(html) is None and "progress/tracking.js" not in html
    assert "Mis credenciales" not in html and "Salir" not in html
    assert 'id="connection-status"' not in html and "offline.js" not in html
