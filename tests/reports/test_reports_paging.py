"""A page of a large table: the rows asked for, with the whole table's suppression and margins."""

import pytest
from rest_framework.test import APIClient

from tests.reports.reports_builders import build_world, make_monitor

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/completion/"


@pytest.fixture
def national(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    build_world()
    client = APIClient()
    client.force_authenticate(make_monitor("nacional", level="national"))
    return client


def test_a_page_has_the_whole_tables_suppression_margins_and_count(national):
    whole = national.get(URL, {"group_by": "school,course"}).json()
    assert whole["count"] == len(whole["results"]) == 4
    assert "limit" not in whole
    pages = [
        national.get(URL, {"group_by": "school,course", "limit": 3, "offset": offset}).json()
        for offset in (0, 3)
    ]
    assert [page["count"] for page in pages] == [4, 4]
    assert [(page["limit"], page["offset"]) for page in pages] == [(3, 0), (3, 3)]
    assert pages[0]["results"] + pages[1]["results"] == whole["results"]
    for page in pages:
        for part in ("row_totals", "column_totals", "total", "filters"):
            assert page[part] == whole[part], part
    assert any(row["suppressed"] for row in whole["results"])


def test_a_table_over_the_group_cap_is_refused_whole_and_answered_by_pages(national, settings):
    settings.LMS_REPORT_MAX_GROUPS = 2
    refused = national.get(URL, {"group_by": "school"})
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["rule"] == "too_many_groups"
    page = national.get(URL, {"group_by": "school", "limit": 2})
    assert page.status_code == 200
    assert (page.json()["count"], len(page.json()["results"])) == (3, 2)
    settings.LMS_REPORT_MAX_TABLE_GROUPS = 2
    assert national.get(URL, {"group_by": "school", "limit": 2}).status_code == 400


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"limit": "0"}, "limit", "integer"),
        ({"limit": "x"}, "limit", "integer"),
        ({"limit": "20001"}, "limit", "max"),
        ({"offset": "-1"}, "offset", "integer"),
    ],
)
def test_bad_page_parameters_name_the_field_and_the_rule(national, params, field, rule):
    response = national.get(URL, {"group_by": "state", **params})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert (error["field"], error["rule"]) == (field, rule)
