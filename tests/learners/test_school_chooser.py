"""The admin's school chooser: a monitor's scope picks one school among thousands by CCT,
name or municipality, instead of a select listing every school."""

import pytest
from django.urls import reverse

from learners.models import School, Subsystem
from tests.learners.learners_factories import UserFactory, seeded_subsystems  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("seeded_subsystems")]


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def schools():
    dgeti = Subsystem.objects.get(code="dgeti")
    rows = [
        ("14DCT0001A", "CBTis 226", "14", "Guadalajara"),
        ("14DCT0002B", "CETis 14", "14", "Zapopan"),
        ("09DCT0003C", "CETis 30", "09", "Coyoacán"),
    ]
    return [
        School.objects.create(cct=cct, name=name, state=state, municipality=town, subsystem=dgeti)
        for cct, name, state, town in rows
    ]


def test_the_monitor_scope_form_uses_the_chooser_not_a_select_of_every_school(
    admin_client, schools
):
    html = admin_client.get(reverse("monitor_scopes:add")).content.decode()
    assert reverse("school_chooser:choose") in html
    assert 'name="school"' in html
    assert "CETis 30" not in html  # schools are not listed in the form itself


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("14dct", {"CBTis 226", "CETis 14"}),  # CCT prefix, any case
        ("cetis", {"CETis 14", "CETis 30"}),  # name
        ("coyoac", {"CETis 30"}),  # municipality
        ("nada", set()),
    ],
)
def test_the_chooser_searches_by_cct_name_or_municipality(admin_client, schools, query, expected):
    response = admin_client.get(reverse("school_chooser:choose_results"), {"q": query})
    assert response.status_code == 200
    html = response.content.decode()
    found = {school.name for school in schools if school.name in html}
    assert found == expected


def test_choosing_a_school_returns_it_to_the_form(admin_client, schools):
    response = admin_client.get(reverse("school_chooser:chosen", args=[schools[0].pk]))
    assert response.status_code == 200
    result = response.json()["result"]
    assert result["id"] == str(schools[0].pk) or result["id"] == schools[0].pk
    assert "14DCT0001A" in result["title"]


def test_the_chooser_is_for_staff_only(client, schools):
    client.force_login(UserFactory(is_staff=False))
    response = client.get(reverse("school_chooser:choose"))
    assert response.status_code in (302, 403)


def test_a_school_scope_is_saved_from_the_chosen_school(admin_client, schools):
    from reports.models import MonitorScope

    monitor = UserFactory(is_staff=True)
    response = admin_client.post(
        reverse("monitor_scopes:add"),
        {"user": monitor.pk, "level": "school", "state": "", "school": schools[2].pk},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    scope = MonitorScope.objects.get(user=monitor)
    assert (scope.level, scope.school_id, scope.state) == ("school", schools[2].pk, "09")


def test_a_school_scope_without_a_school_is_refused_naming_the_field(admin_client, schools):
    from reports.models import MonitorScope

    monitor = UserFactory(is_staff=True)
    response = admin_client.post(
        reverse("monitor_scopes:add"), {"user": monitor.pk, "level": "school", "state": ""}
    )
    assert response.status_code == 200
    assert "Un alcance de escuela necesita la escuela." in response.content.decode()
    assert not MonitorScope.objects.filter(user=monitor).exists()
