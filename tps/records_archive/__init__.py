"""The records archive (issue 14): every version of every feed item ever
fetched, with deletions upstream and moderation decisions, in SQLite.

The refresh writes it (social_feeds.refresh); `invoke archive-export` and
`invoke archive-prune` read and prune it; the internal build reads it for the
dashboard's weekly history and the per-account archive pages. The public site
never reads it."""

from .store import Archive, ArchiveError, archive_path, open_archive

__all__ = ["Archive", "ArchiveError", "archive_path", "open_archive"]
