"""The dashboard in a real browser (Debian's Chromium): 32 states on the map, drill-down."""

import pytest

from tests.reports.reports_builders import build_world, make_monitor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="es-MX")
    try:
        yield context.new_page()
    finally:
        context.close()


def test_map_shows_32_states_and_drills_down_to_a_school(page, live_server, settings):
    settings.LMS_REPORT_MIN_CELL = 3
    build_world()
    make_monitor("nacional", password="clave-larga-123")
    page.goto(f"{live_server.url}/admin/login/?next=/admin/reports/")
    page.fill("input[name=username]", "nacional")
    page.fill("input[name=password]", "clave-larga-123")
    page.click("button[type=submit]")
    page.wait_for_selector("#reports-dashboard")

    states = page.locator("svg.mx-map path[data-state]")
    assert states.count() == 32
    codes = set(states.evaluate_all("els => els.map(e => e.dataset.state)"))
    assert codes == {f"{n:02d}" for n in range(1, 33)}
    # The map is drawn: every state has a real outline with a visible size.
    box = page.locator('svg.mx-map path[data-state="08"]').bounding_box()
    assert box and box["width"] > 20 and box["height"] > 20
    # States with data are shaded by rate; others are grey.
    assert page.get_attribute('path[data-state="09"]', "fill") != "#d9d9d9"
    assert page.get_attribute('path[data-state="08"]', "fill") == "#d9d9d9"
    assert page.locator("#reports-dashboard").get_attribute("data-dimension") == "state"

    # Click Mexico City on the map: the state's subsystems.
    page.click('svg.mx-map a[href="?state=09"] path', force=True)
    page.wait_for_url("**/admin/reports/?state=09")
    assert page.locator("#reports-dashboard").get_attribute("data-dimension") == "subsystem"
    assert page.get_attribute('path[data-state="09"]', "class").endswith("selected")

    # Then a subsystem: its schools; then the school: its courses.
    page.click('#report-table a[data-drill="dgeti"]')
    page.wait_for_url("**subsystem=dgeti**")
    assert page.locator("#reports-dashboard").get_attribute("data-dimension") == "school"
    page.click('#report-table a[data-drill="09DCT0003C"]')
    page.wait_for_url("**school=09DCT0003C**")
    assert page.locator("#reports-dashboard").get_attribute("data-dimension") == "course"
    assert page.locator('[data-figure="enrolled"]').inner_text() == "6"
    crumbs = page.locator(".reports__crumbs li").all_inner_texts()
    assert crumbs[:2] == ["Nacional", "Ciudad de México"] and crumbs[-1] == "09DCT0003C"
    page.screenshot(path=str(settings.MEDIA_ROOT) + "-dashboard.png", full_page=True)
