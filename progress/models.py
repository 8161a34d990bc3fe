"""What the progress engine keeps: the evidence it read from statements and the per-learner
state of lessons, modules and courses derived from it (see progress/engine/).

Progress is keyed by activity IRI, not page id: translations of a course share IRIs, so a
teacher who switches language keeps their progress, and recomputing needs no page lookups.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

IRI_LENGTH = 512


class ProgressEvidence(models.Model):
    """One statement, reduced to what the rules need, about one learner's lesson.

    The engine's own journal: rebuilding a lesson's state reads only this learner's rows for
    that lesson (an index lookup), however large the statement store grows. Rows of voided
    statements are deleted; ``recompute_progress`` rebuilds the table from the store.
    """

    statement_id = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson_iri = models.CharField(max_length=IRI_LENGTH)
    on_lesson = models.BooleanField(default=True)
    verb = models.CharField(max_length=20)
    timestamp = models.DateTimeField()
    success = models.BooleanField(null=True)
    completion = models.BooleanField(null=True)
    scaled = models.FloatField(null=True)
    progress = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["user", "lesson_iri"], name="progress_evidence_lesson")]

    def __str__(self) -> str:
        return f"{self.verb} {self.lesson_iri}"


class LessonProgress(models.Model):
    """A learner's state on one lesson (a function of their evidence on it)."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "not started"
        IN_PROGRESS = "in_progress", "in progress"
        COMPLETED = "completed", "completed"
        PASSED = "passed", "passed"
        FAILED = "failed", "failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson_iri = models.CharField(max_length=IRI_LENGTH)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NOT_STARTED)
    done = models.BooleanField(default=False)
    completing_statement_id = models.UUIDField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    best_score = models.FloatField(null=True, blank=True)
    passed_score = models.FloatField(null=True, blank=True)
    progress_percent = models.PositiveSmallIntegerField(default=0)
    first_activity_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson_iri"], name="progress_lesson_unique")
        ]

    def __str__(self) -> str:
        return f"{self.lesson_iri}: {self.status}"


class ModuleProgress(models.Model):
    """A module a learner completed, with the statement the LMS made about it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_iri = models.CharField(max_length=IRI_LENGTH)
    module_iri = models.CharField(max_length=IRI_LENGTH)
    completed_at = models.DateTimeField()
    statement_id = models.UUIDField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "module_iri"], name="progress_module_unique")
        ]
        indexes = [models.Index(fields=["user", "course_iri"], name="progress_module_course")]

    def __str__(self) -> str:
        return self.module_iri


class CourseProgress(models.Model):
    """A learner's state on one course: the figures the learner API and enrolments show."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_iri = models.CharField(max_length=IRI_LENGTH)
    percent = models.PositiveSmallIntegerField(default=0)
    score = models.FloatField(null=True, blank=True)
    hours = models.FloatField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    resume_lesson_iri = models.CharField(max_length=IRI_LENGTH, blank=True, default="")
    completed_at = models.DateTimeField(null=True, blank=True)
    # The LMS's own ``completed`` statement for the course, while it stands.
    statement_id = models.UUIDField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "course_iri"], name="progress_course_unique")
        ]

    def __str__(self) -> str:
        return f"{self.course_iri}: {self.percent}%"
