"""Safe reading of uploaded zips: every unsafe entry is refused, with its name and rule,
before anything is stored."""

from __future__ import annotations

import io
import stat
import unicodedata
import zipfile
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from packages import zipsafe
from packages.problems import PackageRefused
from tests.packages.builders import make_zip, upload


def refusal(data: bytes) -> PackageRefused:
    with pytest.raises(PackageRefused) as caught, zipsafe.extracted(upload(data)):
        pass
    return caught.value


def rules(error: PackageRefused) -> set[tuple[str, str]]:
    return {(p.path, p.rule) for p in error.problems}


def raw_zip(entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in entries:
            archive.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name",
    [
        "../evil.html",
        "a/../../evil.html",
        "/etc/passwd",
        "C:/evil.html",
        "c:evil",
        "a\\..\\evil.html",
        "a//b.html",
        "./a.html",
    ],
)
def test_unsafe_paths_are_refused_with_their_name(name):
    error = refusal(raw_zip([(name, b"x"), ("ok.html", b"x")]))
    assert (f"zip:{name}", "unsafe_path") in rules(error)
    assert all(p.path != "zip:ok.html" for p in error.problems)


def test_symlinks_are_refused():
    link = zipfile.ZipInfo("link.html")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    error = refusal(raw_zip([(link, b"/etc/passwd")]))
    assert ("zip:link.html", "special_file") in rules(error)
    assert "enlace simbólico" in error.problems[0].message


def test_duplicate_names_and_case_twins_are_refused():
    with pytest.warns(UserWarning):
        data = raw_zip([("a.html", b"1"), ("a.html", b"2"), ("B.html", b"3"), ("b.html", b"4")])
    assert {("zip:a.html", "duplicate_name"), ("zip:b.html", "duplicate_name")} <= rules(
        refusal(data)
    )


def test_a_file_that_is_also_a_folder_is_refused():
    assert ("zip:a/b.html", "duplicate_name") in rules(
        refusal(raw_zip([("a", b"1"), ("a/b.html", b"2")]))
    )


def test_encrypted_entries_are_refused():
    # zipfile cannot write encrypted entries: set the "encrypted" flag bit in the headers.
    data = bytearray(raw_zip([("secret.html", b"x")]))
    local = data.find(b"PK\x03\x04")
    central = data.find(b"PK\x01\x02")
    data[local + 6] |= 0x1
    data[central + 8] |= 0x1
    assert ("zip:secret.html", "encrypted") in rules(refusal(bytes(data)))


def test_too_many_files(settings):
    settings.LMS_PACKAGE_MAX_FILES = 3
    error = refusal(make_zip({f"f{i}.txt": b"x" for i in range(4)}))
    assert ("zip", "too_many_files") in rules(error)


def test_total_size_over_the_limit(settings):
    settings.LMS_PACKAGE_MAX_BYTES = 1000
    assert ("zip", "package_too_large") in rules(
        refusal(make_zip({"a.bin": b"a" * 600, "b.bin": b"b" * 600}))
    )


def test_file_size_over_the_limit(settings):
    settings.LMS_PACKAGE_MAX_FILE_BYTES = 500
    assert ("zip:a.bin", "file_too_large") in rules(refusal(make_zip({"a.bin": b"a" * 600})))


def test_upload_over_the_limit(settings):
    settings.LMS_PACKAGE_MAX_UPLOAD_BYTES = 100
    assert ("zip", "upload_too_large") in rules(refusal(make_zip({"a.bin": bytes(range(256))})))


def test_zip_bomb_ratio_is_refused(settings):
    settings.LMS_PACKAGE_RATIO_MIN_BYTES = 1024
    settings.LMS_PACKAGE_MAX_RATIO = 50
    error = refusal(make_zip({"bomb.txt": b"\0" * 2_000_000}))
    assert ("zip:bomb.txt", "compression_ratio") in rules(error)


def test_all_directory_problems_are_listed_at_once(settings):
    settings.LMS_PACKAGE_MAX_FILE_BYTES = 10
    data = raw_zip([("../x", b"1"), ("/abs", b"1"), ("big.bin", b"0123456789abc")])
    assert {
        ("zip:../x", "unsafe_path"),
        ("zip:/abs", "unsafe_path"),
        ("zip:big.bin", "file_too_large"),
    } <= rules(refusal(data))


def _patch_sizes(data: bytes, name: bytes, size: int) -> bytes:
    """Make the zip declare ``size`` as the uncompressed size of ``name`` (local header and
    central directory): a lying zip."""
    out = bytearray(data)
    position = 0
    while (position := out.find(b"PK\x03\x04", position)) != -1:
        if out[position + 30 : position + 30 + len(name)] == name:
            out[position + 22 : position + 26] = size.to_bytes(4, "little")
        position += 4
    position = 0
    while (position := out.find(b"PK\x01\x02", position)) != -1:
        if out[position + 46 : position + 46 + len(name)] == name:
            out[position + 24 : position + 28] = size.to_bytes(4, "little")
        position += 4
    return bytes(out)


def test_declared_sizes_that_lie_are_caught_while_extracting():
    data = _patch_sizes(make_zip({"lie.bin": b"z" * 5000}), b"lie.bin", 10)
    error = refusal(data)
    assert error.problems[0].path == "zip:lie.bin"
    assert error.problems[0].rule in {"size_mismatch", "corrupt_entry"}


def test_counted_total_is_enforced_even_when_declared_sizes_pass(settings, monkeypatch):
    # Declared sizes pass the first check; the bytes counted while extracting do not.
    monkeypatch.setattr(zipsafe, "check_directory", lambda archive: [])
    settings.LMS_PACKAGE_MAX_BYTES = 1000
    error = refusal(make_zip({"a.bin": b"a" * 800, "b.bin": b"b" * 800}))
    assert error.problems[0].rule == "package_too_large"


def test_not_a_zip():
    assert ("zip", "not_a_zip") in rules(refusal(b"this is not a zip"))


def test_good_zip_is_extracted_with_hashes_and_cleaned_up():
    with zipsafe.extracted(upload(make_zip({"a/b.html": b"hola", "c.js": b"x"}))) as package:
        assert set(package.files) == {"a/b.html", "c.js"}
        assert package.read_bytes("a/b.html") == b"hola"
        assert package.files["a/b.html"].size == 4
        root = package.root
    assert not root.exists()


_segment = st.text(alphabet=st.sampled_from(list("ab.\\/:C%2e")), min_size=0, max_size=12)


@settings(max_examples=300, deadline=None)
@given(name=_segment)
def test_property_a_name_judged_safe_stays_inside_the_package(name):
    """Whatever the name, either it is refused or it resolves to a path inside the folder."""
    import posixpath

    if zipsafe.unsafe_path_reason(name) is None:
        normal = posixpath.normpath("/pkg/" + name)
        assert normal.startswith("/pkg/")
        assert "\\" not in name and not name.startswith("/")
        assert ".." not in name.split("/")


@settings(max_examples=100, deadline=None)
@given(
    names=st.lists(
        st.text(alphabet=st.sampled_from(list("ab./\\")), min_size=1, max_size=8),
        min_size=1,
        max_size=5,
        unique=True,
    )
)
def test_property_extraction_writes_only_inside_its_folder(names):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        data = raw_zip([(name, b"x") for name in names])
    try:
        with zipsafe.extracted(upload(data)) as package:
            root = package.root.resolve()
            for name in package.files:
                assert package.path_of(name).resolve().is_relative_to(root)
    except PackageRefused as refused:
        assert refused.problems


def test_messages_are_spanish_first_and_translated_to_english():
    from django.utils import translation

    data = raw_zip([("../x", b"1")])
    assert "sale de la carpeta" in refusal(data).problems[0].message
    with translation.override("en"):
        assert "leaves the package folder" in refusal(data).problems[0].message


def zip_without_utf8_flag(entries: dict[str, bytes], encoding: str) -> bytes:
    """A zip whose non-ASCII names are written in ``encoding`` without the UTF-8 flag, as
    macOS's Archive Utility (UTF-8, decomposed accents) or Windows' own zip (its OEM code
    page) write them."""

    def encode(self: zipfile.ZipInfo) -> tuple[bytes, int]:
        return self.filename.encode(encoding), self.flag_bits & ~0x800

    with mock.patch.object(zipfile.ZipInfo, "_encodeFilenameFlags", encode):
        return raw_zip(list(entries.items()))


def test_utf8_names_without_the_flag_and_decomposed_accents_get_their_real_name():
    nfd = unicodedata.normalize("NFD", "media/Presentación Ágil.mp4")
    data = zip_without_utf8_flag({nfd: b"v", "index.html": b"i"}, "utf-8")
    with zipsafe.extracted(upload(data)) as package:
        assert sorted(package.files) == ["index.html", "media/Presentación Ágil.mp4"]
        assert package.read_bytes("media/Presentación Ágil.mp4") == b"v"


def test_a_name_that_is_not_utf8_keeps_the_zip_default_code_page():
    # Windows' zip writes its OEM code page; Spanish lower-case letters are the same in code
    # page 437, which the zip format assumes.
    data = zip_without_utf8_flag({"Presentación.html": b"p"}, "cp850")
    with zipsafe.extracted(upload(data)) as package:
        assert list(package.files) == ["Presentación.html"]


def test_the_same_name_composed_and_decomposed_is_a_duplicate():
    composed = "ñandú.png"
    data = raw_zip([(composed, b"1"), (unicodedata.normalize("NFD", composed), b"2")])
    assert ("zip:ñandú.png", "duplicate_name") in rules(refusal(data))
