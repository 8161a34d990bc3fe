"""The packaged-content pages in Debian's Chromium as the people they are for: an author's
upload form lists a refused package's problems at 360 px, and a teacher's lesson page with a
cmi5 AU fits a 360 px phone (the frame uses the column's width, nothing scrolls sideways),
in Spanish and English, with no serious axe-core finding."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale, Page

from courses.models import LessonPage
from learners.models import Enrollment
from packages.models import PackageUnit
from packages.services import package_import
from tests.packages import builders as b
from tests.support.axe import assert_no_serious_violations
from tests.support.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def publish_subtree(root: Page, user) -> None:
    # Fresh rows: a stale in-memory root (numchild 0 from before its subtree was copied) would
    # be saved over the tree and hide its children from routing.
    for page in Page.objects.descendant_of(root, inclusive=True).order_by("path"):
        page = page.specific
        revision = page.get_latest_revision() or page.save_revision(user=user)
        revision.publish(user=user)


def tab(browser, live_server, user, viewport=PHONE):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport)
    host = live_server.url.split("//")[1].split(":")[0]
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context.add_cookies([{**cookie, "domain": host, "path": "/"}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def test_the_upload_form_lists_a_bad_manifests_problems_on_a_phone(
    live_server, browser, migration_data, author, tmp_path
):
    attrs = 'moveOn="Whenever" masteryScore="1.5"'
    bad = b.cmi5_xml([b.au("", "Sin id", "/abs/index.html", attrs=attrs)])
    zipped = tmp_path / "malo.zip"
    zipped.write_bytes(b.make_zip({"cmi5.xml": bad}))
    context, page = tab(browser, live_server, author)
    page.goto(live_server.url + "/admin/packages/")
    page.set_input_files("#id_file", str(zipped))
    page.click("form[enctype] button[type=submit]")
    problems = page.locator(".package-problems li")
    problems.first.wait_for()
    texts = problems.all_inner_texts()
    assert any("/courseStructure/au[1]/@id" in text for text in texts)
    assert any("/courseStructure/au[1]/@moveOn" in text and "Whenever" in text for text in texts)
    assert page.locator("[role=alert] h2").inner_text().startswith("El paquete no se importó")
    assert page.evaluate(OVERFLOW) <= 0
    # The admin scrolls inside its own column, so look at each element path: a long one such
    # as .../@masteryScore ran out of the problems box at 360 px.
    outside = page.evaluate(
        "() => { const box = document.querySelector('.package-problems').getBoundingClientRect();"
        " return [...document.querySelectorAll('.package-problems code')]"
        ".filter(c => c.getBoundingClientRect().right > box.right + 1).map(c => c.textContent); }"
    )
    assert outside == []
    assert_no_serious_violations(page, label="admin upload, refused package, 360 px")
    context.close()


@pytest.mark.parametrize("language", ["es", "en"])
def test_a_lesson_with_a_cmi5_au_fits_a_phone(
    live_server, browser, migration_data, author, teacher, language
):
    result = package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    publish_subtree(result.course, author)
    unit = PackageUnit.objects.get(package=result.package)
    lesson = LessonPage.objects.get(pk=unit.lesson_id)
    if language == "en":
        english = Locale.objects.get(language_code="en")
        action = CopyPageForTranslationAction(
            result.course, english, include_subtree=True, user=author
        )
        publish_subtree(action.execute(skip_permission_checks=True), author)
        lesson = lesson.get_translation(english)
    Enrollment.objects.create(user=teacher, course=result.course)

    context, page = tab(browser, live_server, teacher)
    response = page.goto(live_server.url + lesson.url)
    assert response is not None and response.status == 200
    launch = page.locator("figure.packaged-unit form.cmi5-launch button")
    expected = "Start" if language == "en" else "Iniciar"
    assert launch.inner_text().startswith(expected)
    frame = page.locator("figure.packaged-unit iframe")
    main = page.locator("main").bounding_box()
    box = frame.bounding_box()
    assert main is not None and box is not None
    # The frame takes the column's width (the figure's default 40 px margins are gone).
    assert box["width"] >= main["width"] - 2 * 16, (box, main)
    assert page.evaluate(OVERFLOW) <= 0
    launch.focus()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    assert_no_serious_violations(page, label=f"lesson with a cmi5 AU, {language}, 360 px")

    launch.click()
    page.wait_for_function(
        "() => { const f = document.querySelector('figure.packaged-unit iframe');"
        " return f && f.contentWindow"
        " && f.contentWindow.location.pathname.endsWith('index.html'); }"
    )
    assert page.evaluate(OVERFLOW) <= 0
    context.close()
