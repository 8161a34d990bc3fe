"""Serving a package's files from Capacita's own origin: ``/packages/<version>/<path>``.

Same origin, because content scripts must reach the LRS and, for SCORM, the API object of the
lesson page around them. Only the files the version's import listed are reachable (the name is
looked up in ``PackageVersion.files``, after a strict check of the path), and only by those
allowed to (``packages.selectors.user_may_read_package``: staff and authors, or a teacher with
an active enrolment in a course that holds the package). Range requests get correct 206/416
answers, so audio and video seek; files are streamed from default_storage (disk or S3 alike).
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import unicodedata
from collections.abc import Iterator
from typing import IO, Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.http import quote_etag
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from packages import selectors
from packages.conf import app_settings

CHUNK = 64 * 1024

# Types mimetypes does not know everywhere (it depends on the system's mime.types).
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".css": "text/css",
    ".html": "text/html",
    ".htm": "text/html",
    ".xml": "application/xml",
    ".svg": "image/svg+xml",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".webm": "video/webm",
    ".ogv": "video/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".wav": "audio/wav",
    ".vtt": "text/vtt",
    ".srt": "text/plain",
    ".wasm": "application/wasm",
    ".swf": "application/x-shockwave-flash",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
}

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def content_type_for(name: str) -> str:
    extension = posixpath.splitext(name)[1].lower()
    return (
        CONTENT_TYPES.get(extension) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    )


def safe_package_path(path: str) -> bool:
    """Whether ``path`` (already URL-decoded by Django) may name a file inside a package."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return False
    if re.match(r"^[A-Za-z]:", path):
        return False
    return posixpath.normpath(path) == path and not path.startswith("..")


def parse_range(header: str, size: int) -> tuple[int, int] | bool | None:
    """The ``(first, last)`` byte positions of a single ``Range: bytes=`` header; ``None`` to
    serve the whole file (no header, or one we do not honour, such as several ranges); ``False``
    when the range cannot be satisfied (416)."""
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if not match:
        return None  # multiple ranges or another unit: RFC 9110 lets us answer 200
    first_text, last_text = match.groups()
    if not first_text and not last_text:
        return None
    if not first_text:  # suffix: the last N bytes
        length = int(last_text)
        if length == 0 or size == 0:
            return False
        return max(size - length, 0), size - 1
    first = int(first_text)
    last = int(last_text) if last_text else size - 1
    if last_text and last < first:
        return None  # syntactically invalid: ignore the header
    if first >= size:
        return False
    return first, min(last, size - 1)


def _stream(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            chunk = handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        handle.close()


def _read(name: str, first: int, last: int) -> Iterator[bytes]:
    """Bytes ``first``..``last`` of a stored file: straight from the object store when the
    storage can read a range (S3: one ranged GET, see ``lms.storage.MediaStorage``), else
    through a file handle (a local file seeks)."""
    ranged = getattr(default_storage, "open_range", None)
    if callable(ranged):
        chunks: Iterator[bytes] = ranged(name, first, last, CHUNK)
        return chunks
    return _stream(default_storage.open(name, "rb"), first, last - first + 1)


def _common_headers(response: HttpResponseBase, name: str, etag: str) -> None:
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    response["Cache-Control"] = f"private, max-age={int(app_settings.LMS_PACKAGE_CACHE_SECONDS)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = "same-origin"


@require_safe
@xframe_options_sameorigin
def package_file(request: HttpRequest, version: Any, path: str) -> HttpResponseBase:
    """One file of a package version, to those who may read it (see the module docstring)."""
    if not safe_package_path(path):
        raise Http404
    package_version = selectors.version_by_uuid(version_uuid=version)
    if package_version is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not selectors.user_may_read_package(user=request.user, package=package_version.package):
        raise PermissionDenied
    listed = package_version.files.get(path)
    if not listed:
        # Names are stored composed (NFC, see zipsafe); a page may ask for a decomposed one.
        path = unicodedata.normalize("NFC", path)
        listed = package_version.files.get(path)
    if not listed:
        raise Http404
    size, sha256 = int(listed[0]), str(listed[1])
    etag = quote_etag(sha256[:40])
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        not_modified = HttpResponse(status=304)
        _common_headers(not_modified, path, etag)
        return not_modified
    wanted = parse_range(request.headers.get("Range", ""), size)
    if request.headers.get("If-Range") and request.headers.get("If-Range") != etag:
        wanted = None  # the client's copy is another version: send the whole file
    if wanted is False:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        _common_headers(refused, path, etag)
        return refused
    first, last = wanted if isinstance(wanted, tuple) else (0, size - 1)
    try:
        body = _read(package_version.storage_name(path), first, last)
    except (FileNotFoundError, OSError) as missing:
        raise Http404 from missing
    if isinstance(wanted, tuple):
        response = StreamingHttpResponse(body, status=206)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    else:
        response = StreamingHttpResponse(body)
    response["Content-Length"] = str(last - first + 1)
    response["Content-Type"] = content_type_for(path)
    _common_headers(response, path, etag)
    return response
