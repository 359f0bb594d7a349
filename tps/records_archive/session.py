"""The archive as one refresh uses it: an exclusive lock (a second refresh
refuses at once), the archive opened and checked before anything is written,
and the current cache imported on the first run."""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .store import Archive, ArchiveError, archive_path, open_archive

# Descriptors of the locks this process holds. A forked worker (the refresh's
# parse pool) inherits them, and flock is released only when every copy is
# closed: a worker outliving the refresh would keep the archive locked.
_held: set[int] = set()


def close_inherited_locks() -> None:
    """In a forked worker: drop its copies of the parent's lock descriptors."""
    for descriptor in list(_held):
        with contextlib.suppress(OSError):
            os.close(descriptor)
    _held.clear()


class RefreshBusy(ArchiveError):
    """Another refresh holds the lock."""


@contextmanager
def refresh_lock(path: Path) -> Iterator[None]:
    """`<archive>.lock`, held for the whole refresh (released if the process dies)."""
    lock = Path(f"{path}.lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RefreshBusy(
                f"another feed refresh is running (it holds {lock}); this one "
                "stopped without writing anything: run it again when that one ends"
            ) from None
        _held.add(descriptor)
        yield
    finally:
        _held.discard(descriptor)
        os.close(descriptor)


@contextmanager
def archive_for_refresh(settings, load_cached: Callable[[], dict]) -> Iterator[Archive]:
    """`settings`: social_feeds FeedSettings (`archive`, `cache_dir`);
    `load_cached`: the current cache, imported on the archive's first run.
    Raises ArchiveError (RefreshBusy for a concurrent refresh) before the
    refresh writes anything."""
    path = archive_path(settings.archive, settings.cache_dir)
    with refresh_lock(path):
        archive = open_archive(path, media_root=settings.cache_dir)
        try:
            archive.import_cache(load_cached())
            yield archive
        finally:
            archive.close()
