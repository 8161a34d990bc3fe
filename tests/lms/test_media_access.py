"""media/ is never served wholesale: only Wagtail images and renditions are, on disk and on S3.

Exports, rosters and xAPI attachments live in the same storage; a request for their path under
/media/ must get 404 from everyone, whatever the settings module.
"""

from __future__ import annotations

import importlib
import urllib.error
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import clear_url_caches, resolve
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from courses.media import public_media

pytestmark = pytest.mark.django_db

PRIVATE_FILES = {
    "exports/2026/12/capacita-completion-5.csv": b"Entidad,Inscritos\r\nJalisco,12\r\n",
    "imports/2026/12/teachers-0123.csv": b"curp,nombre\r\nSABC560626MDFLRN01,Ana\r\n",
    "xapi/attachments/ab/abcdef": b"an attachment",
    "credentials/baked/award.png": b"\x89PNG not public here",
}


@pytest.fixture(autouse=True)
def _no_cached_renditions():
    """Wagtail caches renditions by image id; ids repeat across rolled-back tests."""
    from django.core.cache import caches

    for name in ("default", "renditions"):
        if name in caches.settings:
            caches[name].clear()


def _store_private_files() -> dict[str, str]:
    return {
        default_storage.save(name, ContentFile(body)): name for name, body in PRIVATE_FILES.items()
    }


def _staff_client() -> Client:
    user = get_user_model().objects.create_superuser("jefa", "jefa@example.org", "pw")
    client = Client()
    client.force_login(user)
    return client


def _get(client: Client, name: str):
    return client.get(f"/media/{name}")


@pytest.fixture
def filesystem_storage(settings, tmp_path):
    """The embedded default, even when the suite runs with S3 configured."""
    from django.core.files import storage as storage_module
    from django.core.files.storage import storages
    from django.utils.functional import empty

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    storages._storages = {}
    storages.__dict__.pop("backends", None)
    storage_module.default_storage._wrapped = empty
    yield
    storages._storages = {}
    storages.__dict__.pop("backends", None)
    storage_module.default_storage._wrapped = empty


def test_private_files_are_not_served_under_media_on_disk(filesystem_storage, client):
    names = _store_private_files()
    staff = _staff_client()
    for name in names:
        assert _get(client, name).status_code == 404, name
        # Not even to staff: files with owners have their own views.
        assert _get(staff, name).status_code == 404, name


def test_course_images_and_renditions_stay_public_on_disk(filesystem_storage, client):
    image = get_image_model().objects.create(title="portada", file=get_test_image_file())
    rendition = image.get_rendition("width-100")
    response = _get(client, image.file.name)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == image.file.open("rb").read()
    assert "sandbox" in response["Content-Security-Policy"]
    response = _get(client, rendition.file.name)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    # The URL Wagtail puts in pages is the one that is served.
    assert image.file.url == f"/media/{image.file.name}"


@pytest.mark.parametrize(
    "path",
    [
        "original_images/../exports/2026/12/capacita-completion-5.csv",
        "./exports/2026/12/capacita-completion-5.csv",
        "original_images//x.png",
        "original_images/missing.png",
        "",
    ],
)
def test_odd_media_paths_are_not_found(filesystem_storage, client, path):
    _store_private_files()
    assert client.get(f"/media/{path}").status_code == 404


def test_an_image_row_whose_file_is_gone_is_a_404(filesystem_storage, client):
    image = get_image_model().objects.create(title="portada", file=get_test_image_file())
    default_storage.delete(image.file.name)
    assert _get(client, image.file.name).status_code == 404


def test_media_writes_are_refused(filesystem_storage, client):
    image = get_image_model().objects.create(title="portada", file=get_test_image_file())
    assert client.post(f"/media/{image.file.name}").status_code == 405


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("bucket", ["", "capacita"])
def test_no_settings_serve_media_wholesale(settings, debug, bucket):
    """Whatever DEBUG and the bucket say, /media/ resolves to the image-only view."""
    import lms.urls

    settings.DEBUG = debug
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    try:
        importlib.reload(lms.urls)
        clear_url_caches()
        for name in PRIVATE_FILES:
            assert resolve(f"/media/{name}").func is public_media
    finally:
        settings.DEBUG = False
        settings.AWS_STORAGE_BUCKET_NAME = ""
        importlib.reload(lms.urls)
        clear_url_caches()


def test_production_settings_have_no_media_route():
    """The production module adds no static/media serving of its own."""
    from pathlib import Path

    source = Path("lms/settings/production.py").read_text(encoding="utf-8")
    assert "MEDIA_ROOT" not in source and "static(" not in source


# --- on the real S3 server ---------------------------------------------------------------------


@pytest.mark.services
def test_private_files_on_s3_are_neither_under_media_nor_public(s3_storage, client):
    names = _store_private_files()
    for name in names:
        assert _get(client, name).status_code == 404, name
        # The bucket itself is private: the plain object URL without a signature is refused.
        plain = f"{s3_storage['endpoint']}/{s3_storage['bucket']}/{name}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(plain, timeout=10)  # the local test server
        assert refused.value.code == 403


@pytest.mark.services
def test_course_images_on_s3_stay_public(s3_storage, client):
    image = get_image_model().objects.create(title="portada", file=get_test_image_file())
    rendition = image.get_rendition("width-100")
    # Pages address them on the site's own origin, with a URL that does not change from one
    # render to the next (an offline copy and caches keep working), and that URL serves them.
    assert image.file.url == f"/media/{image.file.name}"
    assert rendition.url == f"/media/{rendition.file.name}"
    assert image.get_rendition("width-100").url == rendition.url
    response = _get(client, rendition.file.name)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == rendition.file.open("rb").read()
    assert _get(client, image.file.name).status_code == 200
    # The bucket stays private: the plain object URL is refused.
    plain = f"{s3_storage['endpoint']}/{s3_storage['bucket']}/{rendition.file.name}"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(plain, timeout=10)  # the local test server
    assert refused.value.code == 403


@pytest.mark.services
def test_files_with_owners_on_s3_keep_expiring_signed_urls(s3_storage):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("exports/2026/12/x.csv", ContentFile(b"a,b\n"))
    url = default_storage.url(name)
    assert not url.startswith("/media/")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=" in url
    with urllib.request.urlopen(url, timeout=10) as response:  # the local test server
        assert response.read() == b"a,b\n"
