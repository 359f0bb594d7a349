"""`invoke archive-export`: one row per version, for access-to-information
requests (MFIPPA) and records transfers."""

from __future__ import annotations

import csv
import datetime as dt
import json
from typing import TextIO

from .store import Archive, Version

FIELDS = [
    "account",
    "platform",
    "item_id",
    "permalink",
    "version",
    "published",
    "fetched",
    "title",
    "text",
    "html",
    "media",
    "sha256",
    "deleted",
    "moderation",
]


def _time(value: dt.datetime | None) -> str:
    return value.isoformat() if value else ""


def row(version: Version) -> dict:
    return {
        "account": version.account,
        "platform": version.platform,
        "item_id": version.item_id,
        "permalink": version.permalink,
        "version": version.number,
        "published": _time(version.published),
        "fetched": _time(version.fetched),
        "title": version.title,
        "text": version.text,
        "html": version.html,
        "media": [dict(m) for m in version.media],
        "sha256": version.sha256,
        "deleted": _time(version.deleted),
        "moderation": [dict(m) for m in version.moderation],
    }


def _moderation_text(actions: list[dict]) -> str:
    return "; ".join(
        f"{a['action']}{' until ' + a['until'] if a['until'] else ''}"
        f" by {a['reviewed_by']}: {a['reason']}"
        for a in actions
    )


def export(
    archive: Archive,
    out: TextIO,
    *,
    account: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
    fmt: str = "csv",
) -> int:
    """Write the account's versions to `out`; returns how many."""
    if fmt not in ("csv", "json"):
        raise ValueError(f"--format must be csv or json, not {fmt!r}")
    rows = [row(v) for v in archive.versions(account, since, until)]
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
        return len(rows)
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        r["media"] = " ".join(f"{m['local']} sha256:{m['sha256']}" for m in r["media"])
        r["moderation"] = _moderation_text(r["moderation"])
        writer.writerow(r)
    return len(rows)
