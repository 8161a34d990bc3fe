"""Reports on a real PostgreSQL streaming replica (CI's services run starts one with
``scripts/pg_replica.sh`` and sets ``REPORTS_DATABASE_URL``).

These tests commit (a replica never sees an open transaction), wait until the replica has
replayed the primary's WAL, and check that monitors' reads run on the replica, give the same
figures as the primary, and stay whole and consistent while the replica lags.
"""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from django.conf import settings as django_settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from reports.models import ReportFact, ReportRefresh
from reports.snapshots import report_snapshots_refresh
from tests.reports.reports_builders import build_world, make_fact, make_monitor

HAS_REPLICA = "reports" in django_settings.DATABASES
if not HAS_REPLICA and os.environ.get("LMS_TEST_REQUIRE_SERVICES"):
    raise RuntimeError("REPORTS_DATABASE_URL is not set: CI's services run must start the replica")

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(not HAS_REPLICA, reason="no reports replica (REPORTS_DATABASE_URL)"),
    pytest.mark.django_db(
        transaction=True, databases=["default", "reports"] if HAS_REPLICA else ["default"]
    ),
]

NATIONAL = "/api/v1/reports/completion/?group_by=state"
IN_JALISCO = "/api/v1/reports/completion/?group_by=school&state=14"
BY_COURSE_IN_JALISCO = "/api/v1/reports/completion/?group_by=course&state=14&course=101"
DASHBOARD = "/admin/reports/"


@pytest.fixture
def replica(settings):
    settings.LMS_REPORTS_DATABASE = "reports"
    settings.LMS_REPORT_MIN_CELL = 3
    connection = connections["reports"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True, "REPORTS_DATABASE_URL is not a standby"
    resume(connection)
    yield connection
    resume(connection)  # never leave replay paused for the next test


def resume(replica) -> None:
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_wal_replay_paused()")
        if cursor.fetchone()[0]:
            cursor.execute("SELECT pg_wal_replay_resume()")


def caught_up(replica, timeout: float = 30.0) -> None:
    """Wait until the replica has replayed everything the primary has committed so far."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with replica.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.05)


def refreshed(at: dt.datetime) -> None:
    """What beat's refresh leaves: the national snapshots and the refresh's time."""
    report_snapshots_refresh()
    ReportRefresh.objects.create(finished_at=at, rows=ReportFact.objects.count(), seconds=0.1)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_monitors_read_from_the_replica_and_see_what_the_primary_holds(replica, settings):
    world = build_world()
    refreshed(timezone.now())
    monitor = api(make_monitor("nacional"))
    caught_up(replica)

    with CaptureQueriesContext(replica) as on_replica:
        national = monitor.get(NATIONAL)
        jalisco = monitor.get(IN_JALISCO)
        course = monitor.get(BY_COURSE_IN_JALISCO)
    assert {national.status_code, jalisco.status_code, course.status_code} == {200}
    # All came from the replica: the snapshots (national and a state's schools) and the fact
    # table (a filtered table).
    sql = " ".join(query["sql"] for query in on_replica.captured_queries)
    assert "progress_reportsnapshot" in sql and "progress_reportfact" in sql

    settings.LMS_REPORTS_DATABASE = "default"
    assert monitor.get(NATIONAL).json()["results"] == national.json()["results"]
    assert monitor.get(IN_JALISCO).json()["results"] == jalisco.json()["results"]
    assert monitor.get(BY_COURSE_IN_JALISCO).json()["total"] == course.json()["total"]
    assert course.json()["total"]["enrolled"] == 6
    assert national.json()["total"]["enrolled"] == 13
    assert [row["school"] for row in jalisco.json()["results"]] == [
        world.school_a.cct,
        world.school_b.cct,
    ]


def test_while_the_replica_lags_monitors_see_the_last_replayed_refresh_whole(replica, client):
    world = build_world()
    before = timezone.now() - dt.timedelta(minutes=20)
    refreshed(before)
    user = make_monitor("nacional")
    monitor = api(user)
    caught_up(replica)
    old = monitor.get(NATIONAL).json()

    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    # New completions in Jalisco, and beat's next refresh, on the primary.
    for user_id in range(20, 26):
        make_fact(
            enrollment_id=1000 + user_id,
            user_id=user_id,
            course_id=101,
            school=world.school_a,
            enrolled_on=dt.date(2026, 3, 2),
            started_after=1,
            completed_after=3,
            hours=10,
        )
    after = timezone.now()
    refreshed(after)

    # The replica has not replayed it: the monitor gets the previous refresh, all of it
    # consistent (figures, snapshots and the time they were computed), never an error.
    lagging = monitor.get(NATIONAL)
    assert lagging.status_code == 200
    assert lagging.json()["results"] == old["results"]
    assert lagging.json()["total"]["enrolled"] == 13
    assert lagging.json()["refreshed_at"] == before.isoformat()
    assert monitor.get(IN_JALISCO).json()["total"]["enrolled"] == 7
    client.force_login(user)
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    assert 'data-figure="enrolled">13<' in page.content.decode()

    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_resume()")
    caught_up(replica)
    current = monitor.get(NATIONAL).json()
    assert current["total"]["enrolled"] == 19
    assert current["refreshed_at"] == after.isoformat()
    assert monitor.get(IN_JALISCO).json()["total"]["enrolled"] == 13
    assert 'data-figure="enrolled">19<' in client.get(DASHBOARD).content.decode()


def test_the_replica_is_never_migrated_or_written(replica):
    from django.db import router

    from reports.models import ReportSnapshot

    assert router.allow_migrate("reports", "progress", model_name="reportfact") is False
    assert router.allow_migrate("default", "progress", model_name="reportfact") is not False
    with pytest.raises(Exception, match="read-only transaction"):
        ReportSnapshot.objects.using("reports").create(
            shape="x", grouping="", data="[]", computed_at=timezone.now()
        )


def test_health_names_the_replica_and_how_far_behind_it_is(replica, client):
    response = client.get("/health/")
    assert response.status_code == 200
    part = response.json()["parts"]["reports_database"]
    assert part["status"] == "ok"
    assert part["backend"].startswith("postgresql standby, last replayed commit")
