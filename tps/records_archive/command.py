"""The records archive with the project's settings: `invoke archive-export`,
`invoke archive-prune`, and the decisions recorded after each refresh."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import TextIO

from pelican.settings import get_settings_from_file

from tps.core.paths import CONTENT, ROOT, SETTINGS
from tps.records_archive import ArchiveError, archive_path, open_archive
from tps.records_archive.export import export
from tps.social_feeds.settings import FeedSettings, feed_settings

log = logging.getLogger(__name__)


def project_feed_settings(cache: Path | None = None) -> FeedSettings:
    settings = feed_settings(get_settings_from_file(str(SETTINGS["public"])), ROOT)
    if cache:
        settings = settings.model_copy(update={"cache_dir": Path(cache).resolve()})
    return settings


def project_archive(settings: FeedSettings | None = None) -> Path:
    settings = settings or project_feed_settings()
    return archive_path(settings.archive, settings.cache_dir)


def record_decisions(
    content: Path = CONTENT, settings: FeedSettings | None = None
) -> int:
    """The reviewed decisions of moderation.yaml into the archive (each once)."""
    from tps.governance.moderation import MODERATION, load_decisions

    decisions, problems = load_decisions(content / "governance" / MODERATION, ROOT)
    if problems:
        raise ArchiveError("; ".join(str(p) for p in problems))
    settings = settings or project_feed_settings()
    archive = open_archive(project_archive(settings), media_root=settings.cache_dir)
    try:
        return archive.record_decisions(decisions.entries, dt.datetime.now(dt.UTC))
    finally:
        archive.close()


def _date(value: str | None, option: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option} must be a date YYYY-MM-DD, not {value!r}") from None


def export_account(
    account: str,
    out: TextIO,
    *,
    since: str | None = None,
    until: str | None = None,
    fmt: str = "csv",
    path: Path | None = None,
) -> int:
    """Raises ValueError (bad option) or ArchiveError (no or bad archive)."""
    if ":" not in account:
        raise ValueError(f"--account must be PLATFORM:HANDLE, not {account!r}")
    first, last = _date(since, "--since"), _date(until, "--until")
    path = path or project_archive()
    if not Path(path).is_file():
        raise ArchiveError(f"{path}: no records archive yet (run `invoke feeds`)")
    archive = open_archive(path, readonly=True)
    try:
        if account not in archive.accounts():
            raise ValueError(f"{path}: no item of {account} in the archive")
        return export(archive, out, account=account, since=first, until=last, fmt=fmt)
    finally:
        archive.close()


def prune(
    settings: FeedSettings | None = None, now: dt.datetime | None = None
) -> int | None:
    """Remove versions older than `archive_retention_days`; None when no
    retention is set (the archive keeps everything)."""
    settings = settings or project_feed_settings()
    if settings.archive_retention_days is None:
        return None
    path = project_archive(settings)
    if not Path(path).is_file():
        raise ArchiveError(f"{path}: no records archive yet (run `invoke feeds`)")
    archive = open_archive(path)
    try:
        return archive.prune(
            settings.archive_retention_days, now or dt.datetime.now(dt.UTC)
        )
    finally:
        archive.close()
