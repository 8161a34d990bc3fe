"""The S3 storage of the site: private objects, with course images on Capacita's own origin.

Every object in the bucket is private; files with owners (exports, rosters, attachments) are
handed out by the views that check who asks, through SigV4 URLs that expire. Course images and
their renditions are public, and pages address them under ``MEDIA_URL`` on the site's own
origin, served by ``courses.media.public_media``: a presigned URL changes at every render and
expires, which would break the offline copy of a lesson, browsers' and proxies' caches, the
badge image inside a credential, and the pages' ``img-src 'self'`` policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError
from django.conf import settings
from django.utils.encoding import filepath_to_uri
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

# Wagtail's upload folders for original images and their renditions.
PUBLIC_IMAGE_FOLDERS = ("original_images/", "images/")


def is_public_image_name(name: str) -> bool:
    return name.startswith(PUBLIC_IMAGE_FOLDERS)


class MediaStorage(S3Storage):
    def url(self, name: str, *args: Any, **kwargs: Any) -> str:
        if is_public_image_name(name):
            return f"{settings.MEDIA_URL}{filepath_to_uri(name)}"
        return str(super().url(name, *args, **kwargs))

    def open_range(self, name: str, first: int, last: int, chunk_size: int) -> Iterator[bytes]:
        """Bytes ``first``..``last`` (inclusive) of ``name``, streamed from one ranged GET.

        ``open()`` gives an ``S3File``, which downloads the whole object into a temporary file
        before the first byte is read: a seek into a 200 MB video would cost the whole video
        per request. The request is made here, before the first chunk is asked for, so a
        missing object raises ``FileNotFoundError`` while the view can still answer 404.
        """
        if last < first:
            return iter(())
        key = self._normalize_name(clean_name(name))
        try:
            answer = self.connection.meta.client.get_object(
                Bucket=self.bucket_name, Key=key, Range=f"bytes={first}-{last}"
            )
        except ClientError as error:
            if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                raise FileNotFoundError(name) from error
            raise
        body = answer["Body"]

        def chunks() -> Iterator[bytes]:
            try:
                yield from body.iter_chunks(chunk_size)
            finally:
                body.close()

        return chunks()
