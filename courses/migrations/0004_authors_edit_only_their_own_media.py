"""Course authors edit and delete only the images and documents they uploaded.

Wagtail's collection "change" permission lets a group edit and delete anybody's media; the
authors keep "add" (which covers their own uploads) and "choose", reviewers keep "change".
"""

from django.db import migrations


def authors_without_media_change(apps, schema_editor):
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    GroupCollectionPermission.objects.filter(
        group__name="Course authors",
        permission__codename__in=["change_image", "change_document"],
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("courses", "0003_editorial_groups_and_workflow")]

    operations = [
        migrations.RunPython(authors_without_media_change, migrations.RunPython.noop),
    ]
