"""Editorial roles and the "Revisión de cursos" workflow created by the migrations."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import TaskState, Workflow, WorkflowState
from wagtail.permissions import policy_registry

from courses.models import CoursePage
from tests.courses import factories

pytestmark = pytest.mark.django_db

image_policy = policy_registry.get_by_type(get_image_model())
document_policy = policy_registry.get_by_type(get_document_model())


def user_in(group_name, username):
    user = get_user_model().objects.create_user(username, password="x")
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def author():
    return user_in("Course authors", "autora")


@pytest.fixture
def reviewer():
    return user_in("Course reviewers", "revisor")


@pytest.fixture
def draft_course():
    course = factories.CoursePageFactory(parent=factories.spanish_catalog(), live=False)
    return CoursePage.objects.get(pk=course.pk)


def submit(course, author):
    course.title = "Curso propuesto"
    course.save_revision(user=author)
    workflow = course.get_workflow()
    return workflow.start(course, author)


def test_the_catalogs_and_their_courses_use_the_course_review_workflow(draft_course):
    workflow = Workflow.objects.get(name="Revisión de cursos")
    assert factories.spanish_catalog().get_workflow() == workflow
    assert factories.english_catalog().get_workflow() == workflow
    assert draft_course.get_workflow() == workflow
    task = workflow.tasks.get().specific
    assert [g.name for g in task.groups.all()] == ["Course reviewers"]


def test_authors_edit_and_submit_but_cannot_publish(author, draft_course):
    perms = draft_course.permissions_for_user(author)
    assert perms.can_edit()
    assert perms.can_add_subpage()
    assert not perms.can_publish()
    assert author.has_perm("wagtailadmin.access_admin")
    assert author.has_perm("courses.change_sector") and not author.has_perm("courses.delete_sector")
    assert image_policy.user_has_permission(author, "add")
    assert image_policy.user_has_permission(author, "choose")
    assert document_policy.user_has_permission(author, "add")
    # Authors may delete their own uploads only (Wagtail's ownership policy).
    someone_elses = get_document_model().objects.create(title="Ajeno", file="x.pdf")
    own = get_document_model().objects.create(title="Propio", file="y.pdf", uploaded_by_user=author)
    assert not document_policy.user_has_permission_for_instance(author, "delete", someone_elses)
    assert not document_policy.user_has_permission_for_instance(author, "change", someone_elses)
    assert document_policy.user_has_permission_for_instance(author, "change", own)


def test_reviewers_can_publish_and_edit_taxonomy(reviewer, draft_course):
    perms = draft_course.permissions_for_user(reviewer)
    assert perms.can_publish() and perms.can_edit()
    assert reviewer.has_perm("courses.delete_topic")
    assert image_policy.user_has_permission(reviewer, "delete")


def test_submit_then_approve_makes_the_course_live(author, reviewer, draft_course):
    state = submit(draft_course, author)
    task_state = state.current_task_state
    task = task_state.task.specific
    assert [name for name, *_ in task.get_actions(draft_course, author)] == []
    assert "approve" in [name for name, *_ in task.get_actions(draft_course, reviewer)]
    task.on_action(task_state, reviewer, "approve", comment="Listo")
    state.refresh_from_db()
    draft_course.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert draft_course.live
    assert draft_course.title == "Curso propuesto"


def test_reject_with_a_comment_keeps_the_course_off_line(author, reviewer, draft_course):
    state = submit(draft_course, author)
    task_state = state.current_task_state
    task_state.task.specific.on_action(
        task_state, reviewer, "reject", comment="Falta una comprobación en el módulo 2."
    )
    state.refresh_from_db()
    draft_course.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not draft_course.live
    rejected = TaskState.objects.get(pk=task_state.pk)
    assert rejected.status == TaskState.STATUS_REJECTED
    assert rejected.comment == "Falta una comprobación en el módulo 2."


def test_changes_to_a_live_course_wait_for_approval(author, reviewer):
    course = factories.build_course(modules=1, lessons=1, title="Original", slug="original")
    course.title = "Cambio sin aprobar"
    course.save_revision(user=author)
    state = course.get_workflow().start(course, author)
    course.refresh_from_db()
    assert course.live and course.title == "Original"
    state.current_task_state.task.specific.on_action(state.current_task_state, reviewer, "approve")
    course.refresh_from_db()
    assert course.title == "Cambio sin aprobar"


def test_scheduled_publication_goes_live_when_due(reviewer, draft_course):
    import datetime

    from django.core.management import call_command
    from django.utils import timezone

    draft_course.go_live_at = timezone.now() + datetime.timedelta(hours=1)
    revision = draft_course.save_revision(user=reviewer)
    revision.publish(user=reviewer)
    draft_course.refresh_from_db()
    assert not draft_course.live  # scheduled, not yet published
    assert revision.approved_go_live_at is not None
    # Let the hour pass: move the scheduled moment into the past.
    past = timezone.now() - datetime.timedelta(minutes=1)
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    call_command("publish_scheduled")
    draft_course.refresh_from_db()
    assert draft_course.live


def test_preview_of_a_draft_lesson_renders_for_an_author(client, author):
    course = factories.build_course(modules=1, lessons=1)
    lesson = course.get_descendants().type(factories.LessonPageFactory._meta.model).first()
    client.force_login(author)
    response = client.get(f"/admin/pages/{lesson.pk}/edit/preview/")
    assert response.status_code == 200
