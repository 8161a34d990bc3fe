"""Sign-up as a teacher on a small phone in Debian's Chromium: a mistake, the error with the
typed values kept, the fix, and "revisa tu correo"."""

from __future__ import annotations

import os
import re

import pytest

from tests.learners.learners_factories import DOMAIN_CURPS, SchoolFactory, seed_subsystems

# Playwright's sync API runs an event loop in this thread; the live server is another one.

PASSWORD = "Aprender-2026-seguro"
SCREENSHOTS = os.environ.get("LMS_TEST_SCREENSHOTS", "")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_a_teacher_fixes_a_mistake_and_reaches_signup_done(live_server, browser):
    from django.core import mail

    seed_subsystems()
    SchoolFactory(cct="19DCT0001X", state="19", name="CBTis 1 de Monterrey")
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="es-MX")
    page = context.new_page()
    page.goto(f"{live_server.url}/cuenta/registro/")

    # Nothing is chosen for the teacher: the state starts on the placeholder.
    assert page.input_value("[name=state]") == ""
    # The page fits a 360 px phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.fill("[name=email]", "lucia.mena@example.mx")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    page.fill("[name=curp]", DOMAIN_CURPS[1])
    page.fill("[name=first_name]", "Lucía")
    page.fill("[name=paternal_surname]", "Mena")
    page.select_option("[name=state]", "14")  # the mistake: the school is in Nuevo León
    page.fill("[name=cct]", "19dct0001x")
    # The consent is a real checkbox: reachable with the keyboard and ticked with the space bar.
    page.focus("[name=privacy]")
    page.keyboard.press("Space")
    assert page.is_checked("[name=privacy]")
    _shot(page, "signup-1-filled")
    with page.expect_navigation(timeout=90_000):
        page.click("form button[type=submit]")

    page.wait_for_selector("#form-errors")
    message = "La escuela 19DCT0001X está en Nuevo León, no en Jalisco."
    assert page.inner_text("#id_cct-error") == message
    assert message in page.inner_text("#form-errors")
    # The focus moved to the list of errors, whose item leads to the input to fix.
    assert page.evaluate("document.activeElement.id") == "form-errors"
    assert page.get_attribute("[name=cct]", "aria-invalid") == "true"
    # What was typed is still there, except the passwords.
    assert page.input_value("[name=email]") == "lucia.mena@example.mx"
    assert page.input_value("[name=curp]") == DOMAIN_CURPS[1]
    assert page.input_value("[name=first_name]") == "Lucía"
    assert page.input_value("[name=state]") == "14"
    assert page.input_value("[name=cct]") == "19dct0001x"  # as typed
    assert page.is_checked("[name=privacy]")
    assert page.input_value("[name=password1]") == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    _shot(page, "signup-2-error")

    page.click("#form-errors a[href='#id_cct']")
    page.select_option("[name=state]", "19")
    page.fill("[name=password1]", PASSWORD)
    page.fill("[name=password2]", PASSWORD)
    with page.expect_navigation(timeout=90_000):
        page.click("form button[type=submit]")
    _shot(page, "signup-3-done")
    assert not page.query_selector("#form-errors"), page.inner_text("#form-errors")
    assert re.search(r"/cuenta/registro/enviado/$", page.url)
    assert page.inner_text("h1") == "Revisa tu correo"
    assert mail.outbox[-1].to == ["lucia.mena@example.mx"]
    context.close()
