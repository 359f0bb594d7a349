"""The records archive: every version of every item fetched, deletions and
edits upstream, append-only, corrupt or locked archives stop the refresh
before it writes anything, export and prune."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from tests.support.html import page
from tps.core.paths import CONTENT
from tps.records_archive import open_archive, store
from tps.records_archive.command import export_account, prune
from tps.records_archive.session import refresh_lock
from tps.site.build import build
from tps.social_feeds import cache
from tps.social_feeds.refresh import RefreshError, refresh
from tps.social_feeds.registry import FeedAccount, feed_accounts
from tps.social_feeds.settings import FeedSettings

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def link(n: int) -> str:
    return f"https://x.com/TPS11Div/status/20{n:02d}"


def atom(entries: list[tuple[int, str]]) -> bytes:
    """(number, text): item n published n hours ago."""
    body = "".join(
        f"""<entry><id>{link(n)}</id><title>Notice {n}</title><link href="{link(n)}"/>
        <published>{(NOW - dt.timedelta(hours=n)).isoformat()}</published>
        <summary>{text}</summary></entry>"""
        for n, text in entries
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>TPS11Div</title><id>urn:tps11</id>
<updated>{NOW.isoformat()}</updated>{body}</feed>""".encode()


FIRST = [
    (1, "Davenport Road is closed for a water main repair."),
    (2, "Bike registration day at the station on Saturday."),
    (3, "Thank you to everyone who came to the town hall."),
]
# item 1 edited, item 2 deleted upstream (item 3, older, still returned)
SECOND = [
    (1, "Davenport Road has reopened after the water main repair."),
    (3, "Thank you to everyone who came to the town hall."),
]


@pytest.fixture
def http():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


def serve(http: HTTPServer, body: bytes) -> None:
    http.clear()
    http.expect_request("/TPS11Div.atom").respond_with_data(
        body, content_type="application/atom+xml"
    )


def account(http: HTTPServer, content: Path = CONTENT) -> FeedAccount:
    found = next(a for a in feed_accounts(content) if a.key == "x:TPS11Div")
    return replace(found, feed=http.url_for("/TPS11Div.atom"))


def settings(tmp_path: Path, **extra) -> FeedSettings:
    return FeedSettings(**({"cache_dir": tmp_path / "cache", "deadline": 10} | extra))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_archive_is_sqlite_in_wal_mode_next_to_the_cache(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    path = tmp_path / "archive.sqlite"
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 3


def test_tps_archive_names_another_path(http, tmp_path, monkeypatch):
    monkeypatch.setenv("TPS_ARCHIVE", str(tmp_path / "records" / "tps.sqlite"))
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    assert (tmp_path / "records" / "tps.sqlite").is_file()
    assert not (tmp_path / "archive.sqlite").exists()


def test_a_second_identical_fetch_adds_nothing(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    archive = open_archive(tmp_path / "archive.sqlite")
    before = {t: archive.count(t) for t in store.TABLES}
    archive.close()
    refresh([account(http)], settings(tmp_path), now=NOW + dt.timedelta(hours=1))
    archive = open_archive(tmp_path / "archive.sqlite")
    assert {t: archive.count(t) for t in store.TABLES} == before
    assert before["versions"] == 3 and before["events"] == 0


def test_the_archive_is_append_only(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    db = sqlite3.connect(tmp_path / "archive.sqlite")
    for statement in ("UPDATE versions SET text = 'x'", "DELETE FROM versions"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            db.execute(statement)
    assert db.execute("SELECT count(*) FROM versions").fetchone()[0] == 3


def test_a_corrupt_archive_stops_the_refresh_before_anything_is_written(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    serve(http, atom(SECOND))
    path = tmp_path / "archive.sqlite"
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        extra.unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    before = snapshot(tmp_path / "cache")
    with pytest.raises(
        RefreshError, match=r"archive\.sqlite.*corrupt.*nothing was written"
    ):
        refresh([account(http)], settings(tmp_path), now=NOW + dt.timedelta(hours=1))
    assert snapshot(tmp_path / "cache") == before
    assert http.log == [] or all(r.path != "/TPS11Div.atom" for r, _ in http.log)


def test_a_locked_archive_stops_the_refresh(http, tmp_path, monkeypatch):
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.2)
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    before = snapshot(tmp_path / "cache")
    other = sqlite3.connect(tmp_path / "archive.sqlite", isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(RefreshError, match="locked by another process"):
            refresh([account(http)], settings(tmp_path))
    finally:
        other.execute("ROLLBACK")
    assert snapshot(tmp_path / "cache") == before


def test_invoke_feeds_exits_non_zero_with_a_clear_message_on_a_corrupt_archive(
    tmp_path,
):
    (tmp_path / "archive.sqlite").write_bytes(b"\0garbage" * 512)
    result = subprocess.run(
        [sys.executable, "-m", "invoke", "feeds", "--cache", str(tmp_path / "cache")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "TPS_ARCHIVE": str(tmp_path / "archive.sqlite")},
        timeout=120,
    )
    assert result.returncode == 1
    assert "records archive is corrupt" in result.stderr
    assert not (tmp_path / "cache" / "report.json").exists()


def test_a_second_refresh_at_once_refuses_clearly(http, tmp_path):
    serve(http, atom(FIRST))
    with (
        refresh_lock(tmp_path / "archive.sqlite"),
        pytest.raises(RefreshError, match="another feed refresh is running"),
    ):
        refresh([account(http)], settings(tmp_path))
    assert not (tmp_path / "cache" / "x").exists()
    refresh([account(http)], settings(tmp_path))  # the lock is released


def test_the_first_run_imports_the_current_cache(tmp_path):
    shutil.copytree(ROOT / "feeds" / "cache", tmp_path / "cache")
    feeds = cache.load_all(tmp_path / "cache", [a.key for a in feed_accounts(CONTENT)])
    expected = sum(len(f.items) for f in feeds.values())
    # every feed unreachable: the refresh fails them all, the import still happens
    accounts = [
        replace(a, feed="http://127.0.0.1:9/none.atom") for a in feed_accounts(CONTENT)
    ]
    refresh(accounts, settings(tmp_path, deadline=5, connect_timeout=0.5, retries=0))
    archive = open_archive(tmp_path / "archive.sqlite")
    assert archive.count() == expected > 100
    keys = archive.versions("facebook:TPS32Division")
    assert any(v.title.startswith("Keys found") for v in keys)


def test_deleted_and_edited_items_upstream(http, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    serve(http, atom(FIRST))
    refresh([account(http, content)], settings(tmp_path))
    serve(http, atom(SECOND))
    later = NOW + dt.timedelta(hours=1)
    refresh([account(http, content)], settings(tmp_path), now=later)

    out = io.StringIO()
    assert export_account("x:TPS11Div", out, path=tmp_path / "archive.sqlite") == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    by_link: dict[str, list[dict]] = {}
    for row in rows:
        by_link.setdefault(row["permalink"], []).append(row)
    assert sorted(by_link) == sorted(link(n) for n in (1, 2, 3))
    edited = sorted(by_link[link(1)], key=lambda r: r["version"])
    assert [r["version"] for r in edited] == ["1", "2"]
    assert "closed" in edited[0]["text"] and "reopened" in edited[1]["text"]
    assert edited[0]["sha256"] != edited[1]["sha256"]
    assert dt.datetime.fromisoformat(by_link[link(2)][0]["deleted"]) == later
    assert by_link[link(3)][0]["deleted"] == "" and edited[0]["deleted"] == ""

    build(
        content=content,
        output_root=tmp_path / "output",
        settings={"SOCIAL_FEEDS": {"cache_dir": str(tmp_path / "cache")}},
        cache_root=tmp_path / "pelican-cache",
    )
    public = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (tmp_path / "output" / "public").rglob("*.html")
    )
    assert "reopened" in public
    internal = tmp_path / "output" / "internal"
    outside_archive = "\n".join(
        p.read_text(encoding="utf-8")
        for p in internal.rglob("*.html")
        if not p.is_relative_to(internal / "archive")
    )
    for text in (public, outside_archive):
        assert link(2) not in text and "Bike registration" not in text
        assert "is closed for a water main" not in text
    # the intranet's archive page keeps both versions and the deletion
    archive_page = page(internal, "archive/x-tps11div/")
    entries = {
        li.select_one("a[href^='https://x.com']")["href"]: li
        for li in archive_page.select(".tps-archive__item")
    }
    assert set(entries) == {link(n) for n in (1, 2, 3)}
    versions = entries[link(1)].select(".tps-archive__versions > li")
    assert [v.blockquote.get_text() for v in versions] == [FIRST[0][1], SECOND[0][1]]
    assert "Deleted upstream" in entries[link(2)].get_text()
    assert "Deleted upstream" not in entries[link(3)].get_text()
    assert archive_page.select_one("main[data-pagefind-body]")
    assert not (tmp_path / "output" / "public" / "archive").exists()

    as_json = io.StringIO()
    export_account("x:TPS11Div", as_json, fmt="json", path=tmp_path / "archive.sqlite")
    data = json.loads(as_json.getvalue())
    assert len(data) == 4 and {"deleted", "moderation", "sha256", "media"} <= set(
        data[0]
    )


def test_an_older_item_past_the_feed_window_is_not_deleted(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    serve(http, atom(FIRST[:2]))  # item 3 is older than all returned: it aged out
    refresh([account(http)], settings(tmp_path))
    archive = open_archive(tmp_path / "archive.sqlite")
    assert archive.count("events") == 0


def test_export_lists_moderation_actions_with_their_reviewer(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    from tps.governance.moderation import Decision

    archive = open_archive(tmp_path / "archive.sqlite")
    decision = Decision(
        item=link(2),
        action="hide",
        reason="posted to the wrong account",
        reviewed_by="A. Singh",
    )
    assert archive.record_decisions([decision], NOW) == 1
    assert archive.record_decisions([decision], NOW) == 0  # kept once
    archive.close()
    out = io.StringIO()
    export_account("x:TPS11Div", out, path=tmp_path / "archive.sqlite")
    rows = {r["permalink"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    assert (
        rows[link(2)]["moderation"] == "hide by A. Singh: posted to the wrong account"
    )
    assert rows[link(1)]["moderation"] == ""


def test_export_names_a_bad_account_or_date(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    path = tmp_path / "archive.sqlite"
    with pytest.raises(ValueError, match="PLATFORM:HANDLE"):
        export_account("TPS11Div", io.StringIO(), path=path)
    with pytest.raises(ValueError, match="no item of x:Nobody"):
        export_account("x:Nobody", io.StringIO(), path=path)
    with pytest.raises(ValueError, match="--since must be a date"):
        export_account("x:TPS11Div", io.StringIO(), since="last week", path=path)
    out = io.StringIO()
    today = NOW.date().isoformat()
    export_account("x:TPS11Div", out, since="2000-01-01", until="2000-12-31", path=path)
    assert out.getvalue().count("\n") == 1  # the header only
    export_account("x:TPS11Div", out := io.StringIO(), until=today, path=path)
    assert out.getvalue().count("\n") >= 2


def test_prune_keeps_everything_by_default_and_removes_old_versions_when_set(
    http, tmp_path
):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    serve(http, atom(SECOND))
    refresh([account(http)], settings(tmp_path), now=NOW + dt.timedelta(days=100))
    assert prune(settings(tmp_path)) is None  # no retention set
    archive = open_archive(tmp_path / "archive.sqlite")
    assert archive.count() == 4
    archive.close()
    later = NOW + dt.timedelta(days=400)
    removed = prune(settings(tmp_path, archive_retention_days=365), now=later)
    assert removed == 3
    archive = open_archive(tmp_path / "archive.sqlite")
    assert archive.count() == 1
    logged = archive.db.execute("SELECT retention_days, versions_removed FROM prunes")
    assert logged.fetchall() == [(365, 3)]
    assert archive.count("events") == 0  # item 2's deletion went with its versions


def test_invoke_archive_export_writes_csv_to_standard_output(http, tmp_path):
    serve(http, atom(FIRST))
    refresh([account(http)], settings(tmp_path))
    serve(http, atom(SECOND))
    refresh([account(http)], settings(tmp_path), now=NOW + dt.timedelta(hours=1))
    command = [sys.executable, "-m", "invoke", "archive-export", "--account"]
    env = {**os.environ, "TPS_ARCHIVE": str(tmp_path / "archive.sqlite")}
    result = subprocess.run(
        [*command, "x:TPS11Div", "--format", "csv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 4 and sum(1 for r in rows if r["deleted"]) == 1
    bad = subprocess.run(
        [*command, "x:TPS11Div", "--format", "xml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 1 and "--format must be csv or json" in bad.stderr


def test_sample_archive_pages_are_on_the_intranet_in_its_search_index(
    internal_site, public_site
):
    import gzip

    listing = page(internal_site, "archive/")
    links = {
        a["href"].rstrip("/").rsplit("/", 1)[-1] for a in listing.select("tbody a")
    }
    assert "facebook-tps32division" in links and len(links) >= 40
    division = page(internal_site, "archive/facebook-tps32division/")
    titles = [
        h.get_text(" ", strip=True) for h in division.select(".tps-archive__item h2")
    ]
    assert "The Santa Claus Parade is on Sunday." in titles  # a Graph post: no title
    assert not any("Keys found" in t for t in titles)  # held: not on the archive page
    indexed = set()
    for fragment in (internal_site / "pagefind").rglob("*.pf_fragment"):
        data = gzip.decompress(fragment.read_bytes())
        indexed |= {url.decode() for url in re.findall(rb'"url":"([^"]+)"', data)}
    assert any("archive/facebook-tps32division/" in url for url in indexed)
    assert not (public_site / "archive").exists()
    for fragment in (public_site / "pagefind").rglob("*.pf_fragment"):
        assert b"/archive/" not in gzip.decompress(fragment.read_bytes())


def test_the_weekly_history_counts_items_gone_from_the_cache():
    from tps.governance.archive_history import overlay, weekly_rows
    from tps.governance.history import Row

    acct = FeedAccount(
        "x:A",
        "x",
        "A",
        "https://x.com/A",
        "https://f/a",
        "11-division",
        "11 Division",
        None,
    )
    as_of = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    dates = [
        # an item that aged out of the cache long ago, one deleted last week
        ("x:A", "1", as_of - 30 * day, None),
        ("x:A", "2", as_of - 22 * day, as_of - 5 * day),
        ("x:A", "3", as_of - 1 * day, None),
    ]
    rows = weekly_rows(dates, [acct], [("11-division", "11 Division")], as_of, weeks=4)
    posts = {
        r.date: r.value for r in rows if r.metric == "posts_7d" and r.scope == "all"
    }
    assert posts[(as_of - 21 * day).date()] == 1  # item 2, deleted only later
    assert posts[(as_of - 28 * day).date()] == 1  # item 1, gone from the cache
    assert (as_of - 35 * day).date() not in posts  # before the archive begins
    window = {
        r.date: r.value
        for r in rows
        if r.metric == "posts_per_week" and r.scope == "all"
    }
    assert window[(as_of - 7 * day).date()] == round(2 * 7 / 28, 1)
    recorded = [Row((as_of - 7 * day).date(), "posts_7d", "all", 5.0)]
    recorded.append(Row((as_of - 7 * day).date(), "findings_28d", "all", 4.0))
    merged = overlay(recorded, rows)
    assert Row((as_of - 7 * day).date(), "findings_28d", "all", 4.0) in merged
    assert Row((as_of - 7 * day).date(), "posts_7d", "all", 5.0) not in merged


def test_the_archive_benchmark_exports_every_version():
    from bench.archive import run as run_bench

    figures = run_bench(versions=400, accounts=2)
    assert figures["versions"] == 400
    assert figures["export_csv_seconds"] > 0 and figures["export_json_seconds"] > 0


def test_a_corrupt_archive_stops_publish_and_the_live_site_keeps_its_release(
    content_copy, tmp_path
):
    from tps.deploy.deploy import Target, list_releases
    from tps.site.publish import PublishError, publish

    cache = tmp_path / "feeds-cache"
    shutil.copytree(ROOT / "feeds" / "cache", cache)
    target = tmp_path / "srv"
    common = {
        "content": content_copy,
        "lock": tmp_path / "publish.lock",
        "audit": False,
        "feeds_cache": cache,
    }
    publish(("public",), str(target), **common)
    releases = list_releases(Target.parse(str(target), "public"))
    live = (target / "public" / "current").resolve()
    (cache / "archive.sqlite").write_bytes(b"not a database at all" * 64)
    before = snapshot(cache)
    with pytest.raises(PublishError, match="records archive is corrupt"):
        publish(("public",), str(target), refresh=True, **common)
    assert (target / "public" / "current").resolve() == live
    assert list_releases(Target.parse(str(target), "public")) == releases
    after = snapshot(cache)
    after.pop("archive.sqlite.lock")  # the refresh lock (empty), not feed data
    assert after == before


def test_a_forked_parse_worker_does_not_keep_the_archive_locked(tmp_path):
    """The refresh's parse pool is forked while the lock is held; a worker that
    outlives the refresh (shutdown without waiting) must not hold it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from tps.records_archive.session import close_inherited_locks, refresh_lock

    path = tmp_path / "archive.sqlite"
    with refresh_lock(path):
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("fork"),
            initializer=close_inherited_locks,
        )
        pool.submit(int).result()
    try:
        with refresh_lock(path):  # the worker is still alive here
            pass
    finally:
        pool.shutdown()
