"""Effectiveness metrics from feed data, as of one moment: per account, unit and
platform, blog cadence and contributors. Pure functions over the models, so the
sample history script and the tests compute exactly what the build shows."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from tps.core.csvsafe import csv_text

WINDOW_DAYS = 28  # posts per week are averaged over the last four weeks
DORMANT_DAYS = 30  # an account with no post in 30 days is dormant


@dataclass
class AccountMetrics:
    key: str
    platform: str
    handle: str
    url: str
    unit: str
    unit_name: str
    member: str | None
    posts_window: int  # posts in the last WINDOW_DAYS
    last_post: dt.datetime | None
    days_since_last_post: int | None
    stale: bool  # the last refresh failed: items are the last good ones
    cache_age_days: int | None  # as-of minus the last successful fetch
    last_error: str | None
    findings: int = 0  # post findings in the window
    posts_7d: int = 0

    @property
    def posts_per_week(self) -> float:
        return round(self.posts_window * 7 / WINDOW_DAYS, 1)

    @property
    def dormant(self) -> bool:
        return (
            self.days_since_last_post is None
            or self.days_since_last_post > DORMANT_DAYS
        )


@dataclass
class GroupMetrics:
    """A unit or a platform: its accounts added up."""

    key: str
    name: str
    accounts: list[AccountMetrics] = field(default_factory=list)

    @property
    def posts_window(self) -> int:
        return sum(a.posts_window for a in self.accounts)

    @property
    def posts_per_week(self) -> float:
        return round(self.posts_window * 7 / WINDOW_DAYS, 1)

    @property
    def active(self) -> int:
        return sum(not a.dormant for a in self.accounts)

    @property
    def dormant(self) -> int:
        return sum(a.dormant for a in self.accounts)

    @property
    def days_since_last_post(self) -> int | None:
        days = [a.days_since_last_post for a in self.accounts]
        known = [d for d in days if d is not None]
        return min(known) if known else None


@dataclass
class Summary:
    as_of: dt.datetime
    accounts: list[AccountMetrics]
    units: list[GroupMetrics]  # every unit, also those without a feed
    platforms: list[GroupMetrics]
    findings_window: int  # post findings on posts of the window

    @property
    def posts_window(self) -> int:
        return sum(a.posts_window for a in self.accounts)

    @property
    def posts_last_7_days(self) -> int:
        return sum(a.posts_7d for a in self.accounts)

    @property
    def dormant_accounts(self) -> list[AccountMetrics]:
        return [a for a in self.accounts if a.dormant]

    @property
    def active_units(self) -> int:
        return sum(1 for unit in self.units if unit.active)

    @property
    def active_unit_share(self) -> float:
        return (
            round(100 * self.active_units / len(self.units), 1) if self.units else 0.0
        )

    @property
    def stale_feeds(self) -> list[AccountMetrics]:
        return [a for a in self.accounts if a.stale]

    @property
    def findings_per_100_posts(self) -> float | None:
        if not self.posts_window:
            return None
        return round(100 * self.findings_window / self.posts_window, 1)


def as_of_from(feeds: Iterable) -> dt.datetime | None:
    """The newest successful fetch in the cache: the moment the data describes."""
    times = [feed.last_success for feed in feeds if feed.last_success]
    return max(times) if times else None


def summarize(
    feed_accounts: Collection,
    feeds: dict,
    units: Iterable[tuple[str, str]],
    as_of: dt.datetime,
    finding_dates: Iterable[tuple[str, dt.datetime]] = (),
) -> Summary:
    """`feed_accounts`: registry.FeedAccount (every account with a feed);
    `feeds`: account key -> CachedFeed; `units`: (slug, name) of every unit;
    `finding_dates`: (account key, published) of each post finding.
    Items published after `as_of` do not exist yet (the history script
    recomputes past weeks from the same cache)."""
    window_start = as_of - dt.timedelta(days=WINDOW_DAYS)
    week_start = as_of - dt.timedelta(days=7)
    findings = Counter(
        key for key, published in finding_dates if window_start < published <= as_of
    )
    accounts = []
    for account in feed_accounts:
        feed = feeds.get(account.key)
        items = [i for i in (feed.items if feed else []) if i.published <= as_of]
        dates = [i.published for i in items]
        last = max(dates) if dates else None
        metrics = AccountMetrics(
            key=account.key,
            platform=account.platform,
            handle=account.handle,
            url=account.url,
            unit=account.unit,
            unit_name=account.unit_name,
            member=account.member,
            posts_window=sum(1 for d in dates if d > window_start),
            last_post=last,
            days_since_last_post=(as_of.date() - last.date()).days if last else None,
            stale=bool(feed and feed.stale),
            cache_age_days=(
                (as_of - feed.last_success).days if feed and feed.last_success else None
            ),
            last_error=feed.last_error if feed else "never fetched",
            findings=findings[account.key],
            posts_7d=sum(1 for d in dates if d > week_start),
        )
        accounts.append(metrics)
    by_unit: dict[str, list[AccountMetrics]] = defaultdict(list)
    by_platform: dict[str, list[AccountMetrics]] = defaultdict(list)
    for metrics in accounts:
        by_unit[metrics.unit].append(metrics)
        by_platform[metrics.platform].append(metrics)
    return Summary(
        as_of=as_of,
        accounts=accounts,
        units=[GroupMetrics(slug, name, by_unit[slug]) for slug, name in units],
        platforms=[
            GroupMetrics(platform, platform, found)
            for platform, found in sorted(by_platform.items())
        ],
        findings_window=sum(findings.values()),
    )


@dataclass
class BlogMetrics:
    slug: str
    name: str
    posts_quarter: int
    posts_total: int
    last_post: dt.datetime | None
    days_since_last_post: int | None
    median_days_between: float | None
    contributors_quarter: list[str]
    contributors_total: int


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def blog_metrics(
    articles: Iterable, blogs: Iterable[tuple[str, str]], as_of: dt.datetime
) -> list[BlogMetrics]:
    """`articles`: Pelican articles (category slug = blog, author, date)."""
    start = quarter_start(as_of.date())
    by_blog: dict[str, list] = defaultdict(list)
    for article in articles:
        if article.date <= as_of:
            by_blog[article.category.slug].append(article)
    found = []
    for slug, name in blogs:
        posts = sorted(by_blog.get(slug, []), key=lambda a: a.date)
        quarter = [a for a in posts if a.date.date() >= start]
        gaps = sorted(
            (b.date - a.date).total_seconds() / 86400
            for a, b in itertools.pairwise(posts)
        )
        median = None
        if gaps:
            middle = len(gaps) // 2
            median = round(
                gaps[middle]
                if len(gaps) % 2
                else (gaps[middle - 1] + gaps[middle]) / 2,
                1,
            )
        last = posts[-1].date if posts else None
        found.append(
            BlogMetrics(
                slug=slug,
                name=name,
                posts_quarter=len(quarter),
                posts_total=len(posts),
                last_post=last,
                days_since_last_post=(as_of.date() - last.date()).days
                if last
                else None,
                median_days_between=median,
                contributors_quarter=sorted({_author(a) for a in quarter}),
                contributors_total=len({_author(a) for a in posts}),
            )
        )
    return found


def _author(article) -> str:
    author = getattr(article, "author", None)
    return getattr(author, "name", str(author or ""))


def contributors_among(
    articles: Iterable,
    blog: str,
    people: Collection[str],
    since: dt.date,
    as_of: dt.datetime,
) -> list[str]:
    """Which of `people` posted to `blog` between `since` and `as_of`
    (e.g. the 17 divisional traffic officers on the Traffic Services blog)."""
    wanted = set(people)
    return sorted(
        {
            _author(a)
            for a in articles
            if a.category.slug == blog
            and since <= a.date.date()
            and a.date <= as_of
            and _author(a) in wanted
        }
    )


ACCOUNT_FIELDS = [
    "account",
    "platform",
    "handle",
    "unit",
    "member",
    "posts_28d",
    "posts_per_week",
    "last_post",
    "days_since_last_post",
    "dormant",
    "stale_feed",
    "feed_age_days",
    "findings_28d",
]


def account_csv(summary: Summary) -> str:
    """The per-account figures as of the summary's date (the dashboard's export)."""
    return csv_text(
        (
            {
                "account": a.key,
                "platform": a.platform,
                "handle": a.handle,
                "unit": a.unit,
                "member": a.member or "",
                "posts_28d": a.posts_window,
                "posts_per_week": a.posts_per_week,
                "last_post": a.last_post.isoformat() if a.last_post else "",
                "days_since_last_post": ""
                if a.days_since_last_post is None
                else a.days_since_last_post,
                "dormant": "yes" if a.dormant else "no",
                "stale_feed": "yes" if a.stale else "no",
                "feed_age_days": "" if a.cache_age_days is None else a.cache_age_days,
                "findings_28d": a.findings,
            }
            for a in sorted(summary.accounts, key=lambda a: a.key)
        ),
        ACCOUNT_FIELDS,
    )
