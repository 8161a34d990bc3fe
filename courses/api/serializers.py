"""Output and input shapes of the catalog and grading API.

Knowledge-check answers (``is_correct``) and option feedback are never serialised here:
lesson content is exposed only as titles, URLs and knowledge-check presence.
"""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from courses.selectors import CourseOutline


def _absolute(request: Any, url: str | None) -> str | None:
    if not url:
        return None
    return request.build_absolute_uri(url) if request is not None else url


class CourseListItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    activity_id = serializers.CharField()
    summary = serializers.CharField()
    level = serializers.CharField()
    estimated_hours = serializers.IntegerField()
    language = serializers.CharField()
    locale = serializers.CharField(source="locale.language_code")
    passing_score = serializers.IntegerField()
    sectors = serializers.SerializerMethodField()
    topics = serializers.SerializerMethodField()
    skills = serializers.SerializerMethodField()

    def get_url(self, course: Any) -> str | None:
        request = self.context.get("request")
        return _absolute(request, course.get_url(request))

    def get_sectors(self, course: Any) -> list[str]:
        return [sector.slug for sector in course.sectors.all()]

    def get_topics(self, course: Any) -> list[str]:
        return [topic.slug for topic in course.topics.all()]

    def get_skills(self, course: Any) -> list[str]:
        return [skill.slug for skill in course.skills.all()]


class LessonOutlineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    activity_id = serializers.CharField()
    has_knowledge_check = serializers.BooleanField()
    knowledge_check_ids = serializers.ListField(child=serializers.CharField())
    # DRF's metaclass takes declared fields off the class, so this does not replace
    # ``Field.required``; the stubs cannot see that.
    required = serializers.BooleanField()  # type: ignore[assignment]
    estimated_minutes = serializers.IntegerField()

    def get_url(self, lesson: Any) -> str | None:
        return _absolute(self.context.get("request"), lesson.url)


class ModuleOutlineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.SerializerMethodField()
    summary = serializers.CharField()
    activity_id = serializers.CharField()
    lessons = LessonOutlineSerializer(many=True)

    def get_url(self, module: Any) -> str | None:
        return _absolute(self.context.get("request"), module.url)


class CourseDetailSerializer(CourseListItemSerializer):
    learning_outcomes = serializers.SerializerMethodField()
    prerequisites = serializers.SerializerMethodField()
    modules = serializers.SerializerMethodField()

    def get_learning_outcomes(self, course: Any) -> list[str]:
        return [str(block.value) for block in course.learning_outcomes]

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "activity_id": {"type": "string"},
                },
            },
        }
    )
    def get_prerequisites(self, course: Any) -> list[dict[str, Any]]:
        return [
            {"id": page.pk, "title": page.title, "activity_id": page.activity_id}
            for page in course.prerequisites.all()
        ]

    @extend_schema_field(ModuleOutlineSerializer(many=True))
    def get_modules(self, course: Any) -> list[dict[str, Any]]:
        outline: CourseOutline = self.context["outline"]
        # many=True gives a ListSerializer: its data is a list of dicts.
        return cast(
            "list[dict[str, Any]]",
            ModuleOutlineSerializer(outline.modules, many=True, context=self.context).data,
        )


class GradeInputSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField(), allow_empty=True),
        help_text="Question id → list of chosen option ids (ids from the lesson page).",
    )


class QuestionResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    correct = serializers.BooleanField()
    selected = serializers.ListField(child=serializers.CharField())
    feedback = serializers.ListField(child=serializers.CharField())
    explanation = serializers.CharField(allow_blank=True)


class ScoreSerializer(serializers.Serializer):
    raw = serializers.IntegerField()
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    scaled = serializers.FloatField()


class GradeResultSerializer(serializers.Serializer):
    lesson_id = serializers.IntegerField()
    block_id = serializers.CharField()
    score = serializers.SerializerMethodField()
    pass_mark = serializers.IntegerField()
    passed = serializers.BooleanField()
    questions = QuestionResultSerializer(many=True)

    @extend_schema_field(ScoreSerializer)
    def get_score(self, result: Any) -> dict[str, Any]:
        return {"raw": result.raw, "min": result.min, "max": result.max, "scaled": result.scaled}
