"""What a refresh did, feed by feed: JSON for the dashboard, a table for people."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from tps.core.files import write_atomic

from .cache import REPORT_FILE

Status = Literal["ok", "not-modified", "failed"]


class FeedReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    account: str  # "platform:handle"
    platform: str
    unit: str  # unit slug
    unit_name: str
    member: str | None  # member name, None for the unit's own account
    url: str  # the feed URL
    status: Status
    http_status: int | None = None
    items: int = 0  # items in the cache after the refresh
    new_items: int = 0  # of those, ids the previous cache did not have
    age_seconds: float | None = None  # since the last success; None: never fetched
    last_success: AwareDatetime | None = None
    error: str | None = None
    duration: float = 0.0  # seconds
    images: int = 0  # images downloaded and stored in this refresh
    image_errors: list[str] = []  # images that could not be used (not a failure)
    dropped: list[str] = []  # items left out for their date, with the reason


class RefreshReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    started: AwareDatetime
    duration: float  # seconds, wall clock
    deadline: float  # seconds allowed
    deadline_reached: bool = False
    feeds: list[FeedReport] = []
    # One line each: a platform skipped (no credentials) or whose token failed.
    notices: list[str] = []

    @property
    def failed(self) -> list[FeedReport]:
        return [feed for feed in self.feeds if feed.status == "failed"]

    def summary(self) -> str:
        counts = {status: 0 for status in ("ok", "not-modified", "failed")}
        for feed in self.feeds:
            counts[feed.status] += 1
        new = sum(feed.new_items for feed in self.feeds)
        return (
            f"{len(self.feeds)} feeds in {self.duration:.1f} s: {counts['ok']} updated, "
            f"{counts['not-modified']} not modified, {counts['failed']} failed; "
            f"{new} new items"
            + (
                f" (deadline of {self.deadline:g} s reached)"
                if self.deadline_reached
                else ""
            )
        )


def write_report(cache_dir: Path, report: RefreshReport) -> Path:
    path = Path(cache_dir) / REPORT_FILE
    write_atomic(path, report.model_dump_json(indent=1).encode("utf-8") + b"\n")
    return path


def read_report(cache_dir: Path) -> RefreshReport | None:
    path = Path(cache_dir) / REPORT_FILE
    try:
        return RefreshReport.model_validate_json(path.read_bytes())
    except FileNotFoundError:
        return None


def format_age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


_STYLE = {"ok": "green", "not-modified": "cyan", "failed": "bold red"}


def render(report: RefreshReport, console: Console) -> None:
    """A table on a terminal; one plain line per feed otherwise (logs, cron mail)."""
    if console.is_terminal:
        console.print(_table(report))
    else:
        for feed in report.feeds:
            console.print(_line(feed), markup=False, highlight=False, soft_wrap=True)
    for notice in report.notices:
        console.print(
            f"notice: {notice}", markup=False, highlight=False, soft_wrap=True
        )
    console.print(report.summary(), markup=False, highlight=False, soft_wrap=True)


def _table(report: RefreshReport) -> Table:
    table = Table(title="Social feeds refresh", title_justify="left")
    for column, justify in (
        ("Account", "left"),
        ("Unit", "left"),
        ("Status", "left"),
        ("HTTP", "right"),
        ("Items", "right"),
        ("New", "right"),
        ("Age", "right"),
        ("Time", "right"),
        ("Error", "left"),
    ):
        table.add_column(
            column, justify=justify, overflow="fold", no_wrap=column != "Error"
        )
    for feed in report.feeds:
        style = _STYLE[feed.status]
        error = feed.error or ""
        for notes in (feed.image_errors, feed.dropped):
            if notes:
                error = (error + "\n" if error else "") + "; ".join(notes)
        table.add_row(
            feed.account,
            feed.unit + (f" ({feed.member})" if feed.member else ""),
            f"[{style}]{feed.status}[/]",
            str(feed.http_status or "–"),
            str(feed.items),
            str(feed.new_items),
            format_age(feed.age_seconds),
            f"{feed.duration:.2f} s",
            escape(error),
        )
    return table


def _line(feed: FeedReport) -> str:
    line = (
        f"{feed.status:<12} {feed.account} [{feed.unit}] "
        f"http={feed.http_status or '-'} items={feed.items} new={feed.new_items} "
        f"age={format_age(feed.age_seconds).replace(' ', '')} time={feed.duration:.2f}s"
    )
    if feed.error:
        line += f" error: {feed.error}"
    for problem in feed.image_errors:
        line += f" | image: {problem}"
    for problem in feed.dropped:
        line += f" | {problem}"
    return line
