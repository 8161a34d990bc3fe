"""The demo's monitoring picture: synthetic teachers in many states, figures that are not all
suppressed, nothing that looks like a real person or signs in, and a second run adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from learners.mexico import STATES
from learners.models import Enrollment, School, TeacherProfile
from learners.validators import cct_warnings, validate_cct, validate_curp
from reports.demo import (
    SMALL_STATES,
    SYNTHETIC_EMAIL_DOMAIN,
    SYNTHETIC_USERNAME_PREFIX,
    load_demo_monitoring,
    synthetic_curp,
)
from reports.models import ReportFact
from reports.query import ReportQuery
from reports.refresh import report_facts_rebuild
from reports.reports import completion_report
from reports.scopes import NATIONAL, Scope
from tests.courses.factories import CoursePageFactory, spanish_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses():
    catalog = spanish_catalog()
    first = CoursePageFactory(parent=catalog, estimated_hours=20)
    second = CoursePageFactory(parent=catalog, estimated_hours=25)
    advanced = CoursePageFactory(parent=catalog, estimated_hours=30)
    advanced.prerequisites.add(first)
    advanced.save()
    return [first, second, advanced]


def synthetic_profiles():
    return TeacherProfile.objects.filter(user__username__startswith=SYNTHETIC_USERNAME_PREFIX)


def test_a_few_hundred_teachers_in_many_states_and_subsystems(courses):
    result = load_demo_monitoring(courses=courses)
    profiles = synthetic_profiles()
    assert 200 <= profiles.count() == result.teachers <= 600
    by_state = dict(profiles.values_list("state").annotate(n=Count("id")))
    assert len(by_state) >= 20
    assert result.states == len(by_state)
    assert profiles.values("subsystem__code").distinct().count() >= 5
    # Every teacher's profile agrees with the school: same state, same subsystem.
    for profile in profiles.select_related("school"):
        assert profile.school.state == profile.state
        assert profile.school.subsystem_id == profile.subsystem_id
    enrolled_users = Enrollment.objects.filter(user__teacher_profile__in=profiles)
    assert enrolled_users.values("user").distinct().count() == profiles.count()


def test_identifiers_are_valid_and_plainly_synthetic(courses):
    load_demo_monitoring(courses=courses)
    for profile in synthetic_profiles().select_related("user", "school"):
        assert validate_curp(profile.curp) == profile.curp
        assert profile.curp.startswith("XXXX")
        assert profile.curp[11:13] == next(s.renapo for s in STATES if s.inegi == profile.state)
        assert "sintético" in profile.full_name and profile.paternal_surname == ""
        assert profile.user.email.endswith("@" + SYNTHETIC_EMAIL_DOMAIN)
    for school in School.objects.filter(name__endswith="(demostración)"):
        assert validate_cct(school.cct, state=school.state) == school.cct
        assert cct_warnings(school.cct) == [] and school.cct_check_letter_ok


def test_synthetic_teachers_cannot_sign_in(courses, client):
    load_demo_monitoring(courses=courses)
    users = get_user_model().objects.filter(username__startswith=SYNTHETIC_USERNAME_PREFIX)
    assert users.exists()
    assert not users.filter(is_active=True).exists()
    assert not any(user.has_usable_password() for user in users)
    assert client.login(username=users.first().username, password="") is False


def test_enrolments_are_recent_consistent_and_respect_prerequisites(courses):
    now = timezone.now()
    load_demo_monitoring(courses=courses, now=now)
    rows = Enrollment.objects.filter(user__username__startswith=SYNTHETIC_USERNAME_PREFIX)
    assert rows.filter(completed_at__isnull=False).count() >= 50
    assert rows.filter(started_at__isnull=True).exists()
    first, _second, advanced = courses
    for row in rows:
        assert now - dt.timedelta(weeks=17) <= row.enrolled_at <= now
        if row.started_at:
            assert row.enrolled_at <= row.started_at <= now
        if row.completed_at:
            assert row.started_at <= row.completed_at <= now
            assert row.hours_completed == row.course.specific.estimated_hours
        if row.course_id == advanced.pk:
            assert rows.filter(
                user_id=row.user_id, course_id=first.pk, completed_at__isnull=False
            ).exists()
    months = {row.enrolled_at.date().replace(day=1) for row in rows}
    assert len(months) >= 3


def test_the_state_map_shows_figures_and_suppresses_only_small_states(courses, settings):
    settings.LMS_REPORT_MIN_CELL = 5
    load_demo_monitoring(courses=courses)
    report_facts_rebuild()
    table = completion_report(ReportQuery(group_by=("state",)), Scope(level=NATIONAL))
    rows = {row["state"]: row for row in table["results"]}
    shown = [code for code, row in rows.items() if not row["suppressed"]]
    assert len(shown) >= 15
    # The counts by state are the synthetic teachers' enrolments there.
    for code in shown:
        expected = Enrollment.objects.filter(user__teacher_profile__school__state=code).count()
        assert rows[code]["enrolled"] == expected
    # The deliberately small states are suppressed, with the complementary cell(s).
    assert all(rows[code]["suppressed"] for code in SMALL_STATES)
    assert not table["total"]["suppressed"]
    # A drill-down has figures too: Nuevo León's subsystems.
    by_subsystem = completion_report(
        ReportQuery(group_by=("subsystem",), state="19"), Scope(level=NATIONAL)
    )
    assert any(not row["suppressed"] for row in by_subsystem["results"])


def test_a_second_run_creates_nothing(courses):
    first = load_demo_monitoring(courses=courses)
    counts = (
        get_user_model().objects.count(),
        TeacherProfile.objects.count(),
        School.objects.count(),
        Enrollment.objects.count(),
    )
    second = load_demo_monitoring(courses=courses, now=timezone.now() + dt.timedelta(days=3))
    assert first.teachers_created > 0 and first.enrollments_created > 0
    assert (second.teachers_created, second.schools_created, second.enrollments_created) == (
        0,
        0,
        0,
    )
    assert counts == (
        get_user_model().objects.count(),
        TeacherProfile.objects.count(),
        School.objects.count(),
        Enrollment.objects.count(),
    )


def test_a_curp_already_held_by_someone_is_left_alone(courses):
    import random

    from reports.demo import SEED, plan_teachers, synthetic_schools

    planned = plan_teachers(random.Random(SEED), synthetic_schools())
    holder = get_user_model().objects.create_user("persona", "p@example.org", "pw")
    TeacherProfile.objects.create(user=holder, curp=planned[0].curp, state=planned[0].state)
    load_demo_monitoring(courses=courses)
    assert TeacherProfile.objects.get(curp=planned[0].curp).user == holder
    username = f"{SYNTHETIC_USERNAME_PREFIX}{planned[0].number:04d}"
    assert not Enrollment.objects.filter(user__username=username).exists()
    assert not ReportFact.objects.filter(user_id=holder.pk).exists()


@hsettings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2029, 12, 31)),
    sex=st.sampled_from("HM"),
    state=st.sampled_from([s.inegi for s in STATES]),
)
def test_synthetic_curps_pass_every_curp_rule(birth, sex, state):
    curp = synthetic_curp(birth=birth, sex=sex, state=state)
    assert validate_curp(curp) == curp
