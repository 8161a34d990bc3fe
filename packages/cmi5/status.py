"""What the LMS states once an AU session changed something: ``satisfied`` for the AU's
lesson, its block (module) and the course, when their moveOn criteria are met (cmi5 9.3.9).

Run after the storing transaction commits (``on_session_status_changed`` enqueues
``packages.cmi5.tasks.evaluate_satisfaction``). Idempotent: a ``satisfied`` already stored for
an object in the registration is not stated again, so a retry or a second run writes nothing.
One evaluation of a registration runs at a time (its sessions' rows are locked), and the
evaluations that its own ``satisfied`` statements trigger run after it commits: without both,
two evaluations (after ``passed`` and after ``terminated`` in two workers, or one nested in
the other when the task runs eagerly) each stated the block and the course once.

Capacita also states ``satisfied`` about the lesson IRI of an AU whose moveOn is met: the
specification names blocks and courses only, but the lesson is the LMS's own activity (its id
is not the publisher's), and the progress engine finishes a lesson on it (docs/xapi.md).
"""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from django.db import transaction

from lrs import cmi5 as lrs_cmi5
from lrs.models import Cmi5Session
from packages.cmi5.services import au_activity_id, package_aus, split_au_activity_id
from packages.models import PackageUnit

BLOCK_NAMESPACE = uuid.UUID("0c6f1f0e-2a57-4a38-93a4-5f5b1e7c2d90")


def nested_block_id(course_iri: str, block_identifier: str) -> str:
    """The LMS-generated activity id of a nested cmi5 block (stable across imports)."""
    return f"{course_iri}/cmi5/block/{uuid.uuid5(BLOCK_NAMESPACE, block_identifier)}"


def on_session_status_changed(sender: Any, sessions: list[Cmi5Session], **kwargs: Any) -> None:
    """Receiver of ``lrs.cmi5.cmi5_session_status_changed`` (inside the storing transaction)."""
    from packages.cmi5.tasks import evaluate_satisfaction

    for session in sessions:
        if split_au_activity_id(session.activity_id):
            transaction.on_commit(partial(evaluate_satisfaction.delay, session.session_id))


def _satisfied_ids(registration: uuid.UUID) -> set[str]:
    return lrs_cmi5.cmi5_satisfied_objects(registration)


@transaction.atomic
def evaluate(session_id: str) -> list[str]:
    """State what the session's AU now satisfies; returns the objects newly satisfied."""
    session = Cmi5Session.objects.filter(session_id=session_id).first()
    if session is None:
        return []
    # Serialise the evaluations of one registration (one learner in one course): what the
    # other one stated is then seen in ``done`` below.
    list(
        Cmi5Session.objects.select_for_update()
        .filter(registration=session.registration)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    found = split_au_activity_id(session.activity_id)
    if found is None:
        return []
    lesson_iri, unit_uuid = found
    unit = PackageUnit.objects.filter(uuid=unit_uuid).select_related("package").first()
    if unit is None:
        return []
    status = {s.activity_id: s for s in lrs_cmi5.cmi5_au_status(session.registration)}
    done = _satisfied_ids(session.registration)
    written: list[str] = []
    # satisfied goes in the session that triggered it while that session can take it; found
    # outside a launch session (a waive, or an evaluation that ran after the session was
    # abandoned: the LRS refuses anything after abandoned) it gets a session id of its own
    # (cmi5 9.6.1).
    ended = (Cmi5Session.State.WAIVED, Cmi5Session.State.ABANDONED)
    trigger = session if session.state not in ended else None

    def state(object_id: str, object_type: str | None) -> None:
        if object_id in done:
            return
        lrs_cmi5.cmi5_satisfied_write(
            session=trigger,
            registration=session.registration,
            actor=session.actor,
            publisher_id=unit.identifier,
            object_id=object_id,
            object_type=object_type,
        )
        done.add(object_id)
        written.append(object_id)

    aus = [u for u in package_aus(unit.package) if u.lesson is not None]

    def not_applicable(u: PackageUnit) -> bool:
        return (u.move_on or "NotApplicable") == "NotApplicable"

    au = status.get(session.activity_id)
    if au is not None and au.satisfied:
        state(lesson_iri, None)
    # An AU whose moveOn is NotApplicable is satisfied from the start of the registration (the
    # LMS's "initial moveOn rules"): stated the first time any AU of the course reports, so a
    # block made only of such AUs is satisfied without the learner opening them.
    fresh = [u for u in aus if not_applicable(u)]
    for u in fresh:
        if u.lesson is not None:
            state(u.lesson.activity_id, None)
    if (au is None or not au.satisfied) and not fresh:
        return written

    # Blocks and the course: every AU of the package, in its own lesson, must be satisfied.
    def met(u: PackageUnit) -> bool:
        if not_applicable(u):
            return True
        au_status = status.get(au_activity_id(u, u.lesson))
        return bool(au_status and au_status.satisfied)

    if unit.lesson is None or not aus:
        return written
    for block in unit.package.blocks.select_related("module"):
        if not block.identifier:
            continue  # the module of the course's top-level AUs is no cmi5 block
        members = [u for u in aus if u.block == block.identifier]
        if block.module is not None and members and all(met(u) for u in members):
            state(block.module.specific.activity_id, lrs_cmi5.BLOCK_TYPE)
    course = unit.package.course
    # Nested blocks have no module of their own: an LMS-generated id under the course's IRI
    # stands for each (never the publisher's block id, cmi5 9.3.9).
    nested = {block_id for u in aus for block_id in (u.block_path or [])[1:]}
    for block_id in sorted(nested):
        members = [u for u in aus if block_id in (u.block_path or [])]
        if course is not None and members and all(met(u) for u in members):
            state(nested_block_id(course.specific.activity_id, block_id), lrs_cmi5.BLOCK_TYPE)
    if course is not None and all(met(u) for u in aus):
        state(course.specific.activity_id, lrs_cmi5.COURSE_TYPE)
    return written
