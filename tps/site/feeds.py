"""`invoke feeds` (and the refresh of `invoke build --refresh-feeds` and
`invoke publish`): the feed refresh, then the reviewed moderation decisions
into the records archive, so the record says who hid or held what."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from tps.core.paths import CONTENT
from tps.governance.records import record_decisions
from tps.records_archive import ArchiveError
from tps.social_feeds.command import FeedsError, refresh_feeds, refresh_settings
from tps.social_feeds.report import RefreshReport

__all__ = ["FeedsError", "refresh_and_record"]


def refresh_and_record(
    content: Path = CONTENT,
    *,
    cache: Path | None = None,
    deadline: float | None = None,
) -> RefreshReport:
    try:
        settings = refresh_settings(cache, deadline)
    except ValidationError as error:
        raise FeedsError(str(error)) from error
    report = refresh_feeds(content, settings=settings)
    try:
        record_decisions(Path(content), settings)
    except (ArchiveError, OSError) as error:
        raise FeedsError(str(error)) from error
    return report
