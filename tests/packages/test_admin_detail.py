"""The package's page in the Wagtail admin: who may open it, what it shows (format, versions,
pages and IRIs, units with counts of learners), uploading a new version there, and waiving
an AU for a learner."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Page

from lrs.conf import actor_for_user
from lrs.models import Cmi5Session
from packages import selectors
from packages.cmi5 import services as cmi5_services
from packages.models import Package, PackageUnit
from packages.scorm.models import ScormAttempt
from packages.services import package_import
from tests.packages import builders as b

pytestmark = [pytest.mark.django_db, pytest.mark.wagtail_admin]


def url(package: Package) -> str:
    return reverse("packages_admin_detail", args=[package.pk])


def unit_named(package: Package, suffix: str) -> PackageUnit:
    return package.units.get(identifier=f"{b.COURSE_ID}/au/{suffix}")


def learner(name: str):
    return get_user_model().objects.create_user(f"{name}.zq", f"{name}.zq@example.mx", "x")


def start(unit: PackageUnit, user, **flags: bool) -> None:
    launch = cmi5_services.launch_au(
        unit=unit,
        lesson=unit.lesson,
        actor=actor_for_user(user),
        endpoint="http://testserver/xapi/",
        fetch_base="http://testserver/packages/cmi5/fetch/",
        content_base="http://testserver/",
    )
    if flags:  # what the AU's own statements would have recorded on its session
        Cmi5Session.objects.filter(session_id=launch.session_id).update(**flags)


@pytest.fixture
def cmi5_package(author) -> Package:
    return package_import(upload=b.upload(b.multi_au_cmi5()), user=author).package


def test_anonymous_and_teachers_cannot_open_it_and_authors_can(
    client, author, teacher, cmi5_package
):
    assert client.get(url(cmi5_package)).status_code == 302  # to the admin's login
    client.force_login(teacher)
    assert client.get(url(cmi5_package)).status_code in (302, 403)
    waive = reverse("packages_admin_waive", args=[cmi5_package.pk])
    assert client.post(waive, {}).status_code in (302, 403)
    client.force_login(author)
    assert client.get(url(cmi5_package)).status_code == 200


def test_an_unknown_package_is_a_404(client, author):
    client.force_login(author)
    assert client.get(reverse("packages_admin_detail", args=[999999])).status_code == 404
    assert client.post(reverse("packages_admin_waive", args=[999999]), {}).status_code == 404


def test_the_index_links_to_it(client, author, cmi5_package):
    client.force_login(author)
    assert url(cmi5_package) in client.get("/admin/packages/").content.decode()


def test_it_shows_format_versions_pages_iris_and_units(client, author, cmi5_package):
    client.force_login(author)
    html = client.get(url(cmi5_package)).content.decode()
    assert "<dd>cmi5</dd>" in html
    assert f"<code>{b.COURSE_ID}</code>" in html
    version = cmi5_package.versions.get()
    assert author.get_username() in html  # who uploaded the version
    assert "KB" in html or "bytes" in html  # the zip's size, for people
    course = cmi5_package.course
    assert reverse("wagtailadmin_pages:edit", args=[course.pk]) in html
    assert course.activity_id in html
    for block in cmi5_package.blocks.all():
        assert reverse("wagtailadmin_pages:edit", args=[block.module_id]) in html
    for unit in cmi5_package.units.all():
        assert reverse("wagtailadmin_pages:edit", args=[unit.lesson_id]) in html
        assert selectors.unit_activity_id(unit) in html
    row = html.split(f'data-unit="{unit_named(cmi5_package, "2").uuid}"')[1].split("</tr>")[0]
    assert "OwnWindow" in row and "Completed" in row
    row = html.split(f'data-unit="{unit_named(cmi5_package, "1").uuid}"')[1].split("</tr>")[0]
    assert "<td>0.8</td>" in row and "<td>Passed</td>" in row
    assert f"versión {version.number} → {version.number + 1}" in html


def test_counts_learners_who_started_and_satisfied_each_unit_and_names_none(
    client, author, cmi5_package
):
    passed_au = unit_named(cmi5_package, "1")  # moveOn Passed
    ana, beto, carla = learner("ana"), learner("beto"), learner("carla")
    start(passed_au, ana, completed=True, passed=True)
    start(passed_au, ana)  # a second session: still one learner
    start(passed_au, beto, completed=True)  # completed is not enough for Passed
    cmi5_services.waive_au(
        unit=passed_au, lesson=passed_au.lesson, actor=actor_for_user(carla), reason="Tested Out"
    )
    counts = selectors.unit_learner_counts(cmi5_package.units.all())
    assert counts[passed_au.pk] == selectors.UnitCounts(started=2, satisfied=2)  # ana; carla
    assert counts[unit_named(cmi5_package, "2").pk] == selectors.UnitCounts(0, 0)
    client.force_login(author)
    html = client.get(url(cmi5_package)).content.decode()
    row = html.split(f'data-unit="{passed_au.uuid}"')[1].split("</tr>")[0]
    assert '<td data-count="started">2</td>' in row
    assert '<td data-count="satisfied">2</td>' in row
    for person in (ana, beto, carla):
        assert person.email not in html and person.username not in html


def test_scorm_counts_come_from_attempts(client, author):
    package = package_import(upload=b.upload(b.scorm12()), user=author).package
    sco = package.units.get()
    ana, beto = learner("ana"), learner("beto")
    for user, number, recorded in ((ana, 1, {}), (ana, 2, {"satisfied": True}), (beto, 1, {})):
        ScormAttempt.objects.create(
            user=user, unit=sco, lesson=sco.lesson, number=number, entry="ab-initio",
            recorded=recorded,
        )  # fmt: skip
    assert selectors.unit_learner_counts([sco])[sco.pk] == selectors.UnitCounts(2, 1)
    client.force_login(author)
    html = client.get(url(package)).content.decode()
    assert "<dd>SCORM 1.2</dd>" in html
    assert '<td data-count="started">2</td>' in html
    assert '<td data-count="satisfied">1</td>' in html
    assert 'id="package-waive' not in html  # SCORM has no waive


def test_a_new_version_uploaded_there_says_what_it_updated_and_changed(
    client, author, cmi5_package
):
    ana = learner("ana")
    start(unit_named(cmi5_package, "2"), ana)
    extra = b.au(f"{b.COURSE_ID}/au/5", "Nueva", "b2/a5.html", attrs='moveOn="Completed"')
    xml = b.multi_au_cmi5_xml(extra_au=extra).replace("Sensores 1", "Sensores uno")
    xml = xml.replace(f'<au id="{b.COURSE_ID}/au/2"', f'<au id="{b.COURSE_ID}/au/2b"')
    data = b.make_zip(
        {
            "cmi5.xml": xml,
            **{name: b.PAGE for name in ("intro.html", "b1/a1.html", "b1/a2.html", "b2/a3.html")},
            "b2/a5.html": b.PAGE,
        }
    )
    client.force_login(author)
    response = client.post(
        url(cmi5_package), {"file": SimpleUploadedFile("v2.zip", data)}, follow=True
    )
    assert response.redirect_chain[0][0].startswith("/admin/packages/imports/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Este paquete actualizó «Robótica» (versión 1 → 2)" in html
    assert "el avance de los docentes se conserva" in html
    assert "Unidad nueva: «Nueva»" in html
    assert "Unidad renombrada: «Sensores 1» → «Sensores uno»" in html
    assert "Unidad retirada: «Sensores 2»" in html
    assert "«Sensores 2»: 1 docente la empezó." in html
    # Its lesson shows no current unit: the import made a draft where it no longer counts.
    lesson = unit_named(cmi5_package, "2").lesson
    assert "Ninguna unidad de la lección «Sensores 2» se puede abrir ya" in html
    assert "cuando ese borrador se publique" in html
    assert reverse("wagtailadmin_pages:edit", args=[lesson.pk]) in html
    assert "despublícalas" not in html  # the old advice
    assert cmi5_package.versions.count() == 2
    assert url(cmi5_package) in html  # back to the package's page
    assert "versión 2 → 3" in client.get(url(cmi5_package)).content.decode()


def test_another_package_uploaded_as_a_new_version_is_refused(client, author, cmi5_package):
    client.force_login(author)
    response = client.post(
        url(cmi5_package), {"file": SimpleUploadedFile("s.zip", b.scorm12())}, follow=True
    )
    assert response.redirect_chain[0][0].startswith("/admin/packages/imports/")
    assert "other_package" in response.content.decode()
    assert Package.objects.count() == 1 and cmi5_package.versions.count() == 1
    response = client.post(url(cmi5_package), {})
    assert response.status_code == 400  # no file: the form says so


def test_waive_an_au_for_a_learner_with_a_reason(client, author, cmi5_package):
    ana = learner("ana")
    unit = unit_named(cmi5_package, "1")
    client.force_login(author)
    waive = reverse("packages_admin_waive", args=[cmi5_package.pk])
    form = {"unit": str(unit.uuid), "learner": "ANA.zq@example.mx", "reason": "Equivalent AU"}
    response = client.post(waive, form)
    assert response.status_code == 302 and response["Location"] == url(cmi5_package)
    session = Cmi5Session.objects.get(state=Cmi5Session.State.WAIVED)
    assert session.waived and session.actor == actor_for_user(ana)
    assert session.activity_id == selectors.unit_activity_id(unit)
    page = client.get(url(cmi5_package)).content.decode()
    assert "Se eximió la AU «Sensores 1»" in page
    again = client.post(waive, form)
    assert again.status_code == 409
    html = again.content.decode()
    # Said at the top of the page, beside the link to the form, and in the form.
    top = html.split('id="package-summary-section"')[0]
    assert "Esa AU ya estaba eximida para ese docente." in top
    assert html.count("Esa AU ya estaba eximida para ese docente.") == 2


def test_waive_names_the_field_that_is_wrong(client, author, cmi5_package):
    client.force_login(author)
    waive = reverse("packages_admin_waive", args=[cmi5_package.pk])
    unit = unit_named(cmi5_package, "1")
    response = client.post(
        waive, {"unit": str(unit.uuid), "learner": "nadie@example.mx", "reason": "Tested Out"}
    )
    assert response.status_code == 400
    assert "No hay una cuenta activa con ese usuario o correo." in response.content.decode()
    learner("ana")
    response = client.post(waive, {"unit": "x", "learner": "ana.zq", "reason": "Porque sí"})
    assert response.status_code == 400
    assert response.context["waive_form"].errors.keys() == {"unit", "reason"}
    assert client.get(waive).status_code == 405
    assert not Cmi5Session.objects.exists()


def test_it_speaks_english_to_an_author_who_chose_english(client, author, cmi5_package):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(author)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(author)
    html = client.get(url(cmi5_package)).content.decode()
    assert "Upload a new version" in html and "Imported versions" in html
    assert "Mastery score" in html and "Satisfied" in html
    assert "Subir una nueva versión" not in html


def test_a_form_error_is_announced_at_the_top_and_marked_on_its_field(client, author, cmi5_package):
    client.force_login(author)
    waive = reverse("packages_admin_waive", args=[cmi5_package.pk])
    unit = unit_named(cmi5_package, "1")
    html = client.post(waive, {"unit": str(unit.uuid), "reason": "Tested Out"}).content.decode()
    top = html.index("La exención no se registró: revisa el formulario.")
    assert top < html.index('id="package-summary-section"')
    assert 'href="#package-waive-section"' in html
    assert 'aria-invalid="true"' in html.split('id="package-waive-section"')[1]
    html = client.post(url(cmi5_package), {}).content.decode()
    assert "La nueva versión no se subió: revisa el formulario." in html


def test_the_preview_says_what_a_new_version_would_change_and_stores_nothing(
    client, author, cmi5_package, settings
):
    from packages.services import package_import_preview

    ana = learner("ana")
    start(unit_named(cmi5_package, "2"), ana)
    data = b.make_zip(
        {
            "cmi5.xml": b.cmi5_xml([b.au(f"{b.COURSE_ID}/au/1", "Sensores uno", "b1/a1.html")]),
            "b1/a1.html": b.PAGE,
        }
    )
    pages = Page.objects.count()
    preview = package_import_preview(upload=b.upload(data), user=author)
    assert preview.updates and preview.package_id == cmi5_package.pk
    assert (preview.previous_version, preview.version, preview.title) == (1, 2, "Robótica")
    assert [c.title for c in preview.changes.renamed] == ["Sensores uno"]
    assert {c.title: c.learners for c in preview.changes.removed_with_learners} == {"Sensores 2": 1}
    # Nothing stayed: no version, no revision, no retired unit, no page.
    assert cmi5_package.versions.count() == 1
    assert not cmi5_package.units.filter(retired=True).exists()
    assert unit_named(cmi5_package, "1").title == "Sensores 1"
    assert Page.objects.count() == pages
    new = package_import_preview(upload=b.upload(b.scorm12()), user=author)
    assert not new.updates and new.previous_version is None and new.version == 1
    assert Package.objects.count() == 1 and Page.objects.count() == pages

    client.force_login(author)
    answer = client.post(
        reverse("packages_admin_preview"),
        {"file": SimpleUploadedFile("v2.zip", data), "mode": "course"},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["updates"] is True and body["refused"] is False
    assert "Este paquete actualiza «Robótica» (versión 1 → 2)" in body["html"]
    assert "«Sensores 2»: 1 docente la empezó." in body["html"]
    assert 'data-package-preview="confirm"' in body["html"]
    new_answer = client.post(
        reverse("packages_admin_preview"),
        {"file": SimpleUploadedFile("s.zip", b.scorm12()), "mode": "course"},
    ).json()
    assert new_answer == {"updates": False, "refused": False, "html": ""}
    assert cmi5_package.versions.count() == 1 and Package.objects.count() == 1


def test_the_preview_lists_a_refused_zips_problems_and_the_package_pages_other_packages(
    client, author, teacher, cmi5_package
):
    client.force_login(author)
    bad = b.make_zip({"cmi5.xml": b.cmi5_xml([b.au("x", "A", "nope.html")])})
    answer = client.post(
        reverse("packages_admin_preview"),
        {"file": SimpleUploadedFile("c.zip", bad), "mode": "course"},
    )
    assert answer.status_code == 400 and answer.json()["refused"] is True
    assert "/courseStructure/au[1]/url" in answer.json()["html"]
    detail_preview = reverse("packages_admin_detail_preview", args=[cmi5_package.pk])
    answer = client.post(detail_preview, {"file": SimpleUploadedFile("s.zip", b.scorm12())})
    assert answer.status_code == 400 and "other_package" in answer.json()["html"]
    assert Package.objects.count() == 1
    assert client.get(reverse("packages_admin_preview")).status_code == 405
    assert (
        client.post(reverse("packages_admin_detail_preview", args=[999999]), {}).status_code == 404
    )
    client.force_login(teacher)
    assert client.post(reverse("packages_admin_preview"), {}).status_code in (302, 403)
