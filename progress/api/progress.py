"""Learner API: a learner's progress in a course they are enrolled in."""

from __future__ import annotations

from types import SimpleNamespace

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.auth import signed_in_user
from progress.engine.catch_up import progress_catch_up, progress_freshness
from progress.engine.selectors import learner_course_progress

ERROR = inline_serializer(
    name="ProgressError",
    fields={"detail": serializers.CharField(), "errors": serializers.ListField()},
)


class LessonProgressSerializer(serializers.Serializer):
    activity_id = serializers.CharField()
    title = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["not_started", "in_progress", "completed", "passed", "failed"]
    )
    progress_percent = serializers.IntegerField(min_value=0, max_value=100)
    best_score = serializers.FloatField(allow_null=True)


class FreshnessSerializer(serializers.Serializer):
    log_position = serializers.IntegerField(
        allow_null=True,
        help_text="The last statement log position the engine applied in the learner's stream.",
    )
    applied_at = serializers.DateTimeField(
        allow_null=True, help_text="When the engine last applied log entries there."
    )
    pending = serializers.IntegerField(
        min_value=0,
        help_text="The learner's stored statement batches not applied yet (0: up to date).",
    )


class MyCourseProgressView(APIView):
    """``GET /api/v1/me/progress/{course_id}/``: the signed-in learner's own progress."""

    @extend_schema_serializer(component_name="MyCourseProgress")
    class OutputSerializer(serializers.Serializer):
        course_id = serializers.IntegerField()
        activity_id = serializers.CharField()
        percent = serializers.IntegerField(min_value=0, max_value=100)
        completed = serializers.BooleanField()
        completed_at = serializers.DateTimeField(allow_null=True)
        score = serializers.FloatField(
            allow_null=True, help_text="Mean best passed knowledge-check score, 0-1."
        )
        hours = serializers.FloatField(help_text="Estimated hours of the lessons done.")
        resume_url = serializers.CharField(allow_null=True)
        lessons = LessonProgressSerializer(many=True)
        freshness = FreshnessSerializer()

    @extend_schema(
        operation_id="me_progress_retrieve",
        summary="My progress in a course",
        description=(
            "Percent of required lessons done, completion, hours, where to resume and the "
            "status of every lesson. Only for a course the learner is enrolled in. Everything "
            "the learner's own statements stored before the request is included (her pending "
            "statement log entries are applied first); ``freshness`` says up to which log "
            "position."
        ),
        responses={
            200: OutputSerializer,
            401: OpenApiResponse(ERROR, description="Not signed in."),
            403: OpenApiResponse(ERROR, description="Not allowed."),
            404: OpenApiResponse(ERROR, description="No such course, or not enrolled in it."),
        },
        tags=["learner"],
    )
    def get(self, request: Request, course_id: int) -> Response:
        from learners.models import Enrollment

        if not Enrollment.objects.filter(
            user=signed_in_user(request), course_id=course_id, status="active"
        ).exists():
            raise Http404(_("No tienes inscripción activa en este curso."))
        user = signed_in_user(request)
        progress_catch_up(user=user)
        try:
            progress = learner_course_progress(user=user, course_id=course_id)
        except LookupError as exc:
            raise Http404(_("No existe ese curso.")) from exc
        fresh = progress_freshness(user=user)
        freshness = {
            "log_position": fresh.position,
            "applied_at": fresh.applied_at,
            "pending": fresh.pending,
        }
        return Response(
            self.OutputSerializer(SimpleNamespace(**vars(progress), freshness=freshness)).data
        )
