"""Each figure against hand-computed expectations on the small world of reports_builders."""

import pytest

from reports.query import QueryError, ReportQuery, parse_query
from reports.reports import completion_report, summary_report, trend_report
from reports.scopes import NATIONAL, SCHOOL, STATE, Scope, ScopeError
from tests.reports.reports_builders import COURSE_AERO, COURSE_AI, build_world

pytestmark = pytest.mark.django_db

NATION = Scope(level=NATIONAL)


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    return build_world()


def by(report, dimension):
    return {row[dimension]: row for row in report["results"]}


def test_completion_by_state_figures(world):
    report = completion_report(ReportQuery(group_by=("state",)), NATION)
    rows = by(report, "state")
    assert set(rows) == {"14", "09"}
    jalisco = rows["14"]
    assert jalisco["state_name"] == "Jalisco"
    assert (jalisco["enrolled"], jalisco["started"], jalisco["completed"]) == (7, 5, 4)
    assert jalisco["credentialed"] == 1
    assert jalisco["completion_rate"] == pytest.approx(4 / 7, abs=1e-4)
    assert jalisco["median_days_to_complete"] == 15.0  # days 4, 10, 20, 30
    assert jalisco["hours_completed"] == 36.0
    cdmx = rows["09"]
    assert (cdmx["enrolled"], cdmx["started"], cdmx["completed"], cdmx["credentialed"]) == (
        6, 6, 3, 0,
    )  # fmt: skip
    assert cdmx["completion_rate"] == 0.5
    assert cdmx["median_days_to_complete"] == 7.0
    assert cdmx["hours_completed"] == 36.0
    total = report["total"]
    assert (total["enrolled"], total["started"], total["completed"]) == (13, 11, 7)
    assert total["median_days_to_complete"] == 9.0  # 4 5 7 9 10 20 30
    assert total["completion_rate"] == pytest.approx(7 / 13, abs=1e-4)
    assert total["hours_completed"] == 72.0
    assert not any(row["suppressed"] for row in report["results"])


def test_completion_by_subsystem_figures(world):
    rows = by(completion_report(ReportQuery(group_by=("subsystem",)), NATION), "subsystem")
    # DGETI = schools A and C: 11 enrolments of 10 teachers; CONALEP = school B: 2 teachers.
    assert rows["conalep"]["suppressed"] is True
    assert rows["conalep"]["enrolled"] is None
    # The only other subsystem is hidden too, or DGETI = total - CONALEP would reveal it.
    assert rows["dgeti"]["suppressed"] is True
    assert rows["dgeti"]["subsystem_name"] == "DGETI"


def test_completion_by_school_applies_complementary_suppression(world):
    report = completion_report(ReportQuery(group_by=("school",)), NATION)
    rows = by(report, "school")
    assert set(rows) == {"14DCT0001A", "14DPT0002B", "09DCT0003C"}
    assert rows["14DPT0002B"]["suppressed"]  # 2 teachers < 3
    assert rows["14DCT0001A"]["suppressed"]  # the next smallest (4 teachers)
    assert rows["14DCT0001A"]["completion_rate"] is None
    assert rows["14DCT0001A"]["median_days_to_complete"] is None
    school_c = rows["09DCT0003C"]
    assert not school_c["suppressed"]
    assert school_c["school_name"] == "CETis C"
    assert (school_c["enrolled"], school_c["completed"], school_c["median_days_to_complete"]) == (
        6, 3, 7.0,
    )  # fmt: skip
    assert report["total"]["enrolled"] == 13


def test_completion_by_course(world):
    rows = by(completion_report(ReportQuery(group_by=("course",)), NATION), "course")
    assert rows[COURSE_AERO]["suppressed"] and rows[COURSE_AI]["suppressed"]


def test_completion_by_course_in_one_state_counts_people_not_rows(world):
    report = completion_report(ReportQuery(group_by=("course",), state="09"), NATION)
    rows = by(report, "course")
    assert list(rows) == [COURSE_AI]
    assert rows[COURSE_AI]["enrolled"] == 6
    assert report["filters"] == {"group_by": "course", "state": "09"}


def test_completion_by_sector_and_topic(world):
    sectors = by(completion_report(ReportQuery(group_by=("sector",)), NATION), "sector")
    # Automotriz holds both courses (13 enrolments); aeroespacial one enrolment: both hidden.
    assert sectors["aeroespacial"]["suppressed"] and sectors["automotriz"]["suppressed"]
    topics = by(completion_report(ReportQuery(group_by=("topic",), state="09"), NATION), "topic")
    assert topics["ia"]["topic_name"] == "Inteligencia artificial"
    assert topics["ia"]["enrolled"] == 6 and topics["ia"]["completed"] == 3


def test_sector_filter_selects_the_courses_of_the_sector(world):
    report = summary_report(ReportQuery(sector="aeroespacial"), NATION)
    assert report["total"]["suppressed"] is True  # one person
    report = summary_report(ReportQuery(sector="automotriz"), NATION)
    assert report["total"]["enrolled"] == 13


def test_completion_by_month(world):
    rows = by(completion_report(ReportQuery(group_by=("month",)), NATION), "month")
    assert rows["2026-01"]["enrolled"] == 7 and rows["2026-01"]["completed"] == 4
    assert rows["2026-02"]["enrolled"] == 6 and rows["2026-02"]["median_days_to_complete"] == 7.0


def test_date_range_filters_on_enrolment_date(world):
    import datetime as dt

    report = summary_report(
        ReportQuery(date_from=dt.date(2026, 1, 20), date_to=dt.date(2026, 2, 28)), NATION
    )
    assert report["total"]["enrolled"] == 6


def test_two_dimensions_state_by_subsystem_has_margins(world):
    report = completion_report(ReportQuery(group_by=("state", "subsystem")), NATION)
    cells = {(row["state"], row["subsystem"]): row for row in report["results"]}
    assert set(cells) == {("14", "dgeti"), ("14", "conalep"), ("09", "dgeti")}
    # (14, conalep) has 2 teachers: hidden; its row and column force the others hidden too.
    assert cells[("14", "conalep")]["suppressed"]
    assert cells[("14", "dgeti")]["suppressed"]
    assert cells[("09", "dgeti")]["suppressed"]
    row_totals = {row["state"]: row for row in report["row_totals"]}
    column_totals = {row["subsystem"]: row for row in report["column_totals"]}
    assert row_totals.keys() == {"14", "09"}
    assert column_totals.keys() == {"dgeti", "conalep"}
    assert column_totals["conalep"]["suppressed"]
    assert report["total"]["enrolled"] == 13 and not report["total"]["suppressed"]


def test_two_dimensions_state_by_month_without_small_cells(world):
    report = completion_report(ReportQuery(group_by=("state", "month")), NATION)
    cells = {(row["state"], row["month"]): row for row in report["results"]}
    assert cells[("14", "2026-01")]["enrolled"] == 7
    assert cells[("09", "2026-02")]["completed"] == 3
    assert not any(row["suppressed"] for row in report["results"])
    assert {row["month"]: row["enrolled"] for row in report["column_totals"]} == {
        "2026-01": 7,
        "2026-02": 6,
    }


def test_trend_counts_events_in_their_own_month(world):
    points = {p["month"]: p for p in trend_report(ReportQuery(), NATION)["results"]}
    assert points["2026-01"]["enrolled"] == 7 and points["2026-02"]["enrolled"] == 6
    assert points["2026-01"]["started"] == 5 and points["2026-02"]["started"] == 6
    # Completions: u1 (Jan 15), u2 (Jan 25), u1 course 102 (Jan 9); u5 Feb 4, C on Feb 6/8/10.
    assert points["2026-01"]["completed"] == 3 and points["2026-02"]["completed"] == 4
    # One credential in the whole series: hidden.
    assert points["2026-01"]["credentialed"] is None


def test_state_scope_sees_only_its_state(world):
    scope = Scope(level=STATE, state="09")
    report = completion_report(ReportQuery(group_by=("state",)), scope)
    assert [row["state"] for row in report["results"]] == ["09"]
    assert report["total"]["enrolled"] == 6
    with pytest.raises(ScopeError):
        completion_report(ReportQuery(group_by=("state",), state="14"), scope)


def test_school_scope_sees_only_its_school(world):
    school = world.school_a
    scope = Scope(level=SCHOOL, state="14", school_id=school.pk, school_cct=school.cct)
    report = completion_report(ReportQuery(group_by=("course",)), scope)
    rows = by(report, "course")
    # Course 102 has one teacher, so course 101 is hidden with it; the total (5) is safe.
    assert rows[COURSE_AERO]["suppressed"] and rows[COURSE_AI]["suppressed"]
    assert report["total"]["enrolled"] == 5
    with pytest.raises(ScopeError):
        summary_report(ReportQuery(school="09DCT0003C"), scope)


def test_default_minimum_cell_is_five(world, settings):
    del settings.LMS_REPORT_MIN_CELL
    rows = by(completion_report(ReportQuery(group_by=("state",)), NATION), "state")
    # 6 teachers in each state: both visible with k = 5.
    assert not rows["14"]["suppressed"] and not rows["09"]["suppressed"]


def test_unknown_codes_are_rejected(world):
    with pytest.raises(QueryError) as error:
        summary_report(ReportQuery(subsystem="nope"), NATION)
    assert (error.value.field, error.value.rule) == ("subsystem", "unknown")
    with pytest.raises(QueryError) as error:
        summary_report(ReportQuery(school="14DCT9999Z"), NATION)
    assert error.value.field == "school"


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"group_by": "planet"}, "group_by", "choice"),
        ({"group_by": "state,school,course"}, "group_by", "max_dimensions"),
        ({"group_by": "state,state"}, "group_by", "unique"),
        ({"state": "33"}, "state", "inegi_code"),
        ({"school": "ABC"}, "school", "cct"),
        ({"course": "x"}, "course", "integer"),
        ({"date_from": "2026-13-01"}, "date_from", "date"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to", "after_date_from"),
        ({"sector": "bad slug!"}, "sector", "slug"),
        ({"colour": "red"}, "colour", "unknown"),
    ],
)
def test_parse_query_names_the_parameter_and_rule(params, field, rule):
    with pytest.raises(QueryError) as error:
        parse_query(params)
    assert (error.value.field, error.value.rule) == (field, rule)


def test_parse_query_accepts_a_full_query():
    query = parse_query(
        {
            "group_by": "state,month",
            "state": "9",
            "school": "09dct0003c",
            "course": "7",
            "date_from": "2026-01-01",
            "date_to": "2026-12-31",
        }
    )
    assert query.group_by == ("state", "month")
    assert query.state == "09" and query.school == "09DCT0003C" and query.course == 7


def test_reports_carry_no_personal_fields(world):
    report = completion_report(ReportQuery(group_by=("school", "course")), NATION)
    text = repr(report).lower()
    for word in ("curp", "email", "e-mail", "first_name", "surname", "user_id", "@example"):
        assert word not in text
