"""cmi5 launch end to end: lesson page → launch → fetch → the AU's statements → satisfied →
lesson done → course progress; the staff API (launch URL, status, abandon, waive)."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from courses.models import LessonPage
from learners.models import Enrollment
from lrs import cmi5 as lrs_cmi5
from lrs.models import Cmi5Session, LRSDocument, Statement
from lrs.statement_log import drain
from packages.models import PackageUnit
from packages.services import package_import
from progress.models import CourseProgress, LessonProgress
from tests.lrs.xapi_fixtures import XAPI
from tests.packages import builders as b

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"


def publish_tree(lesson: LessonPage, user) -> None:
    for page in [*lesson.get_ancestors().specific().filter(depth__gte=3), lesson]:
        page.get_latest_revision().publish(user=user)


@pytest.fixture
def course(author):
    result = package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    for unit in PackageUnit.objects.filter(lesson__isnull=False):
        publish_tree(LessonPage.objects.get(pk=unit.lesson_id), author)
    return result


def unit_named(suffix: str) -> PackageUnit:
    return PackageUnit.objects.select_related("lesson").get(identifier=f"{b.COURSE_ID}/au/{suffix}")


def launch(client: Client, unit: PackageUnit) -> dict[str, str]:
    response = client.post(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/")
    assert response.status_code == 302, response.content
    url = urlsplit(response["Location"])
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    params["path"] = url.path
    return params


def fetch_auth(client: Client, fetch_url: str) -> str:
    response = client.post(urlsplit(fetch_url).path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["auth-token"]


def launch_data(au: XAPI, params: dict) -> dict:
    """``LMS.LaunchData`` read with the AU's token, as an AU does (cmi5 10.0)."""
    answer = au.get(
        "activities/state",
        {
            "stateId": lrs_cmi5.LAUNCH_DATA_STATE_ID,
            "activityId": params["activityId"],
            "agent": params["actor"],
            "registration": params["registration"],
        },
    )
    assert answer.status_code == 200, answer.content
    return json.loads(answer.content)


def au_statement(params: dict, template: dict, verb: str, result: dict | None = None) -> dict:
    context = json.loads(json.dumps(template))
    context["registration"] = params["registration"]
    # A cmi5 defined statement: the AU adds the cmi5 category to the template's context.
    category = context["contextActivities"].setdefault("category", [])
    category.append({"id": lrs_cmi5.CATEGORY_CMI5})
    if result and ("success" in result or "completion" in result):
        category.append({"id": lrs_cmi5.CATEGORY_MOVEON})
    statement = {
        "actor": json.loads(params["actor"]),
        "verb": {"id": ADL + verb},
        "object": {"id": params["activityId"]},
        "context": context,
    }
    if result:
        statement["result"] = result
    return statement


@pytest.fixture
def enrolled(teacher, course):
    Enrollment.objects.create(user=teacher, course=course.course)
    client = Client()
    client.force_login(teacher)
    return client


def test_the_lesson_page_offers_a_csrf_protected_launch(enrolled):
    unit = unit_named("1")
    html = enrolled.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    assert f'action="/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/"' in html
    assert f'target="cmi5-{unit.uuid}"' in html and "csrfmiddlewaretoken" in html
    own_window = unit_named("2")
    html = enrolled.get(LessonPage.objects.get(pk=own_window.lesson_id).url).content.decode()
    assert 'target="_blank"' in html


def test_launch_parameters_launch_data_and_preferences(enrolled, teacher):
    unit = unit_named("1")
    params = launch(enrolled, unit)
    assert params["path"].endswith("/b1/a1.html")
    assert params["endpoint"] == "http://testserver/xapi/"
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    assert params["activityId"] == f"{lesson.activity_id}/cmi5/{unit.uuid}"
    assert params["activityId"] != unit.identifier
    actor = json.loads(params["actor"])
    assert set(actor) == {"objectType", "account"}  # no name, no e-mail
    session = Cmi5Session.objects.get()
    assert str(session.registration) == params["registration"]
    data = json.loads(
        bytes(LRSDocument.objects.get(kind="state", document_id="LMS.LaunchData").content)
    )
    assert data["masteryScore"] == 0.8 and data["moveOn"] == "Passed"
    assert data["launchMode"] == "Normal"
    assert data["returnURL"].endswith(lesson.url)
    assert {"id": lesson.activity_id, "objectType": "Activity"} in data["contextTemplate"][
        "contextActivities"
    ]["parent"]
    preferences = LRSDocument.objects.get(
        kind="agent_profile", document_id="cmi5LearnerPreferences"
    )
    assert json.loads(bytes(preferences.content))["languagePreference"].startswith("es-MX")
    assert Statement.objects.filter(verb=ADL + "launched").count() == 1
    # a second launch keeps the registration and opens a new session
    again = launch(enrolled, unit)
    assert again["registration"] == params["registration"]
    assert Cmi5Session.objects.count() == 2


def test_fetch_is_one_time(enrolled):
    params = launch(enrolled, unit_named("1"))
    anonymous = Client()
    assert "auth-token" in anonymous.post(urlsplit(params["fetch"]).path).json()
    second = anonymous.post(urlsplit(params["fetch"]).path)
    assert second.status_code == 200 and second.json()["error-code"] == "1"
    assert anonymous.get(urlsplit(params["fetch"]).path).status_code == 405


def test_launch_needs_an_enrolment(client, teacher, course):
    unit = unit_named("1")
    client.force_login(teacher)
    assert client.post(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/").status_code == 403
    assert not Cmi5Session.objects.exists()


def test_launch_refuses_get_and_a_lesson_that_does_not_show_the_unit(enrolled):
    unit, other = unit_named("1"), unit_named("3")
    assert enrolled.get(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/").status_code == 405
    assert enrolled.post(f"/packages/cmi5/launch/{unit.uuid}/{other.lesson_id}/").status_code == 404


def test_end_to_end_passed_satisfies_the_lesson_and_moves_the_course(
    enrolled, teacher, django_capture_on_commit_callbacks
):
    unit = unit_named("1")
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    params = launch(enrolled, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    state = au.get(
        "activities/state",
        {
            "activityId": params["activityId"],
            "agent": params["actor"],
            "registration": params["registration"],
            "stateId": "LMS.LaunchData",
        },
    ).json()
    template = state["contextTemplate"]
    with django_capture_on_commit_callbacks(execute=True):
        au.store(au_statement(params, template, "initialized"))
        passed = au_statement(
            params,
            template,
            "passed",
            {"success": True, "duration": "PT3M", "score": {"scaled": 0.9}},
        )
        passed["context"]["extensions"][lrs_cmi5.MASTERY_EXTENSION] = 0.8
        au.store(passed)
        au.store(au_statement(params, template, "terminated", {"duration": "PT4M"}))
    intro = LessonPage.objects.get(pk=unit_named("intro").lesson_id)  # moveOn NotApplicable
    satisfied = Statement.objects.filter(verb=lrs_cmi5.SATISFIED)
    assert sorted(satisfied.values_list("activity", flat=True)) == sorted(
        [intro.activity_id, lesson.activity_id]
    )
    data = satisfied.get(activity=lesson.activity_id).data
    assert data["context"]["extensions"][lrs_cmi5.SESSION_EXTENSION] == (
        Cmi5Session.objects.get().session_id
    )
    drain(consumers=["progress"])
    progress = LessonProgress.objects.get(user=teacher, lesson_iri=lesson.activity_id)
    assert progress.done
    course_progress = CourseProgress.objects.get(user=teacher)
    assert course_progress.percent > 0


def test_completed_alone_does_not_satisfy_a_passed_au(
    enrolled, teacher, django_capture_on_commit_callbacks
):
    unit = unit_named("1")
    params = launch(enrolled, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    context = launch_data(au, params)["contextTemplate"]
    with django_capture_on_commit_callbacks(execute=True):
        au.store(au_statement(params, context, "initialized"))
        au.store(
            au_statement(params, context, "completed", {"completion": True, "duration": "PT1M"})
        )
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    satisfied = Statement.objects.filter(verb=lrs_cmi5.SATISFIED)
    assert not satisfied.filter(activity=lesson.activity_id).exists()
    # Only the NotApplicable intro, satisfied from the start of the registration.
    assert satisfied.count() == 1
    drain(consumers=["progress"])
    assert not LessonProgress.objects.filter(
        user=teacher, lesson_iri=lesson.activity_id, done=True
    ).exists()


# --- staff API ---------------------------------------------------------------------------


def test_staff_api_launch_status_abandon_and_waive(
    client, author, teacher, course, django_capture_on_commit_callbacks
):
    client.force_login(author)
    unit = unit_named("2")  # moveOn Completed, block 1 with AU 1 (moveOn Passed)
    body = {"unit": str(unit.uuid), "lesson": unit.lesson_id, "user": teacher.pk}
    response = client.post("/api/v1/packages/cmi5/launch/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    launched = response.json()
    assert launched["launch_method"] == "OwnWindow"
    assert "fetch=" in launched["url"] and "registration=" in launched["url"]
    registration = launched["registration"]

    abandon = f"/api/v1/packages/cmi5/sessions/{launched['session_id']}/abandon/"
    assert client.post(abandon).json() == {"abandoned": True}
    assert client.post(abandon).json() == {"abandoned": False}
    assert client.post("/api/v1/packages/cmi5/sessions/nope/abandon/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/packages/cmi5/waive/",
            {**body, "reason": "Administrative"},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    assert lesson.activity_id in set(
        Statement.objects.filter(verb=lrs_cmi5.SATISFIED).values_list("activity", flat=True)
    )
    again = client.post(
        "/api/v1/packages/cmi5/waive/",
        {**body, "reason": "Administrative"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["rule"] == "cmi5.waived_once"
    bad = client.post(
        "/api/v1/packages/cmi5/waive/",
        {**body, "reason": "Porque sí"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "reason"

    status = client.get(f"/api/v1/packages/cmi5/registrations/{registration}/").json()
    (au_status,) = status
    assert au_status["waived"] and au_status["satisfied"] and au_status["sessions"] == 2


def test_block_and_course_satisfied_when_every_au_is(
    client, author, teacher, course, django_capture_on_commit_callbacks
):
    client.force_login(author)
    with django_capture_on_commit_callbacks(execute=True):
        for suffix in ("intro", "1", "2", "3"):
            unit = unit_named(suffix)
            response = client.post(
                "/api/v1/packages/cmi5/waive/",
                {
                    "unit": str(unit.uuid),
                    "lesson": unit.lesson_id,
                    "user": teacher.pk,
                    "reason": "Tested Out",
                },
                content_type="application/json",
            )
            assert response.status_code == 201, response.content
    satisfied = Statement.objects.filter(verb=lrs_cmi5.SATISFIED)
    types = {s.data["object"].get("definition", {}).get("type") for s in satisfied}
    assert lrs_cmi5.BLOCK_TYPE in types
    # AU 4 (absolute URL, block 2.1) is not waived: block 2 and the course are not satisfied
    assert lrs_cmi5.COURSE_TYPE not in types


def test_staff_api_refuses_teachers_and_anonymous(client, teacher, course):
    unit = unit_named("1")
    body = {"unit": str(unit.uuid), "lesson": unit.lesson_id, "user": teacher.pk}
    assert client.post("/api/v1/packages/cmi5/launch/", body).status_code in (401, 403)
    client.force_login(teacher)
    assert client.post("/api/v1/packages/cmi5/launch/", body).status_code == 403
    assert (
        client.get(
            "/api/v1/packages/cmi5/registrations/00000000-0000-0000-0000-000000000000/"
        ).status_code
        == 403
    )


def test_cmi5_endpoints_are_in_the_openapi_schema(client, author):
    client.force_login(author)
    paths = client.get("/api/v1/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/v1/packages/cmi5/launch/",
        "/api/v1/packages/cmi5/waive/",
        "/api/v1/packages/cmi5/registrations/{registration}/",
        "/api/v1/packages/cmi5/sessions/{session_id}/abandon/",
    ):
        assert path in paths


def test_the_beat_entry_abandons_stale_sessions(enrolled, settings):
    from datetime import timedelta

    from django.utils import timezone

    from packages.cmi5.tasks import abandon_stale_sessions
    from packages.conf import app_settings

    assert "packages-cmi5-abandon" in app_settings.beat_schedule(
        {"LMS_CMI5_ABANDON_SWEEP_SECONDS": 300}
    )
    launch(enrolled, unit_named("1"))
    Cmi5Session.objects.update(last_activity_at=timezone.now() - timedelta(hours=5))
    assert abandon_stale_sessions() == 1
    assert abandon_stale_sessions() == 0
    assert Statement.objects.filter(verb=lrs_cmi5.ABANDONED).count() == 1


def test_basic_token_is_not_a_client_key(enrolled):
    params = launch(enrolled, unit_named("1"))
    token = fetch_auth(Client(), params["fetch"])
    assert base64.b64decode(token).decode().startswith("cmi5.")


def test_log_records_never_carry_a_fetch_token(enrolled):
    import logging

    from lms.log_filters import PersonalDataFilter

    unit = unit_named("1")
    response = enrolled.post(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/")
    location = response["Location"]
    token = urlsplit(parse_qs(urlsplit(location).query)["fetch"][0]).path.split("/")[-2]
    for message in (f"Bad Request: /packages/cmi5/fetch/{token}/", f"redirect to {location}"):
        record = logging.LogRecord("x", logging.WARNING, __file__, 1, message, (), None)
        PersonalDataFilter().filter(record)
        assert token not in record.getMessage()


def test_a_nested_block_is_satisfied_under_an_lms_generated_id(
    client, author, teacher, course, django_capture_on_commit_callbacks
):
    from packages.cmi5.status import nested_block_id

    client.force_login(author)
    unit = unit_named("4")  # alone in block 2.1, nested in block 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/packages/cmi5/waive/",
            {
                "unit": str(unit.uuid),
                "lesson": unit.lesson_id,
                "user": teacher.pk,
                "reason": "Equivalent AU",
            },
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    expected = nested_block_id(course.course.activity_id, f"{b.COURSE_ID}/block/2/1")
    objects = set(
        Statement.objects.filter(verb=lrs_cmi5.SATISFIED).values_list("activity", flat=True)
    )
    assert expected in objects
    assert not any(o.startswith(b.COURSE_ID) for o in objects)  # never a publisher id


def run_au_to_the_end(
    client: Client, unit: PackageUnit, *, completed: bool = True, passed: bool = True
) -> None:
    """Launch ``unit`` and send initialized, completed, passed (0.9) and terminated with the
    AU's token, each in a request of its own, as an AU does."""
    params = launch(client, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    session = open_sessions().get()
    template = launch_data(au, params)["contextTemplate"]
    au.store(au_statement(params, template, "initialized"))
    if completed:
        au.store(
            au_statement(params, template, "completed", {"completion": True, "duration": "PT1M"})
        )
    if passed:
        result = {"success": True, "duration": "PT2M", "score": {"scaled": 0.9}}
        statement = au_statement(params, template, "passed", result)
        statement["context"]["extensions"][lrs_cmi5.MASTERY_EXTENSION] = session.mastery_score
        au.store(statement)
    au.store(au_statement(params, template, "terminated", {"duration": "PT3M"}))


def open_sessions():
    return Cmi5Session.objects.filter(
        state__in=[Cmi5Session.State.LAUNCHED, Cmi5Session.State.INITIALIZED]
    )


@pytest.mark.django_db(transaction=True)
def test_satisfied_is_stated_once_per_object_when_each_commit_runs_its_evaluation(
    migration_data, author, teacher
):
    # Transactional: every store commits and its on_commit work (the eager satisfaction task)
    # runs at once, as in production. The lesson's satisfied, stated by the evaluation after
    # "passed", triggers evaluations of its own; each object is still satisfied only once.
    result = package_import(upload=b.upload(b.block_au_cmi5()), user=author)
    unit = PackageUnit.objects.select_related("lesson").get(package=result.package)
    publish_tree(LessonPage.objects.get(pk=unit.lesson_id), author)
    Enrollment.objects.create(user=teacher, course=result.course)
    client = Client()
    client.force_login(teacher)
    run_au_to_the_end(client, unit)
    objects = list(
        Statement.objects.filter(verb=lrs_cmi5.SATISFIED).values_list("activity", flat=True)
    )
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    assert sorted(objects) == sorted(
        [lesson.activity_id, lesson.get_parent().specific.activity_id, result.course.activity_id]
    )
    # A later evaluation (a retried task) states nothing new.
    from packages.cmi5.status import evaluate

    assert evaluate(Cmi5Session.objects.get().session_id) == []


def test_the_package_api_names_the_activity_id_the_launch_and_the_statements_use(
    client, author, enrolled, course
):
    unit = unit_named("1")
    params = launch(enrolled, unit)
    client.force_login(author)
    body = client.get(f"/api/v1/packages/{course.package.pk}/").json()
    listed = {row["identifier"]: row for row in body["units"]}[unit.identifier]
    assert listed["activity_id"] == params["activityId"]
    assert Statement.objects.get(verb=ADL + "launched").activity == listed["activity_id"]


def test_a_not_applicable_au_is_satisfied_when_the_registration_starts(
    enrolled, course, django_capture_on_commit_callbacks
):
    """cmi5's initial moveOn rules: an AU whose moveOn is NotApplicable is satisfied from the
    start, without being launched; the first AU that reports in the registration states it."""
    intro, first = unit_named("intro"), unit_named("1")
    with django_capture_on_commit_callbacks(execute=True):
        run_au_to_the_end(enrolled, first, completed=True, passed=False)
    satisfied = Statement.objects.filter(verb=lrs_cmi5.SATISFIED)
    objects = list(satisfied.values_list("activity", flat=True))
    assert objects.count(intro.lesson.activity_id) == 1
    assert first.lesson.activity_id not in objects  # moveOn Passed, not passed yet
    assert course.course.activity_id not in objects
    registration = open_registration_of(satisfied.first())
    assert registration  # stated within the learner's registration
    # The intro AU was never launched.
    assert not Cmi5Session.objects.filter(activity_id__contains=str(intro.uuid)).exists()


def open_registration_of(statement: Statement) -> str:
    return statement.data["context"]["registration"]


# --- the launchMode the LMS chooses (cmi5 10.0) ---------------------------------------------


def modes_offered(client: Client, unit: PackageUnit) -> list[str]:
    html = client.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    return re.findall(r'name="mode" value="(\w+)"', html)


def post_mode(client: Client, unit: PackageUnit, mode: str):
    return client.post(f"/packages/cmi5/launch/{unit.uuid}/{unit.lesson_id}/", {"mode": mode})


def test_a_first_launch_is_normal_and_nothing_else_is_offered(enrolled):
    unit = unit_named("1")
    assert modes_offered(enrolled, unit) == ["Normal"]
    for mode in ("Review", "Browse", "Preview"):
        response = post_mode(enrolled, unit, mode)
        assert response.status_code == 400
        assert response.content.decode().startswith("mode: ")
        assert "Normal" in response.content.decode()
    assert not Cmi5Session.objects.exists()
    params = launch(enrolled, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    assert launch_data(au, params)["launchMode"] == "Normal"


def test_a_satisfied_au_launches_in_review_and_its_statements_change_nothing(
    enrolled, django_capture_on_commit_callbacks
):
    unit = unit_named("1")  # moveOn Passed
    with django_capture_on_commit_callbacks(execute=True):
        run_au_to_the_end(enrolled, unit)
    satisfied_before = Statement.objects.filter(verb=lrs_cmi5.SATISFIED).count()
    (before,) = [
        s
        for s in lrs_cmi5.cmi5_au_status(Cmi5Session.objects.get().registration)
        if s.activity_id.endswith(str(unit.uuid))
    ]
    html = enrolled.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    assert "Revisar «" in html and "al revisarla no cambia tu avance" in html
    assert modes_offered(enrolled, unit) == ["Review"]
    assert post_mode(enrolled, unit, "Normal").status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        params = launch(enrolled, unit)
        session = open_sessions().get()
        assert session.launch_mode == Cmi5Session.Mode.REVIEW
        launched = Statement.objects.filter(verb=ADL + "launched").order_by("stored").last()
        assert launched.data["context"]["extensions"][lrs_cmi5.LAUNCH_MODE_EXTENSION] == "Review"
        au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
        data = launch_data(au, params)
        # The mode the AU reads is the session's, the one the LRS enforces.
        assert data["launchMode"] == session.launch_mode == "Review"
        template = data["contextTemplate"]
        au.store(au_statement(params, template, "initialized"))
        for verb, result in (
            ("passed", {"success": True, "duration": "PT1M", "score": {"scaled": 1.0}}),
            ("failed", {"success": False, "duration": "PT1M", "score": {"scaled": 0.1}}),
            ("completed", {"completion": True, "duration": "PT1M"}),
        ):
            statement = au_statement(params, template, verb, result)
            statement["context"]["extensions"][lrs_cmi5.MASTERY_EXTENSION] = 0.8
            answer = au.post("statements", [statement])
            assert answer.status_code == 403 and answer.json()["rule"] == "cmi5.launch_mode"
        au.store(au_statement(params, template, "terminated", {"duration": "PT2M"}))
    session.refresh_from_db()
    assert session.state == Cmi5Session.State.TERMINATED
    assert not (session.completed or session.passed or session.failed)
    (after,) = [
        s
        for s in lrs_cmi5.cmi5_au_status(session.registration)
        if s.activity_id == before.activity_id
    ]
    assert (after.completed, after.passed, after.failed, after.satisfied) == (
        before.completed,
        before.passed,
        before.failed,
        before.satisfied,
    )
    assert after.sessions == before.sessions + 1
    assert Statement.objects.filter(verb=lrs_cmi5.SATISFIED).count() == satisfied_before


def test_review_comes_first_but_normal_stays_while_the_au_can_still_record(
    enrolled, django_capture_on_commit_callbacks
):
    unit = unit_named("2")  # moveOn Completed, no masteryScore: passed may still come
    with django_capture_on_commit_callbacks(execute=True):
        run_au_to_the_end(enrolled, unit, passed=False)
    assert modes_offered(enrolled, unit) == ["Review", "Normal"]
    html = enrolled.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    assert 'value="Normal" class="button secondary"' in html
    params = launch_with(enrolled, unit, "Normal")
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    assert launch_data(au, params)["launchMode"] == "Normal"


def test_a_not_applicable_au_stays_normal_until_it_reports_completion(enrolled):
    unit = unit_named("intro")
    launch(enrolled, unit)
    assert lrs_cmi5.cmi5_au_status(Cmi5Session.objects.get().registration)[0].satisfied
    assert modes_offered(enrolled, unit) == ["Normal"]


def test_a_waived_au_is_offered_for_review_only(enrolled, teacher):
    from lrs.conf import actor_for_user
    from packages.cmi5.services import waive_au

    unit = unit_named("1")
    waive_au(
        unit=unit,
        lesson=LessonPage.objects.get(pk=unit.lesson_id),
        actor=actor_for_user(teacher),
        reason="Administrative",
    )
    assert modes_offered(enrolled, unit) == ["Review"]


def test_staff_who_are_not_enrolled_browse_and_record_nothing(course, author):
    unit = unit_named("1")
    staff = Client()
    staff.force_login(author)
    assert modes_offered(staff, unit) == ["Browse"]
    html = staff.get(LessonPage.objects.get(pk=unit.lesson_id).url).content.decode()
    assert "Explorar «" in html and "no se registra avance" in html
    assert post_mode(staff, unit, "Normal").status_code == 400
    params = launch(staff, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    data = launch_data(au, params)
    assert data["launchMode"] == "Browse" == Cmi5Session.objects.get().launch_mode
    au.store(au_statement(params, data["contextTemplate"], "initialized"))
    answer = au.post(
        "statements",
        [
            au_statement(
                params,
                data["contextTemplate"],
                "completed",
                {"completion": True, "duration": "PT1M"},
            )
        ],
    )
    assert answer.status_code == 403 and answer.json()["rule"] == "cmi5.launch_mode"


def launch_with(client: Client, unit: PackageUnit, mode: str) -> dict[str, str]:
    response = post_mode(client, unit, mode)
    assert response.status_code == 302, response.content
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def test_the_fetch_url_answers_any_origin_without_credentials(enrolled):
    unit = unit_named("1")
    params = launch(enrolled, unit)
    path = urlsplit(params["fetch"]).path
    anonymous = Client()
    preflight = anonymous.options(
        path,
        HTTP_ORIGIN="https://au.publisher.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type",
    )
    assert preflight.status_code == 200
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight
    # The preflight spends nothing: the POST still gets the token, readable cross-origin.
    answer = anonymous.post(path, HTTP_ORIGIN="https://au.publisher.example")
    assert "auth-token" in answer.json()
    assert answer["Access-Control-Allow-Origin"] == "*"
    assert anonymous.get(path).status_code == 405


def test_an_evaluation_that_runs_after_its_session_was_abandoned_states_satisfied_outside_it(
    enrolled,
):
    """The AU passed, but its evaluation (a Celery task) ran only after the sweep abandoned the
    session: satisfied goes in a session id of its own (cmi5 9.6.1), not in the ended one,
    which the LRS would refuse (cmi5.after_abandoned) and so lose the learner's lesson."""
    from packages.cmi5.status import evaluate

    unit = unit_named("1")
    params = launch(enrolled, unit)
    au = XAPI(Client(), f"Basic {fetch_auth(Client(), params['fetch'])}")
    template = launch_data(au, params)["contextTemplate"]
    au.store(au_statement(params, template, "initialized"))
    passed = au_statement(
        params, template, "passed", {"success": True, "duration": "PT1M", "score": {"scaled": 0.9}}
    )
    passed["context"]["extensions"][lrs_cmi5.MASTERY_EXTENSION] = 0.8
    au.store(passed)  # its evaluation is queued on commit, not run here
    session = Cmi5Session.objects.get()
    assert lrs_cmi5.cmi5_session_abandon(session.session_id)
    written = evaluate(session.session_id)
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    assert lesson.activity_id in written
    satisfied = Statement.objects.get(verb=lrs_cmi5.SATISFIED, activity=lesson.activity_id)
    sid = satisfied.data["context"]["extensions"][lrs_cmi5.SESSION_EXTENSION]
    assert sid != session.session_id
