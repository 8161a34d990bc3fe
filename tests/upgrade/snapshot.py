"""Snapshot a Capacita database and its answers, through layout-independent means only.

    DJANGO_SETTINGS_MODULE=lms.settings.base DATABASE_URL=... \\
        python tests/upgrade/snapshot.py --code TREE --facts FACTS.json --out SNAPSHOT.json

``--code`` is the code tree to run (first on sys.path); ``--facts`` what populate.py wrote.
Two parts, both plain JSON, so two snapshots taken by different code compare key by key:

- ``rows``: every row of every table of the database, all columns (``row_to_json``),
  ordered by primary key; ``django_migrations`` left out (the migrations are what changes);
  ``django_content_type`` as ``(id, model)`` with the app label kept apart and
  ``auth_permission`` as ``(id, codename, content_type_id)``, because the split relabels the
  content types of moved models from ``progress`` to ``lrs``/``learners``/``reports`` under
  the same ids. Plus, per table with a sequence, whether the sequence is past the largest id
  (an upgrade that copied rows without moving the sequence breaks the next insert).
- ``answers``: what the public contract says about those rows: GET /xapi/ as the activity
  provider and as the teacher, the State and profile documents, the learner API, the reports
  API as the national monitor, the credentials' documents, pages and verification.

The answers are asked inside a transaction that is rolled back, so asking writes nothing (a
session, a cache row) that the next snapshot would see. Volatile bits are normalised only
where they are not data: X-Experience-API-Consistent-Through, a Last-Modified that is "now",
signed tokens (``more`` links, export downloads, CSRF), multipart boundaries.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from _site import LRS, start_django, user_client

# Headers that carry data; everything else a response sends is framework noise.
KEPT_HEADERS = (
    "Content-Type",
    "ETag",
    "Last-Modified",
    "X-Experience-API-Version",
    "Content-Disposition",
    "Content-Language",
    "Location",
)
MAX_PAGES = 20


# --- rows ---------------------------------------------------------------------------------------


def _tables(cursor: Any) -> list[str]:
    cursor.execute(
        """
        SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
        ORDER BY c.relname
        """
    )
    return [name for (name,) in cursor.fetchall()]


def _primary_key(cursor: Any, table: str) -> list[str]:
    cursor.execute(
        """
        SELECT a.attname FROM pg_index i
        JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
        WHERE i.indrelid = %s::regclass AND i.indisprimary
          AND array_position(i.indkey, a.attnum) - array_lower(i.indkey, 1) < i.indnkeyatts
        ORDER BY array_position(i.indkey, a.attnum)
        """,
        [_quote(table)],
    )
    return [name for (name,) in cursor.fetchall()]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _sequence_ahead(cursor: Any, table: str) -> dict[str, bool]:
    """For each column fed by a sequence: is the sequence past the column's largest value?"""
    cursor.execute(
        """
        SELECT a.attname, pg_get_serial_sequence(%s, a.attname) FROM pg_attribute a
        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """,
        [_quote(table), _quote(table)],
    )
    ahead = {}
    for column, sequence in cursor.fetchall():
        if sequence is None:
            continue
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        last_value, is_called = cursor.fetchone()
        cursor.execute(f"SELECT max({_quote(column)}) FROM {_quote(table)}")  # noqa: S608
        (largest,) = cursor.fetchone()
        following = last_value + 1 if is_called else last_value
        ahead[column] = largest is None or following > largest
    return ahead


def snapshot_rows() -> dict[str, Any]:
    from django.db import connection

    rows: dict[str, Any] = {}
    sequences: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for table in _tables(cursor):
            if table == "django_migrations":
                continue
            key = _primary_key(cursor, table)
            order = ", ".join(_quote(c) for c in key) if key else "row_to_json(t)::text"
            cursor.execute(
                f"SELECT row_to_json(t)::text FROM {_quote(table)} t ORDER BY {order}"  # noqa: S608
            )
            data = [json.loads(text) for (text,) in cursor.fetchall()]
            if table == "django_content_type":
                data = [{"id": r["id"], "model": r["model"], "app": r["app_label"]} for r in data]
            elif table == "auth_permission":
                keep = ("id", "codename", "content_type_id")
                data = [{k: r[k] for k in keep} for r in data]
            rows[table] = {"key": key, "rows": data}
            ahead = _sequence_ahead(cursor, table)
            if ahead:
                sequences[table] = ahead
    return {"rows": rows, "sequences_ahead": sequences}


# --- answers ------------------------------------------------------------------------------------

_CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_META = re.compile(r'(csrf[-_]token"?\s*(?:content|value)=")[^"]*(")', re.IGNORECASE)
_PDF_DATE = re.compile(rb"/CreationDate \(D:[0-9Z+\-']*\)")
_PDF_ID = re.compile(rb"/ID \[<[0-9A-Fa-f]*><[0-9A-Fa-f]*>\]")
_SIGNED = re.compile(r"([?&](?:more|token|signature|expires)=)[^&\"'\s<]+")


def _normalise_text(text: str) -> str:
    text = _CSRF.sub(r"\1<csrf>\2", text)
    text = _CSRF_META.sub(r"\1<csrf>\2", text)
    return _SIGNED.sub(r"\1<signed>", text)


# Keys whose value is the time of the request (or a fixed time after it), never stored data.
REQUEST_TIME_KEYS = frozenset({"generated_at", "download_expires_at"})


def _normalise_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: "<request time>" if k in REQUEST_TIME_KEYS and v else _normalise_json(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_normalise_json(v) for v in value]
    if isinstance(value, str):
        return _SIGNED.sub(r"\1<signed>", value)
    return value


def _body(response: Any) -> Any:
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("multipart/"):
        boundary = content_type.split("boundary=", 1)[1].strip('"')
        parts = content.split(b"--" + boundary.encode())
        return {"multipart": [_normalise_text(p.decode(errors="replace")) for p in parts]}
    if "json" in content_type:
        try:
            return _normalise_json(json.loads(content))
        except ValueError:
            pass
    if content_type.startswith("text/") or "javascript" in content_type:
        return _normalise_text(content.decode(errors="replace"))
    if content_type.startswith("application/zip"):
        # Each file's name and content; the archive's own dates are the time of the request.
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return {
                "zip": {name: _digest(archive.read(name)) for name in sorted(archive.namelist())}
            }
    if content_type.startswith("application/pdf"):
        # A generated PDF carries the time it was made, and an /ID derived from it.
        content = _PDF_DATE.sub(b"/CreationDate (D:<request time>)", content)
        content = _PDF_ID.sub(b"/ID [<request time>]", content)
    return _digest(content)


def _digest(content: bytes) -> dict[str, Any]:
    return {"bytes": len(content), "sha256": hashlib.sha256(content).hexdigest()}


def record(response: Any, *, now_header: bool = False) -> dict[str, Any]:
    """Status, the data-bearing headers and the body of a response, normalised."""
    headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    if "multipart/" in headers.get("Content-Type", ""):
        headers["Content-Type"] = re.sub(r"boundary=\S+", "boundary=<b>", headers["Content-Type"])
    if now_header:
        headers.pop("Last-Modified", None)  # the time of the request, not of any data
    if "Location" in headers:
        headers["Location"] = _normalise_text(headers["Location"])
    return {"status": response.status_code, "headers": headers, "body": _body(response)}


class Answers:
    def __init__(self) -> None:
        self.answers: dict[str, Any] = {}

    def add(self, name: str, response: Any, **options: Any) -> Any:
        if name in self.answers:
            raise ValueError(f"two answers named {name}")
        self.answers[name] = record(response, **options)
        return response


def _statement_result(response: Any) -> dict[str, Any]:
    """The StatementResult of a GET (the first part of a multipart answer), or {}."""
    if response.status_code != 200:
        return {}
    content = response.content
    content_type = response.get("Content-Type", "")
    if content_type.startswith("multipart/"):
        boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
        first = content.split(b"--" + boundary)[1]
        content = first.split(b"\r\n\r\n", 1)[1]
    elif "json" not in content_type:
        return {}
    result = json.loads(content)
    return result if isinstance(result, dict) else {}


def _statements(answers: Answers, lrs: LRS, name: str, params: dict[str, str]) -> None:
    """A statements query and every page its ``more`` links lead to."""
    response = lrs.request("GET", "statements", params)
    result = _statement_result(response)
    # With no statement, Last-Modified is the time of the request.
    answers.add(name, response, now_header=not result.get("statements"))
    for page in range(2, MAX_PAGES + 1):
        if not result.get("more"):
            return
        query = dict(parse_qsl(urlsplit(result["more"]).query))
        response = lrs.request("GET", "statements", query)
        result = _statement_result(response)
        answers.add(f"{name} (page {page})", response)


def ask_lrs(answers: Answers, facts: dict[str, Any]) -> None:
    from django.test import Client

    lrs = LRS(Client(), **facts["lrs_client"])
    ana = json.dumps(facts["tool_agent"])
    answers.add("xapi about", lrs.request("GET", "about"))
    queries: dict[str, dict[str, str]] = {
        "all": {},
        "by agent": {"agent": ana},
        "by agent, related agents": {"agent": ana, "related_agents": "true"},
        "by verb": {"verb": "http://adlnet.gov/expapi/verbs/answered"},
        "by activity": {"activity": facts["simulator"]},
        "by activity, related activities": {
            "activity": facts["course_iri"],
            "related_activities": "true",
        },
        "by registration": {"registration": facts["registration"]},
        "since": {"since": facts["since"]},
        "until": {"until": facts["since"]},
        "ascending, 4 a page": {"ascending": "true", "limit": "4", "agent": ana},
        "7 a page": {"limit": "7"},
        "ids": {"format": "ids", "agent": ana},
        "canonical": {"format": "canonical", "activity": facts["simulator"]},
        "with attachments": {
            "attachments": "true",
            "verb": "http://adlnet.gov/expapi/verbs/completed",
        },
        "teacher's by agent": {"agent": json.dumps(facts["teacher_actor"])},
    }
    for name, params in queries.items():
        _statements(answers, lrs, f"xapi statements {name}", params)
    singles = {
        "statementId": {"statementId": facts["put_id"]},
        "statementId with attachments": {
            "statementId": facts["attachment_id"],
            "attachments": "true",
        },
        "statementId of a voided": {"statementId": facts["voided_id"]},
        "voidedStatementId": {"voidedStatementId": facts["voided_id"]},
        "voidedStatementId of the teacher's": {"voidedStatementId": facts["teacher_voided_id"]},
        "voiding statement": {"statementId": facts["voiding_id"]},
    }
    for name, params in singles.items():
        answers.add(f"xapi statement {name}", lrs.request("GET", "statements", params))
    for statement_id in facts["tool_statement_ids"]:
        answers.add(
            f"xapi statement {statement_id}",
            lrs.request("GET", "statements", {"statementId": statement_id}),
        )

    answers.add(
        "xapi activity", lrs.request("GET", "activities", {"activityId": facts["simulator"]})
    )
    for index, agent in enumerate(facts["tool_agents"]):
        answers.add(
            f"xapi agent {index}", lrs.request("GET", "agents", {"agent": json.dumps(agent)})
        )

    state = {"activityId": facts["simulator"], "agent": ana}
    answers.add("xapi state ids", lrs.request("GET", "activities/state", state), now_header=True)
    answers.add(
        "xapi state ids since",
        lrs.request("GET", "activities/state", {**state, "since": "2000-01-01T00:00:00Z"}),
        now_header=True,
    )
    answers.add(
        "xapi state ids of the registration",
        lrs.request("GET", "activities/state", {**state, "registration": facts["registration"]}),
        now_header=True,
    )
    for state_id in facts["state_ids"]:
        answers.add(
            f"xapi state {state_id}",
            lrs.request("GET", "activities/state", {**state, "stateId": state_id}),
        )
    answers.add(
        "xapi state sesion in its registration",
        lrs.request(
            "GET",
            "activities/state",
            {**state, "stateId": "sesion", "registration": facts["registration"]},
        ),
    )
    profile = {"activityId": facts["simulator"]}
    answers.add(
        "xapi activity profile ids",
        lrs.request("GET", "activities/profile", profile),
        now_header=True,
    )
    for profile_id in ("config", "notas"):
        answers.add(
            f"xapi activity profile {profile_id}",
            lrs.request("GET", "activities/profile", {**profile, "profileId": profile_id}),
        )
    answers.add(
        "xapi agent profile ids",
        lrs.request("GET", "agents/profile", {"agent": ana}),
        now_header=True,
    )
    answers.add(
        "xapi agent profile preferencias",
        lrs.request("GET", "agents/profile", {"agent": ana, "profileId": "preferencias"}),
    )


def ask_teacher(answers: Answers, facts: dict[str, Any]) -> list[str]:
    """The learner API and the teacher's own LRS view; returns her awards' uuids."""
    client = user_client(facts["teacher"])
    session = LRS(client)
    _statements(answers, session, "teacher xapi statements", {})
    answers.add(
        "teacher xapi state",
        session.request(
            "GET",
            "activities/state",
            {
                "activityId": facts["lesson_iri"],
                "agent": json.dumps(facts["teacher_actor"]),
                "stateId": "posicion",
            },
        ),
    )
    for path in (
        "/api/v1/me/",
        "/api/v1/me/enrollments/",
        "/api/v1/me/credentials/",
        "/api/v1/me/export/",
        "/api/v1/me/cancel/",
        "/api/v1/courses/",
    ):
        answers.add(f"teacher GET {path}", client.get(path))
    for course in facts["courses"]:
        answers.add(
            f"teacher GET progress of course {course}",
            client.get(f"/api/v1/me/progress/{course}/"),
        )
        detail = answers.add(
            f"teacher GET course {course}", client.get(f"/api/v1/courses/{course}/")
        )
        if detail.status_code == 200:
            # The course page shows her progress and enrolment (the public site, Wagtail).
            url = urlsplit(json.loads(detail.content)["url"]).path
            answers.add(f"teacher GET page {url}", client.get(url))
    answers.add("teacher GET /", client.get("/"))
    answers.add("teacher GET profile page", client.get("/cuenta/perfil/"))
    answers.add("teacher GET wallet", client.get("/credentials/wallet/"))
    answers.add("teacher GET wallet export", client.get("/credentials/wallet/export.zip"))
    awards = json.loads(client.get("/api/v1/me/credentials/").content)
    items = awards["results"] if isinstance(awards, dict) else awards
    uuids = sorted(_award_uuid(item) for item in items)
    for award in uuids:
        for suffix in ("certificate/", "certificate.pdf"):
            path = f"/credentials/{award}/{suffix}"
            answers.add(f"teacher GET {path}", client.get(path))
    return uuids


def _award_uuid(item: dict[str, Any]) -> str:
    for key in ("uuid", "id"):
        value = str(item.get(key, ""))
        match = re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", value)
        if match:
            return match.group(0)
    raise SystemExit(f"no award uuid in {item}")


def ask_reports(answers: Answers, facts: dict[str, Any]) -> None:
    client = user_client(facts["monitor"])
    queries = [
        "summary/",
        "summary/?state=09",
        "completion/?group_by=state",
        "completion/?group_by=subsystem",
        "completion/?group_by=course",
        "completion/?group_by=state,subsystem",
        "completion/?group_by=sector",
        "completion/?group_by=school&state=09",
        "trend/",
        "trend/?subsystem=dgeti",
    ]
    for query in queries:
        answers.add(f"monitor GET reports/{query}", client.get(f"/api/v1/reports/{query}"))
    exports = client.get("/api/v1/reports/exports/")
    answers.add("monitor GET reports/exports/", exports)
    listed = json.loads(exports.content)
    for job in listed["results"] if isinstance(listed, dict) else listed:
        detail = client.get(f"/api/v1/reports/exports/{job['id']}/")
        answers.add(f"monitor GET export {job['id']}", detail)
        url = json.loads(detail.content).get("download_url")
        if url:
            answers.add(f"monitor GET export {job['id']} download", client.get(url))


def ask_credentials(answers: Answers, awards: list[str]) -> None:
    from django.test import Client

    public = Client()
    for path in ("/.well-known/jwks.json", "/credentials/issuers/sep/"):
        answers.add(f"public GET {path}", public.get(path))
    for suffix in (
        "ob2.json",
        "jwks.json",
        "did.json",
        "revocations.json",
        "ob2-revocations.json",
        "status-list.json",
    ):
        path = f"/credentials/issuers/sep/{suffix}"
        answers.add(f"public GET {path}", public.get(path))
    achievements: set[str] = set()
    for award in awards:
        for suffix in ("", "ob3.json", "ob3.jwt", "ob2.json", "badge.png", "badge.svg"):
            path = f"/credentials/{award}/{suffix}"
            answers.add(f"public GET {path}", public.get(path))
        answers.add(f"public GET /en/credentials/{award}/", public.get(f"/en/credentials/{award}/"))
        ob3 = json.loads(public.get(f"/credentials/{award}/ob3.json").content)
        jwt = public.get(f"/credentials/{award}/ob3.jwt").content.decode()
        for name, payload in (("credential", ob3), ("jwt", jwt)):
            answers.add(
                f"public verify {award} by {name}",
                public.post(
                    "/api/v1/credentials/verify",
                    {name: payload},
                    content_type="application/json",
                ),
            )
        achievement = ob3.get("credentialSubject", {}).get("achievement", {}).get("id", "")
        achievements.update(re.findall(r"/achievements/([0-9a-f-]{36})/", achievement))
    for achievement in sorted(achievements):
        for suffix in ("", "criteria/", "badgeclass.json", "image.png"):
            path = f"/credentials/achievements/{achievement}/{suffix}"
            answers.add(f"public GET {path}", public.get(path))


def snapshot_answers(facts: dict[str, Any]) -> dict[str, Any]:
    from django.db import transaction

    answers = Answers()
    with transaction.atomic():
        ask_lrs(answers, facts)
        awards = ask_teacher(answers, facts)
        if not awards:
            raise SystemExit("the teacher has no credential to ask about")
        holder = user_client(facts["other_holder"])
        answers.add(
            "other holder GET /api/v1/me/credentials/", holder.get("/api/v1/me/credentials/")
        )
        listed = json.loads(holder.get("/api/v1/me/credentials/").content)["results"]
        awards += sorted(_award_uuid(item) for item in listed)
        ask_reports(answers, facts)
        ask_credentials(answers, awards)
        transaction.set_rollback(True)
    return answers.answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--code", type=Path, required=True, help="the code tree to run")
    parser.add_argument("--facts", type=Path, required=True, help="what populate.py wrote")
    parser.add_argument("--out", type=Path, required=True, help="where to write the snapshot")
    args = parser.parse_args()
    start_django(args.code)
    from django.contrib.auth.signals import user_logged_in

    # Signing in to ask would change the user's last_login, which the learner API shows; the
    # answers must show what the database holds, so the snapshot's own sign-ins record nothing.
    user_logged_in.disconnect(dispatch_uid="update_last_login")
    facts = json.loads(args.facts.read_text())
    snapshot = snapshot_rows()
    snapshot["answers"] = snapshot_answers(facts)
    args.out.write_text(json.dumps(snapshot, indent=1, ensure_ascii=False, sort_keys=True))


if __name__ == "__main__":
    main()
