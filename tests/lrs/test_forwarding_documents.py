"""Forwarding State and profile documents through their outbox, against the in-memory LRS:
queued with the write, the stored content sent, deletes, coalescing in order, backoff, parking,
retry."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from integrations.lrs.base import DocumentWrite
from integrations.lrs.fake import InMemoryForwarder
from lrs import document_forwarding
from lrs.errors import XAPIError
from lrs.models import ForwardedDocument, LRSDocument
from lrs.services import document_write
from tests.lrs.xapi_fixtures import ACTIVITY, new_id

pytestmark = pytest.mark.django_db

AGENT = {"objectType": "Agent", "account": {"homePage": "https://capacita.example", "name": "u-1"}}
STATE = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "suspend"}


@pytest.fixture
def fake_lrs(settings):
    settings.LMS_LRS_FORWARD_URL = "http://external.invalid/xapi/"
    settings.LMS_LRS_FORWARDER = "integrations.lrs.fake.InMemoryForwarder"
    InMemoryForwarder.reset()
    yield InMemoryForwarder
    InMemoryForwarder.reset()


def held(fake: type[InMemoryForwarder], **params: str) -> dict | None:
    """What the fake external LRS holds for the State document of ``STATE`` (plus ``params``)."""
    wanted = {**STATE, **params}
    for (kind, items), value in fake.documents.items():
        found = dict(items)
        if kind == "state" and all(
            json.loads(found[k]) == json.loads(v) if k == "agent" else found.get(k) == v
            for k, v in wanted.items()
        ):
            return value
    return None


def test_a_state_put_is_queued_with_the_write_and_forwarded_as_stored(fake_lrs, xapi):
    registration = new_id()
    params = {**STATE, "registration": registration}
    assert xapi.put("activities/state", {"page": 3}, params=params).status_code == 204
    row = ForwardedDocument.objects.get()
    assert (row.kind, row.activity, row.registration, row.document_id) == (
        "state",
        ACTIVITY,
        registration,
        "suspend",
    )
    assert row.agent == AGENT and bytes(row.content) == b'{"page": 3}'
    assert row.status == "pending"

    report = document_forwarding.forward_due_documents()
    assert report.sent == 1
    ((method, kind, sent),) = fake_lrs.document_requests
    assert (method, kind) == ("PUT", "state")
    assert sent["activityId"] == ACTIVITY and sent["registration"] == registration
    assert sent["stateId"] == "suspend" and json.loads(sent["agent"]) == AGENT
    assert held(fake_lrs, registration=registration) == {
        "content": b'{"page": 3}',
        "content_type": "application/json",
    }
    assert ForwardedDocument.objects.get().status == "sent"
    # Sending again sends nothing: the row is done.
    assert document_forwarding.forward_due_documents().sent == 0


def test_the_nudge_on_commit_sends_the_document(fake_lrs, xapi, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        xapi.put("activities/state", b"\x00binary", params=STATE, content_type="application/x-x")
    assert held(fake_lrs) == {"content": b"\x00binary", "content_type": "application/x-x"}


def test_a_post_merge_is_forwarded_as_a_put_of_the_merged_document(fake_lrs, xapi):
    xapi.post("activities/state", {"a": 1, "b": 1}, params=STATE)
    document_forwarding.forward_due_documents()
    xapi.post("activities/state", {"b": 2, "c": 3}, params=STATE)
    document_forwarding.forward_due_documents()
    assert [m for m, _, _ in fake_lrs.document_requests] == ["PUT", "PUT"]
    assert json.loads(held(fake_lrs)["content"]) == {"a": 1, "b": 2, "c": 3}


def test_a_failing_write_queues_nothing(fake_lrs, xapi):
    # A 412 (If-Match against a document that does not exist) writes nothing.
    response = xapi.put("activities/state", {"x": 1}, params=STATE, headers={"If-Match": '"no"'})
    assert response.status_code == 412
    assert not ForwardedDocument.objects.exists()
    # A write rolled back after the document was saved takes its outbox row with it.
    scope = {"kind": "state", "activity": ACTIVITY, "agent_ifi": "account:h|n", "registration": ""}
    with pytest.raises(RuntimeError), transaction.atomic():
        document_write(
            scope=scope,
            document_id="s",
            content=b"{}",
            content_type="application/json",
            merge=False,
        )
        assert ForwardedDocument.objects.count() == 1
        raise RuntimeError("the caller's transaction fails after the write")
    assert not ForwardedDocument.objects.exists() and not LRSDocument.objects.exists()


def test_a_rejected_merge_queues_nothing(fake_lrs, xapi):
    xapi.put("activities/state", b"text", params=STATE, content_type="text/plain")
    document_forwarding.forward_due_documents()
    revision = ForwardedDocument.objects.get().revision
    assert xapi.post("activities/state", {"a": 1}, params=STATE).status_code == 400
    row = ForwardedDocument.objects.get()
    assert row.revision == revision and row.status == "sent"


def test_a_delete_is_forwarded(fake_lrs, xapi):
    xapi.put("activities/state", {"x": 1}, params=STATE)
    document_forwarding.forward_due_documents()
    assert held(fake_lrs) is not None
    assert xapi.delete("activities/state", STATE).status_code == 204
    row = ForwardedDocument.objects.get()
    assert row.deleted and row.status == "pending"
    assert document_forwarding.forward_due_documents().sent == 1
    assert fake_lrs.document_requests[-1][0] == "DELETE"
    assert fake_lrs.document_requests[-1][2]["stateId"] == "suspend"
    assert held(fake_lrs) is None


def test_deleting_every_state_of_a_scope_forwards_one_delete_per_document(
    fake_lrs, xapi, django_capture_on_commit_callbacks
):
    scope = {k: v for k, v in STATE.items() if k != "stateId"}
    for state_id in ("one", "two"):
        xapi.put("activities/state", {"x": state_id}, params={**scope, "stateId": state_id})
    document_forwarding.forward_due_documents()
    with django_capture_on_commit_callbacks() as nudges:
        assert xapi.delete("activities/state", scope).status_code == 204
    assert len(nudges) == 1  # one nudge for the request, not one per document
    assert document_forwarding.forward_due_documents().sent == 2
    deletes = [p["stateId"] for m, _, p in fake_lrs.document_requests if m == "DELETE"]
    assert sorted(deletes) == ["one", "two"]
    assert fake_lrs.documents == {}


def test_deleting_nothing_queues_nothing(fake_lrs, xapi):
    assert xapi.delete("activities/state", STATE).status_code == 204
    assert not ForwardedDocument.objects.exists()


def test_writes_before_delivery_coalesce_into_the_latest(fake_lrs, xapi):
    for page in range(5):
        xapi.put("activities/state", {"page": page}, params=STATE)
    row = ForwardedDocument.objects.get()
    assert row.revision == 5
    assert document_forwarding.forward_due_documents().sent == 1
    assert len(fake_lrs.document_requests) == 1
    assert json.loads(held(fake_lrs)["content"]) == {"page": 4}
    # A write then a delete before delivery: only the delete goes.
    xapi.put("activities/state", {"page": 5}, params=STATE)
    xapi.delete("activities/state", STATE)
    document_forwarding.forward_due_documents()
    assert [m for m, _, _ in fake_lrs.document_requests] == ["PUT", "DELETE"]
    assert held(fake_lrs) is None


def test_a_write_during_delivery_is_sent_after_it_never_before(fake_lrs, xapi):
    """A newer write arriving while a worker sends the older content: the older one is not
    marked sent, no second worker can take the row meanwhile, and the newer one goes next."""
    xapi.put("activities/state", {"page": 1}, params=STATE)
    sent: list[dict] = []

    def write_meanwhile(document: DocumentWrite) -> None:
        sent.append(json.loads(document.content or b"null"))
        if len(sent) == 1:
            xapi.put("activities/state", {"page": 2}, params=STATE)
            # The row is still under the first worker's lease: nothing is due for another.
            assert document_forwarding._claim(10)[0] == []

    fake_lrs.on_send_document = write_meanwhile
    report = document_forwarding.forward_due_documents()
    # In revision order, the newer last, and that is what the external LRS holds.
    assert sent == [{"page": 1}, {"page": 2}]
    assert json.loads(held(fake_lrs)["content"]) == {"page": 2}
    assert report.sent == 1  # the first was superseded while in flight, not marked sent
    row = ForwardedDocument.objects.get()
    assert row.status == "sent" and row.revision == 2 and row.attempts == 2


def test_an_outage_backs_off_then_delivers(fake_lrs, xapi, settings):
    settings.LMS_LRS_FORWARD_BACKOFF_BASE = 5
    xapi.put("activities/state", {"page": 1}, params=STATE)
    xapi.put("activities/state", {"page": 1}, params={**STATE, "stateId": "other"})
    fake_lrs.down = True
    report = document_forwarding.forward_due_documents()
    assert (report.sent, report.deferred, report.retry_in) == (0, 2, 5.0)
    first = ForwardedDocument.objects.order_by("id").first()
    assert first.status == "pending" and first.attempts == 1 and "down" in first.last_error
    assert first.next_attempt_at > timezone.now()
    # Not due yet: nothing is tried; a write meanwhile keeps the backoff and the newer content.
    assert document_forwarding.forward_due_documents().deferred == 0
    xapi.put("activities/state", {"page": 2}, params=STATE)
    assert ForwardedDocument.objects.get(pk=first.pk).next_attempt_at > timezone.now()
    # Twice the delay after the second failure.
    ForwardedDocument.objects.update(next_attempt_at=timezone.now())
    assert document_forwarding.forward_due_documents().retry_in == 10.0
    # The LRS is back: once due, everything goes, the latest content of each.
    fake_lrs.down = False
    ForwardedDocument.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert document_forwarding.forward_due_documents().sent == 2
    assert json.loads(held(fake_lrs)["content"]) == {"page": 2}
    assert set(ForwardedDocument.objects.values_list("status", flat=True)) == {"sent"}


def test_a_4xx_parks_the_document_without_holding_back_the_others(fake_lrs, xapi, caplog):
    fake_lrs.reject_document_ids = {"suspend"}
    xapi.put("activities/state", {"page": 1}, params=STATE)
    xapi.put("activities/state", {"page": 1}, params={**STATE, "stateId": "other"})
    with caplog.at_level(logging.ERROR, logger="lrs.document_forwarding"):
        report = document_forwarding.forward_due_documents()
    assert (report.sent, report.failed) == (1, 1)
    parked = ForwardedDocument.objects.get(document_id="suspend")
    assert parked.status == "failed" and parked.last_status_code == 400
    assert "rejected" in parked.last_error
    # The log says which row, never whose document.
    assert "u-1" not in caplog.text and "suspend" not in caplog.text
    assert f"row {parked.pk}" in caplog.text
    # Parked rows wait for a retry; the admin's retry sends them again.
    assert document_forwarding.forward_due_documents().sent == 0
    fake_lrs.reject_document_ids = set()
    assert document_forwarding.outbox_retry(ids=[parked.pk]) == 1
    assert document_forwarding.forward_due_documents().sent == 1
    assert ForwardedDocument.objects.get(pk=parked.pk).status == "sent"


def test_a_new_write_of_a_parked_document_is_tried_again(fake_lrs, xapi):
    fake_lrs.reject_document_ids = {"suspend"}
    xapi.put("activities/state", {"page": 1}, params=STATE)
    document_forwarding.forward_due_documents()
    assert ForwardedDocument.objects.get().status == "failed"
    fake_lrs.reject_document_ids = set()
    xapi.put("activities/state", {"page": 2}, params=STATE)
    row = ForwardedDocument.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")
    assert document_forwarding.forward_due_documents().sent == 1


def test_a_document_the_adapter_fails_on_is_parked(fake_lrs, xapi):
    fake_lrs.crash_document_ids = {"suspend"}
    xapi.put("activities/state", {"page": 1}, params=STATE)
    report = document_forwarding.forward_due_documents()
    assert report.failed == 1
    row = ForwardedDocument.objects.get()
    assert row.status == "failed" and row.last_error.startswith("TypeError")


def test_a_dead_workers_lease_runs_out_and_the_row_is_sent(fake_lrs, xapi):
    xapi.put("activities/state", {"page": 1}, params=STATE)
    rows, _ = document_forwarding._claim(10)  # a worker claims, then dies
    assert len(rows) == 1
    assert document_forwarding.forward_due_documents().sent == 0
    ForwardedDocument.objects.update(next_attempt_at=timezone.now())
    assert document_forwarding.forward_due_documents().sent == 1


def test_agent_and_activity_profiles_are_forwarded(fake_lrs, xapi):
    agent_params = {"agent": json.dumps(AGENT), "profileId": "cmi5LearnerPreferences"}
    xapi.put("agents/profile", {"languagePreference": "es-MX"}, params=agent_params)
    activity_params = {"activityId": ACTIVITY, "profileId": "settings"}
    xapi.put("activities/profile", {"theme": "dark"}, params=activity_params)
    assert document_forwarding.forward_due_documents().sent == 2
    sent = {kind: params for _, kind, params in fake_lrs.document_requests}
    assert set(sent["agent_profile"]) == {"agent", "profileId"}
    assert json.loads(sent["agent_profile"]["agent"]) == AGENT
    assert sent["agent_profile"]["profileId"] == "cmi5LearnerPreferences"
    assert sent["activity_profile"] == activity_params


def test_nothing_is_queued_when_forwarding_is_off(settings, xapi):
    settings.LMS_LRS_FORWARD_URL = ""
    xapi.put("activities/state", {"page": 1}, params=STATE)
    xapi.delete("activities/state", STATE)
    assert not ForwardedDocument.objects.exists()
    assert document_forwarding.forward_due_documents().sent == 0


def test_the_summary_counts_documents(fake_lrs, xapi):
    fake_lrs.reject_document_ids = {"suspend"}
    xapi.put("activities/state", {"page": 1}, params=STATE)
    xapi.put("activities/state", {"page": 1}, params={**STATE, "stateId": "later"})
    document_forwarding._claim(1)  # a worker took the first and died: still never tried
    summary = document_forwarding.outbox_summary()
    assert (summary["pending"], summary["never_tried"], summary["failed"]) == (2, 2, 0)
    ForwardedDocument.objects.update(next_attempt_at=timezone.now())
    document_forwarding.forward_due_documents()
    summary = document_forwarding.outbox_summary()
    assert (summary["pending"], summary["sent"], summary["failed"]) == (0, 1, 1)


def test_a_write_conflict_at_the_site_leaves_the_outbox_as_it_was(fake_lrs):
    scope = {
        "kind": "agent_profile",
        "activity": "",
        "agent_ifi": "account:h|n",
        "registration": "",
    }
    document_write(
        scope=scope, document_id="p", content=b"{}", content_type="application/json", merge=False
    )
    with pytest.raises(XAPIError):
        # A profile PUT over an existing one without a precondition is a 409.
        document_write(
            scope=scope,
            document_id="p",
            content=b"[]",
            content_type="application/json",
            merge=False,
        )
    assert ForwardedDocument.objects.get().revision == 1


@pytest.mark.capacita
def test_beat_sweeps_the_document_outbox_as_often_as_the_statements_one(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["lrs-forward-documents"]
    assert entry["task"] == "lrs.tasks.forward_documents"
    statements = settings.CELERY_BEAT_SCHEDULE["lrs-forward-statements"]
    assert entry["schedule"] == statements["schedule"]


def test_the_task_sends_what_is_due_and_reports_it(fake_lrs, xapi):
    from lrs.tasks import forward_documents

    xapi.put("activities/state", {"page": 1}, params=STATE)
    fake_lrs.down = True
    assert forward_documents.apply().get()["deferred"] == 1
    fake_lrs.down = False
    ForwardedDocument.objects.update(next_attempt_at=timezone.now())
    assert forward_documents.apply().get() == {
        "sent": 1,
        "failed": 0,
        "deferred": 0,
        "retry_in": None,
    }
