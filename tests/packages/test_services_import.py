"""Importing packages: pages as drafts, units, storage under a versioned prefix, re-import in
place, and nothing half-imported."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage

from courses.models import CoursePage, LessonPage, ModulePage
from packages.models import Package, PackageUnit, PackageVersion
from packages.problems import PackageRefused
from packages.services import package_import
from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


def stored_names(prefix: str) -> list[str]:
    names: list[str] = []

    def walk(folder: str) -> None:
        # Not exists(): an S3 "folder" is only a key prefix, which exists() does not see.
        try:
            dirs, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return
        names.extend(f"{folder}/{f}" for f in files)
        for d in dirs:
            walk(f"{folder}/{d}")

    walk(prefix.rstrip("/"))
    return names


@pytest.fixture
def own_prefix(settings) -> str:
    """A storage prefix of this test's own: on S3 the bucket outlives a test and is shared by
    the test workers, so "nothing stored" is checked where only this test writes."""
    import uuid

    settings.LMS_PACKAGE_STORAGE_PREFIX = f"packages-test-{uuid.uuid4().hex}"
    return settings.LMS_PACKAGE_STORAGE_PREFIX


def test_one_au_cmi5_becomes_a_draft_course_module_and_lesson(author):
    result = package_import(upload=b.upload(b.one_au_cmi5()), user=author).as_dict()
    course = CoursePage.objects.get(pk=result["course"]["id"])
    assert course.get_parent().pk == spanish_catalog().pk
    assert not course.live and course.has_unpublished_changes
    modules = ModulePage.objects.child_of(course)
    assert modules.count() == 1
    lesson = LessonPage.objects.child_of(modules.get()).get()
    assert not lesson.live
    unit = PackageUnit.objects.get()
    assert unit.lesson_id == lesson.pk
    assert [(blk.block_type, blk.value["unit"]) for blk in lesson.body] == [
        ("packaged_content", str(unit.uuid))
    ]
    # Course and lesson keep Capacita's IRIs; the cmi5 ids are recorded for statements.
    assert result["course"]["activity_id"] == course.activity_id
    assert result["course"]["cmi5_id"] == b.COURSE_ID
    lesson_json = result["lessons"][0]
    assert lesson_json["activity_id"] == lesson.activity_id
    assert lesson_json["units"][0]["identifier"] == f"{b.COURSE_ID}/au/1"
    assert lesson_json["units"][0]["activity_id"] == f"{lesson.activity_id}/cmi5/{unit.uuid}"
    assert lesson_json["units"][0]["launch_url"].endswith("/au1/index.html?lang=es")
    version = PackageVersion.objects.get()
    assert version.number == 1 and len(version.sha256) == 64
    assert f"/v1-{version.uuid}/" in version.storage_prefix
    assert sorted(stored_names(version.storage_prefix)) == sorted(
        version.storage_name(n) for n in ("cmi5.xml", "au1/index.html", "au1/app.js")
    )


def test_multi_au_cmi5_blocks_become_modules_and_top_level_aus_share_one(author):
    result = package_import(upload=b.upload(b.multi_au_cmi5()), user=author).as_dict()
    course = CoursePage.objects.get(pk=result["course"]["id"])
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    assert [m.title for m in modules] == ["Robótica", "Sensores", "Actuadores"]
    lessons = {
        m.title: [lsn.title for lsn in LessonPage.objects.child_of(m).order_by("path")]
        for m in modules
    }
    assert lessons == {
        "Robótica": ["Bienvenida"],
        "Sensores": ["Sensores 1", "Sensores 2"],
        "Actuadores": ["Actuadores 1", "Motores"],  # a nested block goes into its top block
    }
    units = {u.identifier.rsplit("/", 1)[-1]: u for u in PackageUnit.objects.all()}
    assert units["1"].mastery_score == 0.8 and units["1"].move_on == "Passed"
    assert units["2"].launch_method == "OwnWindow"
    assert not units["intro"].lesson.required  # moveOn NotApplicable: not counted
    assert units["3"].lesson.required
    assert [m["block"] for m in result["modules"]] == [
        None,
        f"{b.COURSE_ID}/block/1",
        f"{b.COURSE_ID}/block/2",
    ]


def test_scorm12_course_and_scorm2004_lesson_mode(author):
    scorm12 = package_import(upload=b.upload(b.scorm12()), user=author)
    assert scorm12.package.format == "scorm12" and scorm12.course is not None
    sco = PackageUnit.objects.get(package=scorm12.package)
    assert (sco.kind, sco.mastery_score, sco.launch_url) == ("sco", 0.8, "sco/index.html")

    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    result = package_import(
        upload=b.upload(b.scorm2004()), mode="lesson", parent_id=module.pk, user=author
    )
    lesson = LessonPage.objects.child_of(module).get()
    units = list(PackageUnit.objects.filter(package=result.package).order_by("order"))
    assert [u.identifier for u in units] == ["ITEM1", "ITEM2", "ITEM3"]
    assert all(u.lesson_id == lesson.pk for u in units)
    assert [blk.value["unit"] for blk in lesson.body] == [str(u.uuid) for u in units]
    assert result.package.course.pk == module.get_parent().pk


def test_lesson_mode_needs_a_module_and_a_single_au_for_cmi5(author):
    with pytest.raises(PackageRefused) as caught:
        package_import(upload=b.upload(b.scorm12()), mode="lesson", user=author)
    assert caught.value.problems[0].path == "parent"
    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    with pytest.raises(PackageRefused) as caught:
        package_import(
            upload=b.upload(b.multi_au_cmi5()), mode="lesson", parent_id=module.pk, user=author
        )
    assert caught.value.problems[0].path == "mode"
    assert not Package.objects.exists()


def test_reimport_updates_in_place_keeping_pages_iris_and_units(author):
    first = package_import(upload=b.upload(b.multi_au_cmi5()), user=author).as_dict()
    extra = b.au(f"{b.COURSE_ID}/au/5", "Nueva", "b2/a5.html", attrs='moveOn="Completed"')
    data = b.make_zip(
        {
            "cmi5.xml": b.multi_au_cmi5_xml(extra_au=extra).replace("Sensores 1", "Sensores uno"),
            "intro.html": b.PAGE,
            "b1/a1.html": b.PAGE,
            "b1/a2.html": b.PAGE,
            "b2/a3.html": b.PAGE,
            "b2/a5.html": b.PAGE,
        }
    )
    second = package_import(upload=b.upload(data), user=author).as_dict()
    assert second["package"]["created"] is False and second["package"]["version"] == 2
    assert second["package"]["id"] == first["package"]["id"]
    assert second["course"] == {**first["course"]}
    before = {lsn["units"][0]["identifier"]: lsn for lsn in first["lessons"]}
    after = {lsn["units"][0]["identifier"]: lsn for lsn in second["lessons"]}
    for identifier, lesson in before.items():
        assert after[identifier]["id"] == lesson["id"]
        assert after[identifier]["activity_id"] == lesson["activity_id"]
        assert after[identifier]["units"][0]["id"] == lesson["units"][0]["id"]
    assert after[f"{b.COURSE_ID}/au/1"]["title"] == "Sensores uno"  # a new draft revision
    assert f"{b.COURSE_ID}/au/5" in after
    assert PackageVersion.objects.count() == 2
    assert CoursePage.objects.count() == 1
    # The pages stay drafts; the first version's files are kept for learners mid-attempt.
    assert not LessonPage.objects.filter(live=True).exists()


def test_reimport_without_a_unit_retires_it_and_keeps_its_lesson(author):
    package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    data = b.make_zip(
        {
            "cmi5.xml": b.cmi5_xml([b.au(f"{b.COURSE_ID}/au/1", "Sensores 1", "b1/a1.html")]),
            "b1/a1.html": b.PAGE,
        }
    )
    package_import(upload=b.upload(data), user=author)
    retired = PackageUnit.objects.filter(retired=True)
    assert retired.count() == 4
    assert all(u.lesson_id for u in retired)


def test_refused_packages_store_nothing_and_write_no_rows(author, own_prefix):
    with pytest.raises(PackageRefused):
        package_import(upload=b.upload(b.make_zip({"../evil": b"x", "cmi5.xml": "x"})), user=author)
    with pytest.raises(PackageRefused):
        package_import(upload=b.upload(b.scorm12(mastery="150")), user=author)
    assert not Package.objects.exists() and not CoursePage.objects.exists()
    assert stored_names(own_prefix) == []


def test_a_failure_after_storing_removes_the_files_and_the_rows(author, monkeypatch, own_prefix):
    from packages import services

    original = services._store_files

    def store_then_fail(extracted, version, stored):
        original(extracted, version, stored)
        assert stored  # files were written ...
        raise OSError("storage went away")

    monkeypatch.setattr(services, "_store_files", store_then_fail)
    with pytest.raises(OSError):
        package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    assert stored_names(own_prefix) == []  # ... and removed
    assert not Package.objects.exists()
    assert not PackageUnit.objects.exists()
    assert not CoursePage.objects.exists() and not LessonPage.objects.exists()


def test_a_reimport_that_fails_leaves_the_package_as_it_was(author, monkeypatch, own_prefix):
    from wagtail.models import Revision

    from packages import services

    first = package_import(upload=b.upload(b.multi_au_cmi5()), user=author)
    files_before = stored_names(own_prefix)
    units_before = list(
        PackageUnit.objects.order_by("pk").values("pk", "title", "version_id", "retired")
    )
    revisions_before = Revision.objects.count()
    original = services._store_files

    def store_then_fail(extracted, version, stored):
        original(extracted, version, stored)
        raise OSError("storage went away")

    monkeypatch.setattr(services, "_store_files", store_then_fail)
    xml = b.multi_au_cmi5_xml().replace("Sensores 1", "Sensores uno")
    second = b.make_zip(
        {
            "cmi5.xml": xml,
            **{n: b.PAGE for n in ("intro.html", "b1/a1.html", "b1/a2.html", "b2/a3.html")},
        }
    )
    with pytest.raises(OSError):
        package_import(upload=b.upload(second), user=author)
    # Version 1, its files, its units and the pages' revisions are as they were.
    assert list(first.package.versions.values_list("number", flat=True)) == [1]
    assert stored_names(own_prefix) == files_before
    assert (
        list(PackageUnit.objects.order_by("pk").values("pk", "title", "version_id", "retired"))
        == units_before
    )
    assert Revision.objects.count() == revisions_before


def test_an_author_without_add_permission_is_refused(teacher):
    with pytest.raises(PackageRefused) as caught:
        package_import(upload=b.upload(b.one_au_cmi5()), user=teacher)
    assert caught.value.problems[0].rule == "permission"
    assert not Package.objects.exists()


def test_reimport_after_the_lesson_was_deleted_asks_for_a_module(author):
    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    package_import(upload=b.upload(b.scorm12()), mode="lesson", parent_id=module.pk, user=author)
    LessonPage.objects.child_of(module).get().delete()
    with pytest.raises(PackageRefused) as caught:
        package_import(upload=b.upload(b.scorm12()), user=author)
    assert caught.value.problems[0].path == "parent"
    result = package_import(upload=b.upload(b.scorm12()), parent_id=module.pk, user=author)
    assert result.version.number == 2
    assert LessonPage.objects.child_of(module).count() == 1


def test_a_package_with_several_versions_can_be_deleted_with_its_files(
    author, django_capture_on_commit_callbacks, own_prefix
):
    package_import(upload=b.upload(b.scorm12()), user=author)
    package_import(upload=b.upload(b.scorm12()), user=author)
    assert len(stored_names(own_prefix)) == 2 * 3
    with django_capture_on_commit_callbacks(execute=True):
        Package.objects.all().delete()
    assert not PackageUnit.objects.exists() and not PackageVersion.objects.exists()
    assert stored_names(own_prefix) == []
