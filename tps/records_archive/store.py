"""feeds/archive.sqlite: append-only SQLite (WAL) of every item version.

Tables: `versions` (one row per distinct normalised content of an item),
`events` (deleted / restored upstream), `media` (an item's image, its local
copy and that copy's SHA-256), `moderation` (reviewed decisions with their
reviewer), `alerts` (every `invoke alert` publish, clear and expiry), `prunes`
(every archive-prune). Triggers refuse any UPDATE, and any
DELETE except inside archive-prune (which marks itself in `pruning`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tps.core import clock

log = logging.getLogger(__name__)

ENV = "TPS_ARCHIVE"
DEFAULT_NAME = "archive.sqlite"  # next to the feed cache folder: feeds/archive.sqlite
BUSY_SECONDS = 5.0
TABLES = ("versions", "events", "media", "moderation", "alerts", "prunes")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    platform TEXT NOT NULL,
    item_id TEXT NOT NULL,
    permalink TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    html TEXT NOT NULL,
    image TEXT,
    image_alt TEXT NOT NULL DEFAULT '',
    is_video INTEGER NOT NULL DEFAULT 0,
    published TEXT NOT NULL,
    fetched TEXT NOT NULL,
    sha256 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_item ON versions (account, item_id, id);
CREATE INDEX IF NOT EXISTS versions_fetched ON versions (fetched);
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    item_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('deleted', 'restored')),
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_item ON events (account, item_id, id);
CREATE TABLE IF NOT EXISTS media (
    account TEXT NOT NULL,
    item_id TEXT NOT NULL,
    url TEXT NOT NULL,
    local TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    recorded TEXT NOT NULL,
    UNIQUE (account, item_id, url, sha256)
);
CREATE TABLE IF NOT EXISTS moderation (
    permalink TEXT NOT NULL,
    action TEXT NOT NULL,
    reason TEXT NOT NULL,
    reviewed_by TEXT NOT NULL,
    until TEXT NOT NULL DEFAULT '',
    recorded TEXT NOT NULL,
    UNIQUE (permalink, action, reason, reviewed_by, until)
);
CREATE TABLE IF NOT EXISTS alerts (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    by TEXT NOT NULL,
    target TEXT NOT NULL,
    entry TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS prunes (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    retention_days INTEGER NOT NULL,
    cutoff TEXT NOT NULL,
    versions_removed INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pruning (active INTEGER NOT NULL);
"""


def _triggers() -> str:
    out = []
    for table in TABLES:
        out.append(
            f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
BEGIN SELECT RAISE(ABORT, 'the records archive is append-only'); END;
CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
WHEN NOT EXISTS (SELECT 1 FROM pruning)
BEGIN SELECT RAISE(ABORT, 'the records archive is append-only (only archive-prune removes versions)'); END;"""
        )
    return "\n".join(out)


class ArchiveError(Exception):
    """The archive cannot be opened or written: the refresh stops."""


def archive_path(configured: Path | str | None, cache_dir: Path) -> Path:
    """`TPS_ARCHIVE` if set, else the setting, else next to a cache folder
    named `cache` (feeds/cache -> feeds/archive.sqlite), else inside the cache
    folder: two caches in one temporary folder never share an archive."""
    if os.environ.get(ENV):
        return Path(os.environ[ENV])
    if configured:
        return Path(configured)
    cache_dir = Path(cache_dir)
    if cache_dir.name == "cache":
        return cache_dir.parent / DEFAULT_NAME
    return cache_dir / DEFAULT_NAME


def content_sha256(item) -> str:
    """SHA-256 of the normalised content: what an edit upstream changes (the
    local image copy and the `updated` stamp are not content)."""
    data = {
        "title": item.title,
        "summary": item.summary,
        "html": item.html,
        "link": item.link,
        "image": item.image,
        "image_alt": item.image_alt,
        "is_video": item.is_video,
        "published": item.published.astimezone(dt.UTC).isoformat(),
    }
    return hashlib.sha256(
        json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
    ).hexdigest()


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


@dataclass(frozen=True)
class Version:
    id: int
    account: str
    platform: str
    item_id: str
    permalink: str
    title: str
    text: str
    html: str
    image: str | None
    image_alt: str
    is_video: bool
    published: dt.datetime
    fetched: dt.datetime
    sha256: str
    number: int  # 1 for the first version of the item
    deleted: dt.datetime | None  # the item's deletion upstream (if it stays deleted)
    media: tuple[dict, ...] = ()
    moderation: tuple[dict, ...] = ()


class Archive:
    def __init__(self, connection: sqlite3.Connection, path: Path | None):
        self.db = connection
        self.path = path

    # Writing

    def record(self, account, items: Iterable, fetched: dt.datetime) -> dict:
        """Record one successful fetch of `account` (social_feeds FeedAccount
        or key): new versions for new or changed items, deletions for items no
        longer returned while the feed still returns items as old or older.
        Returns counts {"versions", "deleted", "restored"}."""
        key = getattr(account, "key", account)
        items = list(items)
        counts = {"versions": 0, "deleted": 0, "restored": 0}
        with self._write():
            live = self._latest(key)
            returned = {item.id for item in items}
            for item in items:
                digest = content_sha256(item)
                known = live.get(item.id)
                if known is None or known["sha256"] != digest:
                    self._insert_version(key, item, fetched, digest)
                    counts["versions"] += 1
                if known is not None and known["deleted"]:
                    self._event(key, item.id, "restored", fetched)
                    counts["restored"] += 1
                if item.image_local:
                    self._media(key, item, fetched)
            if items:
                oldest = min(_iso(item.published) for item in items)
                for item_id, known in live.items():
                    if (
                        item_id not in returned
                        and not known["deleted"]
                        and known["published"] >= oldest
                    ):
                        self._event(key, item_id, "deleted", fetched)
                        counts["deleted"] += 1
        return counts

    def record_media(self, account, items: Iterable, at: dt.datetime) -> None:
        """The local copies of images downloaded after the items were recorded."""
        key = getattr(account, "key", account)
        with self._write():
            for item in items:
                if item.image_local:
                    self._media(key, item, at)

    def record_decisions(self, decisions: Iterable, at: dt.datetime) -> int:
        """governance.moderation Decisions; each distinct one is kept once."""
        added = 0
        with self._write():
            for d in decisions:
                until = d.until.isoformat() if d.until else ""
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO moderation VALUES (?, ?, ?, ?, ?, ?)",
                    (d.item, d.action, d.reason, d.reviewed_by, until, _iso(at)),
                )
                added += cursor.rowcount
        return added

    def record_alert(self, entry: dict, target: str) -> None:
        """One `invoke alert` change (its log.jsonl entry) on a target."""
        with self._write():
            self.db.execute(
                "INSERT INTO alerts (at, action, by, target, entry) VALUES (?, ?, ?, ?, ?)",
                (
                    entry["at"],
                    entry["action"],
                    entry["by"],
                    target,
                    json.dumps(entry, ensure_ascii=False, sort_keys=True),
                ),
            )

    def alert_changes(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT target, entry FROM alerts ORDER BY id"
        ).fetchall()
        return [{**json.loads(entry), "target": target} for target, entry in rows]

    def import_cache(self, feeds: dict) -> int:
        """First run: every cached item as a version, fetched at its feed's
        last success. Runs once per archive."""
        if self.db.execute("SELECT 1 FROM meta WHERE key = 'imported'").fetchone():
            return 0
        added = 0
        with self._write():
            for key, feed in sorted(feeds.items()):
                fetched = feed.last_success or feed.last_attempt or clock.now()
                live = self._latest(key)
                for item in feed.items:
                    digest = content_sha256(item)
                    known = live.get(item.id)
                    if known is None or known["sha256"] != digest:
                        self._insert_version(key, item, fetched, digest)
                        added += 1
                    if item.image_local:
                        self._media(key, item, fetched)
            self.db.execute(
                "INSERT INTO meta VALUES ('imported', ?)",
                (_iso(clock.now()),),
            )
        return added

    def prune(self, retention_days: int, now: dt.datetime) -> int:
        """Remove versions fetched before now - retention_days; logged in
        `prunes` (and the log). Events and media of items left with no version
        go too."""
        cutoff = _iso(now - dt.timedelta(days=retention_days))
        with self._write():
            self.db.execute("INSERT INTO pruning VALUES (1)")
            removed = self.db.execute(
                "DELETE FROM versions WHERE fetched < ?", (cutoff,)
            ).rowcount
            for table in ("events", "media"):
                self.db.execute(
                    f"DELETE FROM {table} WHERE NOT EXISTS (SELECT 1 FROM versions v"
                    f" WHERE v.account = {table}.account AND v.item_id = {table}.item_id)"
                )
            self.db.execute("DELETE FROM pruning")
            self.db.execute(
                "INSERT INTO prunes (at, retention_days, cutoff, versions_removed)"
                " VALUES (?, ?, ?, ?)",
                (_iso(now), retention_days, cutoff, removed),
            )
        log.info(
            "records archive: pruned %d version(s) fetched before %s (retention %d days)",
            removed,
            cutoff,
            retention_days,
        )
        return removed

    def _insert_version(self, key: str, item, fetched: dt.datetime, digest: str):
        self.db.execute(
            "INSERT INTO versions (account, platform, item_id, permalink, title, text,"
            " html, image, image_alt, is_video, published, fetched, sha256)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                item.platform,
                item.id,
                item.link,
                item.title,
                item.summary,
                item.html,
                item.image,
                item.image_alt,
                int(item.is_video),
                _iso(item.published),
                _iso(fetched),
                digest,
            ),
        )

    def _event(self, key: str, item_id: str, kind: str, at: dt.datetime) -> None:
        self.db.execute(
            "INSERT INTO events (account, item_id, kind, at) VALUES (?, ?, ?, ?)",
            (key, item_id, kind, _iso(at)),
        )

    def _media(self, key: str, item, at: dt.datetime) -> None:
        local = item.image_local
        cache_file = self.media_root / local if self.media_root else None
        try:
            digest = hashlib.sha256(cache_file.read_bytes()).hexdigest()
        except (OSError, AttributeError):
            return
        self.db.execute(
            "INSERT OR IGNORE INTO media VALUES (?, ?, ?, ?, ?, ?)",
            (key, item.id, item.image or "", local, digest, _iso(at)),
        )

    media_root: Path | None = None  # the feed cache folder the local copies are in

    @contextmanager
    def _write(self) -> Iterator[None]:
        try:
            with self.db:
                yield
        except sqlite3.Error as error:
            raise ArchiveError(f"{self.path or 'archive'}: {error}") from error

    # Reading

    def _latest(self, key: str) -> dict[str, dict]:
        """item id -> its newest version's sha256 and published, and whether
        it is deleted now."""
        rows = self.db.execute(
            "SELECT item_id, sha256, published FROM versions WHERE id IN"
            " (SELECT max(id) FROM versions WHERE account = ? GROUP BY item_id)",
            (key,),
        ).fetchall()
        state = {
            r[0]: {"sha256": r[1], "published": r[2], "deleted": False} for r in rows
        }
        for item_id, kind in self.db.execute(
            "SELECT item_id, kind FROM events WHERE id IN"
            " (SELECT max(id) FROM events WHERE account = ? GROUP BY item_id)",
            (key,),
        ):
            if item_id in state:
                state[item_id]["deleted"] = kind == "deleted"
        return state

    def item_dates(self) -> list[tuple[str, str, dt.datetime, dt.datetime | None]]:
        """(account, item id, published, deleted) of every item ever fetched,
        from its newest version: what the weekly history counts."""
        deleted = {
            (a, i): dt.datetime.fromisoformat(at)
            for a, i, kind, at in self.db.execute(
                "SELECT account, item_id, kind, at FROM events WHERE id IN"
                " (SELECT max(id) FROM events GROUP BY account, item_id)"
            )
            if kind == "deleted"
        }
        return [
            (a, i, dt.datetime.fromisoformat(p), deleted.get((a, i)))
            for a, i, p in self.db.execute(
                "SELECT account, item_id, published FROM versions WHERE id IN"
                " (SELECT max(id) FROM versions GROUP BY account, item_id)"
            )
        ]

    def first_fetched(self) -> dict[tuple[str, str], dt.datetime]:
        """(account, item id) -> when the item was first fetched."""
        return {
            (a, i): dt.datetime.fromisoformat(at)
            for a, i, at in self.db.execute(
                "SELECT account, item_id, min(fetched) FROM versions GROUP BY 1, 2"
            )
        }

    def accounts(self) -> list[str]:
        return [
            r[0]
            for r in self.db.execute("SELECT DISTINCT account FROM versions ORDER BY 1")
        ]

    def versions(
        self,
        account: str | None = None,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[Version]:
        """Every version (oldest first per item, items newest first), with the
        item's deletion and the decisions about its permalink. `since`/`until`
        filter on the publication date (inclusive)."""
        where, args = [], []
        if account:
            where.append("account = ?")
            args.append(account)
        if since:
            where.append("published >= ?")
            args.append(_iso(dt.datetime.combine(since, dt.time(), dt.UTC)))
        if until:
            where.append("published < ?")
            args.append(
                _iso(
                    dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), dt.UTC)
                )
            )
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        rows = self.db.execute(
            "SELECT id, account, platform, item_id, permalink, title, text, html, image,"
            " image_alt, is_video, published, fetched, sha256,"
            " row_number() OVER (PARTITION BY account, item_id ORDER BY id)"
            f" FROM versions {clause} ORDER BY published DESC, account, item_id, id",
            args,
        ).fetchall()
        deleted = {
            (a, i): at
            for a, i, kind, at in self.db.execute(
                "SELECT account, item_id, kind, at FROM events WHERE id IN"
                " (SELECT max(id) FROM events GROUP BY account, item_id)"
            )
            if kind == "deleted"
        }
        media: dict[tuple[str, str], list[dict]] = {}
        for a, i, url, local, digest in self.db.execute(
            "SELECT account, item_id, url, local, sha256 FROM media ORDER BY recorded"
        ):
            media.setdefault((a, i), []).append(
                {"url": url, "local": local, "sha256": digest}
            )
        decisions: dict[str, list[dict]] = {}
        for link, action, reason, reviewer, until_, recorded in self.db.execute(
            "SELECT * FROM moderation ORDER BY recorded"
        ):
            decisions.setdefault(link, []).append(
                {
                    "action": action,
                    "reason": reason,
                    "reviewed_by": reviewer,
                    "until": until_,
                    "recorded": recorded,
                }
            )
        out = []
        for r in rows:
            item = (r[1], r[3])
            gone = deleted.get(item)
            out.append(
                Version(
                    id=r[0],
                    account=r[1],
                    platform=r[2],
                    item_id=r[3],
                    permalink=r[4],
                    title=r[5],
                    text=r[6],
                    html=r[7],
                    image=r[8],
                    image_alt=r[9],
                    is_video=bool(r[10]),
                    published=dt.datetime.fromisoformat(r[11]),
                    fetched=dt.datetime.fromisoformat(r[12]),
                    sha256=r[13],
                    number=r[14],
                    deleted=dt.datetime.fromisoformat(gone) if gone else None,
                    media=tuple(
                        m for m in media.get(item, []) if not r[8] or m["url"] == r[8]
                    ),
                    moderation=tuple(decisions.get(r[4], [])),
                )
            )
        return out

    def count(self, table: str = "versions") -> int:
        assert table in TABLES
        return self.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def close(self) -> None:
        self.db.close()


def open_archive(
    path: Path | None, *, media_root: Path | None = None, readonly: bool = False
) -> Archive:
    """Open (or create) the archive, WAL mode, schema checked; a corrupt,
    unreadable or locked file raises ArchiveError naming it. `path=None`: a
    throw-away archive in memory."""
    where = str(path) if path else ":memory:"
    try:
        if path is not None and readonly:
            connection = sqlite3.connect(
                f"file:{path}?mode=ro",
                uri=True,
                timeout=BUSY_SECONDS,
                check_same_thread=False,
            )
        else:
            if path is not None:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                where, timeout=BUSY_SECONDS, check_same_thread=False
            )
        connection.execute("PRAGMA foreign_keys = ON")
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"integrity check failed: {check}")
        if not readonly:
            if path is not None:
                mode = connection.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if mode.lower() != "wal":
                    raise sqlite3.OperationalError(f"cannot use WAL mode (got {mode})")
                connection.execute("PRAGMA synchronous = NORMAL")
            # Take the write lock once now: a locked archive stops here, before
            # the refresh has written anything.
            connection.execute("BEGIN IMMEDIATE")
            connection.executescript(SCHEMA + _triggers())  # commits
    except sqlite3.Error as error:
        kind = (
            "locked by another process"
            if "locked" in str(error)
            else "corrupt or not a records archive"
        )
        raise ArchiveError(
            f"{where}: the records archive is {kind} ({error}); nothing was written"
        ) from None
    archive = Archive(connection, Path(path) if path else None)
    archive.media_root = media_root
    return archive
