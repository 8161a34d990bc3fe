"""The SEP dashboard of the demo in a real browser (Debian's Chromium), as ``monitor_sep``:
figures, not all "suprimido"; titles that follow the drill-down; a refresh on request."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "clave-de-demo-123"


@pytest.fixture
def demo_picture(settings):
    from lms.management.commands.load_demo import ensure_demo_users
    from reports.demo import load_demo_monitoring
    from reports.refresh import report_facts_rebuild
    from tests.courses.factories import CoursePageFactory, spanish_catalog

    settings.LMS_REPORT_MIN_CELL = 5
    catalog = spanish_catalog()
    courses = [CoursePageFactory(parent=catalog, estimated_hours=h) for h in (20, 25, 30)]
    load_demo_monitoring(courses=courses)
    report_facts_rebuild()
    ensure_demo_users(password=PASSWORD)


def test_monitor_sep_sees_figures_drills_down_and_refreshes(
    browser, live_server, demo_picture, tmp_path
):
    # LMS_TEST_SCREENSHOTS=DIR keeps the screenshots to look at.
    shots = Path(os.environ.get("LMS_TEST_SCREENSHOTS") or tmp_path)
    context = browser.new_context(locale="es-MX", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/reports/")
    page.fill("input[name=username]", "monitor_sep")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#reports-dashboard")

    assert page.locator("h1").first.inner_text().strip().startswith("Nacional")
    enrolled = page.locator('[data-figure="enrolled"]').inner_text()
    assert int(enrolled) > 200
    rows = page.locator("#report-table tbody tr")
    suppressed = page.locator("#report-table tbody tr.reports__suppressed")
    shown = rows.count() - suppressed.count()
    assert shown >= 15, f"only {shown} states with figures"
    assert suppressed.count() >= 1  # the small states, where a cell really is small
    shaded = page.locator("svg.mx-map path[data-state]").evaluate_all(
        "els => els.filter(e => e.getAttribute('fill') !== '#d9d9d9').length"
    )
    assert shaded >= 15
    computed = page.locator('[data-field="computed"]').inner_text()
    assert "Cifras calculadas hace" in computed and re.search(r"\d{1,2}:\d\d", computed)
    page.screenshot(path=str(shots / "national.png"), full_page=True)

    # Drill down from the table: Nuevo León, then its DGETI schools.
    page.click('#report-table a[data-drill="19"]')
    page.wait_for_url("**state=19**")
    assert page.locator("h1").first.inner_text().strip().startswith("Nuevo León")
    assert page.title().startswith("Nuevo León")
    page.click('#report-table a[data-drill="dgeti"]')
    page.wait_for_url("**subsystem=dgeti**")
    assert page.locator("h1").first.inner_text().strip().startswith("DGETI en Nuevo León")
    assert page.locator("#report-table tbody tr:not(.reports__suppressed)").count() >= 1

    # Ask for a refresh: back on the same level with the request's state in words.
    page.click("text=Actualizar cifras ahora")
    page.wait_for_selector('[data-field="refresh-state"][data-refresh-status]')
    state = page.locator('[data-field="refresh-state"]')
    assert page.url.endswith("?state=19&subsystem=dgeti")
    # The embedded default runs Celery eagerly, so the request is already done.
    assert re.search(r"Actualización terminada a las \d\d:\d\d\.", state.inner_text())
    assert "hace un momento" in page.locator('[data-field="computed"]').inner_text()
    page.screenshot(path=str(shots / "dgeti-nl.png"), full_page=True)
    context.close()
