"""Refresh every unit account's feed with the project's settings: used by
`invoke feeds`, `invoke build --refresh-feeds` and `invoke publish`."""

from __future__ import annotations

from pathlib import Path

from pelican.settings import get_settings_from_file
from pydantic import ValidationError

from tps.core.paths import CONTENT, ROOT, SETTINGS
from tps.core.problems import ContentError
from tps.records_archive import ArchiveError
from tps.social_feeds.refresh import RefreshError, refresh
from tps.social_feeds.registry import feed_accounts
from tps.social_feeds.report import RefreshReport
from tps.social_feeds.settings import FeedSettings, feed_settings


class FeedsError(Exception):
    """The refresh as a whole could not run (one feed failing is not this)."""


def settings_for_cache(cache: Path) -> dict:
    """Extra Pelican settings that point a build at another feed cache, keeping
    the rest of the project's SOCIAL_FEEDS (an override replaces the whole dict)."""
    configured = get_settings_from_file(str(SETTINGS["public"])).get("SOCIAL_FEEDS", {})
    return {"SOCIAL_FEEDS": {**configured, "cache_dir": str(Path(cache).resolve())}}


def refresh_settings(
    cache: Path | None = None, deadline: float | None = None
) -> FeedSettings:
    """The project's SOCIAL_FEEDS with this run's overrides."""
    settings = feed_settings(get_settings_from_file(str(SETTINGS["public"])), ROOT)
    overrides = {"deadline": deadline, "cache_dir": cache and Path(cache).resolve()}
    return FeedSettings.model_validate(
        settings.model_dump() | {k: v for k, v in overrides.items() if v}
    )


def refresh_feeds(
    content: Path = CONTENT,
    *,
    cache: Path | None = None,
    deadline: float | None = None,
    settings: FeedSettings | None = None,
) -> RefreshReport:
    """The refresh alone; tps/site/feeds.py adds what the project does after
    it (the moderation decisions into the records archive)."""
    try:
        settings = settings or refresh_settings(cache, deadline)
        return refresh(feed_accounts(Path(content)), settings)
    except (
        ContentError,
        RefreshError,
        ValidationError,
        OSError,
        ArchiveError,
    ) as error:
        raise FeedsError(str(error)) from error
