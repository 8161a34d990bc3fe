"""``LMS.LaunchData`` field by field, as an AU reads it with its token after a launch from the
lesson page (cmi5 section 10): the contextTemplate with the session id, launchMode,
``launchParameters`` and ``entitlementKey`` carried from cmi5.xml, masteryScore, moveOn and
returnURL; the ``launched`` statement's launchparameters extension; the AU's own query string
kept in its launch URL; and the learner's ``cmi5LearnerPreferences`` written once, never over
what she (or a tool acting for her) changed."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from courses.models import LessonPage
from learners.models import Enrollment
from lrs import cmi5 as lrs_cmi5
from lrs.models import Cmi5Session, LRSDocument, Statement
from packages.models import PackageUnit
from packages.services import package_import
from tests.lrs.xapi_fixtures import XAPI, make_client
from tests.packages import builders as b
from tests.packages.test_cmi5_launch import fetch_auth, launch, launch_data, publish_tree

pytestmark = pytest.mark.django_db

AU_ID = f"{b.COURSE_ID}/au/parametros"
PARAMETERS = '{"nivel": "avanzado", "idioma": "es"}'
ENTITLEMENT = "licencia-sep-2026"


def package() -> bytes:
    # cmi5 13.1.4 order: title, description, (objectives), url, launchParameters, entitlementKey.
    unit = (
        f'<au id="{AU_ID}" moveOn="CompletedOrPassed" masteryScore="0.65">'
        f"<title>{b.langstring('Parámetros')}</title>"
        f"<description>{b.langstring('Una AU con parámetros')}</description>"
        "<url>au/index.html?tema=sensores</url>"
        f"<launchParameters>{PARAMETERS.replace('&', '&amp;')}</launchParameters>"
        f"<entitlementKey>{ENTITLEMENT}</entitlementKey></au>"
    )
    return b.make_zip({"cmi5.xml": b.cmi5_xml([unit]), "au/index.html": b.PAGE})


@pytest.fixture
def unit(author, teacher) -> PackageUnit:
    result = package_import(upload=b.upload(package()), user=author)
    found = PackageUnit.objects.select_related("lesson").get(package=result.package)
    publish_tree(LessonPage.objects.get(pk=found.lesson_id), author)
    Enrollment.objects.create(user=teacher, course=result.course)
    return found


@pytest.fixture
def learner(teacher) -> Client:
    client = Client()
    client.force_login(teacher)
    return client


def test_the_au_reads_every_launch_data_field_the_course_structure_and_lms_give_it(learner, unit):
    assert unit.parameters == PARAMETERS and unit.entitlement_key == ENTITLEMENT
    params = launch(learner, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    data = launch_data(au, params)
    session = Cmi5Session.objects.get()
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    template = data["contextTemplate"]
    assert template["extensions"][lrs_cmi5.SESSION_EXTENSION] == session.session_id
    assert {"id": AU_ID, "objectType": "Activity"} in template["contextActivities"]["grouping"]
    assert {"id": lesson.activity_id, "objectType": "Activity"} in template["contextActivities"][
        "parent"
    ]
    assert data["launchMode"] == "Normal"
    assert data["launchParameters"] == PARAMETERS
    assert data["entitlementKey"] == {"courseStructure": ENTITLEMENT}
    assert data["masteryScore"] == 0.65
    assert data["moveOn"] == "CompletedOrPassed"
    assert data["returnURL"].endswith(lesson.url)
    assert set(data) == {
        "contextTemplate",
        "launchMode",
        "launchParameters",
        "entitlementKey",
        "masteryScore",
        "moveOn",
        "returnURL",
    }
    launched = Statement.objects.get(verb="http://adlnet.gov/expapi/verbs/launched")
    extensions = launched.data["context"]["extensions"]
    assert extensions[lrs_cmi5.LAUNCH_PARAMETERS_EXTENSION] == PARAMETERS
    assert extensions[lrs_cmi5.SESSION_EXTENSION] == session.session_id
    assert extensions[lrs_cmi5.LAUNCH_URL_EXTENSION].endswith("/au/index.html")


def test_the_aus_own_query_string_stays_in_its_launch_url(learner, unit):
    response = learner.post(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/")
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["tema"] == ["sensores"]
    assert set(query) == {"tema", "endpoint", "fetch", "actor", "registration", "activityId"}


def test_an_au_without_optional_fields_gets_none_of_them(learner, author, teacher):
    result = package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    one = PackageUnit.objects.get(package=result.package)
    publish_tree(LessonPage.objects.get(pk=one.lesson_id), author)
    Enrollment.objects.create(user=teacher, course=result.course)
    params = launch(learner, one)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    data = launch_data(au, params)
    assert not {"launchParameters", "entitlementKey", "masteryScore"} & set(data)
    assert data["moveOn"] == "NotApplicable"  # the cmi5.xml default


def test_learner_preferences_are_written_once_and_never_overwritten(learner, unit, teacher):
    from lrs.conf import actor_for_user

    launch(learner, unit)
    preferences = LRSDocument.objects.get(
        kind="agent_profile", document_id="cmi5LearnerPreferences"
    )
    assert json.loads(bytes(preferences.content)) == {
        "languagePreference": "es-MX,en-US",
        "audioPreference": "on",
    }
    # She switched to English and muted audio (through a tool acting for her).
    tool = XAPI(Client(), make_client()[1])
    params = {"agent": json.dumps(actor_for_user(teacher)), "profileId": "cmi5LearnerPreferences"}
    changed = {"languagePreference": "en-US", "audioPreference": "off"}
    etag = tool.get("agents/profile", params)["ETag"]
    answer = tool.put("agents/profile", changed, params, headers={"If-Match": etag})
    assert answer.status_code == 204, answer.content
    launch(learner, unit)
    preferences.refresh_from_db()
    assert json.loads(bytes(preferences.content)) == changed
    assert LRSDocument.objects.filter(document_id="cmi5LearnerPreferences").count() == 1


def test_the_staff_api_launches_for_a_given_registration_and_mode(client, author, teacher, unit):
    """Issue 13: "the launch URL of an AU for a given learner and registration" — a
    conformance tool names the registration and the launch mode."""
    import uuid

    registration = str(uuid.uuid4())
    client.force_login(author)
    body = {
        "unit": str(unit.uuid),
        "lesson": unit.lesson_id,
        "user": teacher.pk,
        "registration": registration,
        "launch_mode": "Browse",
    }
    response = client.post("/api/v1/packages/cmi5/launch/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["registration"] == registration
    params = {k: v[0] for k, v in parse_qs(urlsplit(answer["url"]).query).items()}
    assert params["registration"] == registration
    session = Cmi5Session.objects.get(session_id=answer["session_id"])
    assert str(session.registration) == registration and session.launch_mode == "Browse"
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    assert launch_data(au, params)["launchMode"] == "Browse"
    bad = client.post(
        "/api/v1/packages/cmi5/launch/",
        {**body, "registration": "no-es-un-uuid"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "registration"
