"""load_demo builds every part of the demo (LRS client, teacher, enrolment, reports, credentials)
and a second run duplicates nothing."""

import base64
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from courses.models import CoursePage
from credentials.models import Achievement, Microcredential, MicrocredentialCourse
from learners.models import Enrollment, School, TeacherProfile
from learners.validators import cct_check_letter, cct_warnings, validate_cct, validate_curp
from lms.demo_progress import DEMO_CCT, DEMO_CURP, DEMO_LRS_CLIENT_NAME
from lrs.models import LRSClient
from reports.demo import SYNTHETIC_USERNAME_PREFIX, synthetic_schools
from reports.models import ReportFact

pytestmark = pytest.mark.django_db

SYNTHETIC_CCTS = [row[0] for row in synthetic_schools()]
MINI = Path(__file__).parents[1] / "courses" / "data" / "mini_course.json"
KEY_RE = re.compile(r"^\s+key\s+(\S+)$", re.M)
SECRET_RE = re.compile(r"^\s+secret\s+(\S+)", re.M)


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """The courses tests' mini course, plus a renamed copy: the microcredential needs two."""
    data = json.loads(MINI.read_text(encoding="utf-8"))
    (tmp_path / "a-mini.json").write_text(json.dumps(data), encoding="utf-8")
    second = dict(data, slug="mini-curso-de-actuadores", title="Mini curso de actuadores")
    second.pop("translations", None)
    (tmp_path / "b-mini.json").write_text(json.dumps(second), encoding="utf-8")
    return tmp_path


@pytest.fixture(autouse=True)
def _demo_settings(settings):
    settings.LMS_DEMO_PASSWORD = "demo-pass-123"
    settings.LMS_REPORT_MIN_CELL = 1


def run(content_dir: Path) -> str:
    out = StringIO()
    call_command("load_demo", content_dir=content_dir, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    """What the demo makes, the synthetic monitoring picture aside (tests/reports/
    test_demo_monitoring.py counts that)."""
    synthetic = {"user__username__startswith": SYNTHETIC_USERNAME_PREFIX}
    return {
        "lrs_clients": LRSClient.objects.count(),
        "schools": School.objects.exclude(cct__in=SYNTHETIC_CCTS).count(),
        "profiles": TeacherProfile.objects.exclude(**synthetic).count(),
        "enrolments": Enrollment.objects.exclude(**synthetic).count(),
        "synthetic_profiles": TeacherProfile.objects.filter(**synthetic).count(),
        "synthetic_enrolments": Enrollment.objects.filter(**synthetic).count(),
        "synthetic_schools": School.objects.filter(cct__in=SYNTHETIC_CCTS).count(),
        "achievements": Achievement.objects.count(),
        "microcredentials": Microcredential.objects.count(),
        "microcredential_courses": MicrocredentialCourse.objects.count(),
    }


def basic(key: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()


def test_demo_identifiers_pass_the_validators_without_warnings():
    assert validate_cct(DEMO_CCT, state="09") == DEMO_CCT
    assert DEMO_CCT[-1] == cct_check_letter(DEMO_CCT)
    assert cct_warnings(DEMO_CCT) == []
    assert validate_curp(DEMO_CURP) == DEMO_CURP


def test_a_second_run_creates_no_duplicates_and_prints_the_secret_only_once(content_dir):
    first = run(content_dir)
    after_first = counts()
    second = run(content_dir)
    assert counts() == after_first
    assert after_first.pop("synthetic_profiles") >= 200
    assert after_first.pop("synthetic_enrolments") >= 200
    assert after_first.pop("synthetic_schools") == len(SYNTHETIC_CCTS)
    assert after_first == {
        "lrs_clients": 1,
        "schools": 1,
        "profiles": 1,
        "enrolments": 1,
        "achievements": 3,  # two courses and the microcredential
        "microcredentials": 1,
        "microcredential_courses": 2,
    }
    key = KEY_RE.search(first).group(1)
    assert SECRET_RE.search(first)
    assert SECRET_RE.search(second) is None
    assert f"key {key}" in second
    # Only the secret's hash is stored, and it is never printed.
    client = LRSClient.objects.get()
    assert client.name == DEMO_LRS_CLIENT_NAME and client.key == key
    assert client.secret_hash not in first + second
    assert "Achievements: 2 course achievements (2 created)." in first
    assert "Achievements: 2 course achievements (0 created)." in second
    assert "'Docencia en tecnologías emergentes' created" in first
    assert "'Docencia en tecnologías emergentes' exists" in second


def test_the_demo_lrs_client_is_reused_when_one_already_exists(content_dir):
    from lrs.client_services import lrs_client_create

    existing, _secret = lrs_client_create(name=DEMO_LRS_CLIENT_NAME, scopes=["all"])
    output = run(content_dir)
    assert list(LRSClient.objects.values_list("pk", flat=True)) == [existing.pk]
    assert SECRET_RE.search(output) is None and existing.key in output


def test_docente_gets_a_profile_at_the_demo_school_and_an_enrolment(content_dir):
    run(content_dir)
    docente = get_user_model().objects.get(username="docente")
    profile = docente.teacher_profile
    assert profile.curp == DEMO_CURP
    assert profile.state == "09"
    assert profile.school.cct == DEMO_CCT and profile.school.cct_check_letter_ok
    assert profile.subsystem.code == "dgeti" == profile.school.subsystem.code
    first_course = CoursePage.objects.get(
        slug="mini-curso-de-sensores", locale__language_code="es-mx"
    )
    enrolment = Enrollment.objects.get(user=docente)
    assert enrolment.course_id == first_course.pk and enrolment.is_active
    assert ReportFact.objects.filter(enrollment_id=enrolment.pk, state="09").exists()


def test_an_unenrolled_docente_is_enrolled_again_without_a_new_row(content_dir):
    run(content_dir)
    docente = Enrollment.objects.filter(user__username="docente")
    enrolment = docente.get()
    enrolment.status = Enrollment.Status.UNENROLLED
    enrolment.save()
    output = run(content_dir)
    enrolment.refresh_from_db()
    assert enrolment.is_active and docente.count() == 1
    assert "enrolled in 'Mini curso de sensores'" in output


def test_the_printed_lrs_credentials_work_over_http_basic(content_dir, client):
    output = run(content_dir)
    key, secret = KEY_RE.search(output).group(1), SECRET_RE.search(output).group(1)
    headers = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
    ok = client.get("/xapi/statements", HTTP_AUTHORIZATION=basic(key, secret), **headers)
    assert ok.status_code == 200, ok.content
    assert "statements" in ok.json()
    wrong = client.get("/xapi/statements", HTTP_AUTHORIZATION=basic(key, "nope"), **headers)
    assert wrong.status_code == 401


def test_monitor_sep_sees_the_demo_enrolments_in_the_summary_report(content_dir, client):
    run(content_dir)
    client.force_login(get_user_model().objects.get(username="monitor_sep"))
    response = client.get("/api/v1/reports/summary/")
    assert response.status_code == 200, response.content
    # docente's enrolment and the synthetic teachers' (the monitoring picture).
    assert response.json()["total"]["enrolled"] == Enrollment.objects.count() > 200
    client.force_login(get_user_model().objects.get(username="docente"))
    assert client.get("/api/v1/reports/summary/").status_code == 403


def test_course_achievements_are_issued_by_sep_and_the_microcredential_is_complete(content_dir):
    run(content_dir)
    courses = list(
        CoursePage.objects.filter(locale__language_code="es-mx").order_by("slug").specific()
    )
    assert [c.slug for c in courses] == ["mini-curso-de-actuadores", "mini-curso-de-sensores"]
    for course in courses:
        achievement = Achievement.objects.get(course=course)
        assert achievement.issuer.slug == "sep"
        assert achievement.achievement_type == Achievement.AchievementType.COURSE
        assert achievement.credits_available == course.estimated_hours
        assert str(course.passing_score) in achievement.criteria_narrative
    micro = Microcredential.objects.get(slug="docencia-en-tecnologias-emergentes")
    assert micro.awarding_body.slug == "sep"
    assert sorted(link.course.slug for link in micro.courses.all()) == [c.slug for c in courses]
    assert micro.workload_hours == sum(c.estimated_hours for c in courses)
    assert micro.outcomes  # taken from the courses' learning outcomes
    assert micro.assessment_type and micro.participation and micro.quality_assurance
    alignment = micro.alignments.get()
    assert alignment.framework == "conocer" and alignment.target_code == "EC0217.01"
    own = micro.achievement
    assert own.achievement_type == Achievement.AchievementType.MICROCREDENTIAL
    assert own.issuer.slug == "sep" and own.course is None


def test_a_curp_held_by_another_account_stops_the_demo_with_a_clear_error(content_dir):
    from learners.services import teacher_profile_create

    other = get_user_model().objects.create_user(username="someone", password="x")
    teacher_profile_create(
        user=other, curp=DEMO_CURP, first_name="Otra", paternal_surname="Persona", state="09"
    )
    with pytest.raises(CommandError, match="CURP"):
        run(content_dir)
    # All or nothing: the failed run left no demo data behind.
    assert not LRSClient.objects.exists()
    assert not Achievement.objects.exists()


def test_the_demo_achievements_are_published_as_open_badges(content_dir, client):
    run(content_dir)
    micro = Microcredential.objects.get(slug="docencia-en-tecnologias-emergentes")
    response = client.get(f"/credentials/achievements/{micro.achievement.uuid}/")
    assert response.status_code == 200, response.content
    body = response.content.decode()
    assert "Docencia en tecnologías emergentes" in body
    assert "EC0217.01" in body and "MicroCredential" in body
    course_achievement = Achievement.objects.filter(course__isnull=False).first()
    response = client.get(f"/credentials/achievements/{course_achievement.uuid}/")
    assert response.status_code == 200 and course_achievement.name in response.content.decode()


def test_a_deactivated_demo_lrs_client_is_replaced_by_a_new_one(content_dir):
    first = run(content_dir)
    LRSClient.objects.update(active=False)
    second = run(content_dir)
    new_key = KEY_RE.search(second).group(1)
    assert SECRET_RE.search(second)
    assert new_key != KEY_RE.search(first).group(1)
    assert LRSClient.objects.filter(active=True).get().key == new_key
    assert SECRET_RE.search(run(content_dir)) is None
