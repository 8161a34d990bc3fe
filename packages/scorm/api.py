"""Staff API of the SCORM run-time (under /api/v1/packages/scorm/): where a learner's attempts
on a lesson's SCOs stand, one attempt's status, and abandoning an open attempt. For SEP's
systems and conformance tools, beside the cmi5 one (packages/cmi5/api.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED
from courses.models import LessonPage
from packages.api.permissions import IsPackageStaff
from packages.scorm import selectors, services


class AttemptStatusSerializer(serializers.Serializer):
    registration = serializers.UUIDField(
        help_text="The attempt's id: the xAPI registration of its statements and State."
    )
    number = serializers.IntegerField(help_text="1 for the learner's first attempt on the SCO.")
    entry = serializers.ChoiceField(choices=["ab-initio", "resume"])
    open = serializers.BooleanField(help_text="Not ended: the next launch resumes it.")
    suspended = serializers.BooleanField(help_text="The SCO exited with suspend.")
    ended = serializers.BooleanField()
    abandoned = serializers.BooleanField(
        help_text="Ended by staff through this API, or closed by the sweep of attempts left "
        "open (LMS_SCORM_ABANDON_AFTER_SECONDS)."
    )
    completed = serializers.BooleanField()
    success = serializers.BooleanField(allow_null=True, help_text="Null: unknown.")
    score_scaled = serializers.FloatField(allow_null=True)
    satisfied = serializers.BooleanField(
        help_text="Completed and, with a mastery score, passed: what the lesson needs."
    )
    location = serializers.CharField(allow_blank=True)
    total_time = serializers.CharField(help_text="ISO 8601 duration of the ended sessions.")
    updated_at = serializers.DateTimeField()


class ScoStatusSerializer(serializers.Serializer):
    unit = serializers.UUIDField()
    identifier = serializers.CharField(help_text="The SCORM item identifier.")
    title = serializers.CharField()
    activity_id = serializers.CharField(help_text="The SCO's activity IRI in this lesson.")
    attempts = serializers.IntegerField()
    satisfied = serializers.BooleanField(
        help_text="One of the learner's attempts satisfied the SCO: what the lesson counts, "
        "even when a later attempt (a revisit) has not."
    )
    latest = AttemptStatusSerializer(allow_null=True)


class ScormLessonStatusView(APIView):
    permission_classes = [IsPackageStaff]

    class ScormLessonStatusInputSerializer(serializers.Serializer):
        user = serializers.IntegerField(help_text="The learner (user id).")
        lesson = serializers.IntegerField(help_text="The lesson page that shows the SCOs.")

    class ScormLessonStatusOutputSerializer(serializers.Serializer):
        lesson_id = serializers.IntegerField()
        lesson_activity_id = serializers.CharField()
        completed = serializers.BooleanField(
            help_text="Capacita has stated the lesson completed (every SCO satisfied)."
        )
        scos = ScoStatusSerializer(many=True)

    @extend_schema(
        parameters=[
            OpenApiParameter("user", OpenApiTypes.INT, required=True, description="User id."),
            OpenApiParameter("lesson", OpenApiTypes.INT, required=True, description="Page id."),
        ],
        responses={
            200: ScormLessonStatusOutputSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="A learner's SCORM attempts on the SCOs of a lesson",
    )
    def get(self, request: Request) -> Response:
        query = self.ScormLessonStatusInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        user = get_user_model().objects.filter(pk=query.validated_data["user"]).first()
        if user is None:
            raise NotFound("no such learner")
        lesson = LessonPage.objects.filter(pk=query.validated_data["lesson"]).first()
        if lesson is None:
            raise NotFound("no such lesson")
        found = selectors.lesson_scorm_status(user=user, lesson=lesson)
        if found is None:
            raise NotFound("the lesson shows no SCORM SCO")
        body = {**found.__dict__, "scos": [_sco_dict(sco) for sco in found.scos]}
        return Response(self.ScormLessonStatusOutputSerializer(body).data)


def _sco_dict(sco: selectors.ScoStatus) -> dict[str, Any]:
    return {**sco.__dict__, "latest": sco.latest.__dict__ if sco.latest else None}


class ScormAttemptView(APIView):
    permission_classes = [IsPackageStaff]

    @extend_schema(
        responses={
            200: AttemptStatusSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Status of one SCORM attempt (by its registration)",
    )
    def get(self, request: Request, attempt: Any) -> Response:
        found = selectors.attempt_by_uuid(attempt_uuid=attempt)
        if found is None:
            raise NotFound("no such attempt")
        return Response(AttemptStatusSerializer(selectors.attempt_status(found).__dict__).data)


class ScormAbandonView(APIView):
    permission_classes = [IsPackageStaff]

    class ScormAbandonOutputSerializer(serializers.Serializer):
        abandoned = serializers.BooleanField(
            help_text="False when the attempt had ended (terminated or suspended)."
        )

    @extend_schema(
        request=None,
        responses={
            200: ScormAbandonOutputSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Abandon an open SCORM attempt (writes terminated; the next launch starts anew)",
    )
    def post(self, request: Request, attempt: Any) -> Response:
        abandoned = services.attempt_abandon(attempt_uuid=attempt)
        if abandoned is None:
            raise NotFound("no such attempt")
        return Response({"abandoned": abandoned})
