"""Learner API: a token for username and password, the learner's own profile, ARCO rights."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import BAD_REQUEST, UNAUTHENTICATED, ErrorSerializer
from common.auth import signed_in_user
from learners.hooks import account_cancel_notices
from learners.selectors import teacher_profile_for
from learners.services import teacher_account_cancel, teacher_data_export
from lrs.conf import actor_for_user


class TokenView(APIView):
    """Exchange a username (a teacher's e-mail) and password for an API token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class TokenInputSerializer(serializers.Serializer):
        username = serializers.CharField()
        password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)

    class TokenOutputSerializer(serializers.Serializer):
        token = serializers.CharField()

    @extend_schema(
        operation_id="auth_token_create",
        request=TokenInputSerializer,
        responses={
            200: TokenOutputSerializer,
            400: BAD_REQUEST,
            429: OpenApiResponse(
                ErrorSerializer,
                description="Too many failed sign-ins for the account or from the address "
                "(rule `throttled`); `Retry-After` and the message say when to try again.",
            ),
        },
        auth=[],
        description="Use the token as `Authorization: Token <token>`; session auth works too.",
    )
    def post(self, request: Request) -> Response:
        serializer = self.TokenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"].strip()
        if "@" in username:
            username = username.lower()
        # The Django request, not DRF's wrapper: login throttling (django-axes) marks it and
        # its middleware turns a locked-out attempt into a 429 (docs/operations.md).
        user = authenticate(
            request._request, username=username, password=serializer.validated_data["password"]
        )
        if user is None:
            # One message for unknown user, wrong password and unconfirmed account, so the
            # endpoint does not reveal which accounts exist.
            raise ValidationError(
                {
                    "password": [
                        serializers.ErrorDetail(
                            _("No se pudo entrar con ese usuario y contraseña."),
                            code="invalid_credentials",
                        )
                    ]
                }
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class SchoolSerializer(serializers.Serializer):
    cct = serializers.CharField()
    name = serializers.CharField()
    state = serializers.CharField()
    cct_warnings = serializers.ListField(child=serializers.CharField())


class SubsystemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeView(APIView):
    """The signed-in learner's own account and profile."""

    permission_classes = [IsAuthenticated]

    class MeOutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        username = serializers.CharField()
        email = serializers.EmailField(allow_blank=True)
        curp = serializers.CharField(allow_null=True)
        first_name = serializers.CharField(allow_null=True)
        paternal_surname = serializers.CharField(allow_null=True)
        maternal_surname = serializers.CharField(allow_null=True)
        state = serializers.CharField(allow_null=True, help_text="INEGI code 01-32.")
        state_name = serializers.CharField(allow_null=True)
        subsystem = SubsystemSerializer(allow_null=True)
        school = SchoolSerializer(allow_null=True)
        position = serializers.CharField(allow_null=True)
        created_at = serializers.DateTimeField(allow_null=True)
        actor = serializers.DictField(
            help_text="The xAPI account agent the learner's statements use (no personal data)."
        )

    @extend_schema(
        operation_id="me_retrieve",
        responses={200: MeOutputSerializer, 401: UNAUTHENTICATED, 403: UNAUTHENTICATED},
    )
    def get(self, request: Request) -> Response:
        user = signed_in_user(request)
        profile = teacher_profile_for(user=user)
        data: dict[str, Any] = {
            "id": user.pk,
            "username": user.get_username(),
            "email": user.email,
            "curp": None,
            "first_name": None,
            "paternal_surname": None,
            "maternal_surname": None,
            "state": None,
            "state_name": None,
            "subsystem": None,
            "school": None,
            "position": None,
            "created_at": None,
            "actor": actor_for_user(user),
        }
        if profile is not None:
            data.update(
                curp=profile.curp,
                first_name=profile.first_name,
                paternal_surname=profile.paternal_surname,
                maternal_surname=profile.maternal_surname,
                state=profile.state or None,
                state_name=profile.get_state_display() if profile.state else None,
                subsystem=profile.subsystem,
                school=profile.school,
                position=profile.position,
                created_at=profile.created_at,
            )
        return Response(self.MeOutputSerializer(data).data)


class ExportView(APIView):
    """ARCO access right: everything Capacita holds about the learner, as JSON (audited)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_export",
        responses={
            200: inline_serializer(
                "PersonalDataExport",
                {
                    "format": serializers.CharField(),
                    "account": serializers.DictField(),
                    "profile": serializers.DictField(allow_null=True),
                    "enrollments": serializers.ListField(child=serializers.DictField()),
                    "xapi": serializers.DictField(),
                    "audit_events": serializers.ListField(child=serializers.DictField()),
                },
            ),
            401: UNAUTHENTICATED,
            403: UNAUTHENTICATED,
        },
    )
    def get(self, request: Request) -> Response:
        response = Response(teacher_data_export(user=signed_in_user(request)))
        response["Content-Disposition"] = 'attachment; filename="mis-datos-capacita.json"'
        return response


class CancelNoticeSerializer(serializers.Serializer):
    """One part of Capacita telling what a cancellation does to what it holds (learners.hooks)."""

    key = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    count = serializers.IntegerField()
    downloads = inline_serializer(
        "CancelNoticeDownload",
        {"label": serializers.CharField(), "url": serializers.CharField()},
        many=True,
    )


class CancelView(APIView):
    """ARCO cancellation: erase the learner's personal data; keep the pseudonymous record."""

    permission_classes = [IsAuthenticated]

    class CancelInputSerializer(serializers.Serializer):
        password = serializers.CharField(
            style={"input_type": "password"}, trim_whitespace=False, help_text="Current password."
        )
        confirm = serializers.BooleanField(help_text="Must be true.")

        def validate_confirm(self, value: bool) -> bool:
            if value is not True:
                raise serializers.ValidationError(
                    _("Pon confirm en true para cancelar la cuenta."), code="must_be_true"
                )
            return value

    class CancelOutputSerializer(serializers.Serializer):
        cancelled = serializers.BooleanField()

    class NoticesOutputSerializer(serializers.Serializer):
        notices = CancelNoticeSerializer(many=True)

    @extend_schema(
        operation_id="me_cancel_notices",
        description=(
            "What a cancellation would do to what other parts of Capacita hold about the "
            "learner, read before confirming: one notice per part (`key` `credentials`: how "
            "many credentials she holds, that they stay valid but their public page stops "
            "confirming her e-mail, and the download of all of them, "
            "`GET /api/v1/me/credentials/export/`). Cancels nothing."
        ),
        responses={200: NoticesOutputSerializer, 401: UNAUTHENTICATED, 403: UNAUTHENTICATED},
    )
    def get(self, request: Request) -> Response:
        notices = account_cancel_notices(user=request.user, api=True)
        return Response({"notices": CancelNoticeSerializer(notices, many=True).data})

    @extend_schema(
        operation_id="me_cancel",
        description=(
            "ARCO cancellation, confirmed with the password and `confirm: true`. CURP, names, "
            "e-mail and password are erased and the account is deactivated; the pseudonymous "
            "learning record stays for statistics. Credentials: every credential she earned "
            "stays valid for the copies she holds (signature, issuer keys and revocation status "
            "keep working), but the issuer erases the salted e-mail hash, so the public "
            "verification page no longer checks a recipient e-mail and the documents that "
            "carried the hash (OB 3.0 JSON and VC-JWT, OB 2.0 assertion, baked PNG/SVG) are no "
            "longer published. Download them first with "
            "`GET /api/v1/me/credentials/export/` (a zip); `GET /api/v1/me/cancel/` lists "
            "these consequences."
        ),
        request=CancelInputSerializer,
        responses={
            200: CancelOutputSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: UNAUTHENTICATED,
        },
    )
    def post(self, request: Request) -> Response:
        serializer = self.CancelInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if not request.user.check_password(serializer.validated_data["password"]):
            raise ValidationError(
                {
                    "password": [
                        serializers.ErrorDetail(
                            _("La contraseña no es correcta."), code="password_incorrect"
                        )
                    ]
                }
            )
        teacher_account_cancel(user=signed_in_user(request))
        return Response({"cancelled": True}, status=status.HTTP_200_OK)
