"""Reading uploaded files within bounds.

An upload is plain CSV, `.gz` or `.zip`. Whatever it holds, reading it costs bounded memory:
lines are read one at a time up to a maximum length, the bytes decompressed are counted
against a maximum and against a maximum ratio to the file's size (a "zip bomb" — a small
archive of gigabytes of zeros — is refused after a few megabytes), and a ZIP's declared sizes
are checked before anything is decompressed. Every refusal raises `UploadRefused` with a
French message for the organiser.

The limits are settings with defaults sized for INSEE's full StockEtablissement (about 2 GB
zipped, 8 GB of CSV, lines under 1 KB).
"""

from __future__ import annotations

import gzip
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
MIB = 1024 * 1024


class UploadRefused(ValueError):
    """A file read beyond the limits (or unreadable as an archive); the message is French."""


@dataclass(frozen=True)
class Limits:
    upload_bytes: int
    decompressed_bytes: int
    ratio: int
    line_bytes: int
    # The ratio is judged once this much has been decompressed: a small file of repeated
    # values may legitimately compress well.
    ratio_grace_bytes: int = 16 * MIB


def limits() -> Limits:
    return Limits(
        upload_bytes=getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 4 * 1024 * MIB),
        decompressed_bytes=getattr(settings, "IMPORT_MAX_DECOMPRESSED_BYTES", 16 * 1024 * MIB),
        ratio=getattr(settings, "IMPORT_MAX_RATIO", 30),
        line_bytes=getattr(settings, "IMPORT_MAX_LINE_BYTES", 64 * 1024),
    )


def _size(n: int) -> str:
    if n >= 1024 * MIB:
        return _("%(n)s Gio") % {"n": f"{n / (1024 * MIB):.1f}".replace(".", ",")}
    if n >= MIB:
        return _("%(n)d Mio") % {"n": n // MIB}
    return _("%(n)d Kio") % {"n": max(1, n // 1024)}


def check_upload_size(size: int, bounds: Limits) -> None:
    if size > bounds.upload_bytes:
        raise UploadRefused(
            _("Fichier trop volumineux (%(s)s) : la limite est de %(m)s.")
            % {"s": _size(size), "m": _size(bounds.upload_bytes)}
        )


def check_zip(archive: zipfile.ZipFile, compressed_size: int, bounds: Limits) -> zipfile.ZipInfo:
    """The archive's CSV member, when its declared sizes are within bounds."""
    members = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
    if not members:
        raise UploadRefused(_("L'archive ZIP ne contient aucun fichier CSV."))
    member = members[0]
    _check_totals(member.file_size, compressed_size, bounds)
    return member


def check_file(stream: IO[bytes], size: int, bounds: Limits) -> None:
    """What can be judged without decompressing: the size, and a ZIP's declared sizes.
    `stream` is a seekable binary file; it is left at its start."""
    check_upload_size(size, bounds)
    stream.seek(0)
    magic = stream.read(4)
    stream.seek(0)
    if magic == ZIP_MAGIC:
        try:
            with zipfile.ZipFile(stream) as archive:
                check_zip(archive, size, bounds)
        except (zipfile.BadZipFile, zlib.error, EOFError):
            raise UploadRefused(_("L'archive ZIP est endommagée.")) from None
        finally:
            stream.seek(0)


def _check_totals(decompressed: int, compressed_size: int, bounds: Limits) -> None:
    if decompressed > bounds.decompressed_bytes:
        raise UploadRefused(
            _("Une fois décompressé, le fichier dépasse %(m)s : il est refusé.")
            % {"m": _size(bounds.decompressed_bytes)}
        )
    if decompressed > bounds.ratio_grace_bytes and decompressed > bounds.ratio * max(
        compressed_size, 1
    ):
        raise UploadRefused(
            _(
                "Le fichier se décompresse plus de %(r)d fois : ce n'est pas un export CSV "
                "ordinaire, il est refusé."
            )
            % {"r": bounds.ratio}
        )


def _open(path: Path, bounds: Limits) -> tuple[IO[bytes], bool]:
    with path.open("rb") as probe:
        magic = probe.read(4)
    size = path.stat().st_size
    check_upload_size(size, bounds)
    if magic[:2] == GZIP_MAGIC:
        return gzip.open(path, "rb"), True
    if magic == ZIP_MAGIC:
        try:
            archive = zipfile.ZipFile(path)
            member = check_zip(archive, size, bounds)
            return archive.open(member), True
        except (zipfile.BadZipFile, EOFError):
            raise UploadRefused(_("L'archive ZIP est endommagée.")) from None
    return path.open("rb"), False


def read_lines(path: Path, bounds: Limits | None = None) -> Iterator[bytes]:
    """The file's lines (decompressed, undecoded), each at most `line_bytes` long, the whole
    at most `decompressed_bytes` and `ratio` times the file's size.
    Raises UploadRefused as soon as a bound is crossed."""
    bounds = bounds or limits()
    compressed_size = path.stat().st_size
    stream, compressed = _open(path, bounds)
    total = 0
    number = 0
    with stream:
        while True:
            try:
                line = stream.readline(bounds.line_bytes + 1)
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile):
                raise UploadRefused(
                    ngettext(
                        "L'archive est endommagée ou tronquée (après %(n)d ligne).",
                        "L'archive est endommagée ou tronquée (après %(n)d lignes).",
                        number,
                    )
                    % {"n": number}
                ) from None
            if not line:
                return
            number += 1
            total += len(line)
            if compressed:
                _check_totals(total, compressed_size, bounds)
            if len(line) > bounds.line_bytes:
                raise UploadRefused(
                    _(
                        "Ligne %(n)d trop longue (plus de %(m)s) : ce n'est pas un fichier CSV attendu."
                    )
                    % {"n": number, "m": _size(bounds.line_bytes)}
                )
            yield line
