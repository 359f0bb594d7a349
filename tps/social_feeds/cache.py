"""feeds/cache/: one JSON file per account, written atomically
(content_model.files.write_atomic)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from pydantic import ValidationError

from tps.core.files import write_atomic

from .datewindow import out_of_window
from .models import CachedFeed

log = logging.getLogger(__name__)

REPORT_FILE = "report.json"  # the last refresh's report, for the dashboard


def cache_file(cache_dir: Path, account: str) -> Path:
    """`x:TPS53Div` -> `cache_dir/x/TPS53Div.json` (unsafe characters replaced)."""
    platform, _, handle = account.partition(":")
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", handle).lstrip(".") or "_"
    return Path(cache_dir) / platform / f"{safe}.json"


def load(cache_dir: Path, account: str) -> CachedFeed | None:
    """The cached feed, or None if there is none (or it cannot be read).

    Items whose date is out of the window (a cache written before the window
    was enforced) are left out: no build may meet a date it cannot convert."""
    path = cache_file(cache_dir, account)
    try:
        feed = CachedFeed.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValidationError, ValueError) as error:
        log.warning("social_feeds: ignoring unreadable cache file %s: %s", path, error)
        return None
    usable = []
    for item in feed.items:
        why = out_of_window(item.published, item.platform)
        if why is not None:
            log.warning(
                "social_feeds: %s: ignoring cached item %r: %s", path, item.id, why
            )
            continue
        if item.updated is not None and out_of_window(item.updated, item.platform):
            item = item.model_copy(update={"updated": None})
        usable.append(item)
    if usable != feed.items:
        feed.items = usable
    return feed


def load_all(cache_dir: Path, accounts: list[str]) -> dict[str, CachedFeed]:
    """Every account's cached feed that exists, keyed by account."""
    found = {account: load(cache_dir, account) for account in accounts}
    return {account: feed for account, feed in found.items() if feed is not None}


def save(cache_dir: Path, feed: CachedFeed) -> Path:
    path = cache_file(cache_dir, feed.account)
    write_atomic(path, feed.model_dump_json(indent=1).encode("utf-8") + b"\n")
    return path
