"""Editors' redirects are for pages; the LRS's ordinary 404s cost no redirect lookup and no
warning in the log."""

from __future__ import annotations

import json
import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.redirects.models import Redirect

from tests.lrs.xapi_fixtures import ACTIVITY, xapi  # noqa: F401

STATE = {
    "activityId": ACTIVITY,
    "agent": json.dumps({"objectType": "Agent", "mbox": "mailto:learner@example.com"}),
    "stateId": "bookmark",
}


@pytest.mark.django_db
def test_page_redirects_still_apply(client):
    Redirect.objects.create(old_path="/curso-viejo", redirect_link="/curso-nuevo")
    response = client.get("/curso-viejo")
    assert response.status_code == 301
    assert response["Location"] == "/curso-nuevo"


@pytest.mark.django_db
def test_missing_state_document_skips_redirects_and_the_warning(xapi, caplog):  # noqa: F811
    Redirect.objects.create(old_path="/xapi/activities/state", redirect_link="/elsewhere")
    caplog.set_level(logging.WARNING, logger="django.request")
    with CaptureQueriesContext(connection) as queries:
        response = xapi.get("activities/state", STATE)
    assert response.status_code == 404
    assert not [q for q in queries.captured_queries if "wagtailredirects" in q["sql"]]
    assert not [r for r in caplog.records if r.name == "django.request"]


@pytest.mark.django_db
def test_api_404_skips_redirects(client):
    Redirect.objects.create(old_path="/api/v1/nothing-here/", redirect_link="/elsewhere")
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_other_404s_are_still_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/no-such-page-anywhere/")
    assert response.status_code == 404
    assert [r for r in caplog.records if r.name == "django.request" and r.status_code == 404]
