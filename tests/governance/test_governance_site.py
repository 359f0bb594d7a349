"""The monitoring report and the effectiveness dashboard in the built sites:
what a reviewer sees on the intranet, and that none of it reaches the public site."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.support.browser import axe_violations, describe
from tests.support.html import page
from tests.support.nginx import Nginx
from tps.core.paths import CONTENT, ROOT
from tps.social_feeds.cache import load_all
from tps.social_feeds.registry import feed_accounts
from tps.units import load_directory

SAMPLE_MISSPELLINGS = {"recieve", "definately", "seperate", "occured"}
CANADIAN = {"neighbourhood", "colour", "centre", "licence", "defence", "behaviour"}


@pytest.fixture(scope="module")
def directory():
    return load_directory(CONTENT)[0]


def member_unit(directory, name: str) -> str:
    return next(
        unit.unit.name for member, unit in directory.members if member.name == name
    )


def report_pages(site: Path) -> list[Path]:
    return sorted((site / "monitoring").rglob("index.html"))


def test_report_pages_and_dashboard_exist_only_in_the_internal_build(
    internal_site, public_site
):
    for path in (
        "monitoring/index.html",
        "monitoring/members/marcus-bell/index.html",
        "monitoring/accounts/x-pcmarcusbell/index.html",
        "dashboard/index.html",
        "dashboard/metrics.csv",
        "dashboard/posts-per-week.svg",
        "dashboard/findings-per-100-posts.svg",
    ):
        assert (internal_site / path).is_file(), path
    assert not (public_site / "monitoring").exists()
    assert not (public_site / "dashboard").exists()
    library = page(internal_site, "profile-library/")
    links = {
        a["href"].rsplit("../", 1)[-1] for a in library.select(".tps-page-heading a")
    }
    assert {"monitoring/", "dashboard/"} <= links


def test_a_misspelled_post_appears_under_its_member_and_unit_with_the_reason(
    internal_site, directory
):
    html = page(internal_site, "monitoring/members/marcus-bell/")
    unit = member_unit(directory, "Marcus Bell")
    assert unit in html.select_one(".tps-lede").get_text()
    spelling = html.select_one("#topic-spelling").find_parent("section")
    marked = {mark.get_text().lower() for mark in spelling.select("mark")}
    assert {"recieve", "seperate"} <= marked
    reasons = spelling.get_text(" ")
    assert "did you mean 'receive'?" in reasons
    lesson = spelling.select_one(".tps-topic__lessons a")["href"]
    assert lesson.endswith(
        "training/03-writing-for-the-public/#canadian-spelling-and-style"
    )
    # The lesson anchor exists on the lesson page.
    lesson_page = page(internal_site, "training/03-writing-for-the-public/")
    assert lesson_page.find(id="canadian-spelling-and-style")
    # ... and the overview counts it under the unit and the member.
    overview = page(internal_site, "monitoring/")
    assert unit in overview.select_one("#by-unit").find_parent("section").get_text()
    rows = overview.select_one("#by-member").find_parent("section").select("tbody tr")
    bell = next(row for row in rows if "Marcus Bell" in row.get_text())
    assert int(bell.select_one(".tps-num").get_text()) >= 2


def all_marks(site: Path, rule: str) -> set[str]:
    found = set()
    for path in sorted((site / "monitoring" / "accounts").rglob("index.html")):
        html = page(site, str(path.parent.relative_to(site)) + "/")
        heading = html.select_one(f"#topic-{rule}")
        if heading:
            found |= {
                m.get_text().lower()
                for m in heading.find_parent("section").select("mark")
            }
    return found


def test_only_real_misspellings_are_reported_never_canadian_spellings(internal_site):
    flagged = all_marks(internal_site, "spelling")
    assert flagged == SAMPLE_MISSPELLINGS
    assert flagged.isdisjoint(CANADIAN)


def test_the_sample_problems_are_all_reported(internal_site):
    overview = page(internal_site, "monitoring/")
    first = overview.select_one("#first").find_parent("section")
    marked = {m.get_text() for m in first.select("mark")}
    assert "Damn" in marked
    assert "647-555-0143" in marked
    fischer = page(internal_site, "monitoring/accounts/mastodon-pcbenjaminfischer/")
    assert fischer.select_one("#topic-profile-disclaimer")
    dashboard = page(internal_site, "dashboard/")
    dormant = dashboard.select_one("#dormant").find_next("ul").get_text()
    assert "TPSFrenchCCC" in dormant


def test_dashboard_shows_the_recorded_figures_and_trends(internal_site):
    rows = list(
        csv.DictReader(
            io.StringIO(
                (internal_site / "dashboard" / "metrics.csv").read_text("utf-8")
            )
        )
    )
    days = sorted({row["date"] for row in rows})
    assert len(days) >= 8, "the sample history shows weeks of trend"
    today = {
        r["metric"]: r["value"]
        for r in rows
        if r["date"] == days[-1] and r["scope"] == "all"
    }
    html = page(internal_site, "dashboard/")
    stats = html.select_one(".tps-stats").get_text(" ")
    assert f"{today['active_units']} of 27" in stats
    assert f"{today['posts_7d']} posts in the last 7 days" in " ".join(stats.split())
    # stale feeds shown equal the cache's failed feeds
    accounts = feed_accounts(CONTENT)
    feeds = load_all(ROOT / "feeds" / "cache", [a.key for a in accounts])
    stale = {key.split(":")[1] for key, feed in feeds.items() if feed.stale}
    health = html.select_one("#feed-health").find_parent("section")
    assert {a.get_text().split(": ")[1] for a in health.select("tbody th a")} == stale
    # every chart is an <img> with alt text and a data table beside it
    charts = html.select(".tps-chart")
    assert len(charts) == 4
    for chart in charts:
        img = chart.select_one("img")
        assert img["alt"].strip() and img["src"].endswith(".svg")
        assert chart.select("table tbody tr")
        svg = internal_site / "dashboard" / Path(img["src"]).name
        root = ET.fromstring(svg.read_bytes())
        names = [child.tag.split("}")[1] for child in root[:2]]
        assert names == ["title", "desc"]
        assert b"<script" not in svg.read_bytes()
    trend = html.select_one("#activity").find_parent("section").select_one("table")
    assert len(trend.select("tbody tr")) == len(days)
    assert "as of" in html.select_one(".tps-as-of").get_text().lower()
    exported = list(
        csv.DictReader(
            io.StringIO(
                (internal_site / "dashboard" / "accounts.csv").read_text("utf-8")
            )
        )
    )
    assert {row["account"] for row in exported} == {a.key for a in accounts}
    assert {row["handle"] for row in exported if row["stale_feed"] == "yes"} == stale


def test_the_public_build_contains_no_monitoring_finding_or_word_list(
    internal_site, public_site
):
    canaries = set()
    for path in report_pages(internal_site):
        html = page(internal_site, str(path.parent.relative_to(internal_site)) + "/")
        canaries |= {
            " ".join(p.get_text(" ").split())[:60]
            for p in html.select(".tps-finding__message")
        }
    canaries |= {
        "Monitoring report",
        "Effectiveness dashboard",
        "is not in the Canadian English dictionary",
        "The service word list",
        "Reviewed false positives",
        "the lesson lists American spellings on purpose",
    }
    assert len(canaries) > 10
    leaks = []
    for file in public_site.rglob("*"):
        if file.is_file() and file.suffix in {
            ".html",
            ".xml",
            ".json",
            ".csv",
            ".txt",
            ".svg",
        }:
            text = " ".join(file.read_text(encoding="utf-8", errors="replace").split())
            leaks += [
                f"{file.relative_to(public_site)}: {c}" for c in canaries if c in text
            ]
    assert leaks == []
    names = {f.name for f in public_site.rglob("*")}
    assert names.isdisjoint(
        {"wordlist.txt", "terms.txt", "silenced.yaml", "metrics.csv"}
    )


@pytest.fixture(scope="module")
def intranet(sample_sites, tmp_path_factory):
    with Nginx(sample_sites["internal"], tmp_path_factory.mktemp("nginx-gov")) as nginx:
        yield nginx


@pytest.mark.parametrize(
    "path",
    [
        "monitoring/",
        "monitoring/members/marcus-bell/",
        "dashboard/",
        "moderation/",
        "archive/",
        "archive/facebook-tps32division/",
    ],
)
@pytest.mark.parametrize("width", [375, 1280])
def test_report_pages_pass_axe_at_phone_and_desktop_widths(
    chromium, intranet, path, width
):
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page_ = context.new_page()
    errors = []
    page_.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page_.on(
        "response",
        lambda r: errors.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page_.goto(f"{intranet.url}/{path}")
    violations = axe_violations(page_)
    overflow = page_.evaluate(
        "document.documentElement.scrollWidth > window.innerWidth"
    )
    context.close()
    assert violations == [], describe(violations)
    assert errors == []
    assert not overflow, "the page scrolls sideways"
