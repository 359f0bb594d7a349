"""The records archive's commands: `invoke archive-export` and
`invoke archive-prune`. The caller gives the archive's settings (social_feeds'
FeedSettings: `archive`, `cache_dir`, `archive_retention_days`), so this
package imports no other capability."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Protocol, TextIO

from tps.records_archive import ArchiveError, archive_path, open_archive
from tps.records_archive.export import export

log = logging.getLogger(__name__)


class ArchiveSettings(Protocol):
    archive: Path | None
    cache_dir: Path
    archive_retention_days: int | None


def archive_of(settings: ArchiveSettings) -> Path:
    return archive_path(settings.archive, settings.cache_dir)


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
    path: Path,
) -> int:
    """Raises ValueError (bad option) or ArchiveError (no or bad archive)."""
    if ":" not in account:
        raise ValueError(f"--account must be PLATFORM:HANDLE, not {account!r}")
    first, last = _date(since, "--since"), _date(until, "--until")
    if not Path(path).is_file():
        raise ArchiveError(f"{path}: no records archive yet (run `invoke feeds`)")
    archive = open_archive(path, readonly=True)
    try:
        if account not in archive.accounts():
            raise ValueError(f"{path}: no item of {account} in the archive")
        return export(archive, out, account=account, since=first, until=last, fmt=fmt)
    finally:
        archive.close()


def prune(settings: ArchiveSettings, now: dt.datetime | None = None) -> int | None:
    """Remove versions older than `archive_retention_days`; None when no
    retention is set (the archive keeps everything)."""
    if settings.archive_retention_days is None:
        return None
    path = archive_of(settings)
    if not Path(path).is_file():
        raise ArchiveError(f"{path}: no records archive yet (run `invoke feeds`)")
    archive = open_archive(path)
    try:
        return archive.prune(
            settings.archive_retention_days, now or dt.datetime.now(dt.UTC)
        )
    finally:
        archive.close()
