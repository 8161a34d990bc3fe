"""Catalog API (public read) and knowledge-check grading (public, throttled).

The catalog is public like the site's pages, so these views open permissions explicitly
(``AllowAny``); the project default stays ``IsAuthenticated``. Grading is open to anonymous
visitors too: lessons are public, grading returns no more than the visitor could learn by
trying, and it stores nothing (recording an attempt is the progress app's business, for
signed-in learners). A throttle keeps it from being used to brute-force answer keys quickly.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from common.api import ErrorSerializer
from courses.api.serializers import (
    CourseDetailSerializer,
    CourseListItemSerializer,
    GradeInputSerializer,
    GradeResultSerializer,
)
from courses.conf import app_settings
from courses.forms import CatalogFilterForm
from courses.selectors import catalog_courses, course_outline, live_courses
from courses.services import KnowledgeCheckNotFound, knowledge_check_grade

FILTER_PARAMETERS = [
    OpenApiParameter("sector", str, description="Sector slug, e.g. `automotriz`."),
    OpenApiParameter("topic", str, description="Topic slug, e.g. `inteligencia-artificial`."),
    OpenApiParameter("skill", str, description="Skill slug, e.g. `ingles`."),
    OpenApiParameter("level", str, enum=["basico", "intermedio", "avanzado"]),
    OpenApiParameter(
        "language",
        str,
        enum=[code for code, _ in settings.LANGUAGES],
        description="Course language.",
    ),
    OpenApiParameter("min_hours", int, description="Minimum estimated hours."),
    OpenApiParameter("max_hours", int, description="Maximum estimated hours."),
    OpenApiParameter(
        "locale",
        str,
        enum=[code for code, _ in settings.LANGUAGES],
        description="Content locale (site language) to list; default: the site's default.",
    ),
]

ERRORS_400 = OpenApiResponse(ErrorSerializer, description="Invalid filter or input.")
ERRORS_404 = OpenApiResponse(ErrorSerializer, description="Not found (or not published).")


def _form_errors(form: CatalogFilterForm) -> dict[str, list[serializers.ErrorDetail]]:
    return {
        name: [
            serializers.ErrorDetail(
                str(error.message % (error.params or {})), code=error.code or "invalid"
            )
            for error in errors.as_data()
        ]
        for name, errors in form.errors.items()
    }


class CourseListView(generics.ListAPIView):
    """Live courses, filtered like the catalog page."""

    permission_classes = [AllowAny]
    serializer_class = CourseListItemSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        form = CatalogFilterForm(params)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        locale = params.get("locale") or settings.LANGUAGE_CODE
        if locale.lower() not in {code for code, _ in settings.LANGUAGES}:
            raise serializers.ValidationError(
                {"locale": [serializers.ErrorDetail("Unknown locale.", code="invalid_choice")]}
            )
        return catalog_courses(filters=form.cleaned_filters(), locale=locale)

    @extend_schema(
        operation_id="courses_list",
        parameters=FILTER_PARAMETERS,
        responses={200: CourseListItemSerializer(many=True), 400: ERRORS_400},
        tags=["catalog"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class CourseDetailView(APIView):
    """One live course with its modules and lessons (titles, URLs, activity IRIs)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="courses_retrieve",
        responses={200: CourseDetailSerializer, 404: ERRORS_404},
        tags=["catalog"],
    )
    def get(self, request: Request, course_id: int) -> Response:
        course = (
            live_courses()
            .filter(pk=course_id)
            .prefetch_related("sectors", "topics", "skills", "prerequisites")
            .first()
        )
        if course is None:
            raise Http404(_("No existe un curso publicado con ese id."))
        outline = course_outline(course_id=course.pk)
        data = CourseDetailSerializer(course, context={"request": request, "outline": outline}).data
        return Response(data)


class KnowledgeCheckThrottle(SimpleRateThrottle):
    scope = "knowledge_check"

    def get_rate(self) -> str:
        return str(app_settings.LMS_KNOWLEDGE_CHECK_RATE)

    def get_cache_key(self, request: Request, view: Any) -> str:
        ident = str(request.user.pk) if request.user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class KnowledgeCheckGradeView(APIView):
    """Grade answers to a knowledge check on the server and return score and feedback."""

    permission_classes = [AllowAny]
    throttle_classes = [KnowledgeCheckThrottle]

    @extend_schema(
        operation_id="knowledge_check_grade",
        request=GradeInputSerializer,
        responses={
            200: GradeResultSerializer,
            400: ERRORS_400,
            404: ERRORS_404,
            429: OpenApiResponse(ErrorSerializer, description="Too many attempts."),
        },
        parameters=[
            OpenApiParameter("lesson_id", OpenApiTypes.INT, OpenApiParameter.PATH),
            OpenApiParameter(
                "block_id",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                description="Stream block id of the knowledge check.",
            ),
        ],
        tags=["catalog"],
    )
    def post(self, request: Request, lesson_id: int, block_id: str) -> Response:
        payload = GradeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            result = knowledge_check_grade(
                lesson_id=lesson_id, block_id=block_id, answers=payload.validated_data["answers"]
            )
        except KnowledgeCheckNotFound as exc:
            raise Http404(_("No existe esa evaluación en una lección publicada.")) from exc
        return Response(GradeResultSerializer(result).data, status=status.HTTP_200_OK)
