"""The unit directory, unit pages, account registry and profile library."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import yaml

from tests.support import frontmatter
from tests.support.html import page
from tps.core.paths import CONTENT
from tps.core.problems import ContentError
from tps.site.build import build

UNITS = {
    p.stem: yaml.safe_load(p.read_text()) for p in sorted(CONTENT.glob("units/*.yaml"))
}


def yaml_accounts():
    for slug, unit in UNITS.items():
        for account in unit["accounts"]:
            yield slug, None, account
        for member in unit["members"]:
            for account in member["accounts"]:
                yield slug, member, account


def test_sample_directory_has_27_units_and_177_members():
    kinds = [u["kind"] for u in UNITS.values()]
    assert (
        kinds.count("division"),
        kinds.count("community-consultative-group"),
        kinds.count("unit"),
    ) == (17, 9, 1)
    assert sum(len(u["members"]) for u in UNITS.values()) == 177


def test_directory_lists_every_unit_grouped_by_kind(public_site):
    html = page(public_site, "units/")
    groups = {
        s.h2["id"]: [a.get_text(strip=True) for a in s.select(".tps-card__title a")]
        for s in html.select("section")
        if s.h2 and s.h2.get("id") != "by-neighbourhood"
    }
    assert (
        len(groups["division"]) == 17
        and len(groups["community-consultative-group"]) == 9
    )
    assert groups["division"][:3] == ["11 Division", "12 Division", "13 Division"]
    assert sorted(name for names in groups.values() for name in names) == sorted(
        u["name"] for u in UNITS.values()
    )


def test_find_your_division_lists_every_neighbourhood(public_site):
    html = page(public_site, "units/")
    listed = {
        li.get_text(" ", strip=True) for li in html.select(".tps-neighbourhoods li")
    }
    for unit in UNITS.values():
        for hood in unit.get("neighbourhoods", []):
            assert f"{hood}: {unit['name']}" in listed


@pytest.mark.parametrize("slug", sorted(UNITS))
def test_unit_page_has_contacts_accounts_and_members(public_site, slug):
    unit = UNITS[slug]
    html = page(public_site, f"units/{slug}/")
    assert html.h1.get_text(strip=True) == unit["name"]
    contact = html.select_one(".tps-contact-list")
    assert contact.select_one(f'a[href="tel:+1-{unit["phone"]}"]')
    assert contact.select_one('a[href^="https://www.openstreetmap.org/search?query="]')
    assert unit["hours"] in contact.get_text()
    follow = [a["href"] for a in html.select(".tps-follow-box a[rel]")]
    assert follow == [a["url"] for a in unit["accounts"]]
    names = [
        li.select_one(".tps-member__name").get_text(strip=True)
        for li in html.select(".tps-member")
    ]
    assert names == [
        f"{m['rank']} {m['name']}" for m in unit["members"] if m["accounts"]
    ]
    for meeting in unit.get("meetings", []):
        assert meeting["when"] in html.select_one(".tps-meetings").get_text()


def test_all_177_members_are_shown(public_site):
    shown = sum(
        len(page(public_site, f"units/{slug}/").select(".tps-member")) for slug in UNITS
    )
    assert shown == 177


def test_unit_page_lists_the_units_blog_posts(public_site):
    posts = [p for p in frontmatter.published(audience="public")]
    html = page(public_site, "units/52-division/")
    titles = [a.get_text(strip=True) for a in html.select(".tps-post-card__title a")]
    assert "The grandparent scam is back: three calls to hang up on" in titles
    assert all(t in {p.title for p in posts} for t in titles)


def test_registry_json_and_csv_match_the_unit_files_once_each(public_site):
    expected = sorted(
        (a["platform"], a["handle"], a["url"], slug, m["name"] if m else "")
        for slug, m, a in yaml_accounts()
    )
    folder = public_site / "social-media/accounts"
    data = json.loads((folder / "accounts.json").read_text())
    from_json = sorted(
        (r["platform"], r["handle"], r["url"], r["unit"], r["member"])
        for r in data["accounts"]
    )
    rows = list(csv.DictReader(io.StringIO((folder / "accounts.csv").read_text())))
    from_csv = sorted(
        (r["platform"], r["handle"], r["url"], r["unit"], r["member"]) for r in rows
    )
    assert from_json == expected == from_csv
    assert data["count"] == len(expected)
    assert all("email" not in r and "review_due" not in r for r in data["accounts"])


def test_registry_page_lists_every_account_once(public_site):
    html = page(public_site, "social-media/accounts/")
    links = [a["href"] for a in html.select("table.tps-table td:nth-of-type(2) a")]
    assert sorted(links) == sorted(a["url"] for _, _, a in yaml_accounts())
    assert len(set(links)) == len(links)


def test_profile_library_is_internal_and_flags_overdue_reviews(
    public_site, internal_site
):
    assert not (public_site / "profile-library").exists()
    html = page(internal_site, "profile-library/")
    today = dt.datetime.now(dt.UTC).date()
    overdue = [a for _, _, a in yaml_accounts() if a["review_due"] < today]
    assert overdue, "the sample should have overdue reviews"
    assert len(html.select(".tps-table__row--overdue .tps-badge--overdue")) == len(
        overdue
    )
    assert (
        f"{len(overdue)} account reviews are overdue"
        in html.select_one(".tps-alert").get_text()
    )


def test_profile_library_shows_feed_health_and_last_post(internal_site):
    """Each account's feed status comes from the feed cache: stale feeds are
    flagged with the age of their last good fetch, and the last post is shown."""
    from tps.core.paths import ROOT
    from tps.social_feeds.models import CachedFeed

    cached = {
        feed.account: feed
        for feed in (
            CachedFeed.model_validate_json(path.read_bytes())
            for path in (ROOT / "feeds/cache").glob("*/*.json")
        )
    }
    stale = {key for key, feed in cached.items() if feed.stale}
    assert stale, "the sample cache should have stale feeds"
    rows = page(internal_site, "profile-library/").select("tbody tr")
    flagged = set()
    for row in rows:
        cells = row.select("td")
        platform, handle = cells[0].get_text(strip=True).split(":", 1)
        key = f"{platform.lower()}:{handle}"
        if cells[6].select_one(".tps-badge--stale"):
            flagged.add(key)
            assert "last good fetch" in cells[6].get_text()
        if key in cached and cached[key].items:
            assert cells[7].select_one("time[datetime]"), key
    assert flagged == stale


def test_member_emails_stay_internal(public_site, internal_site):
    emails = [
        m["email"] for u in UNITS.values() for m in u["members"] if m.get("email")
    ]
    public_text = (
        "\n".join(p.read_text() for p in public_site.rglob("*.html"))
        + (public_site / "social-media/accounts/accounts.json").read_text()
    )
    assert [e for e in emails if e in public_text] == []
    library = (internal_site / "profile-library/index.html").read_text()
    assert all(e in library for e in emails)


UNIT_ERRORS = {
    "bad date": ("verified: 2026-06-14", "verified: 2026-06-31", "accounts.0.verified"),
    "http url": (
        "url: https://x.com/TPS22Div",
        "url: http://x.com/TPS22Div",
        "accounts.0.url",
    ),
    "unknown key": ("hours:", "office_hours: x\nhours:", "office_hours: unknown field"),
    "bad kind": ("kind: division", "kind: precinct", "kind"),
}


@pytest.mark.parametrize("case", UNIT_ERRORS)
def test_a_typo_in_a_unit_file_stops_the_build_naming_file_and_field(
    content_copy, case
):
    old, new, expected = UNIT_ERRORS[case]
    path = content_copy / "units/22-division.yaml"
    text = path.read_text()
    if case == "bad date":
        first = next(
            line.strip()
            for line in text.splitlines()
            if line.strip().startswith("verified:")
        )
        old = first
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as raised:
        build(
            ("public",), content=content_copy, output_root=content_copy.parent / "out"
        )
    message = str(raised.value)
    assert "content/units/22-division.yaml:" in message and expected in message
    assert not (content_copy.parent / "out/public").exists()


def test_duplicate_handle_across_units_is_an_error(content_copy):
    taken = UNITS["52-division"]["accounts"][0]
    path = content_copy / "units/22-division.yaml"
    text = path.read_text().replace(
        "handle: TPS22Div\n  url: https://x.com/TPS22Div",
        f"handle: {taken['handle']}\n  url: https://x.com/{taken['handle']}x",
        1,
    )
    path.write_text(text)
    with pytest.raises(
        ContentError,
        match=rf"content/units/.*accounts.handle: '{taken['handle']}'.*already listed",
    ):
        build(
            ("public",), content=content_copy, output_root=content_copy.parent / "out"
        )


def test_feed_may_be_http_only_on_loopback():
    from tps.units.models import Account

    base = {
        "platform": "x",
        "handle": "a",
        "url": "https://x.com/a",
        "verified": "2026-01-01",
        "review_due": "2027-01-01",
    }
    assert Account.model_validate({**base, "feed": "http://127.0.0.1:8080/a.atom"}).feed
    with pytest.raises(ValueError, match="loopback"):
        Account.model_validate({**base, "feed": "http://feeds.example.com/a.atom"})
