"""The one rule for every file people send: judged by its bytes, cleaned, named by the bot.

A phone announces a type and a name with every document, and neither can be trusted: a photo
arrives as ``application/octet-stream`` or ``image/jpg``, a program as ``application/pdf``, a
name as ``propuesta<U+202E>fdp.exe`` (shown as "propuestaexe.pdf"). So, for RUOS documents,
proposal documents and report evidence alike:

- **What a file is** comes from its first bytes (`identify`): PDF, JPEG, PNG, WebP, HEIC, and
  Word and Excel files (a ZIP holding ``word/document.xml`` or ``xl/workbook.xml``). Each area
  says which kinds it keeps; anything else is refused with a message naming what it takes.
  Programs (Windows ``MZ``, ELF, Mach-O, scripts starting ``#!``), Office files carrying macros,
  and web pages or SVG drawings (which run scripts where staff open them) get a message of
  their own. The announced type and name decide nothing.
- **Every image is re-encoded** from its pixels by Pillow (`clean_image`), whatever it was
  announced as: EXIF (GPS position, camera, time), XMP and comments go, the orientation tag is
  applied first. PNG stays PNG (drawings and screenshots stay sharp); JPEG, WebP and HEIC become
  JPEG, which every staff computer opens. A picture Pillow cannot decode is refused, so nothing
  that merely starts like an image is kept.
- **Names are the bot's** (`file_name`): the area, the organization, a number and the
  extension of the real type. What the sender called the file is kept only as a label, cleaned
  of control and bidi characters (`label`), and never used as a file name.

Why not a file-type library: the bot keeps an allowlist of seven kinds whose signatures are
fixed, and Pillow decoding each image and `zipfile` reading each Office file check far more
than a signature table (`filetype`, `puremagic`) would; such a library would add names for
kinds the bot never keeps. Pillow reads HEIC through pillow-heif.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum

import pillow_heif
from PIL import Image, ImageOps

from bot.core.i18n import N_, PN_
from bot.core.validation import InvalidInput, clean_text
from bot.projects.models import ProjectFile
from bot.ruos.models import StoredFile

pillow_heif.register_heif_opener()

# Telegram lets a bot download files of up to 20 MB (getFile); larger ones never reach us.
UPLOAD_LIMIT_BYTES = 20 * 1024 * 1024
LABEL_MAX = 255


class Kind(StrEnum):
    PDF = "pdf"
    IMAGE = "image"
    WORD = "word"  # .docx
    SHEET = "sheet"  # .xlsx


MIME_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {mime: "." + extension for extension, mime in MIME_TYPES.items()}


@dataclass(frozen=True)
class Identified:
    kind: Kind
    extension: str  # without the dot: "pdf", "jpg", "png", "webp", "heic", "docx", "xlsx"

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.extension]


@dataclass(frozen=True)
class Accepted:
    """What is stored: the bytes (an image re-encoded without its metadata) and their real type."""

    content: bytes
    kind: Kind
    mime_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.mime_type]


class UploadRefused(InvalidInput):
    """A file the bot does not keep; the message says why and what to send instead."""


def empty() -> UploadRefused:
    return UploadRefused(N_("That file is empty. Check it and send it again."))


_PROGRAM = N_("That file is a program, not a document or a photo, and I do not keep programs. Send the document itself, for example saved as PDF.")
_MACROS = N_("That document carries macros (small programs), and I do not keep programs. Save it as PDF and send it again.")
_WEB_PAGE = N_("That file is a web page or an SVG drawing, which can run code where it is opened, so I do not keep it. Save it as PDF, or send a photo, and send it again.")
_UNREADABLE_IMAGE = N_("I could not open that picture: it may be damaged. Open it on your phone to check it, then send it again, or send it as a photo.")
_UNKNOWN = N_("I could not tell what kind of file that is: it may be damaged. Open it on your phone to check it, then send it again as a PDF or a photo.")

_PROGRAM_SIGNATURES = (
    b"MZ",  # Windows and DOS programs and libraries
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe",  # Mach-O (macOS)
    b"\xca\xfe\xba\xbe",  # a universal Mach-O (or a Java class)
    b"#!",  # a script for a shell or an interpreter
)
_MARKUP = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+(?:html|svg)|html|head|body|script|iframe|svg)\b",
                     re.IGNORECASE | re.DOTALL)


def identify(content: bytes) -> Identified | None:
    """The kind the bytes really are, or None; UploadRefused for programs and web pages.

    PDF readers tolerate junk before ``%PDF-``, but a file that starts with anything else (an
    HTML page quoting ``%PDF-``, say) is not what a phone's scanner or "save as PDF" writes.
    """
    if content.startswith(b"%PDF-"):
        return Identified(Kind.PDF, "pdf")
    if content.startswith(b"\xff\xd8\xff"):
        return Identified(Kind.IMAGE, "jpg")
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return Identified(Kind.IMAGE, "png")
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return Identified(Kind.IMAGE, "webp")
    if content[4:8] == b"ftyp" and content[8:12] in (b"heic", b"heix", b"heif", b"mif1", b"hevc", b"msf1"):
        return Identified(Kind.IMAGE, "heic")
    if content.startswith(b"PK\x03\x04"):
        return _office(content)
    if content.startswith(_PROGRAM_SIGNATURES):
        raise UploadRefused(_PROGRAM)
    if _MARKUP.match(content[:4096].removeprefix(b"\xef\xbb\xbf")):
        raise UploadRefused(_WEB_PAGE)
    return None


def _office(content: bytes) -> Identified | None:
    """A Word or Excel file (Office Open XML), read as the ZIP it is; None for any other ZIP."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UploadRefused(_MACROS)
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return Identified(Kind.WORD, "docx")
    if "xl/workbook.xml" in names:
        return Identified(Kind.SHEET, "xlsx")
    return None


def clean_image(content: bytes) -> tuple[bytes, str]:
    """The picture from its pixels only, and its MIME type: no EXIF, GPS, XMP or comments.

    Turned upright first, since the orientation tag goes with the rest. PNG stays PNG; every
    other image becomes JPEG. OSError or ValueError when Pillow cannot decode it.
    """
    with Image.open(io.BytesIO(content)) as image:
        keep_png = image.format == "PNG"
        upright = ImageOps.exif_transpose(image)
        if keep_png:
            pixels = upright if upright.mode in ("1", "L", "LA", "P", "RGB", "RGBA") else upright.convert("RGBA")
        else:
            pixels = upright if upright.mode in ("L", "RGB") else upright.convert("RGB")
        # Nothing of the original's metadata travels with the pixels (a palette's transparent
        # colour is part of the picture, not about it).
        pixels.info = {key: value for key, value in pixels.info.items() if key == "transparency" and keep_png}
        out = io.BytesIO()
        if keep_png:
            pixels.save(out, format="PNG", optimize=True)
        else:
            pixels.save(out, format="JPEG", quality=88, optimize=True)
    return out.getvalue(), "image/png" if keep_png else "image/jpeg"


def accept(content: bytes, *, allowed: Collection[Kind], wrong_kind: InvalidInput, unknown: InvalidInput | None = None) -> Accepted:
    """The file as the bot keeps it, if the area allows its kind; UploadRefused (or the area's
    `wrong_kind`, or `unknown` for bytes of no kind the bot knows) otherwise.

    Images are decoded and re-encoded here, which takes a moment: call it off the event loop.
    """
    if not content:
        raise empty()
    if len(content) > UPLOAD_LIMIT_BYTES:
        raise UploadRefused(N_("That file is too large: the limit is 20 MB."))
    identified = identify(content)
    if identified is None:
        raise unknown or UploadRefused(_UNKNOWN)
    if identified.kind not in allowed:
        raise wrong_kind
    if identified.kind is Kind.IMAGE:
        try:
            cleaned, mime_type = clean_image(content)
        except (OSError, ValueError, SyntaxError, RuntimeError, Image.DecompressionBombError):  # what decoders raise
            raise UploadRefused(_UNREADABLE_IMAGE) from None
        return Accepted(cleaned, Kind.IMAGE, mime_type)
    return Accepted(content, identified.kind, identified.mime_type)


# --- names -------------------------------------------------------------------------------------------


def label(original_name: str | None) -> str | None:
    """What the sender called the file, fit to show as a label (never as a file name): no
    control, zero-width or bidi characters (a U+202E turns "fdp.exe" into "exe.pdf")."""
    if not original_name:
        return None
    return clean_text(original_name)[:LABEL_MAX] or None


def _slug(text: str, *, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", clean_text(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


def extension_of(mime_type: str, content: bytes | None = None) -> str:
    """The extension of a stored file's real type (read from its bytes when the row's type is
    not one the bot names, as in rows kept before this rule); ``.bin`` when it is none of them,
    so that no computer runs or renders it on a double click."""
    if mime_type in EXTENSIONS:
        return EXTENSIONS[mime_type]
    if content is not None:
        try:
            identified = identify(content)
        except UploadRefused:
            identified = None
        if identified is not None:
            return "." + identified.extension
    return ".bin"


def file_name(area: str, organization: str, *numbers: object, extension: str) -> str:
    """A name the bot makes: ``ruos-callao-mujeres-del-callao-acta-eleccion-17.pdf``."""
    parts = [_slug(area), _slug(organization) or "organization", *(_slug(str(n), limit=60) for n in numbers)]
    return "-".join(part for part in parts if part) + extension


def stored_file_name(stored: StoredFile | ProjectFile, *, organization: str, report_number: int | None = None,
                     content: bytes | None = None, words: Mapping[str, str] | None = None) -> str:
    """The name a kept file goes by wherever the bot shows or sends it: the area, the
    organization, what it belongs to and the file's own number, and its real extension.

    A RUOS page: ``<procedure>-<organization>-<item>-<file>``; a proposal document:
    ``proposal-<organization>-<project>``; report evidence: ``report-<organization>-<project>-
    <report number>-<file>``. `words` puts "proposal" and "report" in the reader's language
    (FILE_AREA_WORDS below).
    """
    words = words or {}
    extension = extension_of(stored.mime_type, content)
    if isinstance(stored, StoredFile):
        return file_name(stored.procedure_code, organization, stored.item_code, stored.id, extension=extension)
    if stored.report_id is None:
        return file_name(words.get("proposal", "proposal"), organization, stored.project_id, extension=extension)
    return file_name(words.get("report", "report"), organization, stored.project_id, report_number or stored.report_id, stored.id, extension=extension)


# The area a kept file belongs to, as the first word of the name the bot gives it
# (bot/core/uploads.stored_file_name): "propuesta-…pdf" for a Spanish reader.
FILE_NAME_CONTEXT = "file name"
FILE_AREA_WORDS = {
    "proposal": PN_("file name", "proposal"),
    "report": PN_("file name", "report"),
}
