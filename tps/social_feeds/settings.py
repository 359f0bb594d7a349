"""`SOCIAL_FEEDS` in pelican.conf.py, merged over these defaults and checked once."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, PositiveFloat, PositiveInt

CACHE_ENV = "TPS_FEED_CACHE"  # the feed cache folder, when settings name none


class FeedSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    cache_dir: Path = Path("feeds/cache")  # relative to the project root
    deadline: PositiveFloat = 60.0  # seconds for the whole refresh
    connect_timeout: PositiveFloat = 5.0
    read_timeout: PositiveFloat = 10.0
    concurrency: PositiveInt = 50  # requests in flight at once
    retries: int = 2  # extra attempts, for timeouts, 5xx and 429 only
    backoff: PositiveFloat = 0.5  # first retry delay; doubles each retry
    max_redirects: int = 5
    max_bytes: PositiveInt = 2_000_000  # per body, after decompression
    per_feed_cap: PositiveInt = 20  # items kept per feed
    user_agent: str = "TPS-website-feeds/1.0 (+https://www.tps.ca/social-media/)"
    home_latest_posts: PositiveInt = 8
    unit_latest_posts: PositiveInt = 5
    # The records archive (tps/records_archive): None is archive.sqlite
    # next to the cache folder (feeds/archive.sqlite); TPS_ARCHIVE overrides.
    archive: Path | None = None
    archive_retention_days: PositiveInt | None = None  # None: keep forever


def feed_settings(settings: dict, root: Path | None = None) -> FeedSettings:
    """The plugin's settings from Pelican's; `cache_dir` made absolute."""
    configured = dict(settings.get("SOCIAL_FEEDS", {}))
    # On the publishing host the cache lives outside the checkout.
    if "cache_dir" not in configured and os.environ.get(CACHE_ENV):
        configured["cache_dir"] = os.environ[CACHE_ENV]
    merged = FeedSettings.model_validate(configured)
    if root is not None:
        for name in ("cache_dir", "archive"):
            value = getattr(merged, name)
            if value is not None and not value.is_absolute():
                merged = merged.model_copy(update={name: root / value})
    return merged


def project_feed_settings(cache: Path | None = None) -> FeedSettings:
    """The project's SOCIAL_FEEDS (pelican.conf.py), `cache` overriding its cache."""
    from pelican.settings import get_settings_from_file

    from tps.core.paths import ROOT, SETTINGS

    settings = feed_settings(get_settings_from_file(str(SETTINGS["public"])), ROOT)
    if cache:
        settings = settings.model_copy(update={"cache_dir": Path(cache).resolve()})
    return settings


def project_archive(settings: FeedSettings | None = None) -> Path:
    """The records archive the project's refresh writes."""
    from tps.records_archive import archive_path

    settings = settings or project_feed_settings()
    return archive_path(settings.archive, settings.cache_dir)
