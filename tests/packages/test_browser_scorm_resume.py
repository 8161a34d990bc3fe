"""A resumed SCORM attempt in Debian's Chromium gets back the whole data model its earlier
sessions kept: the SCO writes interactions (with correct responses and objectives),
objectives and comments, the tab is closed, and on the next launch the run-time library reads
them back from what the server handed it (cmi.entry = resume), for both versions. A new
interaction of the second session is answered once; the first one is not stated again."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from learners.models import Enrollment
from lrs.models import Statement
from packages.models import PackageUnit
from packages.scorm.models import ScormAttempt
from packages.services import package_import
from tests.packages import builders as b
from tests.packages.test_browser_scorm import people, publish, quiet, tab
from tests.support.browser import chromium

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "sqlite" in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent writes from the live server need a real database server",
    ),
]

ADL = "http://adlnet.gov/expapi/verbs/"

SCO12 = """<!doctype html><html><head><meta charset="utf-8"></head><body><p id="out"></p>
<script>
var api = window.parent.API;
api.LMSInitialize("");
var r = {entry: api.LMSGetValue("cmi.core.entry")};
if (r.entry === "ab-initio") {
  [["cmi.core.lesson_location", "p4"], ["cmi.comments", "Repasar"],
   ["cmi.student_preference.language", "es"],
   ["cmi.objectives.0.id", "obj-sensores"], ["cmi.objectives.0.status", "passed"],
   ["cmi.objectives.0.score.raw", "90"],
   ["cmi.interactions.0.id", "q1"], ["cmi.interactions.0.type", "choice"],
   ["cmi.interactions.0.objectives.0.id", "obj-sensores"],
   ["cmi.interactions.0.correct_responses.0.pattern", "b"],
   ["cmi.interactions.0.student_response", "a"], ["cmi.interactions.0.result", "wrong"]
  ].forEach(function (pair) { r[pair[0]] = api.LMSSetValue(pair[0], pair[1]); });
} else {
  ["cmi.core.lesson_location", "cmi.comments", "cmi.student_preference.language",
   "cmi.objectives._count", "cmi.objectives.0.id", "cmi.objectives.0.status",
   "cmi.objectives.0.score.raw", "cmi.interactions._count"
  ].forEach(function (key) { r[key] = api.LMSGetValue(key); });
  api.LMSSetValue("cmi.interactions.1.id", "q2");
  api.LMSSetValue("cmi.interactions.1.type", "true-false");
  api.LMSSetValue("cmi.interactions.1.student_response", "t");
  api.LMSSetValue("cmi.interactions.1.result", "correct");
}
r.commit = api.LMSCommit("");
document.getElementById("out").textContent = JSON.stringify(r);
</script></body></html>"""

SCO2004 = """<!doctype html><html><head><meta charset="utf-8"></head><body><p id="out"></p>
<script>
var api = window.parent.API_1484_11;
api.Initialize("");
var r = {entry: api.GetValue("cmi.entry")};
if (r.entry === "ab-initio") {
  [["cmi.location", "slide-4"],
   ["cmi.comments_from_learner.0.comment", "Repasar"],
   ["cmi.objectives.0.id", "urn:obj:sensores"], ["cmi.objectives.0.success_status", "passed"],
   ["cmi.objectives.0.score.scaled", "0.9"], ["cmi.objectives.0.description", "Sensores"],
   ["cmi.interactions.0.id", "urn:q1"], ["cmi.interactions.0.type", "choice"],
   ["cmi.interactions.0.objectives.0.id", "urn:obj:sensores"],
   ["cmi.interactions.0.correct_responses.0.pattern", "b[,]c"],
   ["cmi.interactions.0.learner_response", "a"], ["cmi.interactions.0.result", "incorrect"],
   ["cmi.interactions.0.timestamp", "2026-03-01T10:30:00"],
   ["cmi.interactions.0.latency", "PT12S"]
  ].forEach(function (pair) { r[pair[0]] = api.SetValue(pair[0], pair[1]); });
} else {
  ["cmi.location", "cmi.comments_from_learner._count", "cmi.comments_from_learner.0.comment",
   "cmi.objectives._count", "cmi.objectives.0.id", "cmi.objectives.0.success_status",
   "cmi.objectives.0.score.scaled", "cmi.objectives.0.description",
   "cmi.interactions._count", "cmi.interactions.0.id", "cmi.interactions.0.type",
   "cmi.interactions.0.objectives._count", "cmi.interactions.0.objectives.0.id",
   "cmi.interactions.0.correct_responses._count",
   "cmi.interactions.0.correct_responses.0.pattern", "cmi.interactions.0.learner_response",
   "cmi.interactions.0.result", "cmi.interactions.0.timestamp", "cmi.interactions.0.latency"
  ].forEach(function (key) { r[key] = api.GetValue(key); });
  api.SetValue("cmi.interactions.1.id", "urn:q2");
  api.SetValue("cmi.interactions.1.type", "true-false");
  api.SetValue("cmi.interactions.1.learner_response", "true");
  api.SetValue("cmi.interactions.1.result", "correct");
}
r.commit = api.Commit("");
document.getElementById("out").textContent = JSON.stringify(r);
</script></body></html>"""

READ_BACK_12 = {
    "cmi.core.lesson_location": "p4",
    "cmi.comments": "Repasar",
    "cmi.student_preference.language": "es",
    "cmi.objectives._count": "1",
    "cmi.objectives.0.id": "obj-sensores",
    "cmi.objectives.0.status": "passed",
    "cmi.objectives.0.score.raw": "90",
    # SCORM 1.2's interactions are write-only for the SCO: it sees how many there are.
    "cmi.interactions._count": "1",
}
READ_BACK_2004 = {
    "cmi.location": "slide-4",
    "cmi.comments_from_learner._count": "1",
    "cmi.comments_from_learner.0.comment": "Repasar",
    "cmi.objectives._count": "1",
    "cmi.objectives.0.id": "urn:obj:sensores",
    "cmi.objectives.0.success_status": "passed",
    "cmi.objectives.0.score.scaled": "0.9",
    "cmi.objectives.0.description": "Sensores",
    "cmi.interactions._count": "1",
    "cmi.interactions.0.id": "urn:q1",
    "cmi.interactions.0.type": "choice",
    "cmi.interactions.0.objectives._count": "1",
    "cmi.interactions.0.objectives.0.id": "urn:obj:sensores",
    "cmi.interactions.0.correct_responses._count": "1",
    "cmi.interactions.0.correct_responses.0.pattern": "b[,]c",
    "cmi.interactions.0.learner_response": "a",
    "cmi.interactions.0.result": "incorrect",
    "cmi.interactions.0.timestamp": "2026-03-01T10:30:00",
    "cmi.interactions.0.latency": "PT12S",
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as launched:
        yield launched


def imported(version: str, author, teacher) -> PackageUnit:
    if version == "1.2":
        zipped = b.make_zip(
            {
                "imsmanifest.xml": b.scorm12_manifest(),
                "sco/index.html": SCO12,
                "sco/video.mp4": b.VIDEO,
            }
        )
    else:
        items = '<item identifier="ITEM1" identifierref="RES1"><title>SCO</title></item>'
        zipped = b.make_zip(
            {
                "imsmanifest.xml": b.scorm2004_manifest(items=items),
                "sco1/index.html": SCO2004,
                "sco2/index.html": b.PAGE,
                "sco3/index.html": b.PAGE,
                "shared/api.js": "var x = 1;",
            }
        )
    result = package_import(upload=b.upload(zipped), user=author)
    unit = PackageUnit.objects.get(package=result.package, identifier="ITEM1")
    publish(unit.lesson, author)
    Enrollment.objects.create(user=teacher, course=result.course)
    return unit


def visit(browser, live_server, teacher, unit) -> dict:
    context, page = tab(browser, live_server, teacher)
    page.goto(live_server.url + unit.lesson.specific.url)
    frame = page.frame_locator(".scorm-sco iframe")
    frame.locator("#out").filter(has_text="entry").wait_for()
    report = json.loads(frame.locator("#out").inner_text())
    page.wait_for_function(
        "() => window.capacitaScorm.pending === 0 && window.capacitaScorm.commits > 0"
    )
    page.close(run_before_unload=True)
    quiet(lambda: ScormAttempt.objects.get(user=teacher, unit=unit))
    context.close()
    return report


@pytest.mark.parametrize("version", ["1.2", "2004"])
def test_a_resumed_sco_reads_back_its_interactions_objectives_and_comments(
    live_server, browser, migration_data, version
):
    author, teacher = people()
    unit = imported(version, author, teacher)
    first = visit(browser, live_server, teacher, unit)
    assert first["entry"] == "ab-initio"
    assert all(value == "true" for key, value in first.items() if key.startswith("cmi.")), first
    second = visit(browser, live_server, teacher, unit)
    assert second["entry"] == "resume" and second["commit"] == "true"
    expected = READ_BACK_12 if version == "1.2" else READ_BACK_2004
    assert {key: second.get(key) for key in expected} == expected
    attempt = ScormAttempt.objects.get(user=teacher, unit=unit)
    assert attempt.number == 1
    answered = [
        row.data["object"]["id"]
        for row in Statement.objects.filter(registration=str(attempt.uuid), verb=ADL + "answered")
    ]
    # q1 once (it did not change when the SCO resumed), q2 once.
    assert len(answered) == 2 and len(set(answered)) == 2
