"""In English, the SEP dashboard and the reports API's query and scope errors are English (the
dashboard's texts had no English, the errors were English on the Spanish API and the site)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from learners.mexico import STATES_BY_INEGI
from tests.reports.reports_builders import build_world, make_monitor
from tests.support.language import spanish_in, visible_text

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ES = {"HTTP_ACCEPT_LANGUAGE": "es-MX"}
# Names that stay Spanish in English: states, the world's schools and courses, the subsystems.
PROPER_NOUNS = tuple(sorted((s.name for s in STATES_BY_INEGI.values()), key=len, reverse=True))


@pytest.fixture
def world(settings):
    settings.LMS_REPORT_MIN_CELL = 3
    return build_world()


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("url", "english", "spanish"),
    [
        ("/api/v1/reports/completion/", "group_by is required", "group_by es obligatorio"),
        ("/api/v1/reports/completion/?group_by=planet", "group_by accepts", "group_by acepta"),
        ("/api/v1/reports/summary/?state=99", "state must be an INEGI code", "clave INEGI"),
        ("/api/v1/reports/summary/?date_from=ayer", "must be a date as YYYY-MM-DD", "AAAA-MM-DD"),
        ("/api/v1/reports/summary/?colour=red", "is not a report parameter", "no es un parámetro"),
        (
            "/api/v1/reports/summary/?state=14",
            "outside your monitoring scope",
            "fuera de tu alcance",
        ),
        (
            "/api/v1/reports/summary/?school=14DCT0001A",
            "outside your monitoring scope (another state)",
            "es de otra entidad",
        ),
    ],
)
def test_report_errors_speak_the_requested_language(world, url, english, spanish):
    client = _api(make_monitor("cdmx", level="state", state="09"))
    answer_en = client.get(url, **EN).json()
    answer_es = client.get(url, **ES).json()
    assert english in str(answer_en) and spanish_in(answer_en["detail"]) == []
    assert spanish in str(answer_es) and english not in str(answer_es)


def _english_monitor(username: str, **scope):
    from wagtail.users.models import UserProfile

    monitor = make_monitor(username, **scope)
    profile = UserProfile.get_for_user(monitor)
    profile.preferred_language = "en"
    profile.save()
    return monitor


@pytest.mark.parametrize("query", ["", "?state=14", "?state=14&subsystem=dgeti"])
def test_the_dashboard_in_english_has_no_spanish(client, world, query):
    client.force_login(_english_monitor("nacional"))
    html = client.get("/admin/reports/" + query).content.decode()
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    text = visible_text("<x " + main)
    assert "Completion rate" in text
    assert spanish_in(text, allowed=PROPER_NOUNS) == []
