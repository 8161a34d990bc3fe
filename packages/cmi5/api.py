"""Staff API of cmi5 (under /api/v1/packages/cmi5/): launch URLs, registration status,
abandoning a session, waiving an AU. For SEP's systems and conformance tools."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED, ErrorSerializer
from common.errors import InputError
from lrs import cmi5 as lrs_cmi5
from lrs.conf import actor_for_user
from lrs.errors import XAPIError
from lrs.models import Cmi5Session
from packages.api.permissions import IsPackageStaff
from packages.cmi5 import selectors, services


class Refused(InputError):
    """A refusal of the LRS's cmi5 services, with its own status (400 or 409)."""

    def __init__(self, error: XAPIError) -> None:
        super().__init__(error.path or None, error.rule, error.message)
        self.status_code = error.status


CONFLICT = OpenApiResponse(ErrorSerializer, description="Already done (e.g. AU already waived).")


class _UnitTarget(serializers.Serializer):
    unit = serializers.UUIDField(help_text="The AU (PackageUnit id).")
    lesson = serializers.IntegerField(help_text="The lesson page that shows the AU.")
    user = serializers.IntegerField(help_text="The learner (user id).")
    registration = serializers.UUIDField(
        required=False, help_text="Defaults to the learner's registration in the course."
    )

    def target(self) -> tuple[Any, Any, Any]:
        data = self.validated_data
        found = selectors.launchable_unit(unit_uuid=data["unit"], lesson_id=data["lesson"])
        if found is None:
            raise NotFound("no such AU in this lesson")
        user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            raise NotFound("no such learner")
        return found[0], found[1], user


class Cmi5LaunchView(APIView):
    permission_classes = [IsPackageStaff]

    class Cmi5LaunchInputSerializer(_UnitTarget):
        launch_mode = serializers.ChoiceField(
            choices=Cmi5Session.Mode.values, default=Cmi5Session.Mode.NORMAL
        )

    class Cmi5LaunchOutputSerializer(serializers.Serializer):
        url = serializers.CharField(help_text="The AU's launch URL with its cmi5 parameters.")
        session_id = serializers.CharField()
        registration = serializers.UUIDField()
        activity_id = serializers.CharField()
        launch_method = serializers.CharField()

    @extend_schema(
        request=Cmi5LaunchInputSerializer,
        responses={
            201: Cmi5LaunchOutputSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Launch URL of a cmi5 AU for a learner (opens a session)",
    )
    def post(self, request: Request) -> Response:
        serializer = self.Cmi5LaunchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit, lesson, user = serializer.target()
        try:
            launch = services.launch_au(
                unit=unit,
                lesson=lesson,
                actor=actor_for_user(user),
                endpoint=services.lrs_endpoint(request),
                fetch_base=request.build_absolute_uri("/packages/cmi5/fetch/"),
                content_base=request.build_absolute_uri("/"),
                launch_mode=serializer.validated_data["launch_mode"],
                registration=serializer.validated_data.get("registration"),
            )
        except XAPIError as error:
            raise Refused(error) from error
        return Response(
            self.Cmi5LaunchOutputSerializer(launch.__dict__).data, status=status.HTTP_201_CREATED
        )


class AuStatusSerializer(serializers.Serializer):
    activity_id = serializers.CharField()
    publisher_id = serializers.CharField()
    move_on = serializers.CharField()
    completed = serializers.BooleanField()
    passed = serializers.BooleanField()
    failed = serializers.BooleanField()
    waived = serializers.BooleanField()
    satisfied = serializers.BooleanField()
    sessions = serializers.IntegerField()
    open_session = serializers.CharField(allow_null=True)


class Cmi5RegistrationView(APIView):
    permission_classes = [IsPackageStaff]

    @extend_schema(
        responses={200: AuStatusSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN},
        summary="Status of each AU in a cmi5 registration",
    )
    def get(self, request: Request, registration: Any) -> Response:
        statuses = lrs_cmi5.cmi5_au_status(registration)
        return Response(AuStatusSerializer([s.__dict__ for s in statuses], many=True).data)


class Cmi5AbandonView(APIView):
    permission_classes = [IsPackageStaff]

    class Cmi5AbandonOutputSerializer(serializers.Serializer):
        abandoned = serializers.BooleanField(help_text="False when the session had ended.")

    @extend_schema(
        request=None,
        responses={
            200: Cmi5AbandonOutputSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        summary="Abandon a cmi5 session (writes abandoned)",
    )
    def post(self, request: Request, session_id: str) -> Response:
        if not Cmi5Session.objects.filter(session_id=session_id).exists():
            raise NotFound("no such session")
        return Response({"abandoned": lrs_cmi5.cmi5_session_abandon(session_id)})


class Cmi5WaiveView(APIView):
    permission_classes = [IsPackageStaff]

    class Cmi5WaiveInputSerializer(_UnitTarget):
        reason = serializers.ChoiceField(choices=lrs_cmi5.WAIVE_REASONS)

    class Cmi5WaiveOutputSerializer(serializers.Serializer):
        session_id = serializers.CharField()
        registration = serializers.UUIDField()
        activity_id = serializers.CharField()

    @extend_schema(
        request=Cmi5WaiveInputSerializer,
        responses={
            201: Cmi5WaiveOutputSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        summary="Waive a cmi5 AU for a learner (writes waived, then satisfied)",
    )
    def post(self, request: Request) -> Response:
        serializer = self.Cmi5WaiveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        unit, lesson, user = serializer.target()
        try:
            session = services.waive_au(
                unit=unit,
                lesson=lesson,
                actor=actor_for_user(user),
                reason=serializer.validated_data["reason"],
                registration=serializer.validated_data.get("registration"),
            )
        except XAPIError as error:
            raise Refused(error) from error
        body = {
            "session_id": session.session_id,
            "registration": session.registration,
            "activity_id": session.activity_id,
        }
        return Response(self.Cmi5WaiveOutputSerializer(body).data, status=status.HTTP_201_CREATED)
