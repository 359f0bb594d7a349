"""The one shape every feed item and cached feed takes, whatever the platform.

Everything here came from the network and is untrusted: `title`, `summary` and
the profile fields are plain text (templates escape them); `html` has already
been through the sanitizer and is the only field a template may mark safe.
"""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict


class FeedItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    account: str  # the account key, "platform:handle" (see registry.account_key)
    platform: str
    handle: str
    title: str  # plain text
    summary: str  # plain text, trimmed
    html: str = ""  # sanitized HTML
    link: str  # http(s) only
    image: str | None = None  # http(s) thumbnail or photo, as the feed gave it
    # The copy the refresh downloaded, checked and resized, relative to the cache
    # folder (media/<sha256>.jpg). Pages show only this copy, never the remote
    # URL: no visitor's browser ever requests a third-party image (or pixel).
    image_local: str | None = None
    image_alt: str = ""
    # The author's content warning (Mastodon's spoiler_text), plain text:
    # pages show it before the text.
    content_warning: str = ""
    published: AwareDatetime
    updated: AwareDatetime | None = None
    is_video: bool = False


class Profile(BaseModel):
    """What the feed says about the account itself (channel title, bio, link)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    display_name: str = ""
    bio: str = ""
    link: str = ""


class CachedFeed(BaseModel):
    """One account's feed as last fetched: its last good items and fetch state.

    A failed refresh keeps `items`, `profile` and `last_success` as they were and
    only records the attempt (`last_attempt`, `last_status`, `last_error`)."""

    model_config = ConfigDict(extra="forbid")

    account: str
    url: str
    items: list[FeedItem] = []
    profile: Profile = Profile()
    etag: str | None = None
    last_modified: str | None = None
    last_success: AwareDatetime | None = None
    last_attempt: AwareDatetime | None = None
    last_status: int | None = None  # HTTP status of the last attempt, if any
    last_error: str | None = None  # None when the last attempt succeeded

    @property
    def stale(self) -> bool:
        """The last attempt failed: the items shown are the last good ones."""
        return self.last_error is not None

    def age(self, now: dt.datetime) -> dt.timedelta | None:
        """How old the items are: time since the last successful fetch."""
        return now - self.last_success if self.last_success else None
