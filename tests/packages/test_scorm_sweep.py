"""The sweep of SCORM attempts left open: an attempt the SCO initialized and never
terminated (a closed tab, a lost device), with no commit and no launch for longer than
``LMS_SCORM_ABANDON_AFTER_SECONDS``, is closed with the ADL SCORM profile's ``terminated``
(the profile has no ``abandoned``), its State document says so, and the learner's next launch
starts a new attempt. Idempotent, and registered as a Celery beat entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lrs.models import LRSDocument, Statement
from packages.conf import app_settings
from packages.scorm.models import ScormAttempt
from packages.scorm.services import attempts_abandon_stale
from packages.scorm.tasks import abandon_stale_attempts
from tests.packages import test_api_scorm as api_tests
from tests.packages.test_api_scorm import finish, midway
from tests.packages.test_scorm_runtime import commit, open_attempt

pytestmark = pytest.mark.django_db

ADL = "http://adlnet.gov/expapi/verbs/"

# The staff API tests' fixtures: a three-SCO lesson and the enrolled teacher's client.
units = api_tests.units
learner = api_tests.learner


def age(attempt_uuid: str, seconds: float) -> None:
    """As if the attempt's last commit or launch was ``seconds`` ago."""
    ScormAttempt.objects.filter(uuid=attempt_uuid).update(
        updated_at=timezone.now() - timedelta(seconds=seconds)
    )


def terminated(attempt_uuid: str):
    return Statement.objects.filter(registration=attempt_uuid, verb=ADL + "terminated")


def test_an_attempt_left_open_past_the_timeout_is_terminated_once(
    learner,
    units,
    settings,
):
    settings.LMS_SCORM_ABANDON_AFTER_SECONDS = 3600
    left = midway(learner, units[0])
    age(left["attempt"], 3601)
    assert abandon_stale_attempts() == 1
    assert abandon_stale_attempts() == 0  # idempotent: nothing left to close
    attempt = ScormAttempt.objects.get(uuid=left["attempt"])
    assert attempt.ended and not attempt.suspended and not attempt.session_open
    assert attempt.recorded["abandoned"] is True and attempt.recorded["abandoned_by"] == "timeout"
    (statement,) = terminated(left["attempt"])
    assert statement.data["object"]["id"].endswith(f"/scorm/{units[0].uuid}")
    state = LRSDocument.objects.get(kind="state", registration=left["attempt"])
    assert b'"ended": true' in bytes(state.content)
    # Her next launch starts a new attempt.
    again = open_attempt(learner, units[0])
    assert again["number"] == 2 and again["values"]["cmi.entry"] == "ab-initio"


def test_attempts_within_the_timeout_ended_or_never_initialized_are_left_alone(
    learner,
    teacher,
    units,
    settings,
):
    settings.LMS_SCORM_ABANDON_AFTER_SECONDS = 3600
    recent = midway(learner, units[0])
    age(recent["attempt"], 3500)
    done = finish(learner, units[1])
    age(done["attempt"], 99_999)
    suspended = open_attempt(learner, units[2])
    commit(learner, suspended, {"cmi.exit": "suspend", "cmi.location": "2"}, terminate=True)
    age(suspended["attempt"], 99_999)
    assert abandon_stale_attempts() == 0
    # Opened by a launch whose SCO never called Initialize: nothing to close in the LRS, and
    # the next launch reuses it.
    ScormAttempt.objects.filter(uuid=suspended["attempt"]).delete()
    unused = open_attempt(learner, units[2])
    age(unused["attempt"], 99_999)
    assert abandon_stale_attempts() == 0
    assert not ScormAttempt.objects.filter(ended=False, recorded__abandoned=True).exists()
    assert not terminated(recent["attempt"]).exists()


def test_a_resumed_attempt_counts_from_its_latest_launch(learner, units):
    left = midway(learner, units[0])
    age(left["attempt"], 10 * 24 * 3600)
    # She comes back before the sweep ran: the launch resumes it and restarts the clock.
    again = open_attempt(learner, units[0])
    assert again["attempt"] == left["attempt"] and again["values"]["cmi.entry"] == "resume"
    assert attempts_abandon_stale(idle=timedelta(days=7)) == 0
    assert attempts_abandon_stale(idle=timedelta(0), now=timezone.now() + timedelta(1)) == 1


def test_the_beat_entry_and_the_default_timeout():
    entry = app_settings.beat_schedule({"LMS_SCORM_ABANDON_SWEEP_SECONDS": 600})[
        "packages-scorm-abandon"
    ]
    assert entry == {"task": "packages.scorm.abandon_stale_attempts", "schedule": 600.0}
    assert app_settings.defaults["LMS_SCORM_ABANDON_AFTER_SECONDS"] == 7 * 24 * 3600
    from django.conf import settings as django_settings

    assert "packages-scorm-abandon" in django_settings.CELERY_BEAT_SCHEDULE
    from lms.celery import app

    assert "packages.scorm.abandon_stale_attempts" in app.tasks
