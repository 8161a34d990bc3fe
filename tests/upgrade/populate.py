"""Fill a database the way people do, through the HTTP API of the code given by ``--code``.

    DJANGO_SETTINGS_MODULE=lms.settings.base DATABASE_URL=... \\
        python tests/upgrade/populate.py --code OLD_TREE --lrs-client CLIENT.json --out FACTS.json

Run after ``manage.py migrate`` and ``manage.py load_demo`` (upgrade.py does all of it). It
adds what load_demo leaves out: an activity provider's statements (agents, groups, verbs,
registrations, a sub-statement, a statement reference, an attachment, a PUT, one voided),
State / activity profile / agent profile documents, and the demo teacher's own statements
(through her session, as the lesson pages send them) that finish her course so a credential
is issued, then progress in a second course with a voided statement and a third course she
withdraws from. Then ``refresh_reports`` and a report export. The facts the snapshot needs to
ask its questions (ids, agents, the client's credentials, award uuids) go to ``--out``.

Only HTTP requests and management commands: no Capacita module is imported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _site import (
    ADL,
    LRS,
    PROGRESS_EXTENSION,
    TOOL,
    expect,
    fixed_id,
    multipart,
    start_django,
    user_client,
)

ANA = {"objectType": "Agent", "name": "Ana Tool", "mbox": "mailto:ana@herramienta.example.mx"}
LUIS = {
    "objectType": "Agent",
    "account": {"homePage": "https://herramienta.example.mx", "name": "luis-42"},
}
TEAM = {
    "objectType": "Group",
    "name": "Equipo torno",
    "member": [ANA, {"objectType": "Agent", "mbox_sha1sum": "a" * 40}],
}
SIMULATOR = f"{TOOL}/activities/simulador-torno"
QUIZ = f"{TOOL}/activities/simulador-torno/quiz-1"
COURSE = f"{TOOL}/activities/curso-externo"
REGISTRATION = fixed_id("registration-ana")
ATTACHMENT = b"Bitacora de practica: torno CNC, pieza 3, tolerancia 0.05 mm.\n"


def _verb(name: str) -> dict[str, Any]:
    return {"id": ADL + name, "display": {"en-US": name, "es-MX": name}}


def _activity(iri: str, name: str) -> dict[str, Any]:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {
            "name": {"es-MX": name, "en-US": name},
            "type": "http://adlnet.gov/expapi/activities/simulation",
        },
    }


def tool_statements(base: datetime) -> list[dict[str, Any]]:
    """Thirty statements of an external tool: enough for several pages and every filter."""
    out: list[dict[str, Any]] = []
    actors = [ANA, LUIS, TEAM]
    for n in range(24):
        actor = actors[n % 3]
        verb = ("experienced", "answered", "progressed", "completed")[n % 4]
        statement: dict[str, Any] = {
            "id": fixed_id(f"tool-{n}"),
            "actor": actor,
            "verb": _verb(verb),
            "object": _activity(QUIZ if verb == "answered" else SIMULATOR, "Simulador de torno"),
            "timestamp": (base + timedelta(minutes=n)).isoformat(),
            "context": {
                "platform": "Herramienta",
                "language": "es-MX",
                "contextActivities": {"parent": [{"id": COURSE}], "grouping": [{"id": TOOL}]},
            },
        }
        if n % 2 == 0:
            statement["context"]["registration"] = REGISTRATION
        if verb == "answered":
            statement["result"] = {
                "success": n % 3 != 0,
                "response": "b",
                "score": {"scaled": 0.5 + n / 100, "raw": 50 + n, "min": 0, "max": 100},
                "duration": f"PT{n}M{n}.5S",
            }
        if verb == "progressed":
            statement["result"] = {"extensions": {PROGRESS_EXTENSION: 10 + n}}
        if verb == "completed":
            statement["result"] = {"completion": True, "duration": "PT1H"}
            statement["context"]["instructor"] = LUIS
        out.append(statement)
    return out


def populate_tool(lrs: LRS, facts: dict[str, Any]) -> None:
    base = datetime(2026, 9, 1, 15, 0, tzinfo=UTC)
    batch = tool_statements(base)
    ids = expect(lrs.post_json("statements", batch[:12]), 200, what="POST tool statements").json()
    facts["since"] = datetime.now(UTC).isoformat()
    time.sleep(0.01)
    expect(lrs.post_json("statements", batch[12:]), 200, what="POST more tool statements")
    facts["tool_statement_ids"] = ids + [s["id"] for s in batch[12:]]

    # A PUT by id, a sub-statement and a reference to another statement.
    put_id = fixed_id("tool-put")
    expect(
        lrs.put_json(
            "statements",
            {
                "actor": ANA,
                "verb": _verb("attempted"),
                "object": _activity(SIMULATOR, "Simulador de torno"),
                "timestamp": (base + timedelta(hours=2)).isoformat(),
            },
            {"statementId": put_id},
        ),
        204,
        what="PUT a statement",
    )
    special = [
        {
            "id": fixed_id("tool-substatement"),
            "actor": LUIS,
            "verb": {"id": "http://adlnet.gov/expapi/verbs/registered"},
            "object": {
                "objectType": "SubStatement",
                "actor": LUIS,
                "verb": _verb("attempted"),
                "object": _activity(QUIZ, "Cuestionario"),
            },
            "timestamp": (base + timedelta(hours=3)).isoformat(),
        },
        {
            "id": fixed_id("tool-statementref"),
            "actor": ANA,
            "verb": {"id": f"{TOOL}/verbs/reviewed", "display": {"es-MX": "revisó"}},
            "object": {"objectType": "StatementRef", "id": put_id},
        },
    ]
    expect(lrs.post_json("statements", special), 200, what="POST sub-statement and reference")

    # A statement with an attachment (multipart/mixed).
    sha2 = hashlib.sha256(ATTACHMENT).hexdigest()
    with_attachment = {
        "id": fixed_id("tool-attachment"),
        "actor": ANA,
        "verb": _verb("completed"),
        "object": _activity(SIMULATOR, "Simulador de torno"),
        "result": {"completion": True},
        "attachments": [
            {
                "usageType": "http://id.tincanapi.com/attachment/supporting_media",
                "display": {"es-MX": "Bitácora"},
                "contentType": "text/plain",
                "length": len(ATTACHMENT),
                "sha2": sha2,
            }
        ],
    }
    boundary = "capacita-upgrade-boundary"
    body = multipart(
        json.dumps(with_attachment).encode(), [(sha2, "text/plain", ATTACHMENT)], boundary
    )
    expect(
        lrs.request(
            "POST", "statements", body=body, content_type=f'multipart/mixed; boundary="{boundary}"'
        ),
        200,
        what="POST a statement with an attachment",
    )

    # One statement voided by the tool.
    voided = facts["tool_statement_ids"][5]
    expect(
        lrs.post_json(
            "statements",
            [
                {
                    "id": fixed_id("tool-void"),
                    "actor": ANA,
                    "verb": {"id": ADL + "voided", "display": {"en-US": "voided"}},
                    "object": {"objectType": "StatementRef", "id": voided},
                }
            ],
        ),
        200,
        what="void a tool statement",
    )
    facts.update(
        put_id=put_id,
        attachment_id=with_attachment["id"],
        voided_id=voided,
        voiding_id=fixed_id("tool-void"),
    )


def populate_documents(lrs: LRS, facts: dict[str, Any]) -> None:
    agent = json.dumps(ANA)
    state = {"activityId": SIMULATOR, "agent": agent}
    expect(
        lrs.put_json(
            "activities/state",
            {"pieza": 3, "herramienta": "buril"},
            {**state, "stateId": "marcador"},
        ),
        204,
        what="PUT state",
    )
    expect(
        lrs.post_json("activities/state", {"intentos": 2}, {**state, "stateId": "marcador"}),
        204,
        what="POST (merge) state",
    )
    expect(
        lrs.put_json(
            "activities/state",
            {"registro": True},
            {**state, "stateId": "sesion", "registration": REGISTRATION},
        ),
        204,
        what="PUT state with registration",
    )
    expect(
        lrs.request(
            "PUT",
            "activities/state",
            {**state, "stateId": "binario"},
            bytes(range(256)),
            content_type="application/octet-stream",
        ),
        204,
        what="PUT binary state",
    )
    expect(
        lrs.put_json(
            "activities/profile",
            {"dificultad": "media"},
            {"activityId": SIMULATOR, "profileId": "config"},
        ),
        204,
        what="PUT activity profile",
    )
    expect(
        lrs.request(
            "PUT",
            "activities/profile",
            {"activityId": SIMULATOR, "profileId": "notas"},
            "Notas del simulador: ñandú, acción.",
            content_type="text/plain; charset=utf-8",
        ),
        204,
        what="PUT text activity profile",
    )
    expect(
        lrs.put_json(
            "agents/profile",
            {"idioma": "es-MX", "tema": "oscuro"},
            {"agent": agent, "profileId": "preferencias"},
        ),
        204,
        what="PUT agent profile",
    )
    facts.update(
        tool_agent=ANA,
        tool_agents=[ANA, LUIS, TEAM],
        simulator=SIMULATOR,
        quiz=QUIZ,
        course_iri=COURSE,
        registration=REGISTRATION,
        state_ids=["marcador", "sesion", "binario"],
    )


def _lesson_stream(
    actor: dict[str, Any], lessons: list[dict[str, Any]], label: str, start: datetime
) -> list[dict[str, Any]]:
    """What the lesson pages send for each lesson: seen, half-way, a failed then a passed
    check, completed. Lessons without a check are done by ``completed``; with one, by
    ``passed``; sending both finishes either kind."""
    out = []
    for index, lesson in enumerate(lessons):
        at = start + timedelta(minutes=10 * index)
        iri = lesson["activity_id"]
        steps: list[tuple[str, dict[str, Any] | None]] = [
            ("experienced", None),
            ("progressed", {"extensions": {PROGRESS_EXTENSION: 50}}),
            ("failed", {"success": False, "score": {"scaled": 0.3, "raw": 3, "min": 0, "max": 10}}),
            ("passed", {"success": True, "score": {"scaled": 0.9, "raw": 9, "min": 0, "max": 10}}),
            ("completed", {"completion": True}),
        ]
        for step, (verb, result) in enumerate(steps):
            statement: dict[str, Any] = {
                "id": fixed_id(f"{label}-{index}-{verb}"),
                "actor": actor,
                "verb": _verb(verb),
                "object": {"objectType": "Activity", "id": iri},
                "timestamp": (at + timedelta(minutes=step)).isoformat(),
            }
            if result:
                statement["result"] = result
            out.append(statement)
    return out


def populate_teacher(facts: dict[str, Any]) -> None:
    client = user_client("docente")
    session = LRS(client)
    me = expect(client.get("/api/v1/me/"), 200, what="GET me").json()
    actor = me["actor"]
    enrollments = expect(client.get("/api/v1/me/enrollments/"), 200, what="GET enrolments").json()
    first = next(e["course"] for e in enrollments if e["status"] == "active")
    outline = expect(client.get(f"/api/v1/me/progress/{first}/"), 200, what="GET progress").json()
    start = datetime.now(UTC) - timedelta(days=2)
    stream = _lesson_stream(actor, outline["lessons"], "course-1", start)
    expect(session.post_json("statements", stream), 200, what="POST the teacher's course")
    done = expect(client.get(f"/api/v1/me/progress/{first}/"), 200, what="GET progress").json()
    if not done["completed"]:
        raise SystemExit(f"the teacher's statements did not complete course {first}: {done}")
    awards = expect(client.get("/api/v1/me/credentials/"), 200, what="GET credentials").json()
    if not awards:
        raise SystemExit("completing the course issued no credential")

    # A state document of a lesson, as the lesson page keeps the reading position.
    lesson_iri = outline["lessons"][0]["activity_id"]
    expect(
        session.put_json(
            "activities/state",
            {"posicion": 0.42},
            {"activityId": lesson_iri, "agent": json.dumps(actor), "stateId": "posicion"},
        ),
        204,
        what="PUT the teacher's state",
    )

    # Enrol in the next courses that accept her; progress in one, withdraw from another.
    catalog = expect(client.get("/api/v1/courses/"), 200, what="GET catalog").json()
    courses = catalog["results"] if isinstance(catalog, dict) else catalog
    enrolled: list[int] = []
    for course in courses:
        if course["id"] == first or len(enrolled) == 2:
            continue
        response = client.post(
            "/api/v1/me/enrollments/", {"course": course["id"]}, content_type="application/json"
        )
        if response.status_code == 201:
            enrolled.append(response.json()["id"])
            facts.setdefault("more_courses", []).append(course["id"])
    if len(enrolled) < 2:
        raise SystemExit(f"the teacher could enrol in only {len(enrolled)} more courses")
    second = facts["more_courses"][0]
    outline2 = expect(client.get(f"/api/v1/me/progress/{second}/"), 200, what="GET progress").json()
    partial = _lesson_stream(actor, outline2["lessons"][:2], "course-2", start + timedelta(days=1))
    expect(session.post_json("statements", partial), 200, what="POST progress in course 2")
    # She withdraws a statement she sent (the second lesson's completion).
    expect(
        session.post_json(
            "statements",
            [
                {
                    "id": fixed_id("course-2-void"),
                    "actor": actor,
                    "verb": {"id": ADL + "voided", "display": {"en-US": "voided"}},
                    "object": {
                        "objectType": "StatementRef",
                        "id": fixed_id("course-2-1-completed"),
                    },
                }
            ],
        ),
        200,
        what="void the teacher's own statement",
    )
    expect(client.delete(f"/api/v1/me/enrollments/{enrolled[1]}/"), 204, what="withdraw")
    facts.update(
        teacher="docente",
        teacher_actor=actor,
        lesson_iri=lesson_iri,
        courses=[first, *facts["more_courses"]],
        teacher_voided_id=fixed_id("course-2-1-completed"),
    )


def populate_staff_award(facts: dict[str, Any], admin: str) -> None:
    """Staff award the teacher's achievement by hand to another user, then revoke it: the
    status list, the verification and the holder's wallet then show a revocation."""
    teacher = user_client(facts["teacher"])
    awards = expect(teacher.get("/api/v1/me/credentials/"), 200, what="GET credentials").json()
    achievement = awards["results"][0]["achievement"]["id"]
    holder = "autor"
    holder_id = expect(user_client(holder).get("/api/v1/me/"), 200, what="GET me").json()["id"]
    staff = user_client(admin)
    award = expect(
        staff.post(
            "/api/v1/credentials/awards/",
            {"achievement": achievement, "user_id": holder_id, "reason": "Curso presencial."},
            content_type="application/json",
        ),
        201,
        what="award by hand",
    ).json()
    expect(
        staff.post(
            f"/api/v1/credentials/awards/{award['id']}/revoke",
            {"reason": "Otorgada por error."},
            content_type="application/json",
        ),
        200,
        what="revoke the award",
    )
    facts["other_holder"] = holder


def populate_reports(facts: dict[str, Any]) -> None:
    from django.core.management import call_command
    from django.test import Client

    call_command("refresh_reports", verbosity=0)
    monitor = user_client("monitor_sep")
    response = monitor.post(
        "/api/v1/reports/exports/",
        {"report": "completion", "format": "csv", "params": {"group_by": "state"}},
        content_type="application/json",
    )
    expect(response, 201, 202, what="start a report export")
    facts["monitor"] = "monitor_sep"
    # A verifier fetches the issuer's status list: it is signed then and kept in the database.
    expect(Client().get("/credentials/issuers/sep/status-list.json"), 200, what="GET status list")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, required=True, help="the code tree to run")
    parser.add_argument("--lrs-client", type=Path, required=True, help='{"key", "secret"} JSON')
    parser.add_argument("--out", type=Path, required=True, help="where to write the facts")
    parser.add_argument("--admin", required=True, help="a superuser's username")
    args = parser.parse_args()
    start_django(args.code)
    credentials = json.loads(args.lrs_client.read_text())
    facts: dict[str, Any] = {"lrs_client": credentials}
    from django.test import Client

    lrs = LRS(Client(), **credentials)
    populate_tool(lrs, facts)
    populate_documents(lrs, facts)
    populate_teacher(facts)
    populate_staff_award(facts, args.admin)
    populate_reports(facts)
    args.out.write_text(json.dumps(facts, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
