"""Safe reading of an uploaded zip, before anything of it is stored.

Names are first read as their author sees them (:func:`normalise_names`). Then two passes.
The first reads only the central directory and refuses what is unsafe whatever
the content: paths that leave the package (``..``, absolute paths, drive letters, backslashes),
symbolic links and other special files, duplicate names, encrypted entries, unknown compression
methods, too many entries, and declared sizes or compression ratios over the limits of
``packages/conf.py`` (a zip bomb). The second extracts into a private temporary folder and
counts the bytes as they come out: the sizes a zip declares can lie, so an entry that yields
more than it declared, or a total over the limit, is refused there too. Every problem found in
the first pass is reported at once.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _

from packages.conf import app_settings
from packages.problems import PackageRefused, Problem

CHUNK = 64 * 1024
_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SUPPORTED_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}


@dataclass(frozen=True)
class FileEntry:
    size: int
    sha256: str


@dataclass
class ExtractedPackage:
    """The checked files of a package in a temporary folder (``root``), by their zip name."""

    root: Path
    files: dict[str, FileEntry] = field(default_factory=dict)
    sha256: str = ""
    size: int = 0

    def path_of(self, name: str) -> Path:
        return self.root / name

    def read_bytes(self, name: str) -> bytes:
        return self.path_of(name).read_bytes()


def _zip_path(name: str) -> str:
    return f"zip:{name}"


def unsafe_path_reason(name: str) -> str | None:
    """Why ``name`` may not be a path inside a package (``None`` when it is safe).

    Safe means relative, with forward slashes only, no empty, ``.`` or ``..`` segment, no
    drive letter and no control character: a name that lands inside the package folder on any
    storage, and that names one file only.
    """
    if not name:
        return _("El nombre está vacío.")
    if _CONTROL.search(name):
        return _("El nombre contiene caracteres de control.")
    if "\\" in name:
        return _("El nombre usa barras invertidas (\\); en un zip las rutas usan «/».")
    if name.startswith("/"):
        return _("La ruta es absoluta; las rutas del paquete deben ser relativas.")
    if _DRIVE.match(name):
        return _("La ruta empieza con una unidad de disco (como C:).")
    segments = name.rstrip("/").split("/")
    if any(segment == ".." for segment in segments):
        return _("La ruta sale de la carpeta del paquete («..»).")
    if any(segment in ("", ".") for segment in segments):
        return _("La ruta tiene segmentos vacíos o «.».")
    if len(name) > app_settings.LMS_PACKAGE_MAX_PATH_LENGTH:
        return _("La ruta tiene más de %(max)s caracteres.") % {
            "max": app_settings.LMS_PACKAGE_MAX_PATH_LENGTH
        }
    return None


def _mode_problem(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == stat.S_IFLNK:
        return _("Es un enlace simbólico; los paquetes solo pueden contener archivos.")
    if kind and kind not in (stat.S_IFREG, stat.S_IFDIR):
        return _("Es un archivo especial (dispositivo, tubería...); solo se aceptan archivos.")
    return None


def normalise_names(archive: zipfile.ZipFile) -> None:
    """Give every entry the name its author sees. A zip that does not flag its names as UTF-8
    is read as code page 437, but macOS's Archive Utility and other tools write UTF-8 without
    the flag ("Presentación" would come out "Presentaci├│n"), and macOS writes decomposed
    accents: such a name is decoded as UTF-8 when it is valid UTF-8, and every name is made
    composed (NFC), as manifests and pages write them. Only ``filename`` changes; the zip still
    checks each entry against the name it recorded."""
    for info in archive.infolist():
        name = info.filename
        if not info.flag_bits & 0x800 and not name.isascii():
            with suppress(UnicodeEncodeError, UnicodeDecodeError):
                name = name.encode("cp437").decode("utf-8")
        info.filename = unicodedata.normalize("NFC", name)


def check_directory(archive: zipfile.ZipFile) -> list[Problem]:
    """Every problem of the zip's central directory (names, kinds, declared sizes)."""
    limits = app_settings
    problems: list[Problem] = []
    infos = archive.infolist()
    if len(infos) > limits.LMS_PACKAGE_MAX_FILES:
        problems.append(
            Problem(
                "zip",
                "too_many_files",
                _("El paquete tiene %(count)s entradas; el máximo es %(max)s.")
                % {"count": len(infos), "max": limits.LMS_PACKAGE_MAX_FILES},
            )
        )
    seen: dict[str, str] = {}
    file_names: set[str] = set()
    total = 0
    compressed_total = 0
    for info in infos:
        name = info.filename
        where = _zip_path(name)
        reason = unsafe_path_reason(name)
        if reason:
            problems.append(Problem(where, "unsafe_path", reason))
            continue
        mode_reason = _mode_problem(info)
        if mode_reason:
            problems.append(Problem(where, "special_file", mode_reason))
            continue
        key = name.rstrip("/").casefold()
        if key in seen:
            problems.append(
                Problem(
                    where,
                    "duplicate_name",
                    _(
                        "El nombre se repite en el zip "
                        "(o difiere solo en mayúsculas de «%(other)s»)."
                    )
                    % {"other": seen[key]},
                )
            )
            continue
        seen[key] = name
        if info.flag_bits & 0x1:
            problems.append(
                Problem(
                    where, "encrypted", _("La entrada está cifrada; sube el zip sin contraseña.")
                )
            )
            continue
        if info.is_dir():
            continue
        if info.compress_type not in _SUPPORTED_METHODS:
            problems.append(
                Problem(
                    where,
                    "compression_method",
                    _("La entrada usa un método de compresión no admitido (%(method)s).")
                    % {"method": info.compress_type},
                )
            )
            continue
        file_names.add(key)
        total += info.file_size
        compressed_total += info.compress_size
        if info.file_size > limits.LMS_PACKAGE_MAX_FILE_BYTES:
            problems.append(
                Problem(
                    where,
                    "file_too_large",
                    _("El archivo ocupa %(size)s bytes sin comprimir; el máximo es %(max)s.")
                    % {"size": info.file_size, "max": limits.LMS_PACKAGE_MAX_FILE_BYTES},
                )
            )
        elif info.file_size >= limits.LMS_PACKAGE_RATIO_MIN_BYTES and (
            info.file_size > limits.LMS_PACKAGE_MAX_RATIO * max(info.compress_size, 1)
        ):
            problems.append(
                Problem(
                    where,
                    "compression_ratio",
                    _("El archivo se comprime más de %(max)s veces: parece una bomba zip.")
                    % {"max": limits.LMS_PACKAGE_MAX_RATIO},
                )
            )
    # A file may not also be a folder of other entries ("a" and "a/b"): the storage could not
    # hold both, and which one a learner got would depend on it.
    for key, name in seen.items():
        parent = key.rsplit("/", 1)[0] if "/" in key else ""
        while parent:
            if parent in file_names:
                problems.append(
                    Problem(
                        _zip_path(name),
                        "duplicate_name",
                        _("«%(parent)s» es un archivo y también una carpeta en el zip.")
                        % {"parent": seen[parent]},
                    )
                )
                break
            parent = parent.rsplit("/", 1)[0] if "/" in parent else ""
    if total > limits.LMS_PACKAGE_MAX_BYTES:
        problems.append(
            Problem(
                "zip",
                "package_too_large",
                _("El paquete ocupa %(size)s bytes sin comprimir; el máximo es %(max)s.")
                % {"size": total, "max": limits.LMS_PACKAGE_MAX_BYTES},
            )
        )
    elif total >= limits.LMS_PACKAGE_RATIO_MIN_BYTES and (
        total > limits.LMS_PACKAGE_MAX_RATIO * max(compressed_total, 1)
    ):
        problems.append(
            Problem(
                "zip",
                "compression_ratio",
                _("El paquete se comprime más de %(max)s veces: parece una bomba zip.")
                % {"max": limits.LMS_PACKAGE_MAX_RATIO},
            )
        )
    return problems


def _extract_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: int
) -> tuple[FileEntry, int]:
    """Copy one entry to ``target``, counting bytes; refuse when it yields more than it
    declared, more than the per-file limit, or more than the package's remaining budget."""
    where = _zip_path(info.filename)
    limit = min(info.file_size, app_settings.LMS_PACKAGE_MAX_FILE_BYTES)
    digest = hashlib.sha256()
    written = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with archive.open(info) as source, target.open("xb") as sink:
            while True:
                chunk = source.read(CHUNK)
                if not chunk:
                    break
                written += len(chunk)
                if written > limit or written > budget:
                    raise PackageRefused(
                        [
                            Problem(
                                where,
                                "size_mismatch"
                                if written > info.file_size
                                else "package_too_large",
                                _(
                                    "El archivo descomprimido ocupa más de lo que declara el zip "
                                    "o de lo permitido; se rechaza."
                                ),
                            )
                        ]
                    )
                digest.update(chunk)
                sink.write(chunk)
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        OSError,
        RuntimeError,
        NotImplementedError,
    ) as error:
        raise PackageRefused(
            [
                Problem(
                    where,
                    "corrupt_entry",
                    _("No se pudo descomprimir la entrada (zip dañado: %(error)s).")
                    % {"error": type(error).__name__},
                )
            ]
        ) from error
    if written != info.file_size:
        raise PackageRefused(
            [
                Problem(
                    where,
                    "size_mismatch",
                    _("El archivo descomprimido no mide lo que declara el zip."),
                )
            ]
        )
    return FileEntry(size=written, sha256=digest.hexdigest()), written


def _hash_upload(upload: IO[bytes]) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    upload.seek(0)
    while chunk := upload.read(CHUNK):
        size += len(chunk)
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


@contextmanager
def extracted(upload: IO[bytes]) -> Iterator[ExtractedPackage]:
    """Check the zip ``upload`` and extract it into a temporary folder removed on exit.

    Raises :class:`PackageRefused` with every problem of the central directory, or with the
    first entry that fails while extracting.
    """
    sha256, size = _hash_upload(upload)
    if size > app_settings.LMS_PACKAGE_MAX_UPLOAD_BYTES:
        raise PackageRefused(
            [
                Problem(
                    "zip",
                    "upload_too_large",
                    _("El zip ocupa %(size)s bytes; el máximo es %(max)s.")
                    % {"size": size, "max": app_settings.LMS_PACKAGE_MAX_UPLOAD_BYTES},
                )
            ]
        )
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as error:
        raise PackageRefused(
            [Problem("zip", "not_a_zip", _("El archivo no es un zip válido."))]
        ) from error
    with archive:
        normalise_names(archive)
        problems = check_directory(archive)
        if problems:
            raise PackageRefused(problems)
        root = Path(tempfile.mkdtemp(prefix="capacita-package-"))
        try:
            package = ExtractedPackage(root=root, sha256=sha256, size=size)
            budget = app_settings.LMS_PACKAGE_MAX_BYTES
            for info in archive.infolist():
                if info.is_dir():
                    continue
                entry, written = _extract_entry(archive, info, root / info.filename, budget)
                budget -= written
                package.files[info.filename] = entry
            yield package
        finally:
            shutil.rmtree(root, ignore_errors=True)
