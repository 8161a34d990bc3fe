"""Credentials API: public verification, the learner's wallet, staff award and revoke."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from common.api import BAD_REQUEST, FORBIDDEN, NOT_FOUND, UNAUTHENTICATED
from common.auth import signed_in_user
from common.parsers import JSONField, JSONParser
from credentials import documents, selectors, services, verification, wallet
from credentials.models import Achievement, Award

MAX_IMAGE_BYTES = 5 * 1024 * 1024


class CheckSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    reason = serializers.CharField()


class VerificationReportSerializer(serializers.Serializer):
    valid = serializers.BooleanField()
    format = serializers.CharField()
    credential = serializers.DictField(allow_null=True)
    checks = inline_serializer(
        "VerificationChecks",
        {
            "proof": CheckSerializer(),
            "status": CheckSerializer(),
            "validity": CheckSerializer(),
            "issuer": CheckSerializer(),
        },
    )


class VerifyThrottle(AnonRateThrottle):
    """Verification may fetch other issuers' documents: bound it per client address."""

    scope = "credentials_verify"

    def get_rate(self) -> str:
        from credentials import conf

        return str(conf.get("LMS_CREDENTIALS_VERIFY_RATE"))


class VerifyView(APIView):
    """Verify an Open Badges credential from any issuer."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [VerifyThrottle]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    class VerifyInputSerializer(serializers.Serializer):
        jwt = serializers.CharField(
            required=False, max_length=200_000, help_text="A VC-JWT (compact JWS)."
        )
        credential = JSONField(
            required=False, help_text="An OB 3.0 credential (JSON object) with a proof."
        )
        image = serializers.CharField(
            required=False,
            help_text="A baked PNG or SVG, base64-encoded (or a file in multipart form).",
        )

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            given = [name for name in ("jwt", "credential", "image") if attrs.get(name)]
            if len(given) != 1:
                raise ValidationError(
                    {
                        "non_field_errors": [
                            gettext("Give exactly one of jwt, credential or image.")
                        ]
                    },
                    code="one_of",
                )
            if "credential" in given and not isinstance(attrs["credential"], dict | str):
                raise ValidationError(
                    {"credential": [gettext("A credential is a JSON object.")]}, code="type"
                )
            return attrs

    @extend_schema(
        operation_id="credentials_verify",
        request={
            "application/json": VerifyInputSerializer,
            "multipart/form-data": inline_serializer(
                "VerifyImageUpload", {"image": serializers.FileField()}
            ),
        },
        responses={
            200: VerificationReportSerializer,
            400: BAD_REQUEST,
            429: OpenApiResponse(description="Too many verifications from this address."),
        },
        auth=[],
        tags=["credentials"],
    )
    def post(self, request: Request) -> Response:
        # Input the verifier cannot read raises VerificationInputError naming it (credential,
        # jwt or image; rule unreadable), which the API's handler answers with a 400.
        data = request.data
        upload = request.FILES.get("image") if hasattr(request, "FILES") else None
        if upload is not None:
            if upload.size > MAX_IMAGE_BYTES:
                raise ValidationError(
                    {"image": [gettext("The image is larger than 5 MB.")]}, code="max_size"
                )
            image_bytes = upload.read()
            return Response(verification.verify_image(image_bytes).as_dict())
        serializer = self.VerifyInputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        if attrs.get("jwt"):
            return Response(verification.verify_jwt(attrs["jwt"]).as_dict())
        if attrs.get("credential"):
            credential = attrs["credential"]
            if isinstance(credential, str):
                return Response(verification.verify_text(credential).as_dict())
            return Response(verification.verify_json(credential).as_dict())
        try:
            image_bytes = base64.b64decode(attrs["image"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(
                {"image": [gettext("The image is not valid base64.")]}, code="base64"
            ) from exc
        if len(image_bytes) > MAX_IMAGE_BYTES:
            raise ValidationError(
                {"image": [gettext("The image is larger than 5 MB.")]}, code="max_size"
            )
        return Response(verification.verify_image(image_bytes).as_dict())


class WalletItemSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    achievement = serializers.SerializerMethodField()
    issued_at = serializers.DateTimeField()
    revoked = serializers.SerializerMethodField()
    verify_url = serializers.SerializerMethodField()
    ob2_assertion_url = serializers.SerializerMethodField()
    ob3_url = serializers.SerializerMethodField()
    ob3_jwt = serializers.CharField()
    baked_png_url = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = [
            "id",
            "achievement",
            "issued_at",
            "revoked",
            "verify_url",
            "ob2_assertion_url",
            "ob3_url",
            "ob3_jwt",
            "baked_png_url",
        ]

    def get_achievement(self, award: Award) -> dict[str, Any]:
        achievement = award.achievement
        return {
            "id": str(achievement.uuid),
            "name": achievement.name,
            "type": achievement.achievement_type,
            "issuer": achievement.issuer.name,
            "hours": float(achievement.credits_available)
            if achievement.credits_available is not None
            else None,
        }

    def get_revoked(self, award: Award) -> bool:
        return award.revoked_at is not None

    def get_verify_url(self, award: Award) -> str:
        return documents.url("award_detail", uuid=award.uuid)

    def get_ob2_assertion_url(self, award: Award) -> str:
        return documents.url("award_ob2", uuid=award.uuid)

    def get_ob3_url(self, award: Award) -> str:
        return documents.url("award_ob3", uuid=award.uuid)

    def get_baked_png_url(self, award: Award) -> str:
        return documents.url("award_png", uuid=award.uuid)


@extend_schema_view(
    get=extend_schema(
        operation_id="me_credentials_list",
        responses={200: WalletItemSerializer(many=True), 401: UNAUTHENTICATED},
        tags=["credentials"],
    )
)
class MyCredentialsView(ListAPIView):
    """The signed-in learner's credentials, newest first."""

    serializer_class = WalletItemSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> Any:
        user = self.request.user
        if not user.is_authenticated:  # only the schema generator asks without a user
            return Award.objects.none()
        return selectors.awards_of_user(user_id=user.pk)


class MyCredentialsExportView(APIView):
    """Every credential of the signed-in learner as one zip, to keep them."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        operation_id="me_credentials_export",
        description=(
            "A zip with one folder per credential (its id): `credential.json` (OB 3.0), "
            "`credential.jwt` (VC-JWT), `assertion.json` (OB 2.0), `badge.png` (both baked) and "
            "`badge.svg`, plus `index.json` and `README.txt`. Download it before an ARCO "
            "cancellation (`POST /api/v1/me/cancel/`): afterwards those documents are no longer "
            "published."
        ),
        responses={
            (200, "application/zip"): OpenApiResponse(description="The zip archive."),
            401: UNAUTHENTICATED,
            403: UNAUTHENTICATED,
        },
        tags=["credentials"],
    )
    def get(self, request: Request) -> HttpResponse:
        user = signed_in_user(request)
        data = wallet.export_zip(selectors.awards_of_user(user_id=user.pk))
        response = HttpResponse(data, content_type="application/zip")
        response["Content-Disposition"] = 'attachment; filename="mis-credenciales-capacita.zip"'
        response["Cache-Control"] = "private, no-store"
        return response


class CanManageAwards(permissions.BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and user.has_perm("credentials.add_award")
            and user.has_perm("credentials.change_award")
        )


class AwardCreateView(APIView):
    """Staff: award an achievement to a learner by hand, with a reason (audited)."""

    permission_classes = [CanManageAwards]

    class AwardCreateInputSerializer(serializers.Serializer):
        achievement = serializers.UUIDField()
        user_id = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(max_length=2000, trim_whitespace=True)

    @extend_schema(
        operation_id="credentials_award_create",
        request=AwardCreateInputSerializer,
        responses={
            201: WalletItemSerializer,
            200: WalletItemSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
        },
        tags=["credentials"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.AwardCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        achievement = Achievement.objects.filter(uuid=attrs["achievement"]).first()
        if achievement is None:
            raise ValidationError(
                {"achievement": [gettext("No such achievement.")]}, code="does_not_exist"
            )
        if not get_user_model().objects.filter(pk=attrs["user_id"]).exists():
            raise ValidationError({"user_id": [gettext("No such user.")]}, code="does_not_exist")
        award, created = services.award_issue(
            achievement_id=achievement.pk,
            user_id=attrs["user_id"],
            source=Award.Source.STAFF,
            actor_id=request.user.pk,
            reason=attrs["reason"],
        )
        return Response(
            WalletItemSerializer(award).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class AwardRevokeView(APIView):
    """Staff: revoke an award with a reason (audited); status lists reflect it at once."""

    permission_classes = [CanManageAwards]

    class AwardRevokeInputSerializer(serializers.Serializer):
        reason = serializers.CharField(max_length=2000, trim_whitespace=True)

    @extend_schema(
        operation_id="credentials_award_revoke",
        request=AwardRevokeInputSerializer,
        responses={
            200: WalletItemSerializer,
            400: BAD_REQUEST,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        parameters=[],
        tags=["credentials"],
    )
    def post(self, request: Request, uuid: Any) -> Response:
        award = Award.objects.filter(uuid=uuid).first()
        if award is None:
            raise NotFound(gettext("No such award."))
        serializer = self.AwardRevokeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        award = services.award_revoke(
            award_id=award.pk, reason=serializer.validated_data["reason"], actor_id=request.user.pk
        )
        return Response(WalletItemSerializer(award).data)
