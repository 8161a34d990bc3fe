"""Signal receivers of the packages app."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from courses.models import LessonPage
from packages.models import PackageUnit, PackageVersion, UnitPlacement


def on_page_published(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Keep :class:`UnitPlacement` in step with a published lesson's "Contenido empaquetado"
    blocks, so the learners of its course may read those packages' files."""
    if not isinstance(instance, LessonPage):
        return
    uuids = {
        str(block.value.get("unit"))
        for block in instance.body
        if block.block_type == "packaged_content" and block.value.get("unit")
    }
    units = list(PackageUnit.objects.filter(uuid__in=[u for u in uuids if _is_uuid(u)]))
    UnitPlacement.objects.filter(lesson_id=instance.pk).exclude(unit__in=units).delete()
    for unit in units:
        UnitPlacement.objects.get_or_create(unit=unit, lesson_id=instance.pk)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def on_version_deleted(sender: Any, instance: PackageVersion, **kwargs: Any) -> None:
    """A deleted version's files go too, once the deletion is committed (a rolled-back
    deletion keeps them)."""
    from packages.services import package_version_files_delete

    names = [instance.storage_name(name) for name in instance.files]
    transaction.on_commit(lambda: package_version_files_delete(names=names))
