"""What templates see of the cached feeds: items with their account, times
relative to the build, and only local copies of images."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .models import CachedFeed, FeedItem
from .normalise import SERVICE_ZONE
from .registry import FeedAccount

log = logging.getLogger(__name__)

# The only shape of `image_local` the plugin trusts: a file it can copy without
# ever leaving the cache's media folder.
LOCAL_IMAGE = re.compile(r"media/(?P<name>[0-9a-f]{64}\.jpg)")
OUTPUT_MEDIA = "media/feeds"  # where shown images are copied, under the site


def relative_time(then: dt.datetime, now: dt.datetime) -> str:
    """ "3 hours ago", as a person would say it; "just now" under a minute."""
    seconds = max(0, int((now - then).total_seconds()))
    for unit, size in (
        ("year", 365 * 86400),
        ("month", 30 * 86400),
        ("week", 7 * 86400),
        ("day", 86400),
        ("hour", 3600),
        ("minute", 60),
    ):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"


def duration(age: dt.timedelta) -> str:
    """An age in words: "3 hours", "2 days"; under a minute (or negative,
    from a clock behind the refresh's) is "under a minute"."""
    start = dt.datetime(2000, 1, 1)
    words = relative_time(start, start + age)
    return "under a minute" if words == "just now" else words.removesuffix(" ago")


def local_date(value: dt.datetime) -> str:
    """ "November 24, 2026, 9:05 a.m." in Toronto time (in the date's own
    zone if it is too close to year 1 or 9999 to convert)."""
    try:
        local = value.astimezone(SERVICE_ZONE)
    except (OverflowError, ValueError):
        local = value
    hour = local.hour % 12 or 12
    suffix = "a.m." if local.hour < 12 else "p.m."
    return f"{local:%B} {local.day}, {local.year}, {hour}:{local:%M} {suffix}"


@dataclass(frozen=True)
class LocalImage:
    source: Path  # in the cache
    url: str  # relative to the site root
    width: int
    height: int


@dataclass(frozen=True)
class ShownItem:
    """A feed item as pages show it."""

    item: FeedItem
    account: FeedAccount
    platform_name: str
    stale: bool  # its feed failed on the last refresh
    feed_age: str  # how old the cached items are, in words ("" if unknown)
    when: str  # "3 hours ago" at build time
    date_text: str  # the absolute date, Toronto time
    image: LocalImage | None
    pinned: bool = False  # governance: reviewed to stay first (moderation.yaml)

    def __getattr__(self, name: str):  # templates read item fields directly
        if name.startswith("_") or name == "item":
            raise AttributeError(name)
        return getattr(self.item, name)

    @property
    def owner(self) -> str:
        return self.account.member or self.account.unit_name

    @property
    def iso(self) -> str:
        return self.item.published.astimezone(SERVICE_ZONE).isoformat()

    @property
    def text(self) -> str:
        """The summary without the title it may start with (a title derived
        from a post's own text), or "" when it says nothing more."""
        summary, title = self.item.summary, self.item.title
        # A derived title is a first sentence or the text cut short; a real
        # title ("Youth basketball night") may also start the text, and stays.
        if title[-1:] in {".", "!", "?", "…"} and summary.startswith(
            title.removesuffix("…")
        ):
            summary = summary[len(title.removesuffix("…")) :].lstrip(" .:-–—")
        return summary


@dataclass
class AccountState:
    """One account with a feed: what the cache holds for it."""

    account: FeedAccount
    platform_name: str
    feed: CachedFeed | None
    items: list[ShownItem] = field(default_factory=list)
    feed_age: str = ""

    @property
    def stale(self) -> bool:
        return self.feed is not None and self.feed.stale

    @property
    def cached(self) -> bool:
        return self.feed is not None

    @property
    def last_post(self) -> ShownItem | None:
        return self.items[0] if self.items else None


def local_image(item: FeedItem, cache_dir: Path, known: dict) -> LocalImage | None:
    """The cached, re-encoded copy of the item's image, if there is a good one.
    Never the remote URL: pages must not make a visitor's browser call out."""
    if not item.image_local:
        return None
    match = LOCAL_IMAGE.fullmatch(item.image_local)
    if match is None:
        log.warning(
            "social_feeds: %s: ignoring image_local %r (not media/<sha256>.jpg)",
            item.account,
            item.image_local,
        )
        return None
    name = match.group("name")
    if name not in known:
        known[name] = _measure(cache_dir / "media" / name)
    size = known[name]
    if size is None:
        return None
    return LocalImage(cache_dir / "media" / name, f"{OUTPUT_MEDIA}/{name}", *size)


def _measure(path: Path) -> tuple[int, int] | None:
    try:
        with Image.open(path) as image:
            if image.format != "JPEG":
                raise UnidentifiedImageError(f"{image.format}, not JPEG")
            return image.size
    except FileNotFoundError:
        return None  # not downloaded (yet): the item shows without its picture
    except (OSError, UnidentifiedImageError) as error:
        log.warning("social_feeds: ignoring unreadable image %s: %s", path, error)
        return None


def build_view(
    accounts: list[FeedAccount],
    feeds: dict[str, CachedFeed],
    *,
    cache_dir: Path,
    now: dt.datetime,
    platform_names: dict[str, str],
) -> list[AccountState]:
    """Every account with a feed, with its cached items ready for templates."""
    known: dict[str, tuple[int, int] | None] = {}
    states = []
    for account in accounts:
        feed = feeds.get(account.key)
        name = platform_names.get(account.platform, account.platform.title())
        state = AccountState(account, name, feed)
        if feed is not None:
            age = feed.age(now)
            state.feed_age = duration(age) if age is not None else ""
            state.items = [
                ShownItem(
                    item=item,
                    account=account,
                    platform_name=name,
                    stale=feed.stale,
                    feed_age=state.feed_age,
                    when=relative_time(item.published, now),
                    date_text=local_date(item.published),
                    image=local_image(item, cache_dir, known),
                )
                for item in sorted(feed.items, key=lambda i: i.published, reverse=True)
            ]
        states.append(state)
    return states
