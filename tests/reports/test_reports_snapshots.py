"""National snapshots (refreshed by beat) answer exactly what the fact table answers."""

import pytest

from reports.models import ReportSnapshot
from reports.query import ReportQuery
from reports.reports import completion_report, summary_report, trend_report
from reports.scopes import NATIONAL, STATE, Scope
from reports.snapshots import PAIRS, SLICED, report_snapshots_refresh
from tests.reports.reports_builders import COURSE_AI, build_world, make_fact

pytestmark = pytest.mark.django_db

NATION = Scope(level=NATIONAL)
SHAPES = [
    ("state",), ("subsystem",), ("school",), ("course",), ("sector",), ("topic",), ("month",),
    ("state", "subsystem"), ("subsystem", "state"), ("month", "course"), ("sector", "state"),
    ("state", "school"),
]  # fmt: skip


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    return build_world()


def strip(report):
    return {key: value for key, value in report.items() if key != "generated_at"}


def test_snapshots_give_the_same_tables_as_the_facts(world):
    live = {
        shape: strip(completion_report(ReportQuery(group_by=shape), NATION)) for shape in SHAPES
    }
    live_summary = strip(summary_report(ReportQuery(), NATION))
    live_trend = strip(trend_report(ReportQuery(), NATION))
    state_shapes = [("school",), ("subsystem",), ("course",), ("month",), ("sector",), ("state",)]
    live_state = {
        shape: strip(completion_report(ReportQuery(group_by=shape), Scope(STATE, "14")))
        for shape in state_shapes
    }
    live_state_trend = strip(trend_report(ReportQuery(), Scope(STATE, "09")))
    assert report_snapshots_refresh() == len(PAIRS) + len(SLICED) + 1
    ReportSnapshot.objects.exclude(shape="trend").update(computed_at="2026-01-01T00:00Z")
    for shape in SHAPES:
        assert strip(completion_report(ReportQuery(group_by=shape), NATION)) == live[shape], shape
    assert strip(summary_report(ReportQuery(), NATION)) == live_summary
    assert strip(trend_report(ReportQuery(), NATION)) == live_trend
    for shape in state_shapes:
        assert (
            strip(completion_report(ReportQuery(group_by=shape), Scope(STATE, "14")))
            == live_state[shape]
        ), shape
    assert strip(trend_report(ReportQuery(), Scope(STATE, "09"))) == live_state_trend


def test_national_views_are_stale_until_the_next_refresh_and_filtered_views_are_not(world):
    report_snapshots_refresh()
    make_fact(enrollment_id=500, user_id=500, course_id=COURSE_AI, school=world.school_c,
              enrolled_on=world_day())  # fmt: skip
    national = summary_report(ReportQuery(), NATION)["total"]["enrolled"]
    filtered = summary_report(ReportQuery(course=COURSE_AI), NATION)["total"]["enrolled"]
    assert (national, filtered) == (13, 13)  # 12 + the new one with the course filter
    report_snapshots_refresh()
    assert summary_report(ReportQuery(), NATION)["total"]["enrolled"] == 14


def world_day():
    import datetime as dt

    return dt.date(2026, 2, 3)


def unpublish():
    """Drop the finished tables (reports.published), so requests decode the snapshots, as they
    do when LMS_REPORT_MIN_CELL changed since the refresh."""
    ReportSnapshot.objects.filter(shape__startswith="pub:").delete()


def test_unfiltered_national_and_state_reads_use_the_snapshot(world):
    report_snapshots_refresh()
    unpublish()
    ReportSnapshot.objects.filter(shape="state,subsystem", grouping="state").update(
        data='[[["14"],99,99,0,0,0,0,null]]'
    )
    rows = completion_report(ReportQuery(group_by=("state",)), NATION)["results"]
    assert [(row["state"], row["enrolled"]) for row in rows] == [("14", 99)]
    ReportSnapshot.objects.filter(shape="state,school", grouping="state,school@09").update(
        data=f'[[["{world.school_c.pk}"],77,77,0,0,0,0,null]]'
    )
    rows = completion_report(ReportQuery(group_by=("school",)), Scope(STATE, "09"))["results"]
    assert [row["enrolled"] for row in rows] == [77]


# Tables within a state (or a state and a subsystem) that the sliced levels hold, asked through
# a state monitor's scope or as a national monitor's filters, with suppression (k = 3: course
# 102 has one teacher in school A, CONALEP's school B two).
SLICED_TABLES = [
    (Scope(STATE, "14"), ReportQuery(group_by=("subsystem", "course"))),
    (Scope(STATE, "14"), ReportQuery(group_by=("course", "subsystem"))),
    (Scope(STATE, "09"), ReportQuery(group_by=("subsystem", "course"))),
    (Scope(STATE, "14"), ReportQuery(group_by=("course", "month"))),
    (Scope(STATE, "14"), ReportQuery(group_by=("month", "course"))),
    (Scope(STATE, "14"), ReportQuery(group_by=("school", "course"), subsystem="dgeti")),
    (Scope(STATE, "14"), ReportQuery(group_by=("course", "school"), subsystem="conalep")),
    (Scope(STATE, "14"), ReportQuery(group_by=("school",), subsystem="dgeti")),
    (Scope(STATE, "14"), ReportQuery(group_by=("course",), subsystem="dgeti")),
    (NATION, ReportQuery(group_by=("school", "course"), state="14", subsystem="dgeti")),
    (NATION, ReportQuery(group_by=("subsystem", "course"), state="09")),
]


def test_sliced_levels_give_the_same_tables_as_the_facts_with_suppression(world):
    live = [strip(completion_report(query, scope)) for scope, query in SLICED_TABLES]
    live_summaries = [
        strip(summary_report(ReportQuery(), Scope(STATE, state))) for state in ("14", "09")
    ]
    live_summary_dgeti = strip(summary_report(ReportQuery(subsystem="dgeti"), Scope(STATE, "14")))
    report_snapshots_refresh()
    assert ReportSnapshot.objects.filter(shape="state,subsystem:school,course").exists()
    for (scope, query), expected in zip(SLICED_TABLES, live, strict=True):
        assert strip(completion_report(query, scope)) == expected, (scope, query)
    assert [
        strip(summary_report(ReportQuery(), Scope(STATE, state))) for state in ("14", "09")
    ] == live_summaries
    assert strip(summary_report(ReportQuery(subsystem="dgeti"), Scope(STATE, "14"))) == (
        live_summary_dgeti
    )
    table = completion_report(ReportQuery(group_by=("subsystem", "course")), Scope(STATE, "14"))
    assert any(row["suppressed"] for row in table["results"])


def test_tables_within_a_state_read_the_sliced_level(world):
    report_snapshots_refresh()
    unpublish()
    dgeti = world.school_a.subsystem_id
    ReportSnapshot.objects.filter(
        shape="state,subsystem:school,course", grouping=f"school@14,{dgeti}"
    ).update(data=f'[[["{world.school_a.pk}"],88,88,0,0,0,0,null]]')
    rows = completion_report(
        ReportQuery(group_by=("school",), subsystem="dgeti"), Scope(STATE, "14")
    )["results"]
    assert [row["enrolled"] for row in rows] == [88]
    # Any other filter (a course, dates, a school) reads the facts.
    rows = completion_report(
        ReportQuery(group_by=("school",), subsystem="dgeti", course=COURSE_AI), Scope(STATE, "14")
    )["results"]
    assert [row["enrolled"] for row in rows] == [4]


def test_a_state_with_facts_but_no_slice_yet_reads_the_facts(world):
    report_snapshots_refresh()
    ReportSnapshot.objects.filter(shape="state:subsystem,course").delete()
    table = completion_report(ReportQuery(group_by=("subsystem", "course")), Scope(STATE, "14"))
    assert table["total"]["enrolled"] == 7
