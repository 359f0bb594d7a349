"""Site-wide alerts (issue 17): `invoke alert` on a published target reaches
every page served by the shipped nginx config within seconds, without a
rebuild; clear and expiry take it away; the build shows content/alerts.yaml."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.support.browser import axe_violations, describe
from tests.support.nginx import Nginx, free_port, shipped_server
from tps.alerts import command as live
from tps.alerts.model import TORONTO
from tps.core.paths import CONTENT, ROOT
from tps.site.publish import publish

INVOKE = str(ROOT / ".venv" / "bin" / "invoke")
CONTENT_ALERT = "Boil-water advisory drill at 14 Division"
PUBLIC_PAGES = [
    "/",
    "/units/",
    "/blogs/traffic-services/",
    "/blogs/",
    "/search/",
]
AUTH = {"Authorization": "Basic " + base64.b64encode(b"jdoe:s3cret-pass").decode()}


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    """The sample content plus one current alert in content/alerts.yaml."""
    folder = tmp_path_factory.mktemp("alerts-content") / "content"
    shutil.copytree(CONTENT, folder)
    with (folder / "alerts.yaml").open("a") as handle:
        handle.write(
            f"""  - id: 20260101-boil-water-drill
    title: {CONTENT_ALERT}
    message: A planned exercise. No action is needed.
    posted: 2026-01-01 09:00
    until: 2099-01-01 00:00
"""
        )
    return folder


@pytest.fixture(scope="module")
def srv(content, tmp_path_factory):
    root = tmp_path_factory.mktemp("alerts-srv")
    publish(
        ("public", "internal"),
        str(root),
        content=content,
        lock=root / "publish.lock",
        audit=False,
    )
    return root


@pytest.fixture(scope="module")
def public_server(srv, tmp_path_factory):
    run, port = tmp_path_factory.mktemp("alerts-nginx-public"), free_port()
    with Nginx(
        None, run, shipped_server("tps-public.conf", port, srv, run), port=port
    ) as nginx:
        yield nginx


@pytest.fixture(scope="module")
def internal_server(srv, tmp_path_factory):
    from tps.site.nginx import write_htpasswd

    run, port = tmp_path_factory.mktemp("alerts-nginx-internal"), free_port()
    htpasswd = write_htpasswd(run / "htpasswd", "jdoe", "s3cret-pass")
    with Nginx(
        None,
        run,
        shipped_server("tps-internal.conf", port, srv, run, htpasswd),
        port=port,
    ) as nginx:
        yield nginx


@pytest.fixture(scope="module")
def post_url(srv):
    posts = sorted((srv / "public/current/blogs/traffic-services").glob("*/index.html"))
    post = next(p for p in posts if p.parent.name != "page")
    return f"/blogs/traffic-services/{post.parent.name}/"


def fetch(url, headers=None) -> str:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read().decode()


def served(public_server, internal_server, post_url) -> dict[str, str]:
    pages = {p: fetch(public_server.url + p) for p in [*PUBLIC_PAGES, post_url]}
    pages["intranet /"] = fetch(internal_server.url + "/", AUTH)
    try:
        fetch(public_server.url + "/no-such-page/")
    except urllib.error.HTTPError as error:  # the 404 page carries it too
        assert error.code == 404
        pages["404"] = error.read().decode()
    return pages


def wait_for(check, seconds=15.0):
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s")


def region(html: str) -> str:
    match = re.search(r'<section class="tps-alerts".*?</section>', html, re.S)
    return match.group(0) if match else ""


def test_without_invoke_alert_pages_show_the_build_alerts_once(
    srv, public_server, internal_server, post_url
):
    """Before any `invoke alert`, SSI's include fails and its stub, the build's
    own block from content/alerts.yaml, is shown: once, not twice. The
    expired sample alert is not shown."""
    assert CONTENT_ALERT in (srv / "public/current/units/index.html").read_text()
    for name, html in served(public_server, internal_server, post_url).items():
        assert html.count(CONTENT_ALERT) == 1, name
        assert "Gardiner Expressway eastbound" not in region(html), name
        assert "<!--#" not in html, f"{name}: SSI not processed"


def test_alert_appears_on_every_page_within_15_s_and_clear_removes_it(
    srv, content, public_server, internal_server, post_url
):
    first = live.publish_alert(
        str(srv),
        title="Avoid the Gardiner eastbound",
        message="A collision has closed the eastbound lanes at Spadina.",
        by="Sgt. A. Tester",
    )
    started = time.monotonic()
    result = subprocess.run(
        [
            INVOKE,
            "alert",
            "--target",
            str(srv),
            "--title",
            "Have you seen this child?",
            "--message",
            "Amira, 9, was last seen near Dufferin Mall. Call 911.",
            "--level",
            "emergency",
            "--link",
            "https://www.tps.ca/news/",
            "--by",
            "Det. B. Tester",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    def everywhere():
        pages = served(public_server, internal_server, post_url)
        return all("Have you seen this child?" in region(h) for h in pages.values())

    wait_for(everywhere)
    elapsed = time.monotonic() - started
    assert elapsed < 15, elapsed
    for name, html in served(public_server, internal_server, post_url).items():
        banner = region(html)
        assert 'aria-labelledby="tps-alerts-heading"' in banner, name
        assert "3 public alerts" in banner, name
        newest, older = (
            banner.index("Have you seen this child?"),
            banner.index("Avoid the Gardiner eastbound"),
        )
        assert newest < older < banner.index(CONTENT_ALERT), f"{name}: newest first"
        assert html.count('class="tps-alerts"') == 1, f"{name}: one banner"
        assert banner.count("tps-site-alert__title") == 3, f"{name}: each alert once"
        assert "tps-site-alert--emergency" in banner

    # The alerts survive a rebuild-free life on the target, outside the releases.
    assert (srv / "alerts/banner.html").exists()
    assert not list((srv / "public").glob("releases/*/_alerts"))

    live.clear_alerts(str(srv), id=first.id, by="Sgt. A. Tester")
    pages = served(public_server, internal_server, post_url)
    assert all("Avoid the Gardiner" not in h for h in pages.values())
    assert all("Have you seen this child?" in region(h) for h in pages.values())

    result = subprocess.run(
        [INVOKE, "alert", "--clear", "--target", str(srv), "--by", "Insp. C."],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wait_for(
        lambda: all(
            region(h) == ""
            for h in served(public_server, internal_server, post_url).values()
        )
    )

    log = [
        json.loads(line) for line in (srv / "alerts/log.jsonl").read_text().splitlines()
    ]
    assert [(e["action"], e["by"]) for e in log[-4:]] == [
        ("publish", "Sgt. A. Tester"),
        ("publish", "Det. B. Tester"),
        ("clear", "Sgt. A. Tester"),
        ("clear", "Insp. C."),
    ]
    assert all(dt.datetime.fromisoformat(e["at"]).tzinfo for e in log)


def test_an_alert_past_its_until_leaves_the_pages_at_the_next_expiry_run(
    srv, content, public_server, internal_server, post_url, monkeypatch
):
    soon = (dt.datetime.now(TORONTO) + dt.timedelta(minutes=2)).strftime(
        "%Y-%m-%d %H:%M"
    )
    alert = live.publish_alert(
        str(srv),
        title="Road closure: Queen Street West",
        message="Closed between Bathurst and Spadina for a police investigation.",
        until=soon,
    )
    assert "Queen Street West" in fetch(public_server.url + "/")
    assert live.expire(str(srv)) == []  # not yet
    # Three minutes later, as the minutely timer would run it.
    later = dt.datetime.now(TORONTO) + dt.timedelta(minutes=3)
    monkeypatch.setattr(live, "now", lambda: later)
    assert live.expire(str(srv)) == [alert.id]
    for name, html in served(public_server, internal_server, post_url).items():
        assert "Queen Street West" not in html, name
    # The schedule runs the same expiry every minute.
    from tps.site.schedule import expiry_units

    units = expiry_units(str(srv))
    assert "OnCalendar=*-*-* *:*:00" in units["tps-alerts-expire.timer"]
    assert f"alert --expire --target {srv}" in units["tps-alerts-expire.service"]


@pytest.mark.parametrize(
    "args, error",
    [
        (["--message", "no title"], "title: missing"),
        (
            ["--title", "T", "--message", "M", "--until", "2020-01-01 10:00"],
            "until: 2020-01-01 10:00 is already past",
        ),
        (["--title", "T", "--message", "M", "--level", "severe"], "level: 'severe'"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(srv, args, error):
    before = files_under(srv / "alerts")
    result = subprocess.run(
        [INVOKE, "alert", "--target", str(srv), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 1
    said = result.stdout + result.stderr
    assert error in said and "nothing changed" in said, said
    assert files_under(srv / "alerts") == before


def files_under(folder) -> dict:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_an_unusable_target_is_a_clear_error(tmp_path):
    for target, reason in [
        (tmp_path / "missing", "no such folder"),
        (tmp_path, "no published site"),
    ]:
        result = subprocess.run(
            [
                INVOKE,
                "alert",
                "--target",
                str(target),
                "--title",
                "T",
                "--message",
                "M",
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        said = result.stdout + result.stderr
        assert result.returncode == 1 and reason in said, said
        assert f"target {target}" in said
    assert list(tmp_path.iterdir()) == []


def test_list_shows_current_alerts_newest_first(srv, content):
    live.publish_alert(str(srv), title="First", message="one")
    live.publish_alert(str(srv), title="Second", message="two")
    shown = [a.title for a in live.list_alerts(str(srv))]
    assert shown[:2] == ["Second", "First"]
    result = subprocess.run(
        [INVOKE, "alert", "--list", "--target", str(srv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0
    assert result.stdout.index("Second") < result.stdout.index("First")
    live.clear_alerts(str(srv))


def test_a_page_with_alerts_has_no_axe_violation_and_looks_finished(
    srv, content, public_server, chromium, tmp_path
):
    child = live.publish_alert(
        str(srv),
        title="Have you seen this child?",
        message="Amira, 9, was last seen near Dufferin Mall wearing a red coat. Call 911.",
        level="emergency",
        link="https://www.tps.ca/news/",
    )
    live.publish_alert(
        str(srv),
        title="Avoid the Gardiner eastbound",
        message="A collision has closed the eastbound lanes at Spadina.",
    )
    shots = ROOT / ".cache" / "alerts-screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    try:
        for width in (390, 1280):
            page = chromium.new_page(viewport={"width": width, "height": 900})
            errors: list[str] = []
            page.on(
                "console",
                lambda m, seen=errors: m.type == "error" and seen.append(m.text),
            )
            for path in ("/", "/units/", "/alerts/", f"/{child.url}"):
                page.goto(public_server.url + path)
                assert page.locator("section.tps-alerts").count() == 1
                violations = axe_violations(page)
                assert violations == [], describe(violations)
            page.goto(public_server.url + "/")
            page.screenshot(path=str(shots / f"home-{width}.png"))
            page.goto(public_server.url + f"/{child.url}")
            page.screenshot(path=str(shots / f"alert-page-{width}.png"), full_page=True)
            assert errors == [], errors  # no CSP violation: no inline style or script
            page.close()
    finally:
        live.clear_alerts(str(srv))


def test_the_audit_serves_every_page_with_alerts(srv, tmp_path):
    from tps.site.audit.server import serve_site

    with serve_site("public", srv / "public/current", tmp_path) as site:
        html = fetch(site.url + "/blogs/")
    banner = region(html)
    assert "tps-site-alert--emergency" in banner and "tps-site-alert--warning" in banner


def test_a_bad_alerts_file_names_the_file_entry_and_field(tmp_path):
    from tps.alerts.model import AlertError, load_content_alerts

    (tmp_path / "alerts.yaml").write_text(
        "alerts:\n  - id: road-closure\n    message: Closed.\n    posted: 2026-07-14 07:40\n"
    )
    with pytest.raises(AlertError, match=r"alerts\.yaml: alerts\[1\]: title: missing"):
        load_content_alerts(tmp_path)
    (tmp_path / "alerts.yaml").write_text(
        "alerts:\n  - id: x\n    title: T\n    message: M\n    posted: 2026-07-14 07:40\n    colour: red\n"
    )
    with pytest.raises(AlertError, match=r"alerts\[1\]: colour: unknown field"):
        load_content_alerts(tmp_path)


def soup_of(html: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(html, "html.parser")


def test_a_command_alert_has_its_own_page_a_feed_entry_and_a_place_in_the_list(
    srv, public_server, internal_server
):
    """An alert published without a rebuild is content too: its own page in
    the live release's layout, an entry in /alerts/feed.atom.xml and in the
    /alerts/ list, on both sites; cleared, its page stays, marked ended."""
    import feedparser

    title = "Have you seen Sam & his dog <Rex>?"
    alert = live.publish_alert(
        str(srv),
        title=title,
        message="Sam, 12, was last seen near Christie Pits. Call 911.",
        level="emergency",
        by="Det. B. Tester",
    )
    home = soup_of(fetch(public_server.url + "/"))
    url = f"/{alert.url}"
    try:
        for server, headers in ((public_server, None), (internal_server, AUTH)):
            html = fetch(server.url + url, headers)
            soup = soup_of(html)
            assert soup.h1.get_text() == title
            assert soup.title.get_text().startswith(title)
            assert "<Rex>" not in html and "TPS-LIVE-ALERT" not in html
            assert "tps-live-alert" not in html
            assert soup.find("link", rel="canonical")["href"].endswith(url)
            assert "Emergency alert" in soup.select_one(".tps-alert-page__level").text
            assert "(ended)" not in soup.select_one(".tps-alert-page__level").text
            # The banner on every page links to it.
            assert soup_of(region(fetch(server.url + "/", headers))).find("a", href=url)
            listing = soup_of(fetch(server.url + "/alerts/", headers))
            assert listing.find("a", href=url).get_text() == title
            assert listing.find(string=re.compile(CONTENT_ALERT))
        # The page has the release's layout: the same stylesheet as the home page.
        sheet = soup_of(fetch(public_server.url + url)).find("link", rel="stylesheet")
        same = home.find("link", rel="stylesheet")["href"]
        assert sheet["href"] == "../../" + same.removeprefix("./")

        feed = feedparser.parse(fetch(public_server.url + "/alerts/feed.atom.xml"))
        titles = [e.title for e in feed.entries]
        assert titles[0] == f"Emergency: {title}", titles
        assert any(CONTENT_ALERT in t for t in titles)
        assert feed.entries[0].link == f"https://www.tps.ca{url}"

        with pytest.raises(urllib.error.HTTPError) as missing:
            fetch(public_server.url + "/alerts/live-alert/")
        assert missing.value.code == 404
    finally:
        live.clear_alerts(str(srv), id=alert.id, by="Det. B. Tester")

    ended = soup_of(fetch(public_server.url + url))
    assert "(ended)" in ended.select_one(".tps-alert-page__level").text
    assert title not in region(fetch(public_server.url + "/"))
    item = soup_of(fetch(public_server.url + "/alerts/")).find("a", href=url).parent
    assert "ended" in item.get_text()


def test_the_next_expiry_run_gives_alert_pages_a_new_release_layout(srv, public_server):
    alert = live.publish_alert(str(srv), title="Layout check", message="M.")
    shell = srv / "public/current/alerts/live-alert/index.html"
    original = shell.read_text()
    try:
        shell.write_text(original.replace("</main>", "<p>New layout.</p></main>"))
        assert "New layout." not in fetch(public_server.url + f"/{alert.url}")
        live.expire(str(srv))
        assert "New layout." in fetch(public_server.url + f"/{alert.url}")
    finally:
        shell.write_text(original)
        live.clear_alerts(str(srv), id=alert.id)


def test_two_alert_runs_at_once_both_land_and_a_stale_lock_is_taken_over(srv):
    runs = [
        subprocess.Popen(
            [INVOKE, "alert", "--target", str(srv), "--title", t, "--message", "M."],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=ROOT,
        )
        for t in ("Concurrent one", "Concurrent two")
    ]
    for run in runs:
        output, _ = run.communicate(timeout=60)
        assert run.returncode == 0, output
    titles = {a.title for a in live.list_alerts(str(srv))}
    assert {"Concurrent one", "Concurrent two"} <= titles

    lock = srv / "alerts/.lock"
    lock.mkdir()
    old = time.time() - 600  # left by a run killed ten minutes ago
    import os

    os.utime(lock, (old, old))
    live.clear_alerts(str(srv))
    assert not lock.exists()
    assert live.list_alerts(str(srv)) == []


def test_alert_changes_are_kept_in_the_records_archive(srv, tmp_path, monkeypatch):
    from tps.records_archive import open_archive

    path = tmp_path / "archive.sqlite"
    open_archive(path).close()
    monkeypatch.setenv("TPS_ARCHIVE", str(path))
    alert = live.publish_alert(str(srv), title="Archived", message="M.", by="Sgt. R.")
    live.clear_alerts(str(srv), id=alert.id, by="Insp. S.")
    archive = open_archive(path, readonly=True)
    try:
        changes = archive.alert_changes()
    finally:
        archive.close()
    assert [(c["action"], c["by"], c["target"]) for c in changes] == [
        ("publish", "Sgt. R.", str(srv)),
        ("clear", "Insp. S.", str(srv)),
    ]
    assert changes[0]["alert"]["title"] == "Archived"
    assert changes[1]["ids"] == [alert.id]
