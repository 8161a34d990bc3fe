"""Published tables (``reports.published``): what the snapshot levels answer is finished once
per refresh, and a request reads it as stored. Every covered table must be exactly what the
snapshots (and so the facts) answer, suppression, order, labels and paging included."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from django.utils import translation

from learners.models import School, Subsystem
from reports import published
from reports.models import ReportCourseTag, ReportSnapshot
from reports.query import DIMENSIONS, QueryError, ReportQuery
from reports.reports import completion_report
from reports.scopes import NATIONAL, STATE, Scope
from reports.snapshots import PAIRS, SLICED, report_snapshots_refresh
from tests.reports.reports_builders import make_fact

pytestmark = pytest.mark.django_db

NATION = Scope(level=NATIONAL)
STATES = ("09", "14", "15", "19")


def strip(report):
    return {key: value for key, value in report.items() if key != "generated_at"}


def random_world(seed: int) -> dict:
    """A few hundred facts over four states, three subsystems, ten schools, four courses
    and eight months, with small cells (so suppression has work), facts whose teacher has no
    school (a state only) and facts with no place at all."""
    rng = random.Random(seed)
    subsystems = [
        Subsystem.objects.get_or_create(code=code, defaults={"name": code.upper()})[0]
        for code in ("dgeti", "conalep", "cecyte")
    ]
    schools = [
        School.objects.create(
            cct=f"{state}DCT{i:04d}{chr(65 + i)}",
            name=f"Escuela {i}",
            state=state,
            subsystem=subsystems[i % 3],
        )
        for i, state in enumerate(rng.choice(STATES) for _ in range(10))
    ]
    courses = [201, 202, 203, 204]
    for course, sector, topic in zip(courses, ("a", "b", "a", "c"), ("x", "y", "y", "x"),
                                     strict=True):  # fmt: skip
        ReportCourseTag.objects.create(course_id=course, kind="sector", slug=sector, name=sector)
        ReportCourseTag.objects.create(course_id=course, kind="topic", slug=topic, name=topic)
    ReportCourseTag.objects.create(course_id=204, kind="sector", slug="a", name="a")
    start = dt.date(2026, 1, 1)
    for n in range(rng.randint(150, 300)):
        school = rng.choice([*schools, *schools, None])
        days = rng.choice([None, None, 3, 8, 15, 40])
        make_fact(
            enrollment_id=n + 1,
            user_id=rng.randint(1, 120),
            course_id=rng.choices(courses, weights=(8, 4, 2, 1))[0],
            school=school,
            state=None if school else rng.choice([*STATES, ""]),
            enrolled_on=start + dt.timedelta(days=rng.randint(0, 240)),
            started_after=rng.choice([None, 1]) if days is None else 1,
            completed_after=days,
            credentialed_after=days if days and rng.random() < 0.5 else None,
            hours=rng.choice([0, 2, 10]),
        )
    return {"subsystems": [s.code for s in subsystems]}


def covered_tables(subsystems: list[str]) -> list[tuple[Scope, ReportQuery]]:
    tables: list[tuple[Scope, ReportQuery]] = []
    for pair in PAIRS:
        tables.append((NATION, ReportQuery(group_by=pair)))
        tables.append((NATION, ReportQuery(group_by=pair[::-1])))
    tables += [(NATION, ReportQuery(group_by=(d,))) for d in DIMENSIONS]
    for state in STATES:
        scope = Scope(STATE, state)
        tables += [(scope, ReportQuery(group_by=(d,))) for d in DIMENSIONS]
        for fixed, pair in SLICED:
            if fixed == ("state",):
                tables.append((scope, ReportQuery(group_by=pair)))
                tables.append((scope, ReportQuery(group_by=pair[::-1])))
            else:
                for code in subsystems:
                    for dims in (pair, pair[::-1], pair[:1], pair[1:]):
                        tables.append((scope, ReportQuery(group_by=dims, subsystem=code)))
    return tables


def unpublished(monkeypatch, query, scope):
    """What the same request answers without the published tables (snapshots decoded and
    suppressed on read)."""
    with monkeypatch.context() as patch:
        patch.setattr(published, "read", lambda *args, **kwargs: None)
        return completion_report(query, scope)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_published_table_is_what_the_snapshots_answer(settings, monkeypatch, seed):
    settings.LMS_REPORT_MIN_CELL = 3
    world = random_world(seed)
    report_snapshots_refresh()
    tables = covered_tables(world["subsystems"])
    read, served = published.read, []
    monkeypatch.setattr(
        published, "read", lambda *a, **kw: served.append(read(*a, **kw)) or served[-1]
    )
    checked = 0
    for scope, query in tables:
        for page in (query, query.with_changes(limit=4, offset=2)):
            try:
                expected = strip(unpublished(monkeypatch, page, scope))
            except QueryError as error:
                with pytest.raises(QueryError) as raised:
                    completion_report(page, scope)
                assert raised.value.rule == error.rule
                continue
            assert strip(completion_report(page, scope)) == expected, (scope, page)
            checked += 1
    assert checked > 200
    # Most of them were answered by a published table (the rest: a state without facts in a
    # subsystem, or a table refused as too large, read the snapshots and answer the same).
    assert sum(doc is not None for doc in served) > 0.8 * len(served)


def test_a_request_reads_the_published_table(world_small):
    national = ReportSnapshot.objects.get(shape="pub:state,school", grouping="school")
    doc = json.loads(national.data)
    doc["rows"][0][doc["dims"].__len__() + 1] = "Escuela publicada"
    national.data = json.dumps(doc)
    national.save()
    rows = completion_report(ReportQuery(group_by=("school",)), NATION)["results"]
    assert rows[0]["school_name"] == "Escuela publicada"


@pytest.fixture
def world_small(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    random_world(7)
    report_snapshots_refresh()


def test_a_new_minimum_cell_size_applies_before_the_next_refresh(settings, monkeypatch,
                                                                 world_small):  # fmt: skip
    query = ReportQuery(group_by=("state", "school"))
    settings.LMS_REPORT_MIN_CELL = 6
    expected = strip(unpublished(monkeypatch, query, NATION))
    answer = strip(completion_report(query, NATION))
    assert answer == expected
    assert answer["min_cell"] == 6
    hidden = sum(row["suppressed"] for row in answer["results"])
    settings.LMS_REPORT_MIN_CELL = 3
    assert sum(row["suppressed"] for row in completion_report(query, NATION)["results"]) < hidden


def test_a_missing_place_is_labelled_in_the_readers_language(world_small):
    with translation.override("en"):
        rows = completion_report(ReportQuery(group_by=("state",)), NATION)["results"]
    assert {row["state_name"] for row in rows if row["state"] is None} == {"No data"}
    with translation.override("es"):
        rows = completion_report(ReportQuery(group_by=("school",)), NATION)["results"]
    assert {row["school_name"] for row in rows if row["school"] is None} == {"Sin dato"}


def test_too_many_groups_is_refused_from_the_published_table_too(settings, world_small):
    settings.LMS_REPORT_MAX_GROUPS = 3
    with pytest.raises(QueryError) as raised:
        completion_report(ReportQuery(group_by=("school",)), NATION)
    assert (raised.value.field, raised.value.rule) == ("group_by", "too_many_groups")
    page = completion_report(ReportQuery(group_by=("school",), limit=2), NATION)
    assert len(page["results"]) == 2 and page["count"] > 3


def test_a_state_without_facts_has_no_published_table_and_answers_empty(world_small):
    assert not ReportSnapshot.objects.filter(shape="pub:state,school", grouping="school@01")
    answer = completion_report(ReportQuery(group_by=("school",)), Scope(STATE, "01"))
    assert answer["results"] == [] and answer["count"] == 0


def test_each_refresh_replaces_the_published_tables(settings, world_small):
    before = set(
        ReportSnapshot.objects.filter(shape__startswith="pub:").values_list("shape", "grouping")
    )
    report_snapshots_refresh()
    after = list(
        ReportSnapshot.objects.filter(shape__startswith="pub:").values_list("shape", "grouping")
    )
    assert set(after) == before and len(after) == len(before)


def test_a_table_hides_the_same_cells_whichever_order_it_is_asked_in(settings):
    """Complementary suppression chooses its extra cells line by line; were it run in the
    asked orientation, state,sector and sector,state could hide different cells and the two
    answers together would give away cells each one protects."""
    settings.LMS_REPORT_MIN_CELL = 3
    random_world(3)

    def hidden(dims, scope=NATION, **filters):
        answer = completion_report(ReportQuery(group_by=dims, **filters), scope)
        cells = {
            frozenset((d, row[d]) for d in dims): row["suppressed"] for row in answer["results"]
        }
        margins = {
            frozenset([(d, row[d])]): row["suppressed"]
            for d, rows in zip(dims, (answer["row_totals"], answer["column_totals"]), strict=True)
            for row in rows
        }
        return cells, margins, answer["total"]["suppressed"]

    compared = 0
    for pair in PAIRS:
        forward, backward = hidden(pair), hidden(pair[::-1])
        assert forward == backward, pair
        compared += sum(forward[0].values())
    for state in STATES:
        scope = Scope(STATE, state)
        assert hidden(("subsystem", "course"), scope) == hidden(("course", "subsystem"), scope)
    assert compared > 0  # some cells were hidden at all
