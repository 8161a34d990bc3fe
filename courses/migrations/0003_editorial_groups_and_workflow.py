"""Editorial roles and the course review workflow, so a fresh install has them.

- "Course authors": admin access; add and edit pages under the catalogs (which lets them
  submit for moderation), add/edit/choose images and documents, edit the course taxonomy.
- "Course reviewers": all of that plus publish, lock and unlock (publish is what approving
  a moderation task needs), and delete taxonomy entries.
- Workflow "Revisión de cursos": one GroupApprovalTask ("Revisión editorial") for the
  reviewers, assigned to every catalog page (Spanish and English), hence to all courses.

Permissions may not exist yet on a fresh database (Django creates them after migrating), so
they are created here with get_or_create, as Wagtail's own migrations do.
"""

from django.db import migrations

AUTHORS = "Course authors"
REVIEWERS = "Course reviewers"
WORKFLOW = "Revisión de cursos"
TASK = "Revisión editorial"

PAGE_PERMS = {
    AUTHORS: ["add_page", "change_page"],
    REVIEWERS: ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
}
MEDIA_PERMS = {
    AUTHORS: ["add", "change", "choose"],
    REVIEWERS: ["add", "change", "choose", "delete"],
}
SNIPPET_PERMS = {AUTHORS: ["add", "change"], REVIEWERS: ["add", "change", "delete"]}


def _permission(apps, app_label, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename=codename,
        defaults={"name": f"Can {codename.replace('_', ' ')}"},
    )
    return permission


def create_groups_and_workflow(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Collection = apps.get_model("wagtailcore", "Collection")
    CatalogPage = apps.get_model("courses", "CatalogPage")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    catalogs = list(CatalogPage.objects.all())
    root_collection = Collection.objects.filter(depth=1).first()
    access_admin = _permission(apps, "wagtailadmin", "admin", "access_admin")

    groups = {}
    for name in (AUTHORS, REVIEWERS):
        group, _ = Group.objects.get_or_create(name=name)
        groups[name] = group
        group.permissions.add(access_admin)
        for codename in PAGE_PERMS[name]:
            permission = _permission(apps, "wagtailcore", "page", codename)
            for catalog in catalogs:
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=catalog.pk, permission=permission
                )
        if root_collection is not None:
            for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
                for action in MEDIA_PERMS[name]:
                    permission = _permission(apps, app_label, model, f"{action}_{model}")
                    GroupCollectionPermission.objects.get_or_create(
                        group=group, collection=root_collection, permission=permission
                    )
        for model in ("sector", "topic", "skill"):
            for action in SNIPPET_PERMS[name]:
                group.permissions.add(_permission(apps, "courses", model, f"{action}_{model}"))

    task_type, _ = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    task = GroupApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK, content_type=task_type, active=True)
    task.groups.add(groups[REVIEWERS])
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for catalog in catalogs:
        WorkflowPage.objects.update_or_create(page_id=catalog.pk, defaults={"workflow": workflow})


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0002_seed_taxonomy_locales_catalog"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_groups_and_workflow, migrations.RunPython.noop)]
