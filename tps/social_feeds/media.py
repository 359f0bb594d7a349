"""Item images, downloaded once by the refresh and served from our own site.

Pages only ever show the local copy, so no visitor's browser requests anything
from a third party (no tracking pixel, no hotlinking). An image is kept only if
Pillow opens it as a raster image (JPEG, PNG, WebP, GIF's first frame; never
SVG); it is re-encoded to a JPEG at most `MAX_WIDTH` wide, which drops its
metadata and anything smuggled after the pixels. Files are content-addressed
by the URL: `media/<sha256 of the URL>.jpg` in the cache folder.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import re
from pathlib import Path

from PIL import Image, ImageOps

from tps.core.files import write_atomic

from .fetch import IMAGE_ACCEPT, Fetcher
from .imagebudget import DecodeBudget, decode_cost
from .models import CachedFeed, FeedItem

log = logging.getLogger(__name__)

MEDIA_DIR = "media"
MAX_WIDTH = 640
MAX_HEIGHT = 1280  # a very tall image is fitted to this too
MAX_PIXELS = 40_000_000  # refuse to decode larger images (decompression bombs)
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
JPEG_QUALITY = 82
# Image downloads in flight at once: their bodies (up to max_bytes each) are
# held in memory until decoded.
IMAGE_CONCURRENCY = 8
_MEDIA_FILE = re.compile(r"^[0-9a-f]{64}\.jpg$")


class ImageRejected(ValueError):
    """The bytes are not an image we will serve; the message says why."""


def media_name(url: str) -> str:
    """`media/<sha256 of the URL>.jpg`, relative to the cache folder."""
    return f"{MEDIA_DIR}/{hashlib.sha256(url.encode('utf-8')).hexdigest()}.jpg"


def to_jpeg(data: bytes) -> bytes:
    """A clean JPEG at most MAX_WIDTH wide from raster image bytes."""
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            # The header's size, before a single pixel is decoded (stricter
            # than Pillow's own MAX_IMAGE_PIXELS check, which only warns first).
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ImageRejected(f"{width}×{height} pixels is too large to decode")
            image.seek(0)  # an animated GIF or WebP: its first frame
            # A JPEG decodes straight at a fraction of its size (DCT scaling).
            image.draft("RGB", (2 * MAX_HEIGHT, 2 * MAX_HEIGHT))
            image.load()
            image = _resizable(image)
            # Shrink before anything else copies the full-size pixels; a box
            # that fits either orientation, as EXIF may still turn the image.
            image.thumbnail((MAX_HEIGHT, MAX_HEIGHT), Image.Resampling.LANCZOS)
            image = ImageOps.exif_transpose(image)
            image = _flatten(image)
            image.thumbnail((MAX_WIDTH, MAX_HEIGHT), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            # No exif= or icc_profile= argument: none of the original's metadata
            # is written.
            image.save(
                out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True
            )
            return out.getvalue()
    except ImageRejected:
        raise
    except Image.DecompressionBombError:
        raise ImageRejected("too many pixels to decode") from None
    except Image.UnidentifiedImageError:
        raise ImageRejected(
            "not a JPEG, PNG, WebP or GIF image (SVG is never accepted)"
        ) from None
    except Exception as error:  # untrusted bytes: any decoder error is a rejection
        raise ImageRejected(
            f"unreadable image ({type(error).__name__}: {error})"
        ) from None


def _resizable(image: Image.Image) -> Image.Image:
    """`image` in a mode Pillow resamples smoothly (it resizes "1" and "P"
    with nearest neighbour), converted at the least cost per pixel."""
    if image.mode == "1":
        return image.convert("L")
    if image.mode not in ("L", "LA", "RGB", "RGBA"):  # P, CMYK, I;16, ...
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency composited over white."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


class MediaStore:
    """Downloads and stores item images for one refresh; each URL once."""

    def __init__(self, cache_dir: Path, fetcher: Fetcher):
        self.cache_dir = Path(cache_dir)
        self.fetcher = fetcher
        self._downloads: dict[str, asyncio.Task[str | None]] = {}
        self._slots = asyncio.Semaphore(IMAGE_CONCURRENCY)
        self.budget = DecodeBudget()

    async def localise(
        self, items: list[FeedItem], feed_url: str
    ) -> tuple[list[FeedItem], int, list[str]]:
        """The items with `image_local` set wherever the image is (now) stored;
        also how many images this call stored and the errors for those it
        could not use. Images come from public hosts on default ports only
        (urlpolicy), or from the feed's own origin (a bridge beside the build
        may serve both)."""
        wanted = {item.image for item in items if item.image}
        results = await asyncio.gather(*(self._stored(url, feed_url) for url in wanted))
        stored_now = sum(1 for _, new, _ in results if new)
        errors = [error for _, _, error in results if error]
        local = {url: name for url, (name, _, _) in zip(wanted, results, strict=True)}
        updated = [
            item.model_copy(update={"image_local": local.get(item.image)})
            if item.image
            else item
            for item in items
        ]
        return updated, stored_now, errors

    async def _stored(
        self, url: str, feed_url: str
    ) -> tuple[str | None, bool, str | None]:
        """(local name or None, stored by this call, error)."""
        name = media_name(url)
        if (self.cache_dir / name).is_file():
            return name, False, None
        if url not in self._downloads:
            self._downloads[url] = asyncio.ensure_future(
                self._download(url, name, feed_url)
            )
        try:
            error = await self._downloads[url]
        except Exception as error:  # a bug must not fail the feed
            log.exception("social_feeds: image %s", url)
            return None, False, f"{url}: {error}"
        return (None, False, error) if error else (name, True, None)

    def cancel(self) -> None:
        """Stop downloads still running (the refresh's deadline has passed)."""
        for task in self._downloads.values():
            task.cancel()

    async def _download(self, url: str, name: str, feed_url: str) -> str | None:
        """Fetch, check, re-encode and store one image; the error, or None."""
        async with self._slots:
            result = await self.fetcher.fetch(
                url, accept=IMAGE_ACCEPT, trusted_origin=feed_url
            )
            if not result.ok:
                return result.error
            body = result.body or b""
            try:
                async with self.budget.reserve(decode_cost(body)):
                    jpeg = await asyncio.to_thread(to_jpeg, body)
            except ImageRejected as error:
                return f"{url}: {error}"
        await asyncio.to_thread(write_atomic, self.cache_dir / name, jpeg)
        return None


def prune(cache_dir: Path) -> list[Path]:
    """Delete stored images that no cached feed refers to any more.

    Does nothing if a cache file cannot be read: its images might be in use."""
    cache_dir = Path(cache_dir)
    media = cache_dir / MEDIA_DIR
    if not media.is_dir():
        return []
    referenced: set[str] = set()
    for path in cache_dir.glob("*/*.json"):
        if path.parent == media:
            continue
        try:
            feed = CachedFeed.model_validate_json(path.read_bytes())
        except (OSError, ValueError) as error:
            log.warning(
                "social_feeds: not pruning images, %s is unreadable: %s", path, error
            )
            return []
        referenced.update(item.image_local for item in feed.items if item.image_local)
    removed = []
    for path in media.iterdir():
        if (
            _MEDIA_FILE.match(path.name)
            and f"{MEDIA_DIR}/{path.name}" not in referenced
        ):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
