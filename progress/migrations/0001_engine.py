"""The progress engine's tables: evidence and lesson, module and course progress.

The tables were created by the progress app's migrations before it was split into one app per
bounded context; they keep their names (``db_table``). On a database migrated before the split,
``replaces`` marks this migration applied, so nothing is created again; on a new database it
creates the tables.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    replaces = [
        ("progress", "0004_progress_engine"),
        ("progress", "0006_merge_engine_reports"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CourseProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('course_iri', models.CharField(max_length=512)),
                ('percent', models.PositiveSmallIntegerField(default=0)),
                ('score', models.FloatField(blank=True, null=True)),
                ('hours', models.FloatField(default=0)),
                ('started_at', models.DateTimeField(blank=True, null=True)),
                ('last_activity_at', models.DateTimeField(blank=True, null=True)),
                ('resume_lesson_iri', models.CharField(blank=True, default='', max_length=512)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('statement_id', models.UUIDField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'course_iri'), name='progress_course_unique')],
            },
        ),
        migrations.CreateModel(
            name='LessonProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('lesson_iri', models.CharField(max_length=512)),
                ('status', models.CharField(choices=[('not_started', 'not started'), ('in_progress', 'in progress'), ('completed', 'completed'), ('passed', 'passed'), ('failed', 'failed')], default='not_started', max_length=12)),
                ('done', models.BooleanField(default=False)),
                ('completing_statement_id', models.UUIDField(blank=True, null=True)),
                ('completed_at', models.DateTimeField(blank=True, null=True)),
                ('best_score', models.FloatField(blank=True, null=True)),
                ('passed_score', models.FloatField(blank=True, null=True)),
                ('progress_percent', models.PositiveSmallIntegerField(default=0)),
                ('first_activity_at', models.DateTimeField(blank=True, null=True)),
                ('last_activity_at', models.DateTimeField(blank=True, null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('user', 'lesson_iri'), name='progress_lesson_unique')],
            },
        ),
        migrations.CreateModel(
            name='ModuleProgress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('course_iri', models.CharField(max_length=512)),
                ('module_iri', models.CharField(max_length=512)),
                ('completed_at', models.DateTimeField()),
                ('statement_id', models.UUIDField()),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['user', 'course_iri'], name='progress_module_course')],
                'constraints': [models.UniqueConstraint(fields=('user', 'module_iri'), name='progress_module_unique')],
            },
        ),
        migrations.CreateModel(
            name='ProgressEvidence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement_id', models.UUIDField(unique=True)),
                ('lesson_iri', models.CharField(max_length=512)),
                ('on_lesson', models.BooleanField(default=True)),
                ('verb', models.CharField(max_length=20)),
                ('timestamp', models.DateTimeField()),
                ('success', models.BooleanField(null=True)),
                ('completion', models.BooleanField(null=True)),
                ('scaled', models.FloatField(null=True)),
                ('progress', models.PositiveSmallIntegerField(null=True)),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'indexes': [models.Index(fields=['user', 'lesson_iri'], name='progress_evidence_lesson')],
            },
        ),
    ]
