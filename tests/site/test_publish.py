"""Publishing with real rsync to a local target, served by a real nginx."""

from __future__ import annotations

import datetime as dt
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from tests.support.nginx import Nginx
from tps.deploy.deploy import Target, list_releases, rollback
from tps.site.leakcheck import find_leaks
from tps.site.publish import PublishError, PublishLocked, publish


@pytest.fixture
def target(tmp_path):
    return tmp_path / "srv"


def run(content, target, tmp_path, **kwargs):
    # The audit step has its own tests (test_audit.py); here it would only add
    # half a minute to every publish.
    kwargs.setdefault("audit", False)
    return publish(
        ("public",),
        str(target),
        content=content,
        lock=tmp_path / "publish.lock",
        **kwargs,
    )


def title_of(content, relative):
    path = content / relative
    return next(
        line for line in path.read_text().splitlines() if line.startswith("Title:")
    )


def test_publish_twice_switches_current_keeps_the_old_release_and_links_unchanged_files(
    content_copy, target, tmp_path
):
    from tps.site.publish import summary_line

    first = run(content_copy, target, tmp_path)[0]
    done = run(content_copy, target, tmp_path)
    second = done[0]
    # A publish run logs one summary line.
    line = summary_line(done, 3.25)
    assert line.startswith("publish ok in 3.2s: public=") and "changed=" in line
    assert "\n" not in line
    site = Target.parse(str(target), "public")
    assert site.releases() == sorted([first.release, second.release])
    assert (target / "public/current").resolve().name == second.release
    css = [
        target / "public/releases" / r / "theme/css/main.css"
        for r in (first.release, second.release)
    ]
    assert css[0].stat().st_ino == css[1].stat().st_ino, (
        "unchanged files are hard links"
    )
    rows = list_releases(site)
    assert [r["current"] for r in rows] == [False, True] and rows[1]["pages"] > 100


def test_a_failing_check_deploys_nothing(content_copy, target, tmp_path):
    run(content_copy, target, tmp_path)
    before = sorted(p.name for p in (target / "public/releases").iterdir())
    current = (target / "public/current").resolve()
    (content_copy / "blogs/crime-blog/broken.md").write_text(
        "Title: Broken\nDate: 2026-13-45\nAuthor: A\n\nx\n"
    )
    with pytest.raises(PublishError) as raised:
        run(content_copy, target, tmp_path)
    assert raised.value.step == "build" and "broken.md:2: Date" in str(raised.value)
    assert sorted(p.name for p in (target / "public/releases").iterdir()) == before
    assert (target / "public/current").resolve() == current


def test_rollback_restores_the_previous_content(content_copy, target, tmp_path):
    post = "blogs/crime-blog/grandparent-scam-warning.md"
    run(content_copy, target, tmp_path)
    path = content_copy / post
    path.write_text(
        path.read_text().replace(
            title_of(content_copy, post), "Title: Corrected headline"
        )
    )
    run(content_copy, target, tmp_path)
    served = (
        target / "public/current/blogs/crime-blog/grandparent-scam-warning/index.html"
    )
    assert "Corrected headline" in served.read_text()
    rollback(Target.parse(str(target), "public"))
    assert "Corrected headline" not in served.read_text()
    assert "The grandparent scam is back" in served.read_text()


def test_a_second_publish_hits_the_lock_and_a_stale_lock_is_taken_over(
    content_copy, target, tmp_path
):
    lock = tmp_path / "publish.lock"
    holder = subprocess.Popen(["sleep", "30"])
    try:
        lock.write_text(f"{holder.pid}\n")
        with pytest.raises(
            PublishLocked, match=f"another publish is running \\(pid {holder.pid}"
        ):
            run(content_copy, target, tmp_path)
        assert not (target / "public").exists()
    finally:
        holder.kill()
        holder.wait()
    run(content_copy, target, tmp_path)  # the holder is gone: stale lock taken over
    assert (target / "public/current/index.html").exists()
    assert not lock.exists()


def test_leak_check_finds_an_internal_title_in_public_output(tmp_path):
    from tps.core.paths import CONTENT

    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text(
        "<h1>Procedure: investigative use of social media</h1>"
    )
    assert find_leaks(public, CONTENT) == [
        "index.html: 'Procedure: investigative use of social media'"
    ]


def test_readers_see_only_complete_releases_during_a_publish(
    content_copy, target, tmp_path
):
    run(content_copy, target, tmp_path)
    statuses, stop = [], threading.Event()
    with Nginx(target / "public/current", tmp_path / "nginx") as nginx:

        def read_continuously():
            for _ in range(5000):
                if stop.is_set():
                    return
                for url in (
                    "/",
                    "/theme/css/main.css",
                    "/blogs/crime-blog/",
                    "/units/52-division/",
                ):
                    try:
                        statuses.append(
                            urllib.request.urlopen(nginx.url + url, timeout=5).status
                        )
                    except urllib.error.HTTPError as error:
                        statuses.append(error.code)

        reader = threading.Thread(target=read_continuously)
        reader.start()
        try:
            run(content_copy, target, tmp_path)
            run(content_copy, target, tmp_path)
        finally:
            stop.set()
            reader.join()
    assert len(statuses) > 20
    assert set(statuses) == {200}


def test_schedule_renders_a_timer_and_a_cron_line_that_run_publish():
    from tps.core.paths import ROOT
    from tps.site.schedule import cron_line, parse_every, systemd_units

    units = systemd_units("15m", "/srv/tps", "all")
    assert "OnUnitActiveSec=15min" in units["tps-publish.timer"]
    command = f"{ROOT}/.venv/bin/invoke publish --target /srv/tps --site all"
    assert f"ExecStart={command}" in units["tps-publish.service"]
    assert cron_line("15m", "/srv/tps", "all").startswith(
        f"*/15 * * * * cd {ROOT} && {command} >> "
    )
    assert cron_line("2h", "/srv/tps", "public").startswith("0 */2 * * * ")
    assert f"{command} --no-refresh-feeds >> " in cron_line(
        "15m", "/srv/tps", "all", refresh_feeds=False
    )
    for bad in ("15", "0m", "2m", "often"):
        with pytest.raises(ValueError, match="--every"):
            parse_every(bad)


def test_previous_release_assets_are_carried_one_release_forward_and_old_releases_pruned(
    content_copy, target, tmp_path
):
    """A page loaded just before a switch still finds its fingerprinted CSS
    after it; old releases are pruned to ``keep``, but never the current one."""
    first = run(content_copy, target, tmp_path, keep=2)[0]
    old_theme = target / "public/releases" / first.release / "theme"
    (old_theme / "css/old.aaaaaaaaaa.css").write_text("/* previous release */")
    with (old_theme / "fingerprints.txt").open("a") as manifest:
        manifest.write("css/old.aaaaaaaaaa.css\n")
    second = run(content_copy, target, tmp_path, keep=2)[0]
    carried = (
        target / "public/releases" / second.release / "theme/css/old.aaaaaaaaaa.css"
    )
    assert carried.stat().st_ino == (old_theme / "css/old.aaaaaaaaaa.css").stat().st_ino
    third = run(content_copy, target, tmp_path, keep=2)[0]
    assert not (
        target / "public/releases" / third.release / "theme/css/old.aaaaaaaaaa.css"
    ).exists()
    site = Target.parse(str(target), "public")
    assert site.releases() == sorted([second.release, third.release])
    assert site.current() == site.releases()[-1] == third.release


def test_publish_refreshes_feeds_and_a_failed_feed_keeps_its_last_items(
    content_copy, target, tmp_path, httpserver
):
    """The scheduled publish refreshes first: a good feed's new post goes live,
    a broken feed fails alone and its last good items stay on the site."""
    import re
    import shutil
    from html import escape

    from tps.core.paths import ROOT
    from tps.site.publish import summary_line
    from tps.social_feeds.models import CachedFeed

    cache = tmp_path / "feeds-cache"
    shutil.copytree(ROOT / "feeds" / "cache", cache)
    unit = content_copy / "units" / "14-division.yaml"
    good = "https://mastodon.social/@TPS14Div.rss"
    text = unit.read_text()
    assert good in text
    unit.write_text(text.replace(good, httpserver.url_for("/good.atom")))
    for path in (content_copy / "units").glob("*.yaml"):  # every other feed: 404
        text = re.sub(r"^\s*api_id: .*\n", "", path.read_text(), flags=re.M)
        path.write_text(
            re.sub(r"feed: https://\S+", f"feed: {httpserver.url_for('/gone')}", text)
        )
    an_hour_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).isoformat()
    httpserver.expect_request("/good.atom").respond_with_data(
        f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>TPS 53 Division</title>
<id>urn:tps53</id><updated>{an_hour_ago}</updated>
<entry><id>urn:tps53:cleanup</id><title>Spring clean-up day at Eglinton Park</title>
<link href="https://mastodon.social/@TPS53Div/1"/><updated>{an_hour_ago}</updated>
<summary>Join officers from 53 Division for the park clean-up.</summary></entry>
</feed>""",
        content_type="application/atom+xml",
    )
    from tps.social_feeds.registry import feed_accounts

    shown = {account.key for account in feed_accounts(content_copy)}
    newest_sample = max(
        (
            item
            for path in cache.glob("*/*.json")
            for item in CachedFeed.model_validate_json(path.read_bytes()).items
            if item.account in shown
        ),
        key=lambda item: item.published,
    )

    done = run(content_copy, target, tmp_path, refresh=True, feeds_cache=cache)

    assert done[0].summary["feeds_failed"] == 12
    assert "feeds_failed=12" in summary_line(done, 1.0)
    live = target / "public/current"
    home = (live / "index.html").read_text()
    assert "Spring clean-up day at Eglinton Park" in home
    assert "Spring clean-up day" in (live / "units/14-division/index.html").read_text()
    assert escape(newest_sample.title) in home  # its feed failed: last items kept
    # the latest video and 8 latest posts: all from failed feeds but the new post
    assert home.count('tps-badge--stale"') == 8
