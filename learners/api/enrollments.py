"""Learner API: the signed-in learner's own enrolments."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import BAD_REQUEST, NOT_FOUND, UNAUTHENTICATED, as_drf_validation_error
from common.auth import signed_in_user
from learners.models import Enrollment
from learners.selectors import enrollment_list_for
from learners.services import enrollment_cancel, enrollment_create


class EnrollmentOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course = serializers.IntegerField(source="course_id", help_text="Course page id.")
    course_title = serializers.CharField(source="course.title")
    course_activity_id = serializers.CharField(source="course.activity_id")
    status = serializers.ChoiceField(choices=Enrollment.Status.choices)
    enrolled_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    score = serializers.FloatField(allow_null=True, help_text="0 to 1.")
    hours_completed = serializers.FloatField()
    credentialed_at = serializers.DateTimeField(allow_null=True)


class EnrollmentListView(APIView):
    """List the learner's enrolments (active and past) or enrol in a course."""

    permission_classes = [IsAuthenticated]

    class EnrollmentInputSerializer(serializers.Serializer):
        course = serializers.IntegerField(min_value=1, help_text="Course page id.")

    @extend_schema(
        operation_id="me_enrollments_list",
        responses={
            200: EnrollmentOutputSerializer(many=True),
            401: UNAUTHENTICATED,
            403: UNAUTHENTICATED,
        },
    )
    def get(self, request: Request) -> Response:
        enrollments = enrollment_list_for(user=signed_in_user(request))
        return Response(EnrollmentOutputSerializer(enrollments, many=True).data)

    @extend_schema(
        operation_id="me_enrollments_create",
        request=EnrollmentInputSerializer,
        responses={
            201: EnrollmentOutputSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: UNAUTHENTICATED,
        },
        description=(
            "Errors name `course` with rule `does_not_exist`, `prerequisites` or "
            "`already_enrolled`."
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = self.EnrollmentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            enrollment = enrollment_create(
                user=signed_in_user(request), course_id=serializer.validated_data["course"]
            )
        except DjangoValidationError as error:
            raise as_drf_validation_error(error) from None
        return Response(EnrollmentOutputSerializer(enrollment).data, status=status.HTTP_201_CREATED)


class EnrollmentDetailView(APIView):
    """Unenrol from one of the learner's own enrolments."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_enrollments_destroy",
        responses={204: None, 401: UNAUTHENTICATED, 403: UNAUTHENTICATED, 404: NOT_FOUND},
        description="The enrolment is kept as `unenrolled` with its progress; 404 if not yours.",
    )
    def delete(self, request: Request, pk: int) -> Response:
        enrollment = get_object_or_404(
            Enrollment, pk=pk, user=request.user, status=Enrollment.Status.ACTIVE
        )
        enrollment_cancel(enrollment=enrollment)
        return Response(status=status.HTTP_204_NO_CONTENT)
