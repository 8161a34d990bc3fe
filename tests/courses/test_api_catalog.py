"""Catalog API (/api/v1/courses/) and grading API (/api/v1/lessons/{id}/checks/{block}/grade/)."""

import json

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient
from wagtail.models import Locale

from courses.models import LessonPage, Sector, Skill, Topic
from tests.courses import factories

pytestmark = pytest.mark.django_db

LIST_URL = "/api/v1/courses/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def catalog_courses():
    """Three live courses with distinct facets, and one unpublished."""
    automotriz = Sector.objects.get(slug="automotriz")
    textil = Sector.objects.get(slug="textil")
    ia = Topic.objects.get(slug="inteligencia-artificial")
    robotica = Topic.objects.get(slug="robotica")
    ingles = Skill.objects.get(slug="ingles")
    ai = factories.build_course(
        title="IA", slug="ia", level="basico", estimated_hours=10, language="es-mx"
    )
    ai.sectors.set([automotriz])
    ai.topics.set([ia])
    ai.save()
    robots = factories.build_course(
        title="Robots", slug="robots", level="avanzado", estimated_hours=40, language="en"
    )
    robots.sectors.set([textil, automotriz])
    robots.topics.set([robotica])
    robots.skills.set([ingles])
    robots.save()
    data = factories.build_course(
        title="Datos", slug="datos", level="intermedio", estimated_hours=20, language="es-mx"
    )
    draft = factories.build_course(title="Borrador", slug="borrador")
    draft.unpublish()
    return {"ia": ai, "robots": robots, "datos": data, "draft": draft}


def titles(response):
    return sorted(item["title"] for item in response.json()["results"])


def test_list_is_public_and_has_the_contract_fields(api, catalog_courses):
    response = api.get(LIST_URL)
    assert response.status_code == 200
    assert titles(response) == ["Datos", "IA", "Robots"]
    item = next(i for i in response.json()["results"] if i["title"] == "Robots")
    course = catalog_courses["robots"]
    assert item["id"] == course.pk
    assert item["activity_id"] == course.activity_id
    assert item["url"] == "http://testserver/robots/"
    assert item["sectors"] == ["automotriz", "textil"]
    assert item["topics"] == ["robotica"]
    assert item["skills"] == ["ingles"]
    assert (item["level"], item["estimated_hours"], item["language"]) == ("avanzado", 40, "en")
    assert item["locale"] == "es-mx"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sector=automotriz", ["IA", "Robots"]),
        ("sector=textil", ["Robots"]),
        ("topic=inteligencia-artificial", ["IA"]),
        ("skill=ingles", ["Robots"]),
        ("level=intermedio", ["Datos"]),
        ("language=en", ["Robots"]),
        ("min_hours=20", ["Datos", "Robots"]),
        ("max_hours=20", ["Datos", "IA"]),
        ("min_hours=15&max_hours=25", ["Datos"]),
        ("sector=automotriz&level=basico", ["IA"]),
        ("sector=calzado", []),
    ],
)
def test_each_filter_narrows_the_list(api, catalog_courses, query, expected):
    response = api.get(f"{LIST_URL}?{query}")
    assert response.status_code == 200
    assert titles(response) == expected


@pytest.mark.parametrize(
    ("query", "field", "rule"),
    [
        ("sector=marte", "sector", "invalid_choice"),
        ("level=experto", "level", "invalid_choice"),
        ("language=fr", "language", "invalid_choice"),
        ("min_hours=muchas", "min_hours", "invalid"),
        ("max_hours=-1", "max_hours", "min_value"),
        ("min_hours=30&max_hours=10", "max_hours", "min_value"),
        ("locale=fr", "locale", "invalid_choice"),
    ],
)
def test_bad_filters_are_400_naming_the_field(api, catalog_courses, query, field, rule):
    response = api.get(f"{LIST_URL}?{query}")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == (field, rule)


def test_list_by_locale_shows_the_english_translation(api, catalog_courses):
    english = Locale.objects.get(language_code="en")
    course = catalog_courses["ia"]
    translated = course.copy_for_translation(english)
    translated.title = "AI"
    translated.save_revision().publish()
    response = api.get(f"{LIST_URL}?locale=en")
    # Each course once: the translation where there is one, else the Spanish original.
    assert titles(response) == ["AI", "Datos", "Robots"]
    items = {item["title"]: item for item in response.json()["results"]}
    assert items["AI"]["activity_id"] == course.activity_id
    assert items["AI"]["url"] == "http://testserver/en/ia/"
    assert items["AI"]["locale"] == "en"
    assert items["Datos"]["locale"] == "es-mx"
    assert titles(api.get(f"{LIST_URL}?locale=es-mx")) == ["Datos", "IA", "Robots"]
    assert titles(api.get(f"{LIST_URL}?locale=en&language=en")) == ["Robots"]


def test_list_query_count_is_bounded_whatever_the_number_of_courses(
    api, catalog_courses, django_assert_max_num_queries
):
    for n in range(5):
        factories.build_course(slug=f"extra-{n}", modules=1, lessons=1)
    api.get(LIST_URL)  # warm Wagtail's site-root cache
    with django_assert_max_num_queries(10):
        response = api.get(LIST_URL)
    assert response.json()["count"] == 8


def test_detail_has_modules_lessons_and_activity_ids(api, catalog_courses):
    course = catalog_courses["ia"]
    response = api.get(f"{LIST_URL}{course.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["activity_id"] == course.activity_id
    assert [m["title"] for m in body["modules"]] == ["Módulo 1", "Módulo 2"]
    lessons = body["modules"][0]["lessons"]
    first = LessonPage.objects.get(pk=lessons[0]["id"])
    assert lessons[0] == {
        "id": first.pk,
        "title": "Lección 1.1",
        "url": "http://testserver/ia/modulo-1/leccion-1-1/",
        "activity_id": first.activity_id,
        "has_knowledge_check": True,
        "knowledge_check_ids": ["kc-1"],
        "required": True,
        "estimated_minutes": 15,
    }
    assert lessons[1]["has_knowledge_check"] is False
    assert body["modules"][0]["activity_id"].startswith("http://testserver/xapi/activities/module/")


def test_detail_query_count_is_bounded(api, catalog_courses, django_assert_max_num_queries):
    course = factories.build_course(slug="grande", modules=4, lessons=4)
    api.get(f"{LIST_URL}{course.pk}/")
    with django_assert_max_num_queries(10):
        response = api.get(f"{LIST_URL}{course.pk}/")
    assert sum(len(m["lessons"]) for m in response.json()["modules"]) == 16


def test_no_answers_or_feedback_leak_from_list_or_detail(api, catalog_courses):
    course = catalog_courses["ia"]
    for url in (LIST_URL, f"{LIST_URL}{course.pk}/"):
        text = json.dumps(api.get(url).json())
        for secret in ("is_correct", "FEEDBACK-", "EXPLANATION-", "feedback"):
            assert secret not in text


@pytest.mark.parametrize("which", ["draft", "missing", "lesson"])
def test_detail_404_for_unknown_unpublished_or_non_course_ids(api, catalog_courses, which):
    if which == "draft":
        pk = catalog_courses["draft"].pk
    elif which == "lesson":
        pk = LessonPage.objects.first().pk
    else:
        pk = 999_999
    response = api.get(f"{LIST_URL}{pk}/")
    assert response.status_code == 404
    assert response.json()["errors"][0]["rule"] == "not_found"


def test_catalog_api_is_read_only(api, catalog_courses):
    assert api.post(LIST_URL, {}, format="json").status_code == 405
    course = catalog_courses["ia"]
    assert api.delete(f"{LIST_URL}{course.pk}/").status_code == 405


# --- grading ---------------------------------------------------------------------------------


def grade_url(lesson, block_id="kc-1"):
    return f"/api/v1/lessons/{lesson.pk}/checks/{block_id}/grade/"


@pytest.fixture
def lesson(catalog_courses):
    return LessonPage.objects.descendant_of(catalog_courses["ia"]).order_by("path").first()


def test_anonymous_visitor_can_grade_and_gets_score_and_feedback(api, lesson):
    response = api.post(
        grade_url(lesson), {"answers": {"q1": ["o1a"], "q2": ["o2b"]}}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["score"] == {"raw": 1, "min": 0, "max": 2, "scaled": 0.5}
    assert (body["pass_mark"], body["passed"]) == (50, True)
    assert body["questions"][0] == {
        "id": "q1",
        "correct": True,
        "selected": ["o1a"],
        "feedback": ["FEEDBACK-OK-1A"],
        "explanation": "EXPLANATION-1",
    }
    assert body["questions"][1]["feedback"] == ["FEEDBACK-KO-2B"]
    # Grading reveals no answer key beyond the chosen options' feedback.
    assert "is_correct" not in json.dumps(body)


def test_signed_in_learner_grades_with_csrf_enforced_session(lesson):
    user = get_user_model().objects.create_user("docente1", password="x")
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(grade_url(lesson), {"answers": {}}, format="json")
    assert response.status_code == 403  # no CSRF token: session writes need one


@pytest.mark.parametrize(
    ("payload", "field", "rule"),
    [
        ({"answers": {"zz": ["o1a"]}}, "answers.zz", "unknown_question"),
        ({"answers": {"q1": ["o9"]}}, "answers.q1", "unknown_option"),
        ({"answers": {"q1": ["o1a", "o1b"]}}, "answers.q1", "single_choice"),
        ({"answers": {"q1": "o1a"}}, "answers.q1", "not_a_list"),
        ({"answers": []}, "answers", "not_a_dict"),
        ({}, "answers", "required"),
    ],
)
def test_grading_bad_input_is_400_naming_the_field(api, lesson, payload, field, rule):
    response = api.post(grade_url(lesson), payload, format="json")
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == (field, rule)


def test_grading_unknown_block_lesson_or_unpublished_lesson_is_404(api, lesson):
    assert api.post(grade_url(lesson, "nope"), {"answers": {}}, format="json").status_code == 404
    lesson_without_check = LessonPage.objects.exclude(pk=lesson.pk).first()
    response = api.post(grade_url(lesson_without_check), {"answers": {}}, format="json")
    assert response.status_code == 404
    assert (
        api.post(
            "/api/v1/lessons/999999/checks/kc-1/grade/", {"answers": {}}, format="json"
        ).status_code
        == 404
    )
    lesson.unpublish()
    assert api.post(grade_url(lesson), {"answers": {}}, format="json").status_code == 404


def test_grading_only_accepts_post(api, lesson):
    assert api.get(grade_url(lesson)).status_code == 405


def test_grading_is_throttled(api, lesson, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LMS_KNOWLEDGE_CHECK_RATE = "2/min"
    codes = [
        api.post(grade_url(lesson), {"answers": {}}, format="json").status_code for _ in range(3)
    ]
    cache.clear()
    assert codes == [200, 200, 429]


def test_openapi_schema_documents_catalog_and_grading(api):
    response = api.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/courses/" in paths
    assert "/api/v1/courses/{course_id}/" in paths
    grade = paths["/api/v1/lessons/{lesson_id}/checks/{block_id}/grade/"]["post"]
    assert {"200", "400", "404"} <= set(grade["responses"])
    params = {p["name"] for p in paths["/api/v1/courses/"]["get"]["parameters"]}
    assert {"sector", "topic", "skill", "level", "language", "min_hours", "max_hours"} <= params
    assert api.get("/api/v1/docs/").status_code == 200
