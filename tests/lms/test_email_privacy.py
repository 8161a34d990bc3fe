"""E-mail: production refuses a backend that does not deliver; the embedded default writes
mail to a private folder; no e-mail address or token link reaches the log in sign-up,
confirmation and password-reset flows."""

from __future__ import annotations

import logging
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import Error
from django.urls import reverse

from lms.checks import NON_DELIVERING_EMAIL_BACKENDS, email_backend_delivers
from lms.log_filters import PersonalDataFilter
from tests.learners.learners_factories import (
    DOMAIN_CURPS,
    seeded_subsystems,  # noqa: F401  (fixture)
)
from tests.lms.test_settings import PROD_ENV, ROOT

PASSWORD = "Aprender-2026-seguro"
EMAIL = "ana.salas@example.mx"
TOKEN_LINK = re.compile(r"/cuenta/(?:confirmar|contrasena)/[^/\s]+/[^/\s]+/")


# --- the production check ---------------------------------------------------------------------


@pytest.mark.parametrize("backend", sorted(NON_DELIVERING_EMAIL_BACKENDS))
def test_production_check_refuses_a_backend_that_does_not_deliver(settings, backend):
    settings.LMS_REQUIRE_DELIVERING_EMAIL = True
    settings.EMAIL_BACKEND = backend
    errors = email_backend_delivers()
    assert [e.id for e in errors] == ["lms.E001"]
    assert isinstance(errors[0], Error) and backend in errors[0].msg


def test_production_check_accepts_smtp_and_the_embedded_mode_needs_nothing(settings):
    settings.LMS_REQUIRE_DELIVERING_EMAIL = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert email_backend_delivers() == []
    settings.LMS_REQUIRE_DELIVERING_EMAIL = False
    settings.EMAIL_BACKEND = "integrations.mail.PrivateFolderEmailBackend"
    assert email_backend_delivers() == []


def _manage_check(**env_overrides: str | None) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "AWS_", "LMS_", "EMAIL_"))
    }
    env.update(PROD_ENV)
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "backend", [None, "django.core.mail.backends.console.EmailBackend"], ids=["unset", "console"]
)
def test_production_settings_fail_the_check_without_a_real_backend(backend):
    result = _manage_check(EMAIL_BACKEND=backend)
    assert result.returncode != 0
    assert "lms.E001" in result.stderr


def test_embedded_default_is_the_private_folder():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    )
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_", "AWS_", "LMS_", "EMAIL_"))
    }
    env["DJANGO_SETTINGS_MODULE"] = "lms.settings.base"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    backend, folder = result.stdout.split()
    assert backend == "integrations.mail.PrivateFolderEmailBackend"
    assert Path(folder) == ROOT / "var" / "mail"
    assert "media" not in Path(folder).parts


# --- the flows, with the embedded backend -----------------------------------------------------


@pytest.fixture
def mail_folder(settings, tmp_path) -> Path:
    settings.EMAIL_BACKEND = "integrations.mail.PrivateFolderEmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    return tmp_path / "mail"


def _links(folder: Path) -> list[str]:
    text = "".join(p.read_text() for p in sorted(folder.iterdir(), key=os.path.getmtime))
    return re.findall(r"https?://\S+/cuenta/\S+", text)


@pytest.mark.django_db
@pytest.mark.usefixtures("seeded_subsystems")
def test_sign_up_confirm_and_reset_log_no_address_or_token_link(
    client, mail_folder, caplog, capsys
):
    # The filter the console handler carries (base settings); caplog's handler gets the same.
    caplog.handler.addFilter(PersonalDataFilter())
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            reverse("learners:signup"),
            {
                "email": EMAIL,
                "password1": PASSWORD,
                "password2": PASSWORD,
                "curp": DOMAIN_CURPS[0],
                "first_name": "Ana",
                "paternal_surname": "Salas",
                "maternal_surname": "Bravo",
                "state": "09",
                "subsystem": "",
                "cct": "",
                "position": "docente",
                "privacy": "on",
            },
        )
        assert response.status_code == 302
        confirm = _links(mail_folder)[-1]
        assert "/cuenta/confirmar/" in confirm
        assert client.get(confirm).status_code == 302  # the demo user can confirm
        assert client.get(confirm).status_code == 302  # used: "ya está confirmada"
        forged = confirm.rstrip("/").rsplit("-", 1)[0] + "-0000000000000000/"
        assert client.get(forged).status_code == 400  # django.request logs the path
        client.logout()
        response = client.post(reverse("learners:password_reset"), {"email": EMAIL})
        assert response.status_code == 302
        reset = _links(mail_folder)[-1]
        assert "/cuenta/contrasena/" in reset
        assert client.get(reset, follow=True).status_code == 200
        client.post(reverse("learners:password_reset"), {"email": "nadie@example.mx"})

    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    printed = capsys.readouterr()
    assert any("mail(s) written to" in r.getMessage() for r in caplog.records)
    for output in (logged, printed.out, printed.err):
        assert EMAIL not in output.lower()
        assert "nadie@example.mx" not in output
        assert not TOKEN_LINK.search(output), output
    # The mails are kept, readable by their owner only.
    files = list(mail_folder.iterdir())
    assert files and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in files)
    assert stat.S_IMODE(mail_folder.stat().st_mode) == 0o700
    assert EMAIL in "".join(f.read_text() for f in files)


def test_the_filter_blanks_addresses_and_token_paths():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Bad Request: %s from %s",
        ("/en/cuenta/confirmar/MTI/cq9-8f2a1b/", "mailto:Ana.Salas@Example.MX"),
        None,
    )
    assert PersonalDataFilter().filter(record)
    message = record.getMessage()
    assert message == "Bad Request: /en/cuenta/confirmar/[oculto]/ from [correo]"
    plain = logging.LogRecord("x", logging.INFO, __file__, 1, "1 mail(s) written", (), None)
    PersonalDataFilter().filter(plain)
    assert plain.getMessage() == "1 mail(s) written"


def test_the_console_handler_carries_the_filter():
    from lms.settings import base

    assert "personal_data" in base.LOGGING["handlers"]["console"]["filters"]
