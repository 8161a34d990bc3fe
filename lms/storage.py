"""The S3 storage of the site: private objects, with course images on Capacita's own origin.

Every object in the bucket is private; files with owners (exports, rosters, attachments) are
handed out by the views that check who asks, through SigV4 URLs that expire. Course images and
their renditions are public, and pages address them under ``MEDIA_URL`` on the site's own
origin, served by ``courses.media.public_media``: a presigned URL changes at every render and
expires, which would break the offline copy of a lesson, browsers' and proxies' caches, the
badge image inside a credential, and the pages' ``img-src 'self'`` policy.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage

# Wagtail's upload folders for original images and their renditions.
PUBLIC_IMAGE_FOLDERS = ("original_images/", "images/")


def is_public_image_name(name: str) -> bool:
    return name.startswith(PUBLIC_IMAGE_FOLDERS)


class MediaStorage(S3Storage):
    def url(self, name: str, *args: Any, **kwargs: Any) -> str:
        if is_public_image_name(name):
            return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"
        return str(super().url(name, *args, **kwargs))
