"""Login throttling on the four entry points: the API token, the teachers' sign-in page, the
admin sign-in and password reset. Per account and per address, a 429 saying when to try
again, the right password refused while locked and accepted after the cool-off."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.db.models import F
from django.test import Client

from common.throttle import client_ip

pytestmark = pytest.mark.django_db

RIGHT = "Correcta-2026!"
LIMIT = 10  # the documented default of LMS_LOGIN_FAILURE_LIMIT


@pytest.fixture
def ana(django_user_model):
    return django_user_model.objects.create_user(
        username="ana@example.mx", email="ana@example.mx", password=RIGHT, is_superuser=True
    )


@pytest.fixture
def beto(django_user_model):
    return django_user_model.objects.create_user(
        username="beto@example.mx", email="beto@example.mx", password=RIGHT, is_superuser=True
    )


def _api(client: Client, username: str, password: str, address: str):
    return client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        REMOTE_ADDR=address,
    )


def _site(client: Client, username: str, password: str, address: str):
    return client.post(
        "/cuenta/entrar/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def _admin(client: Client, username: str, password: str, address: str):
    return client.post(
        "/admin/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


ENTRY_POINTS = {"api": (_api, 200), "site": (_site, 302), "admin": (_admin, 302)}


def _after_cooloff(settings) -> None:
    """Move every counted failure back past the cool-off, as if the time had passed."""
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time")
        - timedelta(minutes=settings.LMS_LOGIN_COOLOFF_MINUTES, seconds=1)
    )


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_fifty_wrong_passwords_lock_the_account_until_the_cooloff(entry, ana, settings):
    send, success = ENTRY_POINTS[entry]
    client = Client()
    statuses = [
        send(client, "ana@example.mx", f"wrong-{i}", "10.0.0.1").status_code for i in range(50)
    ]
    assert 429 not in statuses[: LIMIT - 1]
    assert statuses[LIMIT - 1 :] == [429] * (50 - LIMIT + 1)
    # The right password is refused while locked, from the same address and from another.
    assert send(client, "ana@example.mx", RIGHT, "10.0.0.1").status_code == 429
    assert send(Client(), "ana@example.mx", RIGHT, "10.9.9.9").status_code == 429
    _after_cooloff(settings)
    assert send(Client(), "ana@example.mx", RIGHT, "10.0.0.1").status_code == success


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_locking_one_account_leaves_others_from_another_address(entry, ana, beto):
    send, success = ENTRY_POINTS[entry]
    for i in range(LIMIT):
        send(Client(), "ana@example.mx", f"wrong-{i}", "10.0.0.1")
    assert send(Client(), "ana@example.mx", RIGHT, "10.0.0.1").status_code == 429
    assert send(Client(), "beto@example.mx", RIGHT, "10.0.0.2").status_code == success
    # The address that made the failures is locked too, for every account.
    assert send(Client(), "beto@example.mx", RIGHT, "10.0.0.1").status_code == 429


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_many_addresses_cannot_share_out_the_attempts_on_one_account(entry, ana):
    send, _ = ENTRY_POINTS[entry]
    for i in range(LIMIT):
        send(Client(), "ana@example.mx", f"wrong-{i}", f"10.0.1.{i}")
    assert send(Client(), "ana@example.mx", RIGHT, "10.0.2.1").status_code == 429


def test_the_account_is_counted_whatever_the_case_it_is_typed_in(ana):
    for i in range(LIMIT):
        _admin(Client(), "ANA@Example.MX" if i % 2 else "ana@example.mx", "x", f"10.0.3.{i}")
    assert _site(Client(), "ana@example.mx", RIGHT, "10.0.4.1").status_code == 429


def test_a_success_clears_the_count(ana):
    for i in range(LIMIT - 1):
        _site(Client(), "ana@example.mx", f"wrong-{i}", "10.0.0.1")
    assert _site(Client(), "ana@example.mx", RIGHT, "10.0.0.1").status_code == 302
    assert _site(Client(), "ana@example.mx", "wrong-again", "10.0.0.1").status_code == 200


def test_the_api_refusal_is_in_the_error_shape_and_says_when(ana, settings):
    for i in range(LIMIT):
        _api(Client(), "ana@example.mx", f"wrong-{i}", "10.0.0.1")
    response = _api(Client(), "ana@example.mx", RIGHT, "10.0.0.1")
    assert response.status_code == 429
    body = response.json()
    assert body["errors"] == [{"field": "username", "rule": "throttled", "message": body["detail"]}]
    assert "Try again after" in body["detail"]
    wait = int(response["Retry-After"])
    assert 0 < wait <= settings.LMS_LOGIN_COOLOFF_MINUTES * 60
    assert "token" not in body


@pytest.mark.parametrize("entry", ["site", "admin"])
def test_the_site_refusal_is_in_spanish_and_says_when(entry, ana, settings):
    send, _ = ENTRY_POINTS[entry]
    for i in range(LIMIT):
        send(Client(), "ana@example.mx", f"wrong-{i}", "10.0.0.1")
    response = send(Client(), "ana@example.mx", RIGHT, "10.0.0.1")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Demasiados intentos fallidos" in html
    assert "Vuelve a intentarlo a las" in html
    assert f"(en {settings.LMS_LOGIN_COOLOFF_MINUTES} min)" in html
    assert int(response["Retry-After"]) <= settings.LMS_LOGIN_COOLOFF_MINUTES * 60
    assert "_auth_user_id" not in Client().session  # nobody signed in


def test_limits_come_from_the_settings(ana, settings):
    settings.AXES_FAILURE_LIMIT = 3
    statuses = [_api(Client(), "ana@example.mx", "x", "10.0.0.1").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_throttling_logs_no_address_or_password(ana, caplog):
    with caplog.at_level(logging.DEBUG):
        for i in range(LIMIT + 2):
            _site(Client(), "ana@example.mx", f"wrong-{i}", "10.0.0.1")
    assert caplog.records  # axes did log the lockout
    assert "ana@example.mx" not in caplog.text
    assert "wrong-" not in caplog.text


# --- password reset ---------------------------------------------------------------------------


@pytest.fixture
def reset_window(settings):
    """A 3-second window, so a test can wait it out; the cache is shared, so start clean."""
    settings.LMS_LOGIN_COOLOFF_MINUTES = 0.05
    settings.LMS_PASSWORD_RESET_LIMIT = 3
    cache.clear()
    yield
    cache.clear()


def _reset(email: str, address: str):
    return Client().post("/cuenta/contrasena/", {"email": email}, REMOTE_ADDR=address)


def test_password_reset_is_limited_per_e_mail_until_the_window_ends(ana, beto, reset_window):
    assert [_reset("ana@example.mx", f"10.0.5.{i}").status_code for i in range(3)] == [302] * 3
    assert len(mail.outbox) == 3
    refused = _reset("ana@example.mx", "10.0.5.9")
    assert refused.status_code == 429
    assert "Vuelve a intentarlo a las" in refused.content.decode()
    assert 0 < int(refused["Retry-After"]) <= 3
    assert len(mail.outbox) == 3  # no mail while refused
    # Another account from another address is not affected.
    assert _reset("beto@example.mx", "10.0.6.1").status_code == 302
    time.sleep(3.2)
    assert _reset("ana@example.mx", "10.0.5.9").status_code == 302
    assert len(mail.outbox) == 5


def test_password_reset_is_limited_per_address(ana, beto, reset_window):
    for email in ("ana@example.mx", "beto@example.mx", "nadie@example.mx"):
        assert _reset(email, "10.0.7.1").status_code == 302
    assert _reset("otra@example.mx", "10.0.7.1").status_code == 429
    assert _reset("beto@example.mx", "10.0.7.2").status_code == 302


# --- the client address -----------------------------------------------------------------------


def _request(remote: str, forwarded: str | None = None):
    from django.test import RequestFactory

    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(settings):
    settings.LMS_TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_behind_trusted_proxies_the_client_cannot_choose_its_address(settings):
    settings.LMS_TRUSTED_PROXY_COUNT = 1
    # The client wrote "1.2.3.4"; the load balancer appended what it saw.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    # Garbage in the header (or no address at all) never becomes an address.
    assert client_ip(_request("10.0.0.2", "1.2.3.4, not-an-ip")) == "10.0.0.2"
    assert client_ip(_request("")) is None
    settings.LMS_TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.9")) == "198.51.100.7"


def test_the_refusals_in_english_have_no_spanish(ana, reset_window):
    from tests.support.language import spanish_in, visible_text

    for i in range(LIMIT):
        _site(Client(), "ana@example.mx", f"wrong-{i}", "10.0.8.1")
    locked = Client().post(
        "/en/cuenta/entrar/",
        {"username": "ana@example.mx", "password": RIGHT},
        REMOTE_ADDR="10.0.8.1",
    )
    assert locked.status_code == 429
    main = locked.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "Too many failed sign-in attempts" in visible_text("<x " + main)
    assert spanish_in(visible_text("<x " + main)) == []
    for i in range(3):
        Client().post(
            "/en/cuenta/contrasena/", {"email": "ana@example.mx"}, REMOTE_ADDR=f"10.0.9.{i}"
        )
    refused = Client().post(
        "/en/cuenta/contrasena/", {"email": "ana@example.mx"}, REMOTE_ADDR="10.0.9.9"
    )
    assert refused.status_code == 429
    main = refused.content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert "Too many password reset requests" in visible_text("<x " + main)
    assert spanish_in(visible_text("<x " + main)) == []
