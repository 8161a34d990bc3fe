"""An author's package page in Debian's Chromium: import a cmi5 course from the admin at
1280 px, open its page from the list, upload a new version there, read what it would change
before confirming and what it changed after; from the list, the same preview and a cancel;
then the same page on a 360 px phone: nothing scrolls sideways but the tables' own boxes,
and axe-core finds nothing serious."""

from __future__ import annotations

import pytest

from packages.models import Package
from tests.packages import builders as b
from tests.packages.test_browser_walk import OVERFLOW, PHONE, tab
from tests.support.axe import assert_no_serious_violations
from tests.support.browser import chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def second_version() -> bytes:
    extra = b.au(f"{b.COURSE_ID}/au/5", "Cierre", "b2/a5.html", attrs='moveOn="Completed"')
    xml = b.multi_au_cmi5_xml(extra_au=extra).replace("Sensores 1", "Sensores: lectura")
    files = ("intro.html", "b1/a1.html", "b1/a2.html", "b2/a3.html", "b2/a5.html")
    return b.make_zip({"cmi5.xml": xml, **{name: b.PAGE for name in files}})


def test_an_author_imports_opens_and_updates_a_package(
    live_server, browser, migration_data, author, tmp_path
):
    first, second = tmp_path / "v1.zip", tmp_path / "v2.zip"
    first.write_bytes(b.multi_au_cmi5())
    second.write_bytes(second_version())
    context, page = tab(browser, live_server, author, viewport=DESKTOP)
    page.goto(live_server.url + "/admin/packages/")
    page.set_input_files("#id_file", str(first))
    page.click("form[enctype] button[type=submit]")
    # The upload is queued; the author lands on the import's page, which shows the result.
    page.locator(".package-result").wait_for()
    assert "/admin/packages/imports/" in page.url
    assert page.locator("h1").inner_text().split()[:3] == ["Importación", "de", "paquete"]
    assert page.locator("[data-import-status]").inner_text() == "Importado"
    assert_no_serious_violations(page, label="admin import page, 1280 px")
    page.goto(live_server.url + "/admin/packages/")
    assert page.locator("table.package-imports a:text-is('v1.zip')").count() == 1
    page.click("table.package-listing a:text-is('Robótica')")
    page.locator("#package-units-section").wait_for()
    assert page.locator("h1").inner_text().split() == ["Robótica", "cmi5"]
    assert page.locator("tbody.package-unit").count() == 5
    assert "versión 1 → 2" in page.locator(".package-update-notice").inner_text()
    assert_no_serious_violations(page, label="admin package page, 1280 px")

    page.set_input_files("#package-upload-section input[type=file]", str(second))
    page.click("#package-upload-section button[type=submit]")
    # Before anything is stored, the page says what the new version would do.
    preview = page.locator(".package-preview")
    preview.wait_for()
    text = preview.inner_text()
    assert "Este paquete actualiza «Robótica» (versión 1 → 2)" in text
    assert "Unidad nueva: «Cierre»" in text
    assert Package.objects.get().versions.count() == 1
    assert page.evaluate("() => document.activeElement.id") == "preview-title"
    assert_no_serious_violations(page, label="admin package page, new version preview, 1280 px")
    page.click("[data-package-preview=confirm]")
    result = page.locator(".package-result")
    result.wait_for()
    text = result.inner_text()
    assert "Este paquete actualizó «Robótica» (versión 1 → 2)" in text
    assert "Unidad nueva: «Cierre»" in text
    assert "Unidad renombrada: «Sensores 1» → «Sensores: lectura»" in text
    assert Package.objects.get().versions.count() == 2
    assert_no_serious_violations(page, label="admin import page of a new version, 1280 px")
    page.click(".package-result a:text-is('Ver el paquete')")
    page.locator("#package-units-section").wait_for()
    assert "versión 2 → 3" in page.locator(".package-update-notice").inner_text()

    # From the list too, the same zip is first shown as a new version; cancel stores nothing.
    page.goto(live_server.url + "/admin/packages/")
    page.set_input_files("#id_file", str(second))
    page.click("form[enctype] button[type=submit]")
    page.locator(".package-preview").wait_for()
    assert "(versión 2 → 3)" in page.locator(".package-preview").inner_text()
    page.click("[data-package-preview=cancel]")
    assert page.locator(".package-preview").count() == 0
    assert page.evaluate("() => document.getElementById('id_file').files.length") == 0
    assert Package.objects.get().versions.count() == 2
    context.close()

    context, page = tab(browser, live_server, author, viewport=PHONE)
    page.goto(live_server.url + f"/admin/packages/{Package.objects.get().pk}/")
    page.locator("#package-units-section").wait_for()
    assert page.evaluate(OVERFLOW) <= 0
    # Long identifiers and IRIs break inside their cell instead of widening the page.
    outside = page.evaluate(
        "() => { const box = document.querySelector('.package-facts').getBoundingClientRect();"
        " return [...document.querySelectorAll('.package-facts code')]"
        ".filter(c => c.getBoundingClientRect().right > box.right + 1).map(c => c.textContent); }"
    )
    assert outside == []
    assert_no_serious_violations(page, label="admin package page, 360 px")
    # The module list (long "course / module (language)" options) stays inside the column.
    page.goto(live_server.url + "/admin/packages/")
    main = page.locator("main").bounding_box()
    select = page.locator("#id_parent").bounding_box()
    assert main is not None and select is not None
    assert select["x"] + select["width"] <= main["x"] + main["width"], (select, main)
    context.close()


def test_the_import_page_follows_an_import_a_worker_runs(
    live_server, browser, migration_data, author, tmp_path, settings
):
    """With a broker the upload only queues the import: the page says it is waiting, asks
    again on its own, and shows the result once the worker is done, at 360 px too."""
    from unittest import mock

    from packages.import_jobs import package_import_run
    from packages.models import PackageImport

    settings.CELERY_TASK_ALWAYS_EAGER = False
    zipped = tmp_path / "grande.zip"
    zipped.write_bytes(b.one_au_cmi5())
    context, page = tab(browser, live_server, author, viewport=PHONE)
    with mock.patch("packages.tasks.import_run.delay") as delay:
        page.goto(live_server.url + "/admin/packages/")
        page.set_input_files("#id_file", str(zipped))
        page.click("form[enctype] button[type=submit]")
        page.locator(".package-import-waiting").wait_for()
        assert page.locator("[data-import-status]").inner_text() == "En espera"
        assert page.evaluate(OVERFLOW) <= 0
        assert_no_serious_violations(page, label="admin import page, waiting, 360 px")
        job = PackageImport.objects.get()
        delay.assert_called_once_with(job.pk)
        package_import_run(job_id=job.pk)  # the worker
        page.locator(".package-result").wait_for(timeout=15000)
    assert page.locator("[data-import-status]").inner_text() == "Importado"
    assert page.locator(".package-import-waiting").count() == 0
    assert page.evaluate(OVERFLOW) <= 0
    context.close()
