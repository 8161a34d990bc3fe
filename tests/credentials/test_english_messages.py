"""In English, the ARCO cancellation notice about credentials and the credentials API's
messages are English (they were Spanish, or English on the Spanish site)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tests.support.language import spanish_in, visible_text

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ES = {"HTTP_ACCEPT_LANGUAGE": "es-MX"}


def _notice_block(html: str) -> str:
    return html.split('data-cancel-notice="credentials"', 1)[1].split("</section>", 1)[0]


def test_the_cancellation_page_in_english_tells_what_happens_to_the_credentials(
    client, learner, award
):
    client.force_login(learner)
    html = client.get("/en" + reverse("learners:cancel")).content.decode()
    notice = visible_text("<x " + _notice_block(html))
    assert "You have 1 credential." in notice
    assert "recipient check" in notice and "Download all my credentials (zip)" in notice
    assert spanish_in(notice) == []


@pytest.mark.parametrize(
    ("headers", "expected", "absent"),
    [(EN, "recipient check", "seguirán"), (ES, "seguirán siendo válidas", "recipient")],
    ids=["en", "es"],
)
def test_the_cancellation_api_notice_speaks_the_requested_language(
    learner, award, headers, expected, absent
):
    api = APIClient()
    api.force_authenticate(learner)
    notice = {n["key"]: n for n in api.get("/api/v1/me/cancel/", **headers).json()["notices"]}
    credentials = notice["credentials"]
    notices_text = " ".join(
        [credentials["title"], credentials["text"]] + [d["label"] for d in credentials["downloads"]]
    )
    assert expected in notices_text and absent not in notices_text
    if headers is EN:
        assert spanish_in(notices_text) == []


@pytest.mark.parametrize(
    ("body", "english", "spanish"),
    [
        ({}, "Give exactly one of jwt, credential or image.", "Envía exactamente uno"),
        ({"image": "***"}, "The image is not valid base64.", "base64 válido"),
    ],
)
def test_verify_api_messages_follow_accept_language(body, english, spanish):
    api = APIClient()
    url = "/api/v1/credentials/verify"
    answer_en = str(api.post(url, body, format="json", **EN).json())
    answer_es = str(api.post(url, body, format="json", **ES).json())
    assert english in answer_en and spanish_in(answer_en) == []
    assert spanish in answer_es and english not in answer_es


def test_award_api_messages_follow_accept_language(learner):
    staff = learner.__class__.objects.create_user("staff", is_staff=True, is_superuser=True)
    api = APIClient()
    api.force_authenticate(staff)
    body = {
        "achievement": "00000000-0000-4000-8000-000000000000",
        "user_id": learner.pk,
        "reason": "x",
    }
    answer_en = str(api.post("/api/v1/credentials/awards/", body, format="json", **EN).json())
    answer_es = str(api.post("/api/v1/credentials/awards/", body, format="json", **ES).json())
    assert "No such achievement." in answer_en
    assert "No existe ese logro." in answer_es
