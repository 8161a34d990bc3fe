"""load_demo: builds the course tree from JSON files, idempotently, with English translations."""

import json
import re
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from wagtail.models import Page, Revision, Site

from courses.demo import DemoContentError, load_demo_courses
from courses.models import CoursePage, LessonPage, ModulePage
from courses.services import knowledge_check_grade

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"


def tree_snapshot():
    return sorted(
        (p.url_path, p.locale.language_code, str(p.translation_key), p.live)
        for p in Page.objects.select_related("locale")
    )


def run(*args, **env):
    out = StringIO()
    call_command("load_demo", "--content-dir", str(DATA), *args, stdout=out)
    return out.getvalue()


def test_load_demo_builds_the_spanish_course_and_its_english_translation(settings):
    settings.LMS_DEMO_PASSWORD = ""
    settings.LMS_SITE_URL = "http://127.0.0.1:8765"
    output = run("--site-url", "http://127.0.0.1:8765")
    course = CoursePage.objects.get(slug="mini-curso-de-sensores", locale__language_code="es-mx")
    assert course.live and course.url == "/mini-curso-de-sensores/"
    assert [s.slug for s in course.sectors.all()] == ["automotriz"]
    assert [m.title for m in ModulePage.objects.child_of(course)] == ["Sensores"]
    lessons = list(LessonPage.objects.descendant_of(course).order_by("path"))
    assert [lesson.required for lesson in lessons] == [True, False]
    assert lessons[0].has_knowledge_check
    english = course.get_translation(course.get_translations().get().locale).specific
    assert english.title == "Mini sensors course"
    assert english.url == "/en/mini-curso-de-sensores/"
    assert english.language == "en"
    assert english.activity_id == course.activity_id
    english_lesson = lessons[0].get_translation(english.locale).specific
    assert english_lesson.live and english_lesson.title == "What is a sensor?"
    # The knowledge check keeps its ids in both languages: one activity, one grading key.
    assert english_lesson.knowledge_check_ids == lessons[0].knowledge_check_ids
    assert "Mini curso de sensores: http://127.0.0.1:8765/mini-curso-de-sensores/" in output
    assert "docente" in output and "monitor_sep" in output


def test_load_demo_is_idempotent(settings):
    settings.LMS_DEMO_PASSWORD = "demo-pass-123"
    run()
    before = tree_snapshot()
    revisions = Revision.objects.count()
    output = run()
    assert tree_snapshot() == before
    assert Revision.objects.count() == revisions
    assert "0 pages created, 0 updated" in output
    assert get_user_model().objects.filter(username="docente").count() == 1


def test_load_demo_updates_changed_content_in_place(tmp_path):
    shutil.copy(DATA / "mini_course.json", tmp_path / "mini_course.json")
    load_demo_courses(content_dir=tmp_path)
    lesson = LessonPage.objects.get(slug="calibracion", locale__language_code="es-mx")
    key = lesson.translation_key
    data = json.loads((tmp_path / "mini_course.json").read_text())
    data["modules"][0]["lessons"][1]["title"] = "Calibración de sensores"
    (tmp_path / "mini_course.json").write_text(json.dumps(data))
    report = load_demo_courses(content_dir=tmp_path)
    lesson = LessonPage.objects.get(slug="calibracion", locale__language_code="es-mx")
    assert lesson.title == "Calibración de sensores"
    assert lesson.translation_key == key
    assert report.updated == 1 and report.created == 0


def test_demo_knowledge_check_grades(settings):
    run()
    lesson = LessonPage.objects.get(slug="que-es-un-sensor", locale__language_code="es-mx")
    check = next(block for block in lesson.body if block.block_type == "knowledge_check")
    questions = check.value["questions"].bound_blocks
    right = {
        q.id: [o.id for o in q.value["options"].bound_blocks if o.value["is_correct"]]
        for q in questions
    }
    result = knowledge_check_grade(lesson_id=lesson.pk, block_id=check.id, answers=right)
    assert result.passed and result.raw == 2


def test_site_url_sets_the_default_site_host_and_port(settings):
    settings.LMS_SITE_URL = "https://capacita.example.mx"
    run()
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("capacita.example.mx", 443)
    assert site.root_page.specific.locale.language_code == "es-mx"
    settings.LMS_SITE_URL = "http://127.0.0.1:8000"
    run("--site-url", "http://127.0.0.1:8000/")
    site = Site.objects.get(is_default_site=True)
    assert (site.hostname, site.port) == ("127.0.0.1", 8000)
    assert Site.objects.count() == 1


def test_a_site_url_other_than_the_one_links_are_built_from_is_refused(settings):
    # Links, activity IRIs and credential ids all come from LMS_SITE_URL, in this process and
    # in the server started next: a demo loaded for another address would link nowhere.
    settings.LMS_SITE_URL = "http://127.0.0.1:8000"
    with pytest.raises(CommandError, match=re.escape("LMS_SITE_URL=http://127.0.0.1:8765")):
        run("--site-url", "http://127.0.0.1:8765")
    assert not Site.objects.filter(hostname="127.0.0.1", port=8765).exists()


def test_make_demo_serves_and_loads_with_the_site_url_of_its_host_and_port():

    root = Path(__file__).resolve().parents[2]
    dry_run = subprocess.run(
        ["make", "-n", "-o", ".venv/.installed", "demo", "HOST=192.0.2.7", "PORT=8765"],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    commands = [line for line in dry_run.splitlines() if "load_demo" in line or "runserver" in line]
    assert len(commands) == 2
    assert all("LMS_SITE_URL=http://192.0.2.7:8765 " in line for line in commands)


def test_demo_users_and_their_roles(settings, client):
    settings.LMS_DEMO_PASSWORD = "demo-pass-123"
    run()
    users = {u.username: u for u in get_user_model().objects.all()}
    assert {"docente", "autor", "revisor", "monitor_sep"} <= set(users)
    assert list(users["autor"].groups.values_list("name", flat=True)) == ["Course authors"]
    assert list(users["revisor"].groups.values_list("name", flat=True)) == ["Course reviewers"]
    assert list(users["monitor_sep"].groups.values_list("name", flat=True)) == ["Monitores SEP"]
    assert not users["docente"].groups.exists()
    assert not users["docente"].has_perm("wagtailadmin.access_admin")
    assert users["autor"].has_perm("wagtailadmin.access_admin")
    assert client.login(username="docente", password="demo-pass-123")


def test_generated_password_is_printed_once_and_kept(settings):
    settings.LMS_DEMO_PASSWORD = ""
    first = run()
    line = next(line for line in first.splitlines() if line.strip().startswith("docente"))
    password = line.split()[-1]
    assert get_user_model().objects.get(username="docente").check_password(password)
    second = run()
    assert password not in second
    assert get_user_model().objects.get(username="docente").check_password(password)


def test_a_bad_file_is_refused_naming_the_place_and_nothing_is_written(tmp_path):
    data = json.loads((DATA / "mini_course.json").read_text())
    question = data["modules"][0]["lessons"][0]["body"][4]["value"]["questions"][0]
    for option in question["options"]:
        option["is_correct"] = True  # two right answers on a single-choice question
    (tmp_path / "bad.json").write_text(json.dumps(data))
    pages = Page.objects.count()
    with pytest.raises(DemoContentError, match=r"bad.json modules\[0\] lessons\[0\]"):
        load_demo_courses(content_dir=tmp_path)
    assert Page.objects.count() == pages
    with pytest.raises(CommandError):
        call_command("load_demo", "--content-dir", str(tmp_path), stdout=StringIO())


def test_unknown_facet_slug_is_refused(tmp_path):
    data = json.loads((DATA / "mini_course.json").read_text())
    data["topics"] = ["alquimia"]
    (tmp_path / "bad.json").write_text(json.dumps(data))
    with pytest.raises(DemoContentError, match="unknown topics: alquimia"):
        load_demo_courses(content_dir=tmp_path)


SHIPPED = Path(__file__).resolve().parents[2] / "courses" / "demo_content"


def test_shipped_demo_content_is_what_the_issue_asks_for():
    files = sorted(SHIPPED.glob("*.json"))
    if not files:
        pytest.skip("no demo content in courses/demo_content yet")
    courses = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    assert len(courses) >= 4
    for course in courses:
        assert len(course["modules"]) >= 2, course["slug"]
        for module in course["modules"]:
            assert len(module["lessons"]) >= 3, (course["slug"], module["slug"])
            checks = [
                block
                for lesson in module["lessons"]
                for block in lesson["body"]
                if block["type"] == "knowledge_check"
            ]
            assert checks, (course["slug"], module["slug"])
    assert any("en" in course.get("translations", {}) for course in courses)


def test_shipped_demo_content_loads(settings):
    if not list(SHIPPED.glob("*.json")):
        pytest.skip("no demo content in courses/demo_content yet")
    report = load_demo_courses()
    assert len(report.courses) >= 4
    assert CoursePage.objects.filter(locale__language_code="en", live=True).exists()
