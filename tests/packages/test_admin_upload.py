"""The "Paquetes" admin view: upload, the problems list, links to the created pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from packages.models import Package
from tests.packages import builders as b

pytestmark = [pytest.mark.django_db, pytest.mark.wagtail_admin]


def test_menu_item_and_upload_links_to_the_created_pages(client, author):
    client.force_login(author)
    home = client.get("/admin/")
    assert "/admin/packages/" in home.content.decode()
    page = client.get("/admin/packages/")
    assert page.status_code == 200
    response = client.post(
        "/admin/packages/",
        {"file": SimpleUploadedFile("c.zip", b.one_au_cmi5()), "mode": "course"},
        follow=True,
    )
    # The upload is queued and the author taken to its import's page (done at once here).
    [(where, code)] = response.redirect_chain
    assert code == 302 and where.startswith("/admin/packages/imports/")
    assert response.status_code == 200
    package = Package.objects.get()
    html = response.content.decode()
    assert f"/admin/pages/{package.course_id}/edit/" in html
    assert "Paquete importado" in html


def test_a_refused_upload_lists_every_problem(client, author):
    client.force_login(author)
    bad = b.make_zip({"cmi5.xml": b.cmi5_xml([b.au("x", "A", "nope.html")])})
    response = client.post(
        "/admin/packages/",
        {"file": SimpleUploadedFile("c.zip", bad), "mode": "course"},
        follow=True,
    )
    assert response.redirect_chain[0][0].startswith("/admin/packages/imports/")
    html = response.content.decode()
    assert "Rechazado" in html
    assert "/courseStructure/au[1]/@id" in html
    assert "/courseStructure/au[1]/url" in html
    assert not Package.objects.exists()


def test_teachers_do_not_see_it(client, teacher):
    client.force_login(teacher)
    assert client.get("/admin/packages/").status_code in (302, 403)


def test_the_imported_lesson_opens_in_the_page_editor_with_its_unit_chosen(client, author):
    from packages.models import PackageUnit
    from packages.services import package_import

    package_import(upload=b.upload(b.one_au_cmi5()), user=author)
    unit = PackageUnit.objects.get()
    client.force_login(author)
    response = client.get(f"/admin/pages/{unit.lesson_id}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert str(unit.uuid) in html
    # The unit's label among the block's choices (escaped in the editor's JSON).
    assert "Rob\\u00f3tica \\u2014 Introducci\\u00f3n" in html


def test_modules_are_named_with_their_course_and_the_format_once(client, author):
    client.force_login(author)
    client.post(
        "/admin/packages/",
        {"file": SimpleUploadedFile("c.zip", b.multi_au_cmi5()), "mode": "course"},
    )
    client.post(
        "/admin/packages/", {"file": SimpleUploadedFile("s.zip", b.scorm12()), "mode": "course"}
    )
    html = client.get("/admin/packages/").content.decode()
    # Module titles repeat across courses ("Robótica" is also the course's first module).
    assert "Robótica / Sensores (es-mx)</option>" in html
    assert "<td>cmi5</td>" in html and "cmi5 cmi5" not in html
    assert "<td>SCORM 1.2</td>" in html and "SCORM 1.2 1.2" not in html


def test_uploading_a_package_again_says_it_updates_the_existing_course(client, author):
    client.force_login(author)
    first = client.post(
        "/admin/packages/",
        {"file": SimpleUploadedFile("c.zip", b.one_au_cmi5()), "mode": "course"},
        follow=True,
    ).content.decode()
    assert "Este paquete actualizó" not in first
    again = client.post(
        "/admin/packages/",
        {"file": SimpleUploadedFile("c.zip", b.one_au_cmi5()), "mode": "course"},
        follow=True,
    )
    html = again.content.decode()
    package = Package.objects.get()
    assert "Nueva versión importada (v2)" in html
    assert "Este paquete actualizó «Robótica» (versión 1 → 2)" in html
    assert "el avance de los docentes se conserva" in html
    assert "Las unidades no cambiaron (mismos identificadores y títulos)." in html
    assert f"/admin/packages/{package.pk}/" in html  # the package's own page
