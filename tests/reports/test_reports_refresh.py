"""Keeping facts and course tags in step with courses, profiles and enrolments."""

import datetime as dt
import itertools

import pytest

from learners.models import School, Subsystem
from reports.models import ReportCourseTag, ReportFact, ReportRefresh
from reports.refresh import fact_from_values, report_course_tags_sync
from tests.courses.factories import CoursePageFactory, SectorFactory, TopicFactory, spanish_catalog

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def values(**overrides):
    row = {
        "id": 1,
        "user_id": 7,
        "course_id": 3,
        "enrolled_at": dt.datetime(2026, 1, 30, 23, 0, tzinfo=UTC),
        "started_at": None,
        "completed_at": None,
        "credentialed_at": None,
        "hours_completed": None,
        "user__teacher_profile__state": "09",
        "user__teacher_profile__subsystem_id": 4,
        "user__teacher_profile__school_id": None,
        "user__teacher_profile__school__state": None,
        "user__teacher_profile__school__subsystem_id": None,
    }
    row.update(overrides)
    return row


def test_fact_takes_the_place_of_the_school_over_the_profile():
    fact = fact_from_values(
        values(
            user__teacher_profile__school_id=11,
            user__teacher_profile__school__state="14",
            user__teacher_profile__school__subsystem_id=2,
        )
    )
    assert (fact.state, fact.subsystem_id, fact.school_id) == ("14", 2, 11)


def test_fact_without_school_uses_the_profile_and_without_profile_is_unplaced():
    fact = fact_from_values(values())
    assert (fact.state, fact.subsystem_id, fact.school_id) == ("09", 4, None)
    fact = fact_from_values(values(user__teacher_profile__state=None,
                                   user__teacher_profile__subsystem_id=None))  # fmt: skip
    assert (fact.state, fact.subsystem_id) == ("", None)


def test_fact_dates_months_and_days_to_complete():
    fact = fact_from_values(
        values(
            completed_at=dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
            credentialed_at=dt.datetime(2026, 3, 2, 1, 5, tzinfo=UTC),
            hours_completed=12.5,
        )
    )
    assert fact.enrolled_on == dt.date(2026, 1, 30)
    assert fact.enrolled_month == dt.date(2026, 1, 1)
    # A completion without a recorded start counts as started that day.
    assert fact.started_on == fact.completed_on == dt.date(2026, 3, 2)
    assert fact.completed_month == dt.date(2026, 3, 1)
    assert fact.days_to_complete == 31
    assert fact.credentialed_month == dt.date(2026, 3, 1)
    assert fact.hours_completed == 12.5


def test_fact_days_are_utc_calendar_days():
    # 23:30 in Mexico City on 31 January is 1 February in UTC.
    mexico = dt.timezone(dt.timedelta(hours=-6))
    fact = fact_from_values(values(enrolled_at=dt.datetime(2026, 1, 31, 23, 30, tzinfo=mexico)))
    assert fact.enrolled_on == dt.date(2026, 2, 1)


def test_course_tags_are_copied_from_the_course_snippets():
    auto = SectorFactory(slug="automotriz", name="Automotriz")
    aero = SectorFactory(slug="aeroespacial", name="Aeroespacial")
    ia = TopicFactory(slug="ia", name="Inteligencia artificial")
    course = CoursePageFactory(
        parent=spanish_catalog(), facets={"sectors": [auto, aero], "topics": [ia]}
    )
    ReportCourseTag.objects.create(course_id=999, kind="sector", slug="old", name="Old")
    assert report_course_tags_sync() == 3
    assert set(ReportCourseTag.objects.values_list("course_id", "kind", "slug", "name")) == {
        (course.pk, "sector", "automotriz", "Automotriz"),
        (course.pk, "sector", "aeroespacial", "Aeroespacial"),
        (course.pk, "topic", "ia", "Inteligencia artificial"),
    }


# --- with enrolments (learners.Enrollment) ----------------------------------------------------


def _enrolment_world():
    from django.contrib.auth import get_user_model

    from learners.models import Enrollment, TeacherProfile

    course = CoursePageFactory(parent=spanish_catalog())
    school = School.objects.create(
        cct="14DCT0001A", name="CBTis", state="14", subsystem=Subsystem.objects.get(code="dgeti")
    )
    user = get_user_model().objects.create_user("t1", "t1@example.org", "pw")
    TeacherProfile.objects.create(user=user, state="14", school=school)
    return Enrollment, course, school, user


def test_rebuild_builds_facts_from_enrolments_and_skips_unenrolled():
    from reports.refresh import report_facts_rebuild

    Enrollment, course, school, user = _enrolment_world()
    other = CoursePageFactory(parent=spanish_catalog())
    enrolled = dt.datetime(2026, 1, 5, 12, tzinfo=UTC)
    kept = Enrollment.objects.create(
        user=user, course=course, enrolled_at=enrolled,
        completed_at=enrolled + dt.timedelta(days=9), hours_completed=10,
    )  # fmt: skip
    Enrollment.objects.create(user=user, course=other, enrolled_at=enrolled, status="unenrolled")
    refresh = report_facts_rebuild()
    assert isinstance(refresh, ReportRefresh) and refresh.rows == 1
    fact = ReportFact.objects.get()
    assert fact.enrollment_id == kept.pk
    assert (fact.state, fact.school_id, fact.days_to_complete) == ("14", school.pk, 9)


def test_saving_an_enrolment_refreshes_its_fact_on_commit(django_capture_on_commit_callbacks):
    Enrollment, course, _school, user = _enrolment_world()
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = Enrollment.objects.create(
            user=user, course=course, enrolled_at=dt.datetime(2026, 1, 5, tzinfo=UTC)
        )
    assert ReportFact.objects.get(enrollment_id=enrolment.pk).completed_on is None
    with django_capture_on_commit_callbacks(execute=True):
        enrolment.completed_at = dt.datetime(2026, 1, 7, tzinfo=UTC)
        enrolment.save()
    assert ReportFact.objects.get(enrollment_id=enrolment.pk).days_to_complete == 2
    with django_capture_on_commit_callbacks(execute=True):
        enrolment.status = "unenrolled"
        enrolment.save()
    assert not ReportFact.objects.filter(enrollment_id=enrolment.pk).exists()


def test_beat_task_refreshes_and_reports_freshness(settings):
    from reports import conf
    from reports.models import ReportSnapshot
    from reports.query import ReportQuery
    from reports.reports import summary_report
    from reports.scopes import Scope
    from reports.tasks import refresh_report_facts

    assert settings.CELERY_BEAT_SCHEDULE["reports-refresh"] == {
        "task": "progress.reports.refresh_facts",
        "schedule": conf.refresh_minutes() * 60,
    }
    refresh_report_facts.delay()
    assert ReportRefresh.objects.count() == 1
    assert ReportSnapshot.objects.filter(shape="trend").exists()
    body = summary_report(ReportQuery(), Scope(level="national"))
    assert body["refreshed_at"] is not None
    assert body["staleness_bound_minutes"] == conf.refresh_minutes()


def test_refresh_reports_command_runs_the_rebuild():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_reports", stdout=out)
    assert "enrolment facts refreshed" in out.getvalue()
    assert ReportRefresh.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_rebuild_on_postgresql_stores_facts_in_place_order_and_vacuums():
    """The rebuild writes a state's (and a school's) facts on neighbouring pages, so a report
    scoped to one state reads that state's share of the table; run outside a transaction (as
    beat does) it also vacuums and analyzes the table it rewrote."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from learners.models import Enrollment, TeacherProfile
    from reports.refresh import report_facts_rebuild

    if connection.vendor != "postgresql":
        pytest.skip("physical row order and VACUUM are PostgreSQL's")
    course = CoursePageFactory(parent=spanish_catalog())
    dgeti = Subsystem.objects.get(code="dgeti")
    schools = [
        School.objects.create(cct=f"{state}DCT000{i}A", name="CBTis", state=state, subsystem=dgeti)
        for i, state in enumerate(["31", "02", "14", "09", "15"])
    ]
    for n in range(40):  # enrolments created in an order unrelated to place
        user = get_user_model().objects.create_user(f"t{n}", f"t{n}@example.org", "pw")
        TeacherProfile.objects.create(user=user, school=schools[n % len(schools)])
        Enrollment.objects.create(user=user, course=course, enrolled_at=dt.datetime.now(UTC))
    report_facts_rebuild()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state FROM {ReportFact._meta.db_table} ORDER BY ctid")  # noqa: S608
        physical = [state for (state,) in cursor.fetchall()]
        cursor.execute(
            "SELECT last_vacuum IS NOT NULL, last_analyze IS NOT NULL"
            " FROM pg_stat_user_tables WHERE relname = %s",
            [ReportFact._meta.db_table],
        )
        vacuumed = cursor.fetchone()
    # Enrolment order alternates states (40 runs of one row); in place order each state is
    # one run. Space freed by the facts the rebuild replaced may take a stray row or two.
    runs = 1 + sum(1 for a, b in itertools.pairwise(physical) if a != b)
    assert len(physical) == 40 and runs <= 5 + 2
    assert vacuumed == (True, True)


def test_a_course_studied_in_english_counts_with_its_spanish_original(
    django_capture_on_commit_callbacks,
):
    """Enrolments are per course across languages; so are the facts, under the original."""
    from django.contrib.auth import get_user_model
    from wagtail.models import Locale

    from reports.refresh import report_facts_rebuild

    Enrollment, course, _school, user = _enrolment_world()
    english = Locale.objects.get_or_create(language_code="en")[0]
    translated = course.copy_for_translation(english, copy_parents=True)
    assert translated.translation_key == course.translation_key and translated.pk != course.pk
    other = get_user_model().objects.create_user("t2", "t2@example.org", "pw")
    enrolled = dt.datetime(2026, 1, 5, 12, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):  # the per-enrolment sync
        in_spanish = Enrollment.objects.create(user=user, course=course, enrolled_at=enrolled)
        in_english = Enrollment.objects.create(user=other, course=translated, enrolled_at=enrolled)
    facts = dict(ReportFact.objects.values_list("enrollment_id", "course_id"))
    assert facts == {in_spanish.pk: course.pk, in_english.pk: course.pk}
    report_facts_rebuild()  # the full rebuild (SQL on PostgreSQL) agrees
    assert dict(ReportFact.objects.values_list("enrollment_id", "course_id")) == facts


def test_enrolments_changed_in_one_transaction_are_resynced_by_one_task(
    monkeypatch, django_capture_on_commit_callbacks
):
    """The progress engine changes hundreds of enrolments in one batch: their facts are
    re-synced by one task when the batch commits, not one task per enrolment."""
    from django.db import transaction

    from reports import tasks

    Enrollment, course, _school, user = _enrolment_world()
    others = [CoursePageFactory(parent=spanish_catalog()) for _ in range(2)]
    sent: list[list[int]] = []
    monkeypatch.setattr(tasks.sync_report_facts, "delay", lambda ids: sent.append(list(ids)))
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        made = [Enrollment.objects.create(user=user, course=c) for c in [course, *others]]
        for enrolment in made:
            enrolment.hours_completed = 2
            enrolment.save(update_fields=["hours_completed"])
    assert sent == [sorted(e.pk for e in made)]

    # A transaction that rolls back leaves its ids; the next one still sends (and takes them).
    sent.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        made[0].hours_completed = 3
        made[0].save(update_fields=["hours_completed"])
        raise RuntimeError("rolled back")
    with django_capture_on_commit_callbacks(execute=True):
        made[1].hours_completed = 4
        made[1].save(update_fields=["hours_completed"])
    assert sent == [sorted([made[0].pk, made[1].pk])]
