"""Every image the build publishes carries no EXIF, GPS, XMP, IPTC or text
metadata (an editor's phone photo says where it was taken).

After the build, each JPEG, PNG and WebP in the output is rewritten without
its metadata segments or chunks: losslessly (the pixels are not re-encoded),
except a JPEG whose EXIF rotates it, which Pillow turns upright and saves
without metadata. A file is replaced (never written through: it may be a hard
link into the previous build or the feed cache) only when something changed."""

from __future__ import annotations

import io
import os
import struct
import tempfile
from pathlib import Path

from pelican import signals

from tps.core.problems import Problem, relative

SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
# JPEG: every APPn segment (EXIF and XMP are APP1, IPTC APP13; the ICC
# profile in APP2 goes too) but APP0 (JFIF) and APP14 (Adobe colour
# transform, needed to decode CMYK), and COM comments.
_JPEG_KEEP_APP = {0xE0, 0xEE}
_PNG_DROP = {b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"}
_WEBP_DROP = {b"EXIF", b"XMP "}


class ImageError(ValueError):
    pass


def strip_jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ImageError("not a JPEG")
    out, i = [data[:2]], 2
    while i < len(data):
        if data[i] != 0xFF:
            raise ImageError(f"bad JPEG marker at byte {i}")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            out.append(data[i : i + 2])
            i += 2
            continue
        if marker == 0xDA:  # start of scan: the rest is image data
            out.append(data[i:])
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        segment = data[i : i + 2 + length]
        if not (
            (0xE0 <= marker <= 0xEF and marker not in _JPEG_KEEP_APP) or marker == 0xFE
        ):
            out.append(segment)
        i += 2 + length
    return b"".join(out)


def strip_png(data: bytes) -> bytes:
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ImageError("not a PNG")
    out, i = [data[:8]], 8
    while i + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[i : i + 8])
        chunk = data[i : i + 12 + length]
        if kind not in _PNG_DROP:
            out.append(chunk)
        i += 12 + length
        if kind == b"IEND":
            break
    return b"".join(out)


def strip_webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ImageError("not a WebP")
    chunks, i = [], 12
    while i + 8 <= len(data):
        kind, length = struct.unpack("<4sI", data[i : i + 8])
        chunk = data[i : i + 8 + length + (length & 1)]
        if kind == b"VP8X":  # clear the EXIF and XMP flags
            flags = chunk[8] & ~0x0C
            chunk = chunk[:8] + bytes([flags]) + chunk[9:]
        if kind not in _WEBP_DROP:
            chunks.append(chunk)
        i += 8 + length + (length & 1)
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _rotated_jpeg(data: bytes) -> bytes | None:
    """Upright and metadata-free, if the EXIF orientation turns the image."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        if image.getexif().get(0x0112, 1) in (1, None):
            return None
        upright = ImageOps.exif_transpose(image)
        buffer = io.BytesIO()
        upright.save(buffer, "JPEG", quality=92)  # no exif=: none is written
        return buffer.getvalue()


def strip(path: Path, data: bytes) -> bytes:
    """``data`` without its metadata; ImageError if it cannot be parsed."""
    suffix = path.suffix.lower()
    try:
        if suffix in (".jpg", ".jpeg"):
            return _rotated_jpeg(data) or strip_jpeg(data)
        if suffix == ".png":
            return strip_png(data)
        return strip_webp(data)
    except ImageError:
        raise
    except Exception as error:  # truncated segments, Pillow's own errors
        raise ImageError(f"{type(error).__name__}: {error}") from None


def tree_problems(content: Path, root: Path) -> list[Problem]:
    """Every image under ``content`` that cannot be parsed: the build strips
    every image's metadata, so each must parse (tps.site.validation runs this)."""
    problems = []
    for path in sorted(content.rglob("*")):
        if path.suffix.lower() in SUFFIXES and path.is_file() and not path.is_symlink():
            try:
                strip(path, path.read_bytes())
            except (ImageError, OSError, ValueError) as error:
                problems.append(
                    Problem(
                        relative(path, root), 0, "", f"is not a readable image: {error}"
                    )
                )
    return problems


def strip_tree(output: Path) -> list[str]:
    """Strip every image under ``output``; the relative paths changed."""
    changed = []
    for path in sorted(Path(output).rglob("*")):
        if path.suffix.lower() not in SUFFIXES or not path.is_file():
            continue
        data = path.read_bytes()
        try:
            clean = strip(path, data)
        except (ImageError, OSError) as error:
            raise ImageError(
                f"{path.relative_to(output)}: cannot read this image: {error}"
            ) from None
        if clean == data:
            continue
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".strip-")
        with os.fdopen(handle, "wb") as out:
            out.write(clean)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
        changed.append(path.relative_to(output).as_posix())
    return changed


def _finalized(pelican) -> None:
    strip_tree(Path(pelican.output_path))


def register() -> None:
    signals.finalized.connect(_finalized)
