"""The metrics history: feeds/history.csv, one row per day per metric.

Each scheduled build records the day's figures (the day is the data's as-of
date); recording the same day again replaces that day's rows, so repeated builds
never duplicate. Columns: date, metric, scope ("all" or "platform:<name>"), value."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from tps.core.files import write_atomic

from .metrics import Summary

FIELDS = ["date", "metric", "scope", "value"]
# metric -> (label, unit of the value)
METRICS = {
    "posts_7d": ("Posts in the last 7 days", "posts"),
    "posts_per_week": ("Posts per week (4-week average)", "posts"),
    "accounts": ("Accounts with a feed", "accounts"),
    "active_accounts": ("Active accounts (posted in 30 days)", "accounts"),
    "dormant_accounts": ("Dormant accounts (30 days silent)", "accounts"),
    "active_units": ("Units with an active account", "units"),
    "active_unit_share": ("Share of units with an active account", "%"),
    "findings_28d": ("Monitoring findings on posts of the last 4 weeks", "findings"),
    "findings_per_100_posts": ("Monitoring findings per 100 posts", "per 100 posts"),
    "stale_feeds": ("Stale feeds (last refresh failed)", "feeds"),
}


@dataclass(frozen=True, order=True)
class Row:
    date: dt.date
    metric: str
    scope: str
    value: float

    def as_csv(self) -> dict[str, str]:
        value = int(self.value) if float(self.value).is_integer() else self.value
        return {
            "date": self.date.isoformat(),
            "metric": self.metric,
            "scope": self.scope,
            "value": str(value),
        }


def rows_for(summary: Summary, *, health: bool = True) -> list[Row]:
    """The day's rows. `health=False` leaves out feed health, which cannot be
    known for past days (the sample history recomputed from item dates)."""
    day = summary.as_of.date()
    values: dict[str, float | None] = {
        "posts_7d": summary.posts_last_7_days,
        "posts_per_week": round(summary.posts_window * 7 / 28, 1),
        "accounts": len(summary.accounts),
        "active_accounts": len(summary.accounts) - len(summary.dormant_accounts),
        "dormant_accounts": len(summary.dormant_accounts),
        "active_units": summary.active_units,
        "active_unit_share": summary.active_unit_share,
        "findings_28d": summary.findings_window,
        "findings_per_100_posts": summary.findings_per_100_posts,
    }
    if health:
        values["stale_feeds"] = len(summary.stale_feeds)
    rows = [Row(day, k, "all", v) for k, v in values.items() if v is not None]
    rows += [
        Row(day, "posts_per_week", f"platform:{group.key}", group.posts_per_week)
        for group in summary.platforms
    ]
    return sorted(rows)


def read_history(path: Path) -> list[Row]:
    if not Path(path).is_file():
        return []
    with open(path, encoding="utf-8", newline="") as file:
        return sorted(
            Row(
                dt.date.fromisoformat(r["date"]),
                r["metric"],
                r["scope"],
                float(r["value"]),
            )
            for r in csv.DictReader(file)
        )


def merge(history: list[Row], rows: list[Row]) -> list[Row]:
    """`history` with `rows` in place of any earlier rows for the same days."""
    days = {row.date for row in rows}
    return sorted([r for r in history if r.date not in days] + rows)


def to_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(row.as_csv() for row in rows)
    return buffer.getvalue()


def record(path: Path, rows: list[Row]) -> list[Row]:
    """Upsert the day's rows into the history file (atomically); returns all rows.
    The file is rewritten only when something changed."""
    path = Path(path)
    merged = merge(read_history(path), rows)
    text = to_csv(merged)
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        write_atomic(path, text.encode("utf-8"))
    return merged


def series(
    rows: list[Row], metric: str, scope: str = "all"
) -> list[tuple[dt.date, float]]:
    return [(r.date, r.value) for r in rows if r.metric == metric and r.scope == scope]
