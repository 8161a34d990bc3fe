"""Course authors and reviewers may translate (wagtail-localize's "submit translation").

Translations start as drafts (WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False) and go
live through the "Revisión de cursos" workflow, so translating gives nobody a way to publish.
"""

from django.db import migrations


def grant_submit_translation(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(
        app_label="wagtail_localize", model="translation"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="submit_translation",
        defaults={"name": "Can submit translations"},
    )
    for group in Group.objects.filter(name__in=["Course authors", "Course reviewers"]):
        group.permissions.add(permission)


def revoke_submit_translation(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name__in=["Course authors", "Course reviewers"]):
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="wagtail_localize", codename="submit_translation"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0004_authors_edit_only_their_own_media"),
        ("wagtail_localize", "0016_rename_page_revision_translationlog_revision"),
    ]

    operations = [migrations.RunPython(grant_submit_translation, revoke_submit_translation)]
