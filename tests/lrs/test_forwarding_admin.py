"""The forwarding backlog and failures in the Wagtail admin, with the retry button."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lrs.models import ForwardedDocument, ForwardedStatement

pytestmark = [pytest.mark.django_db, pytest.mark.wagtail_admin]


def row(status: str, **fields) -> ForwardedStatement:
    statement_id = uuid.uuid4()
    return ForwardedStatement.objects.create(
        statement_id=statement_id,
        payload={"id": str(statement_id)},
        status=status,
        next_attempt_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser("operadora", password="x")
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_shows_the_backlog_and_the_failures(admin_client, settings):
    settings.LMS_LRS_FORWARD_URL = ""  # the page still shows the rows; forwarding is off
    row("sent")
    row("pending")
    row("pending", attempts=3, last_status_code=503, last_error="Service Unavailable")
    failed = row("failed", attempts=1, last_status_code=400, last_error="statement.actor: bad")
    html = admin_client.get(reverse("progress_forwarding")).content.decode()
    assert '<td data-count="pending">2</td>' in html
    assert '<td data-count="sent">1</td>' in html
    assert '<td data-count="failed">1</td>' in html
    assert str(failed.statement_id) in html and "statement.actor: bad" in html
    assert "Service Unavailable" in html
    assert "LMS_LRS_FORWARD_URL" in html  # says forwarding is off


def test_retry_makes_failed_rows_due_again(admin_client, settings):
    settings.LMS_LRS_FORWARD_URL = ""
    failed = row("failed", attempts=1, last_status_code=400)
    other = row("failed", attempts=1, last_status_code=400)
    response = admin_client.post(reverse("progress_forwarding_retry"), {"id": failed.pk})
    assert response.status_code == 302
    failed.refresh_from_db()
    other.refresh_from_db()
    assert failed.status == "pending" and other.status == "failed"
    admin_client.post(reverse("progress_forwarding_retry"))
    other.refresh_from_db()
    assert other.status == "pending"


def test_people_without_the_permission_cannot_see_or_retry():
    user = get_user_model().objects.create_user("docente", password="x")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("progress_forwarding")).status_code in (302, 403)
    assert client.post(reverse("progress_forwarding_retry")).status_code in (302, 403)
    assert Client().get(reverse("progress_forwarding")).status_code == 302


def test_rows_never_tried_are_counted_and_listed(admin_client, settings):
    settings.LMS_LRS_FORWARD_URL = "http://external.invalid/xapi/"
    # Claimed by a worker that crashed before its first request: pending, never tried.
    stuck = [row("pending") for _ in range(3)]
    parked = row(
        "failed",
        attempts=1,
        last_error="statement.context.contextAgents is xAPI 2.0 only and the external LRS "
        "accepts xAPI 1.0.3",
    )
    html = admin_client.get(reverse("progress_forwarding")).content.decode()
    assert '<td data-count="never_tried">3</td>' in html
    assert '<td data-count="pending">3</td>' in html
    assert '<td data-count="failed">1</td>' in html
    assert "Nada pendiente ni fallido" not in html
    assert all(str(r.statement_id) in html for r in stuck)
    assert str(parked.statement_id) in html and "contextAgents" in html
    # Parked rows come first: they need a person, the others only time.
    assert html.index(str(parked.statement_id)) < html.index(str(stuck[0].statement_id))


def test_an_empty_outbox_says_so(admin_client):
    row("sent")
    html = admin_client.get(reverse("progress_forwarding")).content.decode()
    assert '<td data-count="never_tried">0</td>' in html
    assert "Nada pendiente ni fallido" in html


def document_row(status: str, document_id: str = "suspend", **fields) -> ForwardedDocument:
    return ForwardedDocument.objects.create(
        key=uuid.uuid4().hex,
        kind="state",
        activity="https://capacita.example/actividad/1",
        agent_ifi="account:https://capacita.example|u-secret",
        agent={"account": {"homePage": "https://capacita.example", "name": "u-secret"}},
        document_id=document_id,
        content=fields.pop("content", b"{}"),
        content_type="application/json",
        status=status,
        next_attempt_at=timezone.now(),
        written_at=timezone.now(),
        **fields,
    )


def test_the_admin_lists_documents_waiting_or_parked_without_their_agent(
    admin_client, settings, django_assert_max_num_queries
):
    settings.LMS_LRS_FORWARD_URL = "http://external.invalid/xapi/"
    document_row("sent", "done")
    parked = document_row("failed", "parked", attempts=1, last_status_code=400, last_error="bad")
    for n in range(5):
        document_row("pending", f"waiting-{n}", content=None)
    with django_assert_max_num_queries(40):
        html = admin_client.get(reverse("progress_forwarding")).content.decode()
    section = html[html.index('id="document-forwarding-summary"') :]
    assert '<td data-count="pending">5</td>' in section
    assert '<td data-count="failed">1</td>' in section
    assert '<td data-count="sent">1</td>' in section
    assert "<code>parked</code>" in section and "waiting-4" in section and "(borrado)" in section
    assert html.index("<code>parked</code>") < html.index("waiting-0")
    assert "u-secret" not in html
    # The retry button of a document row retries that document only.
    response = admin_client.post(
        reverse("progress_forwarding_retry"), {"outbox": "documents", "id": parked.pk}
    )
    assert response.status_code == 302
    parked.refresh_from_db()
    assert parked.status == "pending"


def test_retrying_documents_leaves_statements_alone(admin_client, settings):
    settings.LMS_LRS_FORWARD_URL = ""
    statement = row("failed", attempts=1)
    document = document_row("failed", attempts=1)
    admin_client.post(reverse("progress_forwarding_retry"), {"outbox": "documents"})
    statement.refresh_from_db()
    document.refresh_from_db()
    assert (statement.status, document.status) == ("failed", "pending")
