"""Content types of the models that moved out of the progress app now name "learners".

They keep their ids, so permissions granted on them (groups, users) and admin log entries stay
attached. A new database has no content types yet at this point: nothing to do.
"""

from django.db import migrations

MODELS = ("subsystem", "school", "teacherprofile", "enrollment", "auditevent", "importjob")


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label="progress", model=model).first()
        if old is None:
            continue
        # A type created for the new label before this ran (never in a plain migrate) goes.
        ContentType.objects.filter(app_label="learners", model=model).delete()
        old.app_label = "learners"
        old.save(update_fields=["app_label"])


def unrelabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="learners", model__in=MODELS).update(app_label="progress")


class Migration(migrations.Migration):
    dependencies = [
        ("learners", "0002_seed_subsystems"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel, unrelabel)]
