"""Staff API of packages: upload (import) a cmi5 or SCORM zip, list and read packages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.permission_policies.pages import PagePermissionPolicy

from common.api import FORBIDDEN, NOT_FOUND, UNAUTHENTICATED, ErrorSerializer
from packages import import_jobs, selectors
from packages.models import Package, PackageImport
from packages.problems import PackageRefused


class CanImportPackages(permissions.BasePermission):
    """Staff who may enter the Wagtail admin and add pages somewhere (Wagtail's add-page
    permission); where exactly is checked against the target page by the import."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and selectors.user_may_author(user)
            and PagePermissionPolicy().user_has_permission(user, "add")
        )


class PageRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    activity_id = serializers.CharField()


class UnitSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The unit's id, named by a `packaged_content` block.")
    identifier = serializers.CharField(
        help_text="cmi5 AU id (IRI, the publisher id in the statements' grouping) or SCORM "
        "item identifier."
    )
    kind = serializers.ChoiceField(choices=["au", "sco", "asset"])
    title = serializers.CharField()
    activity_id = serializers.CharField(
        allow_null=True,
        help_text="IRI the unit's statements are about, in its lesson: a cmi5 AU's launch "
        "activityId (<lesson IRI>/cmi5/<id>), a SCORM SCO's <lesson IRI>/scorm/<id>, an "
        "asset's lesson IRI; null when no lesson shows the unit.",
    )
    launch_url = serializers.CharField(
        help_text="Path on Capacita's origin, or the AU's absolute URL."
    )
    move_on = serializers.CharField(allow_null=True)
    mastery_score = serializers.FloatField(
        allow_null=True, help_text="Scaled (cmi5 0..1, SCORM -1..1)."
    )
    launch_method = serializers.CharField(allow_null=True)
    block = serializers.CharField(allow_null=True)
    retired = serializers.BooleanField()


class CourseRefSerializer(PageRefSerializer):
    cmi5_id = serializers.CharField(required=False, help_text="The cmi5 course id (cmi5 only).")


class ModuleRefSerializer(PageRefSerializer):
    block = serializers.CharField(allow_null=True)


class LessonRefSerializer(PageRefSerializer):
    units = UnitSerializer(many=True)


class ImportedPackageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    identifier = serializers.CharField()
    title = serializers.CharField()
    format = serializers.ChoiceField(choices=Package.Format.choices)
    schema_version = serializers.CharField()
    mode = serializers.ChoiceField(choices=Package.Mode.choices)
    version = serializers.IntegerField()
    version_id = serializers.UUIDField()
    created = serializers.BooleanField(
        help_text="False when a new version of a package updated it."
    )
    updated = serializers.BooleanField(
        help_text="True when the upload was a new version of a package imported before (same "
        "cmi5 course id or SCORM manifest identifier): its course, lessons and units were "
        "updated in place and learners' progress kept."
    )
    previous_version = serializers.IntegerField(
        allow_null=True, help_text="The version this upload replaced; null for a new package."
    )
    previous_title = serializers.CharField(
        allow_null=True, help_text="The package's title before this upload; null when new."
    )


class UnitChangeSerializer(serializers.Serializer):
    identifier = serializers.CharField(help_text="cmi5 AU id or SCORM item identifier.")
    title = serializers.CharField()


class RemovedUnitSerializer(UnitChangeSerializer):
    learners = serializers.IntegerField(
        help_text="Learners who have started the unit: their records and its lesson stay, "
        "but it is no longer launched from the package."
    )
    lesson_id = serializers.IntegerField(
        allow_null=True, help_text="The lesson page that showed the unit; null when none did."
    )
    lesson_title = serializers.CharField(
        allow_null=True, help_text="That lesson's title (its latest draft's); null when none."
    )
    lesson_stops_counting = serializers.BooleanField(
        help_text="True when every unit the lesson shows is now retired: the import saved a "
        "draft of the lesson with `required` false, so it no longer counts toward completing "
        "its course once that draft is published (learners who had done every other required "
        "lesson then complete the course). False when the lesson still shows a current unit, "
        "did not count already, or there is no lesson."
    )


class RenamedUnitSerializer(UnitChangeSerializer):
    previous_title = serializers.CharField()


class UnitChangesSerializer(serializers.Serializer):
    added = UnitChangeSerializer(many=True, help_text="Units new in this version.")
    removed = RemovedUnitSerializer(
        many=True, help_text="Units this version dropped (retired, see `units[].retired`)."
    )
    renamed = RenamedUnitSerializer(many=True, help_text="Units whose title changed.")


class ImportJobRefSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="The import job's id.")
    url = serializers.CharField(help_text="Where its status is read (`GET`).")
    status = serializers.ChoiceField(choices=PackageImport.Status.choices)


class ImportResultSerializer(serializers.Serializer):
    package = ImportedPackageSerializer()
    changes = UnitChangesSerializer(
        help_text="What a re-import changed in the units; all lists empty for a new package."
    )
    course = CourseRefSerializer(allow_null=True)
    modules = ModuleRefSerializer(many=True)
    lessons = LessonRefSerializer(many=True)


class RefusedImportSerializer(ErrorSerializer):
    job = ImportJobRefSerializer(
        required=False,
        help_text="The import job that refused it (absent when the upload was "
        "refused before a job was made: an unknown mode, a zip over the size limit).",
    )


class ImportAnswerSerializer(ImportResultSerializer):
    job = ImportJobRefSerializer(help_text="The import job that did it.")


class ImportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    url = serializers.CharField()
    status = serializers.ChoiceField(
        choices=PackageImport.Status.choices,
        help_text="`queued` and `running` until a worker is done; then `imported` (see "
        "`result`), `refused` (see `errors`) or `failed` (an unexpected error, after "
        "retries: see `failure`; `POST .../retry/` queues it again).",
    )
    finished = serializers.BooleanField()
    file_name = serializers.CharField()
    size = serializers.IntegerField(help_text="Bytes of the uploaded zip.")
    mode = serializers.ChoiceField(choices=Package.Mode.choices)
    # DRF's metaclass takes declared fields off the class; see InputSerializer.parent.
    parent = serializers.IntegerField(allow_null=True)  # type: ignore[assignment]
    package = serializers.IntegerField(
        allow_null=True, help_text="The package imported or updated (once imported)."
    )
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    attempts = serializers.IntegerField()
    result = ImportResultSerializer(allow_null=True, help_text="Once imported, as a 201 answers.")
    # DRF's metaclass takes declared fields off the class; see ErrorSerializer.errors.
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Once refused: every problem, `field` being its element path.",
    )
    failure = serializers.CharField(allow_null=True)


class PackageSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    uuid = serializers.UUIDField()
    identifier = serializers.CharField()
    format = serializers.ChoiceField(choices=Package.Format.choices)
    schema_version = serializers.CharField()
    title = serializers.CharField()
    mode = serializers.ChoiceField(choices=Package.Mode.choices)
    version = serializers.IntegerField(allow_null=True)
    version_id = serializers.UUIDField(allow_null=True)
    uploaded_at = serializers.DateTimeField(allow_null=True)
    sha256 = serializers.CharField(allow_null=True)
    course = PageRefSerializer(allow_null=True)
    units = UnitSerializer(many=True)


def refused_response(error: PackageRefused) -> Response:
    return Response(
        {
            "detail": _("El paquete no se puede importar: %(count)s problema(s).")
            % {"count": len(error.problems)},
            "errors": [problem.as_api_error() for problem in error.problems],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class PackageListCreateView(APIView):
    """Staff: import a cmi5 or SCORM package, or list the imported packages."""

    permission_classes = [CanImportPackages]
    parser_classes = [MultiPartParser, FormParser]

    class InputSerializer(serializers.Serializer):
        file = serializers.FileField(help_text="The zip exported by the authoring tool.")
        mode = serializers.ChoiceField(
            choices=Package.Mode.choices,
            default=Package.Mode.COURSE,
            help_text="`course`: a course with modules and lessons; "
            "`lesson`: one lesson under `parent`.",
        )
        # DRF's metaclass takes declared fields off the class, so this does not hide
        # ``Field.parent``; the stubs cannot see that.
        parent = serializers.IntegerField(  # type: ignore[assignment]
            required=False,
            min_value=1,
            help_text="Course mode: a catalog page id (default: the Spanish catalog). "
            "Lesson mode: the module page id (required).",
        )

    @extend_schema(
        operation_id="packages_list",
        responses={200: PackageSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN},
        tags=["packages"],
    )
    def get(self, request: Request) -> Response:
        packages = selectors.package_list()[:200]
        return Response([selectors.package_dict(package) for package in packages])

    @extend_schema(
        operation_id="packages_import",
        description="The zip is kept and a worker imports it. When the import is done before "
        "the answer (the embedded default runs it at once), the answer is its result (201) or "
        "its problems (400). Otherwise it is 202 with the job, whose `url` (also `Location`) "
        "says how it went.",
        request={"multipart/form-data": InputSerializer},
        responses={
            201: ImportAnswerSerializer,
            202: ImportJobSerializer,
            400: OpenApiResponse(
                RefusedImportSerializer,
                description="Refused: `errors` lists every problem; `field` is the element path "
                "in the manifest (`/courseStructure/au[2]/@masteryScore`) or `zip:<entry>`.",
            ),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
        },
        tags=["packages"],
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            job = import_jobs.package_import_queue(
                upload=data["file"],
                mode=data["mode"],
                parent_id=data.get("parent"),
                user=request.user,
            )
        except PackageRefused as refused:
            return refused_response(refused)
        return job_answer(job)


def job_answer(job: PackageImport) -> Response:
    """201 with the result of a job done, 400 with the problems of a job refused, else 202."""
    body = selectors.import_job_dict(job)
    ref = {"id": body["id"], "url": body["url"], "status": body["status"]}
    if job.status == PackageImport.Status.IMPORTED and job.result is not None:
        return Response({**job.result, "job": ref}, status=status.HTTP_201_CREATED)
    if job.status == PackageImport.Status.REFUSED:
        return Response(
            {
                "detail": _("El paquete no se puede importar: %(count)s problema(s).")
                % {"count": len(job.problems)},
                "errors": body["errors"],
                "job": ref,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})


class PackageImportDetailView(APIView):
    """Staff: how an import is going, and its result or problems once done."""

    permission_classes = [CanImportPackages]

    @extend_schema(
        operation_id="packages_import_status",
        responses={
            200: ImportJobSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        tags=["packages"],
    )
    def get(self, request: Request, job: str) -> Response:
        found = selectors.import_job_get(job_uuid=job)
        if found is None:
            raise NotFound(_("No existe esa importación."))
        return Response(selectors.import_job_dict(found))


class PackageImportRetryView(APIView):
    """Staff: queue a failed import again (its zip was kept)."""

    permission_classes = [CanImportPackages]

    @extend_schema(
        operation_id="packages_import_retry",
        request=None,
        responses={
            201: ImportAnswerSerializer,
            202: ImportJobSerializer,
            400: RefusedImportSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(ErrorSerializer, description="The import has not failed."),
        },
        tags=["packages"],
    )
    def post(self, request: Request, job: str) -> Response:
        found = selectors.import_job_get(job_uuid=job)
        if found is None:
            raise NotFound(_("No existe esa importación."))
        if found.status != PackageImport.Status.FAILED or not found.file:
            return Response(
                {
                    "detail": _("Solo se reintenta una importación que falló."),
                    "errors": [
                        {
                            "field": "status",
                            "rule": "not_failed",
                            "message": _("Solo se reintenta una importación que falló."),
                        }
                    ],
                },
                status=status.HTTP_409_CONFLICT,
            )
        return job_answer(import_jobs.package_import_retry(job=found))


class PackageDetailView(APIView):
    """Staff: one imported package with its latest version and units."""

    permission_classes = [CanImportPackages]

    @extend_schema(
        operation_id="packages_detail",
        responses={200: PackageSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
        tags=["packages"],
    )
    def get(self, request: Request, package_id: int) -> Response:
        package = selectors.package_get(package_id=package_id)
        if package is None:
            raise NotFound(_("No existe ese paquete."))
        return Response(selectors.package_dict(package))
