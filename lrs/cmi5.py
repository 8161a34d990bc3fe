"""cmi5 on the LRS side: AU sessions, the one-time fetch token, and the statement rules.

The LMS (the ``packages`` app, or any site that installs the LRS alone) opens a session with
:func:`cmi5_session_open`, which writes the ``LMS.LaunchData`` State document and the
``launched`` statement; :func:`cmi5_fetch_token_issue` gives it the one-time token of the
launch URL's ``fetch`` parameter, and :func:`cmi5_fetch_redeem` turns that token, once, into
the AU's ``auth-token`` (cmi5 section 8.2). The LRS accepts that token (``lrs.auth``) with the
rights of an AU and nothing more.

Every statement stored that carries the session id extension of a known session goes through
:func:`enforce` inside the storing transaction (cmi5 sections 9.3 to 9.6): a statement breaking a
rule is refused with the rule's name and nothing of its batch is stored. Statements without
the extension cost one dictionary lookup each. docs/xapi.md lists the rules and their answers:
403 for what the session's state or launch data forbids, 400 for a cmi5 defined statement
missing what the specification requires of its shape.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from lrs.models import Cmi5Session, LRSDocument

from .errors import XAPIError
from .statements import agent_ifi, parse_timestamp, to_iso

if TYPE_CHECKING:
    from .services import StoreContext

__all__ = [
    "AU_STATEMENT_VERBS",
    "CATEGORY_CMI5",
    "CATEGORY_MOVEON",
    "LAUNCH_DATA_STATE_ID",
    "LEARNER_PREFERENCES_PROFILE_ID",
    "MOVE_ON_VALUES",
    "SESSION_EXTENSION",
    "AuStatus",
    "cmi5_au_status",
    "cmi5_au_waive",
    "cmi5_fetch_redeem",
    "cmi5_fetch_token_issue",
    "cmi5_learner_preferences_ensure",
    "cmi5_satisfied_objects",
    "cmi5_satisfied_write",
    "cmi5_session_abandon",
    "cmi5_session_for_token",
    "cmi5_session_open",
    "cmi5_session_status_changed",
    "cmi5_sessions_abandon_stale",
    "enforce",
    "move_on_met",
]

ADL = "http://adlnet.gov/expapi/verbs/"
W3ID_ADL = "https://w3id.org/xapi/adl/verbs/"
LAUNCHED = ADL + "launched"
INITIALIZED = ADL + "initialized"
COMPLETED = ADL + "completed"
PASSED = ADL + "passed"
FAILED = ADL + "failed"
TERMINATED = ADL + "terminated"
ABANDONED = W3ID_ADL + "abandoned"
WAIVED = W3ID_ADL + "waived"
SATISFIED = W3ID_ADL + "satisfied"
AU_STATEMENT_VERBS = frozenset((INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED))
LMS_VERBS = frozenset((LAUNCHED, ABANDONED, WAIVED, SATISFIED))
# The verbs Browse and Review sessions may not send (cmi5 section 10, launchMode).
_STATUS_VERBS = frozenset((COMPLETED, PASSED, FAILED))
_DURATION_VERBS = frozenset((COMPLETED, PASSED, FAILED, TERMINATED))

CATEGORY_CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5"
CATEGORY_MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon"
_EXT = "https://w3id.org/xapi/cmi5/context/extensions/"
SESSION_EXTENSION = _EXT + "sessionid"
MASTERY_EXTENSION = _EXT + "masteryscore"
LAUNCH_MODE_EXTENSION = _EXT + "launchmode"
LAUNCH_URL_EXTENSION = _EXT + "launchurl"
MOVE_ON_EXTENSION = _EXT + "moveon"
LAUNCH_PARAMETERS_EXTENSION = _EXT + "launchparameters"
REASON_EXTENSION = "https://w3id.org/xapi/cmi5/result/extensions/reason"
AU_TYPE = "https://w3id.org/xapi/cmi5/activitytype/au"
BLOCK_TYPE = "https://w3id.org/xapi/cmi5/activitytype/block"
COURSE_TYPE = "https://w3id.org/xapi/cmi5/activitytype/course"
LAUNCH_DATA_STATE_ID = "LMS.LaunchData"
LEARNER_PREFERENCES_PROFILE_ID = "cmi5LearnerPreferences"
MOVE_ON_VALUES = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")

# Sent inside the storing transaction when statements changed what a session (or an AU in a
# registration) has achieved: ``sessions`` (list[Cmi5Session]). The LMS listens to write its
# ``satisfied`` statements once the transaction commits.
cmi5_session_status_changed = Signal()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    now = timezone.now()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def move_on_met(move_on: str, *, completed: bool, passed: bool, waived: bool) -> bool:
    """Whether an AU's moveOn criterion is met (cmi5 section 13.1.4); a waived AU meets any."""
    if waived or move_on == "NotApplicable":
        return True
    return {
        "Passed": passed,
        "Completed": completed,
        "CompletedAndPassed": completed and passed,
        "CompletedOrPassed": completed or passed,
    }.get(move_on, False)


# --- opening a session ---------------------------------------------------------------------


def _context(
    session: Cmi5Session, *, extensions: dict[str, Any] | None = None, moveon: bool = False
) -> dict:
    category = [{"id": CATEGORY_CMI5, "objectType": "Activity"}]
    if moveon:
        category.append({"id": CATEGORY_MOVEON, "objectType": "Activity"})
    activities: dict[str, list[dict]] = {
        "category": category,
        "grouping": [{"id": session.publisher_id, "objectType": "Activity"}],
    }
    # The LMS's own statements in a session carry its contextTemplate too (cmi5 9.6.2).
    for key, values in (session.context_activities or {}).items():
        present = {activity.get("id") for activity in activities.setdefault(key, [])}
        activities[key].extend(value for value in values if value.get("id") not in present)
    return {
        "registration": str(session.registration),
        "contextActivities": activities,
        "extensions": {SESSION_EXTENSION: session.session_id, **(extensions or {})},
    }


def _statement(
    session: Cmi5Session,
    verb: str,
    display: str,
    *,
    object_id: str | None = None,
    object_type: str = AU_TYPE,
    result: dict | None = None,
    extensions: dict[str, Any] | None = None,
    timestamp: datetime | None = None,
) -> dict:
    statement: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": session.actor,
        "verb": {"id": verb, "display": {"en-US": display}},
        "object": {
            "objectType": "Activity",
            "id": object_id or session.activity_id,
            "definition": {"type": object_type},
        },
        "context": _context(
            session,
            extensions=extensions,
            moveon=bool(result and ("success" in result or "completion" in result)),
        ),
        "timestamp": to_iso(timestamp or _now()),
    }
    if result:
        statement["result"] = result
    return statement


def _store_lms(statements: list[dict]) -> None:
    from .services import statements_store

    statements_store(statements=statements)


@transaction.atomic
def cmi5_session_open(
    *,
    registration: uuid.UUID | str,
    actor: dict,
    activity_id: str,
    publisher_id: str,
    move_on: str,
    launch_url: str,
    launch_mode: str = Cmi5Session.Mode.NORMAL,
    mastery_score: float | None = None,
    return_url: str = "",
    launch_parameters: str = "",
    entitlement_key: str = "",
    context_template: dict | None = None,
) -> Cmi5Session:
    """Open an AU session: write ``LMS.LaunchData`` and the ``launched`` statement.

    ``activity_id`` is the LMS-generated AU activity id (never the course structure's AU id,
    which is ``publisher_id``); ``launch_url`` the AU's URL without the launch parameters.
    ``context_template`` is merged under the contextTemplate the specification requires (the
    LMS may add values, e.g. a parent activity). Raises ``XAPIError`` (400) for a launch mode
    or moveOn outside the specification's vocabulary.
    """
    if launch_mode not in Cmi5Session.Mode.values:
        raise XAPIError(
            400,
            "launchMode must be Normal, Browse or Review",
            path="launchMode",
            rule="cmi5.launch_mode.value",
        )
    if move_on not in MOVE_ON_VALUES:
        raise XAPIError(
            400,
            f"moveOn must be one of {', '.join(MOVE_ON_VALUES)}",
            path="moveOn",
            rule="cmi5.move_on.value",
        )
    if mastery_score is not None and not (math.isfinite(mastery_score) and 0 <= mastery_score <= 1):
        raise XAPIError(
            400,
            "masteryScore must be between 0 and 1",
            path="masteryScore",
            rule="cmi5.mastery.range",
        )
    ifi = agent_ifi(actor)
    if ifi is None or "account" not in actor:
        raise XAPIError(
            400,
            "the actor must be an Agent with an account",
            path="actor",
            rule="cmi5.actor.account",
        )
    # A new launch in the registration ends the learner's sessions left open in it (cmi5
    # 9.3.6: the LMS detects abnormal termination by a request for another AU).
    for stale in Cmi5Session.objects.filter(
        registration=uuid.UUID(str(registration)),
        actor_ifi=ifi,
        state__in=[Cmi5Session.State.LAUNCHED, Cmi5Session.State.INITIALIZED],
    ).values_list("session_id", flat=True):
        cmi5_session_abandon(stale)
    now = _now()
    session = Cmi5Session.objects.create(
        session_id=str(uuid.uuid4()),
        registration=uuid.UUID(str(registration)),
        actor=actor,
        actor_ifi=ifi,
        activity_id=activity_id,
        publisher_id=publisher_id,
        launch_mode=launch_mode,
        mastery_score=mastery_score,
        move_on=move_on,
        return_url=return_url,
        created_at=now,
        last_activity_at=now,
    )
    template = _context(session)
    del template["registration"]
    # No cmi5 category in the template: AUs copy it into every statement, and "cmi5 allowed"
    # ones must not carry it (cmi5 7.1.3); a defined statement's sender adds it (9.6.2.1).
    del template["contextActivities"]["category"]
    for key, value in (context_template or {}).get("contextActivities", {}).items():
        template["contextActivities"].setdefault(key, [])
        template["contextActivities"][key].extend(value)
    session.context_activities = template["contextActivities"]
    session.save(update_fields=["context_activities"])
    launch_data: dict[str, Any] = {
        "contextTemplate": template,
        "launchMode": launch_mode,
        "moveOn": move_on,
    }
    if launch_parameters:
        launch_data["launchParameters"] = launch_parameters
    if mastery_score is not None:
        launch_data["masteryScore"] = mastery_score
    if return_url:
        launch_data["returnURL"] = return_url
    if entitlement_key:
        launch_data["entitlementKey"] = {"courseStructure": entitlement_key}
    from .services import document_write

    document_write(
        scope=_state_scope(session),
        document_id=LAUNCH_DATA_STATE_ID,
        content=json.dumps(launch_data).encode(),
        content_type="application/json",
        merge=False,
    )
    extensions: dict[str, Any] = {
        LAUNCH_MODE_EXTENSION: launch_mode,
        LAUNCH_URL_EXTENSION: launch_url,
        MOVE_ON_EXTENSION: move_on,
    }
    if launch_parameters:
        extensions[LAUNCH_PARAMETERS_EXTENSION] = launch_parameters
    if mastery_score is not None:
        extensions[MASTERY_EXTENSION] = mastery_score
    launched = _statement(session, LAUNCHED, "launched", extensions=extensions, timestamp=now)
    _store_lms([launched])
    return session


def _state_scope(session: Cmi5Session) -> dict[str, str]:
    return {
        "kind": LRSDocument.Kind.STATE,
        "activity": session.activity_id,
        "agent_ifi": session.actor_ifi,
        "registration": str(session.registration).lower(),
    }


def cmi5_learner_preferences_ensure(*, actor: dict, language: str) -> None:
    """Write the learner's ``cmi5LearnerPreferences`` Agent Profile unless it exists (an AU or
    the learner may have changed it since); ``language`` is a language tag list."""
    from .services import document_write

    ifi = agent_ifi(actor) or ""
    scope = {
        "kind": LRSDocument.Kind.AGENT_PROFILE,
        "activity": "",
        "agent_ifi": ifi,
        "registration": "",
    }
    if LRSDocument.objects.filter(**scope, document_id=LEARNER_PREFERENCES_PROFILE_ID).exists():
        return
    document_write(
        scope=scope,
        document_id=LEARNER_PREFERENCES_PROFILE_ID,
        content=json.dumps({"languagePreference": language, "audioPreference": "on"}).encode(),
        content_type="application/json",
        merge=False,
        if_none_match="*",
    )


# --- the fetch URL and the AU's token --------------------------------------------------------

_TOKEN_KEY_PREFIX = "cmi5."  # noqa: S105 (a prefix, not a secret)
FETCH_ALREADY_USED = "1"
FETCH_SECURITY_ERROR = "2"


def cmi5_fetch_token_issue(session: Cmi5Session) -> str:
    """A new one-time fetch token for ``session`` (only its digest is kept)."""
    token = secrets.token_urlsafe(32)
    session.fetch_token_hash = _digest(token)
    session.save(update_fields=["fetch_token_hash"])
    return token


@transaction.atomic
def cmi5_fetch_redeem(token: str) -> dict[str, str]:
    """The body the fetch URL answers (cmi5 section 8.2), always with HTTP 200.

    The first call for an open session returns ``{"auth-token": ...}``; any later call, or one
    for a session that has ended, ``{"error-code": "1", ...}``; an unknown token
    ``{"error-code": "2", ...}``.
    """
    session = (
        Cmi5Session.objects.select_for_update().filter(fetch_token_hash=_digest(token)).first()
        if token
        else None
    )
    if session is None:
        return {"error-code": FETCH_SECURITY_ERROR, "error-text": "Unknown fetch token."}
    if session.fetch_used or not session.is_open:
        return {
            "error-code": FETCH_ALREADY_USED,
            "error-text": "The authorization token has already been returned or the session "
            "has ended.",
        }
    secret = secrets.token_urlsafe(32)
    session.auth_token_hash = _digest(secret)
    session.fetch_used = True
    session.save(update_fields=["auth_token_hash", "fetch_used"])
    credentials = f"{_TOKEN_KEY_PREFIX}{session.session_id}:{secret}"
    return {"auth-token": base64.b64encode(credentials.encode()).decode()}


def is_token_key(key: str) -> bool:
    return key.startswith(_TOKEN_KEY_PREFIX)


def cmi5_session_for_token(key: str, secret: str) -> Cmi5Session | None:
    """The session an AU's Basic credentials belong to, while they are valid: from the fetch
    until the session is abandoned, or a grace period after ``terminated``."""
    from .conf import app_settings

    session = Cmi5Session.objects.filter(session_id=key[len(_TOKEN_KEY_PREFIX) :]).first()
    if session is None or not session.auth_token_hash:
        return None
    if not secrets.compare_digest(session.auth_token_hash, _digest(secret)):
        return None
    if session.state == Cmi5Session.State.ABANDONED or session.state == Cmi5Session.State.WAIVED:
        return None
    if session.state == Cmi5Session.State.TERMINATED:
        grace = timedelta(seconds=float(app_settings.LMS_CMI5_TERMINATED_GRACE_SECONDS))
        if session.ended_at is None or timezone.now() > session.ended_at + grace:
            return None
    return session


# --- the statement rules ---------------------------------------------------------------------


def _session_id_of(statement: dict) -> Any:
    context = statement.get("context")
    if not context:
        return None
    extensions = context.get("extensions")
    if not extensions:
        return None
    return extensions.get(SESSION_EXTENSION)


def _categories(statement: dict) -> set[str]:
    activities = (statement.get("context") or {}).get("contextActivities") or {}
    category = activities.get("category") or []
    if isinstance(category, dict):
        category = [category]
    return {str(c.get("id")) for c in category if isinstance(c, dict)}


def _grouping(statement: dict) -> set[str]:
    activities = (statement.get("context") or {}).get("contextActivities") or {}
    grouping = activities.get("grouping") or []
    if isinstance(grouping, dict):
        grouping = [grouping]
    return {str(c.get("id")) for c in grouping if isinstance(c, dict)}


def _context_activity_ids(statement: dict, key: str) -> set[str]:
    activities = (statement.get("context") or {}).get("contextActivities") or {}
    listed = activities.get(key) or []
    if isinstance(listed, dict):
        listed = [listed]
    return {str(c.get("id")) for c in listed if isinstance(c, dict)}


def _check_template(statement: dict, index: int, session: Cmi5Session) -> None:
    """cmi5 9.6.2: a cmi5 defined statement holds every context activity of the session's
    contextTemplate (the AU may add more, never drop one)."""
    for key, values in sorted((session.context_activities or {}).items()):
        present = _context_activity_ids(statement, key)
        for value in values:
            wanted = str(value.get("id"))
            if wanted not in present:
                raise _refuse(
                    400,
                    f"context.contextActivities.{key} must hold {wanted} from the "
                    "contextTemplate of LMS.LaunchData",
                    index,
                    "cmi5.context.template",
                    f"context.contextActivities.{key}",
                )


def _scaled(score: dict) -> float | None:
    scaled = score.get("scaled")
    if isinstance(scaled, int | float) and not isinstance(scaled, bool):
        return float(scaled)
    raw, low, high = score.get("raw"), score.get("min"), score.get("max")
    if all(isinstance(v, int | float) for v in (raw, low, high)) and high > low:  # type: ignore[operator]
        return (float(raw) - float(low)) / (float(high) - float(low))  # type: ignore[arg-type]
    return None


@dataclass
class _Registration:
    """What an AU has achieved in a registration, across its sessions."""

    completed: bool
    passed: bool
    waived: bool


def _refuse(status: int, message: str, index: int, rule: str, path: str = "") -> XAPIError:
    where = f"statements[{index}]" + (f".{path}" if path else "")
    return XAPIError(status, message, path=where, rule=rule)


def _check_shape(statement: dict, index: int, session: Cmi5Session, verb: str) -> None:
    """The 400s: a cmi5 defined statement must carry what sections 9.2 to 9.6 require."""
    actor = statement["actor"]
    if actor.get("objectType", "Agent") != "Agent" or "account" not in actor:
        raise _refuse(
            400,
            "cmi5 defined statements need an Agent with an account",
            index,
            "cmi5.actor.account",
            "actor",
        )
    context = statement.get("context") or {}
    registration = str(context.get("registration") or "").lower()
    if registration != str(session.registration).lower():
        raise _refuse(
            400,
            "context.registration must be the registration of the launch",
            index,
            "cmi5.context.registration",
            "context.registration",
        )
    if session.publisher_id not in _grouping(statement):
        raise _refuse(
            400,
            "context.contextActivities.grouping must hold the AU's publisher id "
            "from the contextTemplate",
            index,
            "cmi5.context.grouping",
            "context.contextActivities.grouping",
        )
    _check_template(statement, index, session)
    obj = statement["object"]
    if obj.get("objectType", "Activity") != "Activity" or obj.get("id") != session.activity_id:
        raise _refuse(
            400,
            "the object must be the AU (the launch's activityId)",
            index,
            "cmi5.object.activity_id",
            "object.id",
        )
    if verb not in AU_STATEMENT_VERBS:
        raise _refuse(
            400,
            "cmi5 defined statements from an AU use initialized, completed, "
            "passed, failed or terminated",
            index,
            "cmi5.verb",
            "verb.id",
        )
    result = statement.get("result") or {}
    if "score" in result and verb not in (PASSED, FAILED):
        raise _refuse(
            400,
            "only passed and failed may carry a score",
            index,
            "cmi5.result.score",
            "result.score",
        )
    expected_success = {PASSED: True, FAILED: False}.get(verb)
    if result.get("success", None) != expected_success or (
        expected_success is None and "success" in result
    ):
        raise _refuse(
            400,
            "result.success must be true in passed, false in failed and absent otherwise",
            index,
            "cmi5.result.success",
            "result.success",
        )
    if (verb == COMPLETED) != (result.get("completion") is True) or (
        verb != COMPLETED and "completion" in result
    ):
        raise _refuse(
            400,
            "result.completion must be true in completed and absent otherwise",
            index,
            "cmi5.result.completion",
            "result.completion",
        )
    if verb in _DURATION_VERBS and "duration" not in result:
        raise _refuse(
            400,
            "completed, passed, failed and terminated need result.duration",
            index,
            "cmi5.result.duration",
            "result.duration",
        )
    moveon = CATEGORY_MOVEON in _categories(statement)
    if moveon != ("success" in result or "completion" in result):
        raise _refuse(
            400,
            "the moveOn category belongs exactly in statements with "
            "result.success or result.completion",
            index,
            "cmi5.context.moveon",
            "context.contextActivities.category",
        )
    if verb in (PASSED, FAILED) and session.mastery_score is not None:
        mastery = (context.get("extensions") or {}).get(MASTERY_EXTENSION)
        if mastery != session.mastery_score:
            raise _refuse(
                400,
                "passed and failed must carry the launch's masteryScore in context.extensions",
                index,
                "cmi5.context.masteryscore",
                "context.extensions",
            )


def _registration_state(session: Cmi5Session) -> _Registration:
    others = Cmi5Session.objects.filter(
        registration=session.registration, activity_id=session.activity_id
    ).exclude(pk=session.pk)
    flags = others.values_list("completed", "passed", "waived")
    return _Registration(
        completed=session.completed or any(f[0] for f in flags),
        passed=session.passed or any(f[1] for f in flags),
        waived=session.waived or any(f[2] for f in flags),
    )


def _apply_au(
    statement: dict, index: int, session: Cmi5Session, registration: _Registration
) -> None:
    verb = statement["verb"]["id"]
    defined = CATEGORY_CMI5 in _categories(statement)
    state = session.state
    if state == Cmi5Session.State.TERMINATED:
        raise _refuse(
            403,
            "the session has terminated: no statement may follow terminated",
            index,
            "cmi5.after_terminated",
        )
    if state == Cmi5Session.State.LAUNCHED and not (defined and verb == INITIALIZED):
        raise _refuse(
            403,
            "initialized must be the first statement of a session",
            index,
            "cmi5.initialized_first",
            "verb.id",
        )
    if not defined:
        return  # a "cmi5 allowed" statement between initialized and terminated
    _check_shape(statement, index, session, verb)
    if verb == INITIALIZED:
        if state != Cmi5Session.State.LAUNCHED:
            raise _refuse(
                403,
                "initialized may be sent once per session",
                index,
                "cmi5.initialized_once",
                "verb.id",
            )
        session.state = Cmi5Session.State.INITIALIZED
        return
    if verb == TERMINATED:
        session.state = Cmi5Session.State.TERMINATED
        session.ended_at = _now()
        return
    if session.launch_mode != Cmi5Session.Mode.NORMAL:
        raise _refuse(
            403,
            f"a {session.launch_mode} session may not send completed, passed or failed",
            index,
            "cmi5.launch_mode",
            "verb.id",
        )
    scaled = _scaled((statement.get("result") or {}).get("score") or {})
    if verb == COMPLETED:
        if registration.completed:
            raise _refuse(
                403,
                "completed may be sent once per registration",
                index,
                "cmi5.completed_once",
                "verb.id",
            )
        session.completed = registration.completed = True
        return
    if session.passed or session.failed:
        raise _refuse(
            403,
            "a session may send only one of passed and failed",
            index,
            "cmi5.passed_failed_once",
            "verb.id",
        )
    if verb == PASSED:
        if registration.passed:
            raise _refuse(
                403,
                "passed may be sent once per registration",
                index,
                "cmi5.passed_once",
                "verb.id",
            )
        if (
            session.mastery_score is not None
            and scaled is not None
            and (scaled < session.mastery_score)
        ):
            raise _refuse(
                403,
                "passed with a score below the masteryScore",
                index,
                "cmi5.mastery.passed",
                "result.score",
            )
        session.passed = registration.passed = True
        return
    # failed
    if registration.passed:
        raise _refuse(
            403,
            "failed may not follow passed in a registration",
            index,
            "cmi5.failed_after_passed",
            "verb.id",
        )
    if (
        session.mastery_score is not None
        and scaled is not None
        and (scaled >= session.mastery_score)
    ):
        raise _refuse(
            403,
            "failed with a score at or above the masteryScore",
            index,
            "cmi5.mastery.failed",
            "result.score",
        )
    session.failed = True


def _apply_lms(statement: dict, index: int, session: Cmi5Session) -> None:
    verb = statement["verb"]["id"]
    if verb == ABANDONED:
        if not session.is_open:
            raise _refuse(
                403,
                "only an open session may be abandoned",
                index,
                "cmi5.abandoned_once",
                "verb.id",
            )
        session.state = Cmi5Session.State.ABANDONED
        session.ended_at = _now()
    elif verb == WAIVED:
        session.waived = True


def enforce(statements: list[dict], ctx: StoreContext) -> None:
    """Apply the cmi5 rules to the statements about to be stored (inside their transaction).

    Statements are taken in timestamp order (cmi5 section 9.3). Raises ``XAPIError`` for the
    first statement that breaks a rule; otherwise updates the sessions concerned.
    """
    token_session = ctx.cmi5_session_id
    indexed = [
        (index, statement, _session_id_of(statement)) for index, statement in enumerate(statements)
    ]
    if token_session is None and not any(sid for _, _, sid in indexed):
        return
    wanted = {sid for _, _, sid in indexed if isinstance(sid, str)}
    if token_session is not None:
        wanted.add(token_session)
    sessions = {
        s.session_id: s
        for s in Cmi5Session.objects.select_for_update().filter(session_id__in=wanted)
    }
    registrations: dict[int, _Registration] = {}
    changed: dict[str, Cmi5Session] = {}
    ordered = sorted(indexed, key=lambda item: (parse_timestamp(item[1]["timestamp"]), item[0]))
    for index, statement, sid in ordered:
        if token_session is not None and sid != token_session:
            raise _refuse(
                403,
                "an AU's statements must carry its own session id",
                index,
                "cmi5.session_id",
                "context.extensions",
            )
        session = sessions.get(sid) if isinstance(sid, str) else None
        if session is None:
            continue  # no session of ours: the rules are not ours to apply
        verb = statement["verb"]["id"]
        if session.state == Cmi5Session.State.ABANDONED:
            raise _refuse(
                403,
                "the session was abandoned: no statement may follow",
                index,
                "cmi5.after_abandoned",
            )
        if verb in LMS_VERBS:
            if not ctx.asserted_by_lms:
                raise _refuse(
                    403,
                    "launched, abandoned, waived and satisfied are the LMS's to state",
                    index,
                    "cmi5.lms_verb",
                    "verb.id",
                )
            _apply_lms(statement, index, session)
        elif session.state == Cmi5Session.State.WAIVED:
            raise _refuse(
                403,
                "a waived statement's session takes no other statement",
                index,
                "cmi5.waived_session",
            )
        else:
            if session.pk not in registrations:
                registrations[session.pk] = _registration_state(session)
            _apply_au(statement, index, session, registrations[session.pk])
        session.last_activity_at = _now()
        changed[session.session_id] = session
    for session in changed.values():
        session.save(
            update_fields=[
                "state",
                "completed",
                "passed",
                "failed",
                "waived",
                "last_activity_at",
                "ended_at",
            ]
        )
    if changed:
        cmi5_session_status_changed.send(sender=Cmi5Session, sessions=list(changed.values()))


# --- what the LMS writes after the launch ----------------------------------------------------


def _duration(start: datetime, end: datetime) -> str:
    seconds = max(0.0, (end - start).total_seconds())
    return f"PT{seconds:.2f}S"


@transaction.atomic
def cmi5_session_abandon(session_id: str) -> bool:
    """Write ``abandoned`` for an open session (cmi5 section 9.3.6); False when it had ended.

    The duration is the time from ``launched`` to the session's last activity.
    """
    session = Cmi5Session.objects.select_for_update().filter(session_id=session_id).first()
    if session is None or not session.is_open:
        return False
    statement = _statement(
        session,
        ABANDONED,
        "abandoned",
        result={"duration": _duration(session.created_at, session.last_activity_at)},
    )
    _store_lms([statement])
    return True


def cmi5_sessions_abandon_stale(*, idle: timedelta) -> int:
    """Abandon every open session idle for longer than ``idle``; returns how many."""
    cutoff = timezone.now() - idle
    ids = list(
        Cmi5Session.objects.filter(
            state__in=[Cmi5Session.State.LAUNCHED, Cmi5Session.State.INITIALIZED],
            last_activity_at__lt=cutoff,
        ).values_list("session_id", flat=True)[:1000]
    )
    return sum(1 for session_id in ids if cmi5_session_abandon(session_id))


@transaction.atomic
def cmi5_au_waive(
    *,
    registration: uuid.UUID | str,
    actor: dict,
    activity_id: str,
    publisher_id: str,
    move_on: str,
    reason: str,
) -> Cmi5Session:
    """Write ``waived`` for an AU in a registration, in a session of its own (section 9.3.7).

    Raises ``XAPIError`` 400 for a reason outside the specification's list, 409 when the AU is
    already waived in this registration.
    """
    if reason not in WAIVE_REASONS:
        raise XAPIError(
            400,
            f"reason must be one of {', '.join(WAIVE_REASONS)}",
            path="reason",
            rule="cmi5.waive.reason",
        )
    registration = uuid.UUID(str(registration))
    if Cmi5Session.objects.filter(
        registration=registration, activity_id=activity_id, waived=True
    ).exists():
        raise XAPIError(
            409,
            "the AU is already waived in this registration",
            path="activityId",
            rule="cmi5.waived_once",
        )
    now = _now()
    session = Cmi5Session.objects.create(
        session_id=str(uuid.uuid4()),
        registration=registration,
        actor=actor,
        actor_ifi=agent_ifi(actor) or "",
        activity_id=activity_id,
        publisher_id=publisher_id,
        move_on=move_on,
        state=Cmi5Session.State.WAIVED,
        created_at=now,
        last_activity_at=now,
        ended_at=now,
    )
    statement = _statement(
        session,
        WAIVED,
        "waived",
        result={"success": True, "completion": True, "extensions": {REASON_EXTENSION: reason}},
    )
    _store_lms([statement])
    return session


def cmi5_satisfied_write(
    *,
    session: Cmi5Session | None,
    registration: uuid.UUID | str,
    actor: dict,
    publisher_id: str,
    object_id: str,
    object_type: str | None,
) -> str:
    """Write one ``satisfied`` statement by the LMS (cmi5 section 9.3.9); returns its id.

    ``session`` is the AU session that triggered it; without one a new session id is used, as
    the specification asks for satisfaction found outside a launch. ``object_type`` is the cmi5
    activity type (block, course), or None for an activity whose definition is not ours to
    state here (the lesson of an AU, see docs/xapi.md).
    """
    holder = Cmi5Session(
        session_id=session.session_id if session is not None else str(uuid.uuid4()),
        registration=uuid.UUID(str(registration)),
        actor=actor,
        publisher_id=publisher_id,
    )
    statement = _statement(holder, SATISFIED, "satisfied", object_id=object_id)
    if object_type:
        statement["object"]["definition"] = {"type": object_type}
    else:
        del statement["object"]["definition"]
    _store_lms([statement])
    return str(statement["id"])


def cmi5_satisfied_objects(registration: uuid.UUID | str) -> set[str]:
    """The activities the LMS has already stated ``satisfied`` for in a registration."""
    from lrs.models import Statement

    return {
        str(activity)
        for activity in Statement.objects.filter(
            verb=SATISFIED, registration=uuid.UUID(str(registration)), voided=False
        ).values_list("activity", flat=True)
    }


@dataclass(frozen=True)
class AuStatus:
    activity_id: str
    publisher_id: str
    move_on: str
    completed: bool
    passed: bool
    failed: bool
    waived: bool
    satisfied: bool
    sessions: int
    open_session: str | None


def cmi5_au_status(registration: uuid.UUID | str) -> list[AuStatus]:
    """What each AU has achieved in a registration, across its sessions (a selector)."""
    rows: dict[str, list[Cmi5Session]] = {}
    for session in Cmi5Session.objects.filter(registration=uuid.UUID(str(registration))).order_by(
        "created_at", "pk"
    ):
        rows.setdefault(session.activity_id, []).append(session)
    return [_au_status(sessions) for sessions in rows.values()]


def _au_status(sessions: Iterable[Cmi5Session]) -> AuStatus:
    items = list(sessions)
    last = items[-1]
    completed = any(s.completed for s in items)
    passed = any(s.passed for s in items)
    waived = any(s.waived for s in items)
    return AuStatus(
        activity_id=last.activity_id,
        publisher_id=last.publisher_id,
        move_on=last.move_on,
        completed=completed,
        passed=passed,
        failed=any(s.failed for s in items) and not passed,
        waived=waived,
        satisfied=move_on_met(last.move_on, completed=completed, passed=passed, waived=waived),
        sessions=len(items),
        open_session=next((s.session_id for s in reversed(items) if s.is_open), None),
    )
