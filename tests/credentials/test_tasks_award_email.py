"""The award e-mail: enqueued on commit, in her language, with the verification link, once;
eagerly (mail.outbox) and through a real worker process (services run)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest
from django.core import mail
from wagtail.models import Locale

from credentials import notifications, services, tasks
from credentials.models import Award
from learners.models import Enrollment
from tests.credentials.factories import AchievementFactory, IssuerFactory, UserFactory
from tests.learners.learners_factories import TeacherProfileFactory

EMAIL = "ana.perez@example.mx"


def _issue(achievement, learner, **kwargs) -> Award:
    award, _created = services.award_issue(
        achievement_id=achievement.pk, user_id=learner.pk, source="completion", **kwargs
    )
    return award


@pytest.mark.django_db
def test_issuing_emails_her_the_verification_link_in_spanish(
    achievement, learner, django_capture_on_commit_callbacks
):
    TeacherProfileFactory(
        user=learner, first_name="María", paternal_surname="Núñez", maternal_surname=""
    )
    with django_capture_on_commit_callbacks(execute=True):
        award = _issue(achievement, learner)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.subject == f"Obtuviste la credencial «{achievement.name}»"
    assert "Hola, María Núñez:" in message.body
    assert f"http://testserver/credentials/{award.uuid}/" in message.body
    assert "http://testserver/credentials/wallet/" in message.body
    assert "/en/" not in message.body
    award.refresh_from_db()
    assert award.notified_at is not None


@pytest.mark.django_db
def test_the_email_is_in_english_when_she_studied_the_course_in_english(
    issuer, learner, django_capture_on_commit_callbacks
):
    from tests.courses.factories import build_course, english_catalog

    course = build_course(
        parent=english_catalog(),
        locale=Locale.objects.get(language_code="en"),
        title="AI in the classroom",
        slug="ai-classroom",
        modules=1,
        lessons=1,
    )
    enrollment = Enrollment.objects.create(user=learner, course=course)
    achievement = AchievementFactory(issuer=issuer, name="AI in the classroom")
    with django_capture_on_commit_callbacks(execute=True):
        award = _issue(achievement, learner, enrollment_id=enrollment.pk)
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == "You earned the credential “AI in the classroom”"
    assert "Congratulations!" in body
    assert f"http://testserver/en/credentials/{award.uuid}/" in body
    assert "http://testserver/en/credentials/wallet/" in body


@pytest.mark.django_db
def test_the_email_task_is_idempotent(award):
    assert tasks.award_notify.delay(award_id=award.pk).get() is True
    assert tasks.award_notify.delay(award_id=award.pk).get() is False
    assert notifications.award_notify(award_id=award.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_no_email_for_a_revoked_award_an_erased_recipient_or_an_unknown_award(award, learner):
    services.award_revoke(award_id=award.pk, reason="Error de captura")
    assert notifications.award_notify(award_id=award.pk) is False
    assert notifications.award_notify(award_id=10**9) is False
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failing_mail_server_leaves_the_award_to_be_retried(award, settings, monkeypatch):
    import smtplib

    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("down")

    monkeypatch.setattr(notifications, "send_mail", refuse)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        notifications.award_notify(award_id=award.pk)
    award.refresh_from_db()
    assert award.notified_at is None  # a retry will send it
    assert smtplib.SMTPException in tasks.award_notify.autoretry_for
    assert tasks.award_notify.retry_backoff


@pytest.mark.django_db
def test_the_email_task_logs_no_address_or_name(award, caplog):
    with caplog.at_level(logging.DEBUG):
        notifications.award_notify(award_id=award.pk)
    assert EMAIL not in caplog.text
    assert str(award.uuid) in caplog.text


@pytest.mark.django_db
def test_the_email_is_enqueued_only_after_the_commit(achievement, learner):
    # Without the commit (this test's transaction is rolled back) no task runs, no mail goes.
    _issue(achievement, learner)
    assert mail.outbox == []


@pytest.fixture
def mail_folder(monkeypatch, tmp_path) -> Path:
    """Mail the worker process writes to files, which this process can read."""
    folder = tmp_path / "mail"
    monkeypatch.setenv("LMS_TEST_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("LMS_MAIL_DIR", str(folder))
    return folder


@pytest.mark.services
def test_a_real_worker_sends_the_award_email_once(mail_folder, celery_worker_process):
    issuer = IssuerFactory(slug="sep-mail", name="Secretaría de Educación Pública")
    services.issuer_keys_ensure(issuer=issuer)
    achievement = AchievementFactory(issuer=issuer, name="Robótica educativa")
    learner = UserFactory(username="ana-mail", email=EMAIL)
    award = _issue(achievement, learner)  # transactional test: on_commit enqueues at once
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        award.refresh_from_db()
        if award.notified_at is not None:
            break
        time.sleep(0.5)
    assert award.notified_at is not None, "the worker did not send the e-mail within 60 s"
    files = list(mail_folder.glob("*.log"))
    text = "".join(path.read_text() for path in files)
    assert text.count(f"http://testserver/credentials/{award.uuid}/") == 1
    assert f"To: {EMAIL}" in text
    # A duplicated delivery of the task sends nothing more. The solo worker takes tasks in
    # order, so once a later award's mail is out, the duplicate has been handled.
    tasks.award_notify.delay(award_id=award.pk)
    later = _issue(achievement, UserFactory(username="bea-mail", email="bea@example.mx"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        later.refresh_from_db()
        if later.notified_at is not None:
            break
        time.sleep(0.5)
    assert later.notified_at is not None
    again = "".join(path.read_text() for path in mail_folder.glob("*.log"))
    assert again.count(f"http://testserver/credentials/{award.uuid}/") == 1
    assert again.count(f"http://testserver/credentials/{later.uuid}/") == 1
