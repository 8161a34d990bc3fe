"""Capacita's own admin views for authors and reviewers (registered in ``wagtail_hooks.py``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import TaskState
from wagtail_localize.views.submit_translations import SubmitPageTranslationView

from courses import selectors, services
from courses.models import CoursePage, LessonPage, ModulePage


def course_submit_for_review(request: HttpRequest, page_id: int) -> HttpResponse:
    """ "Enviar curso a revisión": GET asks to confirm (listing what goes), POST submits."""
    course = get_object_or_404(CoursePage, pk=page_id)
    if not course.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    explorer = reverse("wagtailadmin_explore", args=[course.get_parent().pk])
    if request.method == "POST":
        try:
            submission = services.course_submit_for_review(course_id=course.pk, user=request.user)
        except services.CourseSubmissionError as error:
            for problem in error.problems:
                messages.error(request, problem)
            return redirect(reverse("courses_submit_for_review", args=[course.pk]))
        messages.success(
            request,
            ngettext(
                "«%(title)s» se envió a revisión con %(count)d página.",
                "«%(title)s» se envió a revisión con %(count)d páginas.",
                len(submission.submitted_page_ids),
            )
            % {"title": course.title, "count": len(submission.submitted_page_ids)},
        )
        return redirect(explorer)
    pages = selectors.course_pages(course)
    return TemplateResponse(
        request,
        "courses/admin/submit_for_review.html",
        {"course": course, "pages": pages, "back_url": explorer},
    )


class CourseTranslationView(SubmitPageTranslationView):
    """wagtail-localize's "Translate this page", but a course always takes its modules and
    lessons along: a translated course without them would link to pages that do not exist."""

    def get_form(self) -> Any:
        form = super().get_form()
        if isinstance(self.object.specific, CoursePage):
            field = form.fields["include_subtree"]
            field.initial = True
            field.disabled = True  # a disabled field keeps its initial value, whatever is posted
        return form


class ReviewDecisionView(WorkflowActionView):
    """Wagtail's approve / request-changes action, plus a message saying what happened."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        decided = TaskState.objects.get(pk=self.task_state.pk)
        title = self.object.get_admin_display_title()
        if decided.status == TaskState.STATUS_APPROVED:
            messages.success(request, _("Aprobaste «%(title)s».") % {"title": title})
        elif decided.status == TaskState.STATUS_REJECTED:
            messages.warning(
                request,
                _("Pediste cambios en «%(title)s»; quien lo envió verá tu comentario.")
                % {"title": title},
            )
        return response


class CoursePagesViewSet(PageViewSet):
    workflow_action_view_class = ReviewDecisionView


course_page_viewset = CoursePagesViewSet("course_pages", model=CoursePage)
module_page_viewset = CoursePagesViewSet("module_pages", model=ModulePage)
lesson_page_viewset = CoursePagesViewSet("lesson_pages", model=LessonPage)
