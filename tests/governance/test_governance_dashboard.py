"""Dashboard figures against a hand count on a small fixture, the history file,
and the SVG charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from tps.governance import history
from tps.governance.charts import bar_chart, line_chart
from tps.governance.metrics import (
    account_csv,
    as_of_from,
    blog_metrics,
    contributors_among,
    summarize,
)
from tps.social_feeds.models import CachedFeed, FeedItem
from tps.social_feeds.registry import FeedAccount

UTC = dt.UTC
AS_OF = dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def account(key: str, unit: str, member: str | None = None) -> FeedAccount:
    platform, handle = key.split(":")
    return FeedAccount(
        key,
        platform,
        handle,
        f"https://example.org/{handle}",
        "https://f",
        unit,
        unit.title(),
        member,
    )


def feed(
    key: str,
    days_ago: list[float],
    *,
    error: str | None = None,
    fetched_days_ago: float = 0,
) -> CachedFeed:
    platform, handle = key.split(":")
    items = [
        FeedItem(
            id=f"{key}/{i}",
            account=key,
            platform=platform,
            handle=handle,
            title="t",
            summary="s",
            link=f"https://example.org/{handle}/{i}",
            published=AS_OF - dt.timedelta(days=d),
        )
        for i, d in enumerate(days_ago)
    ]
    return CachedFeed(
        account=key,
        url="https://f",
        items=items,
        last_success=AS_OF - dt.timedelta(days=fetched_days_ago),
        last_error=error,
    )


ACCOUNTS = [
    account("x:A", "north"),
    account("mastodon:B", "north", "Pat Lee"),
    account("x:C", "south"),
]
# Hand count (as of Nov 25 08:00 UTC; window = 28 days, week = 7 days):
#   x:A         posts 1, 3, 10, 27, 40 days ago -> window 4, week 2, last 1 day ago
#   mastodon:B  posts 31, 60 days ago           -> window 0, dormant (31 > 30 days)
#   x:C         posts 0.5, 20 days ago, stale   -> window 2, week 1, last post on
#               the previous calendar day (20:00 Nov 24) -> 1 day ago
#   a post 2 days in the future (published after as-of) does not exist yet
FEEDS = {
    "x:A": feed("x:A", [1, 3, 10, 27, 40]),
    "mastodon:B": feed("mastodon:B", [31, 60], fetched_days_ago=1),
    "x:C": feed("x:C", [0.5, 20, -2], error="HTTP 503", fetched_days_ago=3),
}
UNITS = [("north", "North"), ("south", "South"), ("east", "East"), ("west", "West")]
FINDINGS = [
    ("x:A", AS_OF - dt.timedelta(days=3)),
    ("x:A", AS_OF - dt.timedelta(days=3)),
    ("x:C", AS_OF - dt.timedelta(days=20)),
    ("x:C", AS_OF - dt.timedelta(days=29)),  # outside the window
]


@pytest.fixture
def summary():
    return summarize(ACCOUNTS, FEEDS, UNITS, AS_OF, FINDINGS)


def test_account_figures_equal_a_hand_count(summary):
    a, b, c = summary.accounts
    assert (a.posts_window, a.posts_7d, a.days_since_last_post, a.dormant) == (
        4,
        2,
        1,
        False,
    )
    assert a.posts_per_week == 1.0
    assert (b.posts_window, b.days_since_last_post, b.dormant) == (0, 31, True)
    assert (c.posts_window, c.posts_7d, c.days_since_last_post) == (2, 1, 1)
    assert (c.stale, c.cache_age_days, c.last_error) == (True, 3, "HTTP 503")
    assert (a.findings, b.findings, c.findings) == (2, 0, 1)


def test_totals_units_and_platforms_equal_a_hand_count(summary):
    assert summary.posts_window == 6
    assert summary.posts_last_7_days == 3
    assert [a.key for a in summary.dormant_accounts] == ["mastodon:B"]
    # north (A active) and south (C active); east and west have no feed
    assert summary.active_units == 2
    assert summary.active_unit_share == 50.0
    assert [a.key for a in summary.stale_feeds] == ["x:C"]
    assert summary.findings_window == 3
    assert summary.findings_per_100_posts == 50.0  # 3 findings / 6 posts
    platforms = {
        p.key: (len(p.accounts), p.active, p.posts_window) for p in summary.platforms
    }
    assert platforms == {"mastodon": (1, 0, 0), "x": (2, 2, 6)}
    north = summary.units[0]
    assert (north.active, north.dormant, north.days_since_last_post) == (1, 1, 1)


def test_the_account_export_has_one_row_per_account_with_the_hand_counted_figures(
    summary,
):
    rows = list(csv.DictReader(io.StringIO(account_csv(summary))))
    assert [r["account"] for r in rows] == ["mastodon:B", "x:A", "x:C"]
    b, a, c = rows
    assert (a["posts_28d"], a["posts_per_week"], a["days_since_last_post"]) == (
        "4",
        "1.0",
        "1",
    )
    assert (b["dormant"], b["member"], c["stale_feed"], c["feed_age_days"]) == (
        "yes",
        "Pat Lee",
        "yes",
        "3",
    )
    assert (a["findings_28d"], c["findings_28d"]) == ("2", "1")


def test_as_of_is_the_newest_successful_fetch():
    assert as_of_from(FEEDS.values()) == AS_OF


def post(blog: str, author: str, when: str):
    date = dt.datetime.fromisoformat(when).replace(tzinfo=UTC)
    return SimpleNamespace(
        category=SimpleNamespace(slug=blog),
        author=SimpleNamespace(name=author),
        date=date,
    )


def test_blog_cadence_and_contributors_equal_a_hand_count():
    articles = [
        post("traffic", "Ann", "2026-08-01 10:00"),
        post("traffic", "Bo", "2026-10-02 10:00"),
        post("traffic", "Ann", "2026-10-12 10:00"),
        post("traffic", "Cy", "2026-11-01 10:00"),
        post("traffic", "Cy", "2026-12-01 10:00"),  # after as-of: not yet
        post("crime", "Dee", "2026-11-20 10:00"),
    ]
    traffic, crime, empty = blog_metrics(
        articles,
        [("traffic", "Traffic"), ("crime", "Crime"), ("badge", "Badge")],
        AS_OF,
    )
    # Q4 starts October 1: Bo, Ann, Cy posted in it.
    assert (traffic.posts_quarter, traffic.posts_total) == (3, 4)
    assert traffic.contributors_quarter == ["Ann", "Bo", "Cy"]
    assert traffic.contributors_total == 3
    # gaps 62, 10, 20 days -> median 20
    assert traffic.median_days_between == 20.0
    assert traffic.days_since_last_post == 24
    assert (crime.posts_quarter, crime.median_days_between) == (1, None)
    assert (empty.posts_total, empty.last_post) == (0, None)
    officers = ["Ann", "Cy", "Eve"]
    assert contributors_among(
        articles, "traffic", officers, dt.date(2026, 10, 1), AS_OF
    ) == ["Ann", "Cy"]


def test_history_rows_are_one_per_day_per_metric_and_repeat_builds_replace(
    tmp_path, summary
):
    path = tmp_path / "history.csv"
    rows = history.rows_for(summary)
    history.record(path, rows)
    first = path.read_text(encoding="utf-8")
    history.record(path, rows)  # the same day again: nothing duplicated
    assert path.read_text(encoding="utf-8") == first
    assert first.splitlines()[0] == "date,metric,scope,value"
    assert "2026-11-25,posts_7d,all,3" in first
    assert "2026-11-25,findings_per_100_posts,all,50" in first
    assert "2026-11-25,posts_per_week,platform:x,1.5" in first
    later = summarize(ACCOUNTS, FEEDS, UNITS, AS_OF + dt.timedelta(days=1), FINDINGS)
    merged = history.record(path, history.rows_for(later))
    days = sorted({row.date for row in merged})
    assert days == [dt.date(2026, 11, 25), dt.date(2026, 11, 26)]
    keys = [(r.date, r.metric, r.scope) for r in merged]
    assert len(keys) == len(set(keys))
    past = history.rows_for(summary, health=False)
    assert "stale_feeds" not in {r.metric for r in past}


SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("kind", ["line", "bar"])
def test_charts_are_valid_svg_with_title_and_desc_and_no_script(kind):
    if kind == "line":
        chart = line_chart(
            "posts",
            "Posts per week",
            "Rises from 2 to 9 posts a week.",
            [(dt.date(2026, 9, 2) + dt.timedelta(days=7 * i), 2 + i) for i in range(8)],
            "posts",
        )
    else:
        chart = bar_chart(
            "platforms",
            "By platform",
            "x 3, mastodon 1.",
            [("x", 3), ("mastodon", 1)],
            "posts",
        )
    root = ET.fromstring(chart.svg.encode("utf-8"))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert (title.tag, title.text) == (f"{SVG}title", chart.title)
    assert (desc.tag, desc.text) == (f"{SVG}desc", chart.description)
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert list(root.iter(f"{SVG}script")) == []
    assert "<script" not in chart.svg
