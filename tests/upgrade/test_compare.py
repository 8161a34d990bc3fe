"""The comparison of two upgrade snapshots (tests/upgrade/upgrade.py), on made-up snapshots:
it must find every changed, gone or added row and answer; only the relabelling the split
makes and what new code adds of its own (tables, their models' types, answer fields) pass."""

from __future__ import annotations

from typing import Any

import pytest

from tests.upgrade.upgrade import compare, diff_values, is_postgres, with_database


def snapshot() -> dict[str, Any]:
    return {
        "rows": {
            "django_content_type": {
                "key": ["id"],
                "rows": [
                    {"id": 1, "model": "statement", "app": "progress"},
                    {"id": 2, "model": "coursepage", "app": "courses"},
                ],
            },
            "progress_enrollment": {
                "key": ["id"],
                "rows": [
                    {"id": 1, "status": "active", "hours_completed": 2.5},
                    {"id": 2, "status": "unenrolled", "hours_completed": 0},
                ],
            },
            "progress_statementagent": {
                "key": ["ifi", "statement_id"],
                "rows": [{"ifi": "mbox:a", "statement_id": 1}],
            },
        },
        "sequences_ahead": {"progress_enrollment": {"id": True}},
        "answers": {
            "xapi statements all": {
                "status": 200,
                "headers": {"Content-Type": "application/json"},
                "body": {"statements": [{"id": "s1", "actor": {"name": "Ana"}}], "more": ""},
            }
        },
    }


def test_identical_snapshots_have_no_difference() -> None:
    assert compare(snapshot(), snapshot()) == []


def test_content_types_may_move_from_progress_to_the_split_apps_under_the_same_id() -> None:
    after = snapshot()
    after["rows"]["django_content_type"]["rows"][0]["app"] = "lrs"
    assert compare(snapshot(), after) == []


@pytest.mark.parametrize(
    ("row", "app", "model"),
    [(0, "courses", "statement"), (1, "lrs", "coursepage"), (0, "lrs", "lrsstatement")],
)
def test_any_other_content_type_change_is_a_difference(row: int, app: str, model: str) -> None:
    after = snapshot()
    after["rows"]["django_content_type"]["rows"][row].update(app=app, model=model)
    assert len(compare(snapshot(), after)) == 1


def test_a_changed_gone_or_new_row_is_named_by_table_and_key() -> None:
    after = snapshot()
    rows = after["rows"]["progress_enrollment"]["rows"]
    rows[0]["hours_completed"] = 3
    del rows[1]
    rows.append({"id": 3, "status": "active", "hours_completed": 0})
    after["rows"]["progress_statementagent"]["rows"][0]["statement_id"] = 2
    found = compare(snapshot(), after)
    assert "progress_enrollment (id=1).hours_completed: 2.5 → 3" in found
    assert any(line.startswith("progress_enrollment (id=2): row gone") for line in found)
    assert any(line.startswith("progress_enrollment (id=3): new row") for line in found)
    assert any("progress_statementagent (ifi=mbox:a, statement_id=1): row gone" in x for x in found)
    assert len(found) == 5


def test_a_table_gone_and_a_sequence_left_behind_are_differences_a_new_table_is_not() -> None:
    after = snapshot()
    after["rows"]["lrs_statement"] = after["rows"].pop("progress_statementagent")
    after["sequences_ahead"]["progress_enrollment"]["id"] = False
    after["sequences_ahead"]["lrs_statement"] = {"id": True}
    found = compare(snapshot(), after)
    assert "table progress_statementagent: gone (1 rows)" in found
    assert "sequence ahead of.progress_enrollment.id: true → false" in found
    assert len(found) == 2


def test_the_content_types_and_permissions_of_new_models_are_additions_not_changes() -> None:
    before = snapshot()
    before["rows"]["auth_permission"] = {
        "key": ["id"],
        "rows": [{"id": 1, "codename": "view_statement", "content_type_id": 1}],
    }
    after = snapshot()
    after["rows"]["auth_permission"] = {
        "key": ["id"],
        "rows": [
            {"id": 1, "codename": "view_statement", "content_type_id": 1},
            {"id": 2, "codename": "view_statementlogentry", "content_type_id": 3},
        ],
    }
    after["rows"]["django_content_type"]["rows"].append(
        {"id": 3, "model": "statementlogentry", "app": "lrs"}
    )
    assert compare(before, after) == []
    # A new permission on a model that existed is a difference.
    after["rows"]["auth_permission"]["rows"].append(
        {"id": 4, "codename": "export_statement", "content_type_id": 1}
    )
    assert [line.split(":")[0] for line in compare(before, after)] == ["auth_permission (id=4)"]


def test_a_changed_answer_shows_the_path_of_the_change() -> None:
    after = snapshot()
    answer = after["answers"]["xapi statements all"]
    answer["body"]["statements"][0]["actor"]["name"] = "Ana T."
    answer["headers"]["ETag"] = '"x"'
    after["answers"]["xapi about"] = {"status": 200, "headers": {}, "body": {}}
    found = compare(snapshot(), after)
    # A field the new code adds (the ETag header) is not a difference; a changed one is.
    assert found == [
        "answer 'xapi about': not asked before the upgrade",
        'answer \'xapi statements all\'.body.statements[0].actor.name: "Ana" → "Ana T."',
    ]


def test_values_of_another_type_differ_even_when_equal_in_python() -> None:
    assert list(diff_values({"a": 1}, {"a": True}, "x")) == ["x.a: 1 → true"]
    assert list(diff_values([1, 2], [1], "x")) == [
        "x: 2 items before, 1 after",
        "x[1]: gone (was 2)",
    ]


def test_database_urls() -> None:
    assert is_postgres("postgres://postgres@127.0.0.1:5432/capacita_ci")
    assert not is_postgres("sqlite:///db.sqlite3")
    assert (
        with_database("postgres://postgres@127.0.0.1:5432/capacita_ci?sslmode=disable", "x")
        == "postgres://postgres@127.0.0.1:5432/x?sslmode=disable"
    )


def test_a_static_file_that_moved_with_its_app_is_not_a_difference_but_other_text_is():
    from tests.upgrade.upgrade import compare

    def snapshot(body: str) -> dict:
        return {"rows": {}, "sequences_ahead": {}, "answers": {"page": {"body": body}}}

    before = snapshot('<link href="/static/progress/accounts.css"><p>Ana</p>')
    assert compare(before, snapshot('<link href="/static/learners/accounts.css"><p>Ana</p>')) == []
    assert compare(before, snapshot('<link href="/static/learners/accounts.css"><p>Eva</p>'))


def _with_statements(snap: dict[str, Any]) -> dict[str, Any]:
    snap["rows"]["progress_statement"] = {
        "key": ["id"],
        "rows": [{"id": 1, "stored": "2026-11-01T12:00:00+00:00"}],
    }
    return snap


def test_a_derived_column_filled_from_its_source_and_the_grown_key_are_not_differences() -> None:
    after = _with_statements(snapshot())
    agents = after["rows"]["progress_statementagent"]
    agents["key"] = ["ifi", "stored", "statement_id"]
    agents["rows"][0]["stored"] = "2026-11-01T12:00:00+00:00"
    assert compare(_with_statements(snapshot()), after) == []


def test_a_derived_column_that_differs_from_its_source_is_a_difference() -> None:
    after = _with_statements(snapshot())
    after["rows"]["progress_statementagent"]["rows"][0]["stored"] = "2026-11-02T00:00:00+00:00"
    found = compare(_with_statements(snapshot()), after)
    assert found == [
        'progress_statementagent (statement_id=1): stored "2026-11-02T00:00:00+00:00", '
        'its progress_statement.stored is "2026-11-01T12:00:00+00:00"'
    ]
