"""The files of a talk's slides: checking an upload, storing it, rendering a PDF's pages.

An upload is a PNG or JPEG image, or a PDF whose pages become slides. Every refusal raises
`SlideRefused` with a French message for the facilitator:
- more than MAX_UPLOAD_BYTES (20 MB), or a PDF of more than MAX_PAGES (60) pages;
- content that is not what its name says (a `.png` that is a JPEG or a text file): the
  bytes decide, checked by Pillow (format, dimensions, the file's own checksums);
- SVG: a drawing format that can carry scripts; we do not sanitise it, so it is refused
  with a way out (export the slides as PNG or PDF).
Files get random names (`new_name`) under settings.SLIDES_DIR; the name is the only thing
the slide's address shows. A PDF's pages are rendered by `pdftoppm` (poppler-utils) in the
background worker (`plenary.tasks`), one page at a time, each fitted in WALL_BOX.
"""

from __future__ import annotations

import io
import secrets
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 20 * MIB
MAX_PAGES = 60
# Beyond this many pixels an image is refused before decoding (a decompression bomb).
MAX_PIXELS = 40_000_000
# A PDF page is rendered to fit this box (the largest wall), keeping its proportions.
WALL_BOX = (1920, 1080)
PDF_TIMEOUT_S = 60

IMAGE_TYPES = {"PNG": ("image/png", "png"), "JPEG": ("image/jpeg", "jpg")}
PDF_MAGIC = b"%PDF-"
EXTENSIONS = {".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG", ".pdf": "PDF"}


class SlideRefused(ValueError):
    """An upload that cannot become slides; the message is French, for the facilitator."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedImage:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def folder() -> Path:
    path = Path(settings.SLIDES_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_name(extension: str) -> str:
    """A random file name (about 128 bits): unguessable, and it says nothing of the talk."""
    return f"{secrets.token_urlsafe(16)}.{extension}"


def path_of(filename: str) -> Path | None:
    """The stored file of that name, None when the name is not one of ours or it is gone."""
    if not filename or "/" in filename or "\\" in filename or filename.startswith("."):
        return None
    path = folder() / filename
    return path if path.is_file() else None


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise SlideRefused(_("Fichier trop lourd : 20 Mo au plus."))
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise SlideRefused(_("Fichier trop lourd : 20 Mo au plus."))
    if not data:
        raise SlideRefused(_("Le fichier est vide."))
    return data


def check_image(data: bytes, *, declared: str | None) -> CheckedImage:
    """The image's type and size, read from its bytes by Pillow; refuses anything else."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            width, height = image.size
            if fmt not in IMAGE_TYPES:
                raise SlideRefused(_("Seules les images PNG ou JPEG sont acceptées (ou un PDF)."))
            if width * height > MAX_PIXELS:
                raise SlideRefused(_("Image trop grande : 40 millions de pixels au plus."))
            image.verify()  # the file's own structure and checksums
    except SlideRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise SlideRefused(
            _("Ce fichier n'est pas une image lisible : envoyez un PNG, un JPEG ou un PDF.")
        ) from None
    if declared is not None and declared != fmt:
        raise SlideRefused(
            _("Le contenu du fichier ne correspond pas à son extension (%(ext)s).")
            % {"ext": declared}
        )
    content_type, extension = IMAGE_TYPES[fmt]
    return CheckedImage(data, content_type, extension, width, height)


def pdf_page_count(data: bytes) -> int:
    """How many pages the PDF has (poppler's `pdfinfo`); refuses an unreadable PDF."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            result = subprocess.run(
                ["pdfinfo", tmp.name], capture_output=True, text=True, timeout=20, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            result = None
    if result is None or result.returncode != 0:
        raise SlideRefused(_("Ce PDF est illisible (endommagé ou protégé par un mot de passe)."))
    for line in result.stdout.splitlines():
        if line.startswith("Pages:"):
            try:
                return int(line.split(":", 1)[1])
            except ValueError:
                break
    raise SlideRefused(_("Ce PDF est illisible (endommagé ou protégé par un mot de passe)."))


def kind_of(upload: UploadedFile, data: bytes) -> str:
    """ "PNG", "JPEG" or "PDF", from the bytes, checked against the file's extension."""
    name = (upload.name or "").lower()
    extension = Path(name).suffix
    binary = data.startswith((PDF_MAGIC, b"\x89PNG", b"\xff\xd8\xff"))
    if extension == ".svg" or (not binary and b"<svg" in data[:1024].lower()):
        raise SlideRefused(
            _(
                "Les images SVG ne sont pas acceptées (elles peuvent contenir du code) : "
                "exportez vos diapositives en PNG, en JPEG ou en PDF."
            )
        )
    declared = EXTENSIONS.get(extension)
    if declared is None:
        raise SlideRefused(_("Envoyez une image PNG ou JPEG, ou un PDF."))
    if data.startswith(PDF_MAGIC):
        if declared != "PDF":
            raise SlideRefused(
                _("Le contenu du fichier ne correspond pas à son extension (%(ext)s).")
                % {"ext": extension}
            )
        return "PDF"
    if declared == "PDF":
        raise SlideRefused(_("Ce fichier n'est pas un PDF."))
    return declared


@dataclass(frozen=True)
class CheckedUpload:
    kind: str  # "image" or "pdf"
    image: CheckedImage | None = None
    pdf: bytes = b""
    pages: int = 0


def check_upload(upload: UploadedFile) -> CheckedUpload:
    """Read and check one uploaded file (bounded: 20 MB are read at most)."""
    data = _read(upload)
    declared = kind_of(upload, data)
    if declared == "PDF":
        pages = pdf_page_count(data)
        if pages < 1:
            raise SlideRefused(_("Ce PDF n'a aucune page."))
        if pages > MAX_PAGES:
            raise SlideRefused(
                _("Ce PDF a %(n)d pages : %(max)d au plus.") % {"n": pages, "max": MAX_PAGES}
            )
        return CheckedUpload("pdf", pdf=data, pages=pages)
    return CheckedUpload("image", image=check_image(data, declared=declared))


def store(data: bytes, extension: str) -> str:
    """Write `data` under a new random name; returns the name. A reader never sees half a
    file (written aside, then renamed)."""
    name = new_name(extension)
    path = folder() / name
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)
    return name


def remove(filename: str) -> None:
    path = path_of(filename)
    if path is not None:
        path.unlink(missing_ok=True)


def orphans_remove(*, keep: set[str], before: float) -> int:
    """Delete the files of SLIDES_DIR that no slide nor conversion names (their talk or
    rencontre was deleted) and that were written before `before` (a timestamp: a file being
    written is never taken). Returns how many were deleted."""
    removed = 0
    for path in folder().iterdir():
        if path.is_file() and path.name not in keep and path.stat().st_mtime < before:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def render_pdf_page(pdf: Path, page: int) -> CheckedImage:
    """One page of the PDF as a PNG, its longer side as long as the wall's (`pdftoppm`), checked like an upload."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "page"
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-f",
                str(page),
                "-l",
                str(page),
                "-scale-to",
                str(max(WALL_BOX)),
                "-singlefile",
                str(pdf),
                str(out),
            ],
            capture_output=True,
            timeout=PDF_TIMEOUT_S,
            check=True,
        )
        data = out.with_suffix(".png").read_bytes()
    return check_image(data, declared="PNG")
