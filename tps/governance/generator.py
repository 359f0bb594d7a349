"""Writes the internal monitoring report and the effectiveness dashboard.

In a public build (SITE_AUDIENCE == "public") the generator does nothing at all:
no page, chart, CSV or history row can reach the public site."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import signals
from pelican.generators import Generator

from tps.content_model.blogs import blog_configs
from tps.core import clock
from tps.core.accounts import account_key
from tps.core.audience import audience_of_content
from tps.core.pages import write_page
from tps.core.problems import ContentError
from tps.core.templates import add_template_folder
from tps.social_feeds.cache import load_all
from tps.social_feeds.registry import feed_accounts
from tps.social_feeds.report import read_report
from tps.social_feeds.settings import feed_settings
from tps.units import load_directory

from . import history
from .archive_history import overlay, weekly_rows
from .charts import bar_chart, line_chart
from .hits_cache import HitsCache
from .metrics import (
    account_csv,
    as_of_from,
    blog_metrics,
    contributors_among,
    quarter_start,
    summarize,
)
from .moderation import Screening, load_gate, screen
from .monitor import monitor
from .project import load_setup
from .report import (
    Person,
    account_slug,
    counts,
    lesson_links,
    rule_lessons,
    slug,
    sort_findings,
    topics,
)
from .rules import RULES, SEVERITY_LABELS, SEVERITY_ORDER

ROOT = Path(__file__).resolve().parents[2]  # the project (pelican.conf.py) folder
TRAFFIC_BLOG = "traffic-services"
TRAFFIC_ROLE = "Divisional traffic officer"
TRAFFIC_TARGET = 12  # of 17 each quarter (content/internal/effectiveness-plan.md)


def site_paths(context: dict, internal_blogs: set[str]) -> set[str]:
    """Every URL path of the public site, from what Pelican generated."""
    paths = {"", "blogs/", "tags/", "authors/", "archives/", "search/", "units/"}
    paths |= {"social-media/accounts/", "feeds/all.atom.xml"}
    root = context.get("PATH", "content")
    for content in [
        *context.get("articles", []),
        *context.get("pages", []),
        *context.get("hidden_pages", []),
    ]:
        if audience_of_content(content, root, internal_blogs) == "public":
            paths.add(content.url)
    for category, _ in context.get("categories", []):
        if category.slug not in internal_blogs:
            paths |= {category.url, f"blogs/{category.slug}/feed.atom.xml"}
    paths |= {tag.url for tag, _ in context.get("tags", [])}
    paths |= {author.url for author, _ in context.get("authors", [])}
    paths |= {entry.url for entry in context.get("UNITS", [])}
    return paths


class GovernanceGenerator(Generator):
    def generate_context(self) -> None:
        self.enabled = self.settings.get("SITE_AUDIENCE") == "internal"
        if not self.enabled:
            return
        content = Path(self.settings["PATH"])
        directory = self.context.get("UNITS_DIRECTORY")
        if directory is None:
            directory, problems = load_directory(content)
            if problems:
                raise ContentError(problems)
        self.directory = directory
        self.blogs = blog_configs(content)
        internal_blogs = {s for s, b in self.blogs.items() if b.audience == "internal"}
        setup = load_setup(
            content,
            directory,
            self.settings,
            site_paths=site_paths(self.context, internal_blogs),
        )
        if setup.problems:
            raise ContentError(setup.problems)
        cache_dir = feed_settings(self.settings, ROOT).cache_dir
        self.accounts = feed_accounts(content, directory)
        self.feeds = load_all(cache_dir, [a.key for a in self.accounts])
        self.archive = self._open_archive()
        self.queue = self._moderation(content)
        try:
            self.refresh = read_report(cache_dir)  # optional: the last refresh's report
        except (OSError, ValueError):
            self.refresh = None
        zone = ZoneInfo(self.settings.get("TIMEZONE", "America/Toronto"))
        found = as_of_from(self.feeds.values())
        self.as_of_from_cache = found is not None
        self.as_of = (found or clock.now()).astimezone(zone)
        hits = HitsCache(
            Path(self.settings["CACHE_PATH"]) / "governance-hits.pickle", setup.checker
        )
        self.monitoring = monitor(
            hits,
            self.accounts,
            self.feeds,
            directory.accounts,
            self.as_of,
            setup.silences,
        )
        hits.save()
        self.summary = summarize(
            self.accounts,
            self.feeds,
            [(u.slug, u.unit.name) for u in directory.units],
            self.as_of,
            [
                (f.subject.account, f.subject.published)
                for f in self.monitoring.findings
                if f.subject.published
            ],
        )
        self.history = self._history()
        self.context["MONITORING_FINDINGS"] = len(self.monitoring.findings)

    def _moderation(self, content: Path) -> Screening:
        """The moderation queue; hidden items leave the feeds the report reads."""
        gate, problems = load_gate(content, self.settings)
        if problems:
            raise ContentError(problems)
        self.gate = gate
        by_key = {a.key: a for a in self.accounts}
        first = self.archive.first_fetched()
        screening = screen(
            gate,
            (
                (item, by_key[key], first.get((key, item.id), feed.last_success))
                for key, feed in self.feeds.items()
                for item in feed.items
            ),
            clock.now(),
        )
        for key, feed in self.feeds.items():
            if any(item.link in screening.hidden for item in feed.items):
                kept = [i for i in feed.items if i.link not in screening.hidden]
                self.feeds[key] = feed.model_copy(update={"items": kept})
        return screening

    def _open_archive(self):
        """The records archive, read only; without one (a fresh checkout), an
        archive in memory of the current cache, as the first refresh makes."""
        from tps.records_archive import archive_path, open_archive

        options = feed_settings(self.settings, ROOT)
        path = archive_path(options.archive, options.cache_dir)
        if path.is_file():
            return open_archive(path, readonly=True)
        archive = open_archive(None, media_root=options.cache_dir)
        archive.import_cache(self.feeds)
        return archive

    def _history(self) -> list[history.Row]:
        """The history file with today's rows merged; recorded to disk only for
        a build of the project's own content with feed data (not a test copy)."""
        # GOVERNANCE_HISTORY, else TPS_HISTORY (the publishing host keeps it,
        # like the feed cache and the archive, outside the checkout)
        path = Path(
            self.settings.get("GOVERNANCE_HISTORY")
            or os.environ.get("TPS_HISTORY")
            or "feeds/history.csv"
        )
        path = path if path.is_absolute() else ROOT / path
        today = history.rows_for(self.summary)
        own_content = (
            Path(self.settings["PATH"]).resolve() == (ROOT / "content").resolve()
        )
        if (
            self.settings.get("GOVERNANCE_RECORD_HISTORY", True)
            and own_content
            and self.as_of_from_cache
        ):
            rows = history.record(path, today)
        else:
            rows = history.merge(history.read_history(path), today)
        weekly = weekly_rows(
            self.archive.item_dates(),
            self.accounts,
            [(u.slug, u.unit.name) for u in self.directory.units],
            self.as_of,
        )
        return overlay(rows, weekly)

    # Output

    def generate_output(self, writer) -> None:
        if not self.enabled:
            return
        self.lessons = lesson_links(
            [*self.context.get("pages", []), *self.context.get("hidden_pages", [])]
        )
        common = {
            "AS_OF": self.as_of,
            "AS_OF_FROM_CACHE": self.as_of_from_cache,
            "RULES": RULES,
            "SEVERITY_LABELS": SEVERITY_LABELS,
            "account_slug": account_slug,
            "rule_lessons": lambda rule: rule_lessons(rule, self.lessons),
        }
        self.charts = {chart.slug: chart for chart in self._charts()}
        self._write_monitoring(writer, common)
        self._write_dashboard(writer, common)
        self._write_archive(writer, common)
        write_page(
            self,
            writer,
            "moderation/index.html",
            "moderation",
            held=self.queue.held,
            decisions=self.queue,
            **common,
        )

    def _write_archive(self, writer, common: dict) -> None:
        """/archive/: per account, every item ever fetched with its versions
        and deletion; held and hidden items are left out here too."""
        from tps.social_feeds.models import FeedItem

        by_key = {a.key: a for a in self.accounts}
        accounts = []
        for key in self.archive.accounts():
            account = by_key.get(key)
            if account is None:
                continue  # no longer in the registry
            items: dict[str, list] = {}
            for version in self.archive.versions(key):
                items.setdefault(version.item_id, []).append(version)
            latest = {item_id: versions[-1] for item_id, versions in items.items()}
            pairs = [
                (
                    FeedItem(
                        id=v.item_id,
                        account=key,
                        platform=v.platform,
                        handle=account.handle,
                        title=v.title,
                        summary=v.text,
                        html=v.html,
                        link=v.permalink,
                        published=v.published,
                    ),
                    account,
                    v.fetched,
                )
                for v in latest.values()
            ]
            blocked = screen(self.gate, pairs, clock.now()).blocked
            shown = [
                versions
                for item_id, versions in items.items()
                if latest[item_id].permalink not in blocked
            ]
            accounts.append((account, shown, sum(1 for v in shown if v[-1].deleted)))
            write_page(
                self,
                writer,
                f"archive/{account_slug(key)}/index.html",
                "archive-account",
                account=account,
                archived_items=shown,
                **common,
            )
        write_page(
            self,
            writer,
            "archive/index.html",
            "archive",
            archived_accounts=accounts,
            **common,
        )

    def _people(self) -> list[Person]:
        """Every member who holds a monitored account or has a finding, plus each
        unit's own accounts as one "person" (the unit's account holders)."""
        findings = self.monitoring.findings
        people: dict[str, Person] = {}
        members = {m.name: (m, u) for m, u in self.directory.members}
        monitored = {a.key for a in self.accounts}
        for record in self.directory.accounts:
            key = account_key(record.account.platform, record.account.handle)
            mine = [f for f in findings if f.subject.account == key]
            if key not in monitored and not mine:
                continue
            if record.member:
                member, unit = members[record.member.name]
                person_slug = slug(member.name)
                person = people.setdefault(
                    person_slug,
                    Person(
                        person_slug,
                        member.name,
                        member.rank,
                        member.role,
                        unit.slug,
                        unit.unit.name,
                    ),
                )
            else:
                person_slug = f"unit-{record.unit.slug}"
                person = people.setdefault(
                    person_slug,
                    Person(
                        person_slug,
                        f"{record.unit.unit.name} accounts",
                        "",
                        "Unit account holders",
                        record.unit.slug,
                        record.unit.unit.name,
                    ),
                )
            person.accounts.append(key)
            person.findings += mine
        for person in people.values():
            person.findings = sort_findings(person.findings)
            person.topics = topics(person.findings, self.lessons)
        return sorted(people.values(), key=lambda p: (-len(p.findings), p.name))

    def _write_monitoring(self, writer, common: dict) -> None:
        findings = sort_findings(self.monitoring.findings)
        people = self._people()
        by_account = defaultdict(list)
        for finding in findings:
            by_account[finding.subject.account].append(finding)
        metrics = {a.key: a for a in self.summary.accounts}
        records = {
            account_key(r.account.platform, r.account.handle): r
            for r in self.directory.accounts
        }
        person_of = {key: p for p in people for key in p.accounts}
        shown_accounts = sorted(person_of, key=lambda k: (-len(by_account[k]), k))
        units = counts(findings, lambda f: f.subject.unit)
        unit_names = {u.slug: u.unit.name for u in self.directory.units}
        trend = history.series(self.history, "findings_per_100_posts")
        common = {
            **common,
            "monitoring": self.monitoring,
            "people_by_account": person_of,
            "account_records": records,
            "account_metrics": metrics,
        }
        write_page(
            self,
            writer,
            "monitoring/index.html",
            "monitoring",
            findings=findings,
            first_findings=[f for f in findings if RULES[f.rule].severity == "high"],
            by_rule=sorted(
                ((RULES[r], n) for r, n in counts(findings, lambda f: f.rule)),
                key=lambda pair: (SEVERITY_ORDER[pair[0].severity], -pair[1]),
            ),
            by_unit=[(s, unit_names.get(s, s), n) for s, n in units],
            people=people,
            accounts=shown_accounts,
            findings_by_account=by_account,
            trend=trend,
            trend_chart=self.charts["findings-per-100-posts"],
            held_items=self.queue.held,
            all_topics=topics(findings, self.lessons),
            **common,
        )
        for person in people:
            write_page(
                self,
                writer,
                f"monitoring/members/{person.slug}/index.html",
                "monitoring-member",
                person=person,
                **common,
            )
        for key in shown_accounts:
            write_page(
                self,
                writer,
                f"monitoring/accounts/{account_slug(key)}/index.html",
                "monitoring-account",
                account_key=key,
                record=records[key],
                feed=self.feeds.get(key),
                metrics=metrics.get(key),
                person=person_of[key],
                account_findings=by_account[key],
                account_topics=topics(by_account[key], self.lessons),
                **common,
            )

    def _write_dashboard(self, writer, common: dict) -> None:
        folder = Path(self.output_path) / "dashboard"
        folder.mkdir(parents=True, exist_ok=True)
        for chart in self.charts.values():
            (folder / f"{chart.slug}.svg").write_text(chart.svg, encoding="utf-8")
        (folder / "accounts.csv").write_text(
            account_csv(self.summary), encoding="utf-8"
        )
        (folder / "metrics.csv").write_text(
            history.to_csv(self.history), encoding="utf-8"
        )
        articles = self.context.get("articles", [])
        blogs = blog_metrics(
            articles, [(s, b.title) for s, b in sorted(self.blogs.items())], self.as_of
        )
        officers = [m.name for m, _ in self.directory.members if m.role == TRAFFIC_ROLE]
        since = quarter_start(self.as_of.date())
        posted = contributors_among(articles, TRAFFIC_BLOG, officers, since, self.as_of)
        write_page(
            self,
            writer,
            "dashboard/index.html",
            "dashboard",
            summary=self.summary,
            charts=self.charts,
            series={
                name: history.series(self.history, name)
                for name in ("posts_per_week", "findings_per_100_posts", "active_units")
            },
            blogs=blogs,
            quarter_start=since,
            traffic_officers=officers,
            traffic_posted=posted,
            traffic_target=TRAFFIC_TARGET,
            units_total=len(self.directory.units),
            refresh=self.refresh,
            **common,
        )

    def _charts(self) -> list:
        rows = self.history
        units = len(self.directory.units)
        posts = history.series(rows, "posts_per_week")
        rate = history.series(rows, "findings_per_100_posts")
        active = history.series(rows, "active_units")

        def change(points) -> str:
            if len(points) < 2:
                return "Only one data point so far."
            (d0, v0), (d1, v1) = points[0], points[-1]
            return f"From {v0:g} on {d0:%B %-d, %Y} to {v1:g} on {d1:%B %-d, %Y}."

        platforms = [(p.key, p.posts_per_week) for p in self.summary.platforms]
        return [
            line_chart(
                "posts-per-week",
                "Posts per week, all accounts",
                "Line chart of posts per week across all monitored accounts (four-week average). "
                + change(posts),
                posts,
                "posts per week",
            ),
            line_chart(
                "findings-per-100-posts",
                "Monitoring findings per 100 posts",
                "Line chart of monitoring findings per 100 posts over the previous four weeks. "
                + change(rate),
                rate,
                "findings per 100 posts",
            ),
            line_chart(
                "active-units",
                f"Units with an active account (of {units})",
                f"Line chart of how many of the {units} units had an account that posted in the previous 30 days. "
                + change(active),
                active,
                "units",
                y_max=units,
            ),
            bar_chart(
                "posts-by-platform",
                "Posts per week by platform",
                "Bar chart of posts per week (four-week average) by platform: "
                + ", ".join(f"{name} {value:g}" for name, value in platforms)
                + ".",
                platforms,
                "posts per week",
            ),
        ]


# The page templates this capability renders (tps/core/templates.py).
TEMPLATES = Path(__file__).resolve().parent / "templates"


def add_templates(pelican) -> None:
    add_template_folder(pelican.settings, TEMPLATES)


def get_generators(pelican):
    return GovernanceGenerator


def register() -> None:
    from tps.social_feeds.signals import feed_states_ready

    from .moderation import gate_feed_states

    signals.initialized.connect(add_templates)
    signals.get_generators.connect(get_generators)
    feed_states_ready.connect(gate_feed_states)
