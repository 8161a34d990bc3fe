"""Content types of the models that moved out of the progress app now name "reports".

They keep their ids, so permissions granted on them (groups, users) and admin log entries stay
attached. A new database has no content types yet at this point: nothing to do.
"""

from django.db import migrations

MODELS = ("reportfact", "reportcoursetag", "reportrefresh", "reportrefreshrequest", "reportsnapshot", "exportjob", "monitorscope")


def relabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        old = ContentType.objects.filter(app_label="progress", model=model).first()
        if old is None:
            continue
        # A type created for the new label before this ran (never in a plain migrate) goes.
        ContentType.objects.filter(app_label="reports", model=model).delete()
        old.app_label = "reports"
        old.save(update_fields=["app_label"])


def unrelabel(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="reports", model__in=MODELS).update(app_label="progress")


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_monitor_group"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(relabel, unrelabel)]
