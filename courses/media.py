"""Public course media: the only files served under ``MEDIA_URL``.

``media/`` (or the S3 bucket) also holds report exports, teacher rosters and xAPI attachments,
which belong to people and are served only through views that check who asks. So nothing is
served wholesale: this view streams a file only when it is a Wagtail image or one of its
renditions, the course media that public pages show. Documents have their own serve view
(``/documents/<id>/<name>``), which applies Wagtail's collection privacy rules; their files are
not reachable here either.
"""

from __future__ import annotations

import mimetypes
import posixpath

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

# Browsers must not run anything an uploaded image (an SVG, say) might carry.
_SANDBOX = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def _is_public_image_file(name: str) -> bool:
    image_model = get_image_model()
    if image_model.objects.filter(file=name).exists():
        return True
    return image_model.get_rendition_model().objects.filter(file=name).exists()


@require_safe
def public_media(request: HttpRequest, path: str) -> FileResponse:
    """Stream a Wagtail image or rendition file; anything else under media/ is a 404."""
    name = posixpath.normpath(path)
    # A name that normalises differently ("a/../b", "./a", "//a") is never a stored file name.
    if name != path or name.startswith(("/", "..")) or "\\" in name or "\x00" in name:
        raise Http404
    if not _is_public_image_file(name):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError) as missing:
        raise Http404 from missing
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = _SANDBOX
    return response
