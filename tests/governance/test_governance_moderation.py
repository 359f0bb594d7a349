"""Governed feeds: items with a serious finding are held off every page except
the intranet's moderation queue; reviewed decisions (moderation.yaml) release,
hide or pin an item."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer

from tests.support.html import page
from tps.site.build import build
from tps.site.check import run_checks
from tps.social_feeds.refresh import refresh
from tps.social_feeds.registry import feed_accounts
from tps.social_feeds.settings import FeedSettings

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
PHONE_POST = "https://x.com/TPS11Div/status/1001"
PROFANE_POST = "https://x.com/TPS11Div/status/1002"
PLAIN_POST = "https://x.com/TPS11Div/status/1003"
PINNED_POST = "https://x.com/TPS11Div/status/1004"


def atom() -> bytes:
    entries = [
        (
            PHONE_POST,
            "Wallet found",
            "Wallet found on Bloor St. Call Dana at 647-555-0188 to claim it.",
            1,
        ),
        (PROFANE_POST, "Cold night", "Damn, it was a cold night on patrol.", 2),
        (
            PLAIN_POST,
            "Road closure",
            "Davenport Road is closed for a water main repair. We will recieve updates hourly.",
            3,
        ),
        (
            PINNED_POST,
            "Town hall",
            "Join us for the 11 Division town hall next week.",
            30,
        ),
    ]
    body = "".join(
        f"""<entry><id>{link}</id><title>{title}</title><link href="{link}"/>
        <published>{(NOW - dt.timedelta(hours=hours)).isoformat()}</published>
        <summary>{text}</summary></entry>"""
        for link, title, text, hours in entries
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>TPS11Div</title><id>urn:tps11</id>
<updated>{NOW.isoformat()}</updated>{body}</feed>""".encode()


def every_page(site: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in site.rglob("*.html"))


@pytest.fixture(scope="module")
def governed(tmp_path_factory):
    """The TPS11Div feed from a loopback server, refreshed and built with a
    moderation.yaml that pins one post."""
    import shutil

    from tps.core.paths import CONTENT

    root = tmp_path_factory.mktemp("governed")
    content = root / "content"
    shutil.copytree(CONTENT, content)
    (content / "governance" / "moderation.yaml").write_text(
        f"""- item: {PINNED_POST}
  action: pin
  reason: the town hall is this month's priority
  reviewed_by: Corporate Communications (A. Singh), 2026-11-20
""",
        encoding="utf-8",
    )
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        server.expect_request("/TPS11Div.atom").respond_with_data(
            atom(), content_type="application/atom+xml"
        )
        account = next(a for a in feed_accounts(content) if a.key == "x:TPS11Div")
        from dataclasses import replace

        account = replace(account, feed=server.url_for("/TPS11Div.atom"))
        cache = root / "cache"
        report = refresh([account], FeedSettings(cache_dir=cache, deadline=10))
        assert not report.failed
    finally:
        server.clear()
        server.stop()
    build(
        content=content,
        output_root=root / "output",
        settings={"SOCIAL_FEEDS": {"cache_dir": str(cache)}},
        cache_root=root / "pelican-cache",
    )
    return {"content": content, "cache": cache, "root": root}


def site(governed, name: str) -> Path:
    return governed["root"] / "output" / name


def test_held_items_are_on_no_public_or_internal_page_but_the_queue(governed):
    public, internal = site(governed, "public"), site(governed, "internal")
    public_text = every_page(public)
    # the feed itself is shown, and a spelling finding never holds a post
    assert PLAIN_POST in public_text and "recieve" in public_text
    for link in (PHONE_POST, PROFANE_POST):
        assert link not in public_text
        elsewhere = [
            p
            for p in internal.rglob("*.html")
            if link in p.read_text(encoding="utf-8")
            and not p.is_relative_to(internal / "moderation")
            and not p.is_relative_to(internal / "monitoring")
        ]
        assert elsewhere == [], link
    assert "647-555-0188" not in public_text


def test_the_queue_shows_item_account_owner_finding_fetched_and_the_line(governed):
    html = page(site(governed, "internal"), "moderation/")
    items = html.select(".tps-moderation__item")
    texts = {i.select_one("a[href^='https://x.com']")["href"]: i for i in items}
    assert set(texts) == {PHONE_POST, PROFANE_POST}
    phone = texts[PHONE_POST].get_text(" ")
    assert "x:TPS11Div" in phone and "11 Division" in phone
    assert "Personal information" in phone and "647-555-0188" in phone
    assert texts[PHONE_POST].select_one("time[datetime]")
    assert "Fetched" in phone
    pasted = [code.get_text() for code in texts[PHONE_POST].select("pre code")]
    assert f"- item: {PHONE_POST}\n  action: release\n" in pasted[0]
    assert "action: hide" in pasted[1]
    profane = texts[PROFANE_POST].get_text(" ")
    assert "Inappropriate language" in profane and "profanity" in profane
    assert not (site(governed, "public") / "moderation").exists()


def test_a_pinned_item_comes_first_on_its_unit_page_and_the_home_page(governed):
    public = site(governed, "public")
    unit = page(public, "units/11-division/")
    links = [a["href"] for a in unit.select(".tps-unit-social .tps-feed-item__title a")]
    assert links[0] == PINNED_POST and PLAIN_POST in links
    home = page(public, "")
    links = [
        a["href"]
        for a in home.select(".tps-social-home__posts .tps-feed-item__title a")
    ]
    assert links[0] == PINNED_POST


def test_release_shows_a_held_item_and_hide_takes_one_off_every_page(governed):
    content, root = governed["content"], governed["root"]
    (content / "governance" / "moderation.yaml").write_text(
        f"""- item: {PHONE_POST}
  action: release
  reason: Dana is the 11 Division front desk clerk; the number is the desk's
  reviewed_by: Corporate Communications (A. Singh), 2026-11-20
- item: {PLAIN_POST}
  action: hide
  reason: posted to the wrong account
  reviewed_by: Corporate Communications (A. Singh), 2026-11-20
""",
        encoding="utf-8",
    )
    build(
        content=content,
        output_root=root / "output",  # a rebuild: unchanged pages may be reused
        settings={"SOCIAL_FEEDS": {"cache_dir": str(governed["cache"])}},
        cache_root=root / "pelican-cache",
    )
    public = every_page(root / "output" / "public")
    internal = every_page(root / "output" / "internal")
    assert PHONE_POST in public
    assert PLAIN_POST not in public and PLAIN_POST not in internal
    assert PROFANE_POST not in public


def test_the_sample_keys_found_post_is_held(public_site, internal_site):
    assert "Keys found" not in every_page(public_site)
    assert "647-555-0143" not in every_page(public_site)
    queue = page(internal_site, "moderation/").get_text(" ")
    assert "Keys found" in queue and "TPS32Division" in queue
    report = page(internal_site, "monitoring/")
    held = report.select_one(".tps-monitoring__held")
    assert "held" in held.get_text() and held.a["href"].endswith("moderation/")


@pytest.mark.parametrize(
    "entry, field",
    [
        (
            "- item: https://x.com/a/1\n  action: hide\n  reason: wrong account\n",
            "reviewed_by",
        ),
        (
            "- item: https://x.com/a/1\n  action: hide\n  reviewed_by: A. Singh\n",
            "reason",
        ),
        (
            "- item: https://x.com/a/1\n  action: delete\n  reason: r\n  reviewed_by: A. Singh\n",
            "action",
        ),
        (
            "- item: https://x.com/a/1\n  action: hide\n  until: 2026-12-01\n  reason: r\n  reviewed_by: A. Singh\n",
            "until",
        ),
    ],
)
def test_an_incomplete_decision_fails_invoke_check_with_file_and_line(
    content_copy, entry, field
):
    (content_copy / "governance" / "moderation.yaml").write_text(
        "# decisions\n\n" + entry, encoding="utf-8"
    )
    problems = [
        p for p in run_checks(content_copy) if p.path.endswith("moderation.yaml")
    ]
    assert problems, entry
    problem = problems[0]
    assert problem.path == "content/governance/moderation.yaml"
    assert problem.severity == "error"
    assert problem.line >= 3
    assert field in str(problem)


def test_a_pin_lasts_until_its_date_and_only_pins_take_until():
    from tps.governance.moderation import Decision

    pin = Decision(
        item=PINNED_POST,
        action="pin",
        reason="town hall",
        reviewed_by="A. Singh",
        until=dt.date(2026, 12, 1),
    )
    zone = ZoneInfo("America/Toronto")
    assert pin.pinned_at(dt.datetime(2026, 12, 1, 23, 59, tzinfo=zone))
    assert not pin.pinned_at(dt.datetime(2026, 12, 2, 0, 1, tzinfo=zone))
    assert not pin.pinned_at(dt.datetime(2026, 12, 2, 5, 1, tzinfo=dt.UTC))
    forever = pin.model_copy(update={"until": None})
    assert forever.pinned_at(dt.datetime(2030, 1, 1, tzinfo=zone))
    with pytest.raises(ValueError, match="only for action: pin"):
        Decision(
            item=PINNED_POST,
            action="hide",
            reason="r",
            reviewed_by="A. Singh",
            until=dt.date(2026, 12, 1),
        )


def test_moderation_yaml_goes_through_the_safe_loader(tmp_path):
    """Aliases and duplicate keys are refused in moderation.yaml as in every
    other reviewed file, with the line."""
    from tps.governance.moderation import load_decisions

    path = tmp_path / "moderation.yaml"
    path.write_text(
        "- item: https://x.com/TPS32Div/status/1\n"
        "  action: hide\n"
        "  action: release\n"
        "  reason: duplicate key\n"
        "  reviewed_by: Sgt. A. Reviewer\n"
    )
    _, [problem] = load_decisions(path)
    assert problem.line == 3 and "appears twice" in problem.message
    path.write_text("- &a {item: x}\n- *a\n")
    _, [problem] = load_decisions(path)
    assert "alias" in problem.message or "anchor" in problem.message


def test_social_feeds_refuses_to_build_pages_without_the_moderation_gate():
    """The gate reaches social_feeds through its feed_states_ready signal (so
    social_feeds imports no governance): with no receiver, no page is built
    from ungoverned items."""
    import datetime as _dt

    import tps.governance.generator as governance
    from tps.social_feeds.plugin import _govern
    from tps.social_feeds.signals import feed_states_ready

    governance.register()
    with feed_states_ready.muted(), pytest.raises(ValueError, match="moderation gate"):
        _govern(object(), {"PATH": "content"}, [], _dt.datetime.now(_dt.UTC))
