"""The zip refusals test_zipsafe.py does not reach: a zip bomb made of many small entries
(the whole zip's ratio, each entry under the per-entry threshold), a path over the length
limit, a control character in a name, a special file that is not a symlink (a FIFO), and a
compression method Capacita cannot read. Each names the entry (or the zip) and its rule, and
the import stores nothing."""

from __future__ import annotations

import stat
import zipfile

import pytest

from packages.models import Package
from packages.services import package_import
from tests.packages import builders as b
from tests.packages.test_zipsafe import raw_zip, refusal, rules


def test_a_bomb_of_many_small_entries_is_refused_by_the_whole_zips_ratio(settings):
    settings.LMS_PACKAGE_RATIO_MIN_BYTES = 100_000
    settings.LMS_PACKAGE_MAX_RATIO = 50
    # Twenty entries of 60 000 zero bytes: each under the per-entry threshold, together a
    # 1.2 MB package from a few kilobytes.
    data = b.make_zip({f"parte{i}.bin": b"\0" * 60_000 for i in range(20)})
    found = rules(refusal(data))
    assert ("zip", "compression_ratio") in found
    assert not any(path.startswith("zip:") for path, _ in found)


def test_text_that_compresses_well_but_within_the_ratio_is_accepted(settings):
    settings.LMS_PACKAGE_RATIO_MIN_BYTES = 100
    settings.LMS_PACKAGE_MAX_RATIO = 200
    from packages import zipsafe

    page = ("<p>Sensores de distancia y de luz.</p>\n" * 400).encode()
    with zipsafe.extracted(b.upload(b.make_zip({"index.html": page}))) as package:
        assert package.read_bytes("index.html") == page


def test_a_path_over_the_length_limit_is_unsafe(settings):
    settings.LMS_PACKAGE_MAX_PATH_LENGTH = 20
    name = "carpeta/" + "a" * 20 + ".html"
    assert (f"zip:{name}", "unsafe_path") in rules(refusal(raw_zip([(name, b"x")])))


def test_a_control_character_in_a_name_is_unsafe():
    name = "a\x01b.html"
    assert (f"zip:{name}", "unsafe_path") in rules(refusal(raw_zip([(name, b"x")])))


def test_a_fifo_is_refused_as_a_special_file():
    fifo = zipfile.ZipInfo("tuberia")
    fifo.create_system = 3
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    error = refusal(raw_zip([(fifo, b""), ("ok.html", b"x")]))
    assert rules(error) == {("zip:tuberia", "special_file")}


def test_an_unsupported_compression_method_is_named():
    data = bytearray(raw_zip([("raro.bin", b"x" * 100)]))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 8 : local + 10] = (9).to_bytes(2, "little")  # Deflate64
    data[central + 10 : central + 12] = (9).to_bytes(2, "little")
    assert ("zip:raro.bin", "compression_method") in rules(refusal(bytes(data)))


@pytest.mark.django_db
def test_a_zip_bomb_import_stores_nothing(author, settings):
    from packages.problems import PackageRefused

    settings.LMS_PACKAGE_RATIO_MIN_BYTES = 1024
    settings.LMS_PACKAGE_MAX_RATIO = 50
    data = b.make_zip(
        {"cmi5.xml": b.cmi5_xml([b.au("https://x.mx/au", "A", "a.html")]), "a.html": b"\0" * 10**6}
    )
    with pytest.raises(PackageRefused) as caught:
        package_import(upload=b.upload(data), user=author)
    assert ("zip:a.html", "compression_ratio") in rules(caught.value)
    assert not Package.objects.exists()
