"""The reviewed moderation decisions into the records archive, after each
refresh (tps/site/feeds.py), so the record says who hid or held what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tps.core.paths import CONTENT, ROOT
from tps.records_archive import ArchiveError, open_archive
from tps.social_feeds.settings import (
    FeedSettings,
    project_archive,
    project_feed_settings,
)

from .moderation import MODERATION, load_decisions


def record_decisions(
    content: Path = CONTENT, settings: FeedSettings | None = None
) -> int:
    """The reviewed decisions of moderation.yaml into the archive (each once)."""
    decisions, problems = load_decisions(content / "governance" / MODERATION, ROOT)
    if problems:
        raise ArchiveError("; ".join(str(p) for p in problems))
    settings = settings or project_feed_settings()
    archive = open_archive(project_archive(settings), media_root=settings.cache_dir)
    try:
        return archive.record_decisions(decisions.entries, dt.datetime.now(dt.UTC))
    finally:
        archive.close()
