"""The Wagtail admin around Capacita: nothing about its users goes to third parties, and the
menu shows each role what it can use."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_admin_pages_request_no_gravatar(client):
    # Gravatar gets the hash of each user's e-mail (and fails offline): initials are local.
    user = get_user_model().objects.create_superuser("autora", "autora@example.mx", "x")
    client.force_login(user)
    for path in ("/admin/", "/admin/account/"):
        html = client.get(path).content.decode()
        assert "gravatar" not in html.lower(), path


def test_the_translations_report_is_only_in_the_menu_of_those_who_translate(client):
    # A monitor has nothing to do with wagtail-localize's report (and it used to be her only
    # "Informes" item); editors who translate keep it.
    from tests.reports.reports_builders import make_monitor

    client.force_login(make_monitor("nacional"))
    html = client.get("/admin/").content.decode()
    assert "/admin/localize/reports/translations/" not in html
    admin = get_user_model().objects.create_superuser("editora", "editora@example.mx", "x")
    client.force_login(admin)
    assert "/admin/localize/reports/translations/" in client.get("/admin/").content.decode()
