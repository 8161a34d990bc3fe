"""``manage.py import_package``: the same JSON as the API on its last line; non-zero exit
with the problems when refused."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from packages.models import Package
from tests.packages import builders as b

pytestmark = pytest.mark.django_db


def test_import_prints_the_result_json_on_its_last_line(tmp_path, capsys):
    path = tmp_path / "scorm.zip"
    path.write_bytes(b.scorm12())
    call_command("import_package", str(path))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    body = json.loads(last)
    assert body["package"]["format"] == "scorm12"
    assert body["lessons"][0]["units"][0]["identifier"] == "ITEM1"
    assert Package.objects.get().versions.get().uploaded_by is None


def test_refused_package_exits_non_zero_with_the_problems(tmp_path, capsys):
    path = tmp_path / "bad.zip"
    path.write_bytes(b.make_zip({"index.html": b.PAGE}))
    with pytest.raises(SystemExit) as exited:
        call_command("import_package", str(path))
    assert exited.value.code == 1
    body = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert body == {
        "refused": True,
        "problems": [
            {"path": "zip", "rule": "unknown_format", "message": body["problems"][0]["message"]}
        ],
    }
    assert "cmi5" in body["problems"][0]["message"]


def test_lesson_mode_through_the_command(tmp_path, capsys):
    from tests.courses.factories import CoursePageFactory, ModulePageFactory, spanish_catalog

    module = ModulePageFactory(parent=CoursePageFactory(parent=spanish_catalog()))
    path = tmp_path / "one.zip"
    path.write_bytes(b.one_au_cmi5())
    call_command("import_package", str(path), "--mode", "lesson", "--parent", str(module.pk))
    body = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert body["package"]["mode"] == "lesson" and len(body["lessons"]) == 1
