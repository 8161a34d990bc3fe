"""Forwarding documents to a second running Capacita LRS: the tincan adapter's PUT (with the
ETag round an xAPI 2.0 LRS asks for), DELETE and binary content; and a SCORM attempt's commit
whose State document arrives there, through an outage."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from integrations.lrs.base import DocumentWrite
from lrs import document_forwarding
from lrs.forwarding import configured_forwarder
from lrs.models import ForwardedDocument
from tests.lrs.test_forwarding_external_lrs import external_lrs, forwarding_to  # noqa: F401

pytestmark = [pytest.mark.services]

AGENT = {"objectType": "Agent", "account": {"homePage": "https://capacita.example", "name": "u-7"}}
IFI = "account:https://capacita.example|u-7"
ACTIVITY = "https://capacita.example/actividad/1"
REGISTRATION = "6f1e1d2c-3b4a-4c5d-8e9f-0a1b2c3d4e5f"


@pytest.mark.django_db
def test_the_tincan_adapter_replaces_and_deletes_documents_at_a_real_lrs(forwarding_to):  # noqa: F811
    external = forwarding_to
    forwarder = configured_forwarder()
    state = DocumentWrite(
        kind="state",
        document_id="suspend",
        activity_id=ACTIVITY,
        agent=AGENT,
        registration=REGISTRATION,
        content=b'{"page": 1}',
        content_type="application/json",
    )
    key = ("state", ACTIVITY, IFI, REGISTRATION, "suspend")
    assert forwarder.send_document(state).ok
    assert external.documents()[key] == (b'{"page": 1}', "application/json")
    # A second PUT replaces it (under xAPI 2.0 the LRS asks for If-Match: the adapter reads
    # the ETag and sends it).
    replaced = DocumentWrite(
        **{**state.__dict__, "content": b"\x00\xffbinary", "content_type": "application/x-bin"}
    )
    assert forwarder.send_document(replaced).ok
    assert external.documents()[key] == (b"\x00\xffbinary", "application/x-bin")
    # An Agent Profile asks for a precondition in every version.
    profile = DocumentWrite(
        kind="agent_profile",
        document_id="cmi5LearnerPreferences",
        agent=AGENT,
        content=b'{"languagePreference": "es-MX"}',
        content_type="application/json",
    )
    assert forwarder.send_document(profile).ok
    profile = DocumentWrite(**{**profile.__dict__, "content": b'{"languagePreference": "en"}'})
    assert forwarder.send_document(profile).ok
    profile_key = ("agent_profile", "", IFI, "", "cmi5LearnerPreferences")
    assert json.loads(external.documents()[profile_key][0]) == {"languagePreference": "en"}
    # A delete, twice (the second finds nothing: still done).
    gone = DocumentWrite(**{**state.__dict__, "content": None})
    assert forwarder.send_document(gone).ok
    assert key not in external.documents()
    assert forwarder.send_document(gone).ok


@pytest.mark.capacita
@pytest.mark.django_db
def test_a_scorm_attempts_state_document_reaches_the_external_lrs_through_an_outage(
    forwarding_to,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    from django.contrib.auth import get_user_model

    from learners.models import Enrollment
    from packages.models import PackageUnit
    from packages.scorm.statements import ATTEMPT_STATE
    from packages.services import package_import
    from tests.packages import builders as b
    from tests.packages.test_scorm_runtime import commit, open_attempt

    external = forwarding_to
    users = get_user_model().objects
    author = users.create_superuser("autora@example.mx", "autora@example.mx", "x")
    teacher = users.create_user("docente@example.mx", "docente@example.mx", "x")
    result = package_import(upload=b.upload(b.scorm12()), user=author)
    Enrollment.objects.create(user=teacher, course=result.course)
    unit = PackageUnit.objects.get(package=result.package)
    client.force_login(teacher)
    with django_capture_on_commit_callbacks(execute=True):
        launch = open_attempt(client, unit)
    registration = launch["attempt"]

    def attempt_state() -> dict | None:
        for (kind, _, _, reg, document_id), (content, _) in external.documents().items():
            if (kind, reg, document_id) == ("state", registration, ATTEMPT_STATE):
                return json.loads(content)
        return None

    cmi = {"cmi.suspend_data": "abc", "cmi.core.lesson_location": "p2"}
    with django_capture_on_commit_callbacks(execute=True):
        assert commit(client, launch, cmi).status_code == 200
    assert attempt_state()["cmi"] == cmi

    external.stop()  # the external LRS goes down; the learner goes on
    more = {
        **cmi,
        "cmi.suspend_data": "abcdef",
        "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.type": "choice",
        "cmi.interactions.0.student_response": "b",
    }
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert commit(client, launch, more).status_code == 200
        row = ForwardedDocument.objects.get(registration=registration, document_id=ATTEMPT_STATE)
        assert row.status == "pending" and row.attempts == 1
    finally:
        external.start()
    ForwardedDocument.objects.update(next_attempt_at=timezone.now())  # the backoff elapses
    assert document_forwarding.forward_due_documents().failed == 0
    forwarded = attempt_state()
    assert forwarded["cmi"]["cmi.suspend_data"] == "abcdef"
    assert forwarded["cmi"]["cmi.interactions.0.student_response"] == "b"
    # The external LRS holds what Capacita holds, keyed by the opaque account, nothing personal.
    ours = ForwardedDocument.objects.get(registration=registration, document_id=ATTEMPT_STATE)
    assert ours.status == "sent" and json.loads(bytes(ours.content)) == forwarded
    assert ours.agent["account"]["name"] == launch["values"]["cmi.core.student_id"]
    assert "docente" not in repr(external.documents())
