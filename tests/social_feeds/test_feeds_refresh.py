"""The social feeds refresh against a real HTTP server on loopback.

Every failure kind stays with its feed and never costs the feed its last good
items; 304s keep items; the overall deadline holds; images are stored locally
as clean JPEGs; `invoke feeds` exits 0 with failed feeds, non-zero with
--strict or when the refresh cannot run at all.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import re
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from tps.social_feeds import cache
from tps.social_feeds.media import media_name
from tps.social_feeds.refresh import RefreshError, refresh
from tps.social_feeds.registry import FeedAccount
from tps.social_feeds.report import read_report
from tps.social_feeds.settings import FeedSettings

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=3)


def atom(name: str, items: int = 3, *, image: str | None = None) -> bytes:
    thumbnail = f'<media:thumbnail url="{image}"/>' if image else ""
    entries = "".join(
        f"""<entry><id>urn:{name}:{i}</id><title>{name} post {i}</title>
        <link href="https://example.org/{name}/{i}"/>
        <updated>2026-11-{20 - i:02d}T10:00:00Z</updated>
        <summary>Update {i} from {name}.</summary>{thumbnail}</entry>"""
        for i in range(items)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>{name}</title><id>urn:{name}</id><updated>2026-11-20T10:00:00Z</updated>
{entries}</feed>""".encode()


ATOM_TYPE = "application/atom+xml"


@pytest.fixture(scope="module")
def server():
    # Threaded: a slow handler must not hold up the other feeds' requests.
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def http(server):
    server.clear()
    yield server
    server.clear()


def account(http: HTTPServer, name: str, platform: str = "mastodon") -> FeedAccount:
    return FeedAccount(
        key=f"{platform}:{name}",
        platform=platform,
        handle=name,
        url=f"https://example.org/@{name}",
        feed=http.url_for(f"/{name}.atom"),
        unit="22-division",
        unit_name="22 Division",
        member=None,
    )


def feed_settings(tmp_path: Path, **overrides) -> FeedSettings:
    values = {
        "cache_dir": tmp_path / "cache",
        "deadline": 10,
        "connect_timeout": 1,
        "read_timeout": 0.5,
        "retries": 2,
        "backoff": 0.05,
        "max_bytes": 100_000,
    } | overrides
    return FeedSettings(**values)


def by_account(report) -> dict:
    return {feed.account: feed for feed in report.feeds}


def requests_to(http: HTTPServer, path: str) -> list[Request]:
    return [request for request, _ in http.log if request.path == path]


def slow(seconds: float, body: bytes):
    def handler(request: Request) -> Response:
        time.sleep(seconds)
        return Response(body, content_type=ATOM_TYPE)

    return handler


# --- success, and what is stored -------------------------------------------------


def test_a_good_feed_is_stored_with_its_validators_and_reported(http, tmp_path):
    http.expect_request("/good.atom").respond_with_data(
        atom("good"),
        content_type=ATOM_TYPE,
        headers={"ETag": '"v1"', "Last-Modified": "Fri, 20 Nov 2026 10:00:00 GMT"},
    )
    settings = feed_settings(tmp_path)
    report = refresh([account(http, "good")], settings, now=NOW)

    stored = cache.load(settings.cache_dir, "mastodon:good")
    assert [item.title for item in stored.items] == [f"good post {i}" for i in range(3)]
    assert stored.etag == '"v1"'
    assert stored.last_modified == "Fri, 20 Nov 2026 10:00:00 GMT"
    assert stored.last_success == stored.last_attempt == NOW
    assert stored.last_status == 200 and not stored.stale

    on_disk = json.loads((settings.cache_dir / "report.json").read_text())
    [feed] = on_disk["feeds"]
    assert feed["account"] == "mastodon:good"
    assert feed["unit"] == "22-division" and feed["member"] is None
    assert feed["url"] == http.url_for("/good.atom")
    assert feed["status"] == "ok" and feed["http_status"] == 200
    assert feed["items"] == 3 and feed["new_items"] == 3
    assert feed["age_seconds"] == 0 and feed["error"] is None
    assert feed["duration"] > 0
    assert on_disk["deadline"] == 10 and on_disk["deadline_reached"] is False
    assert read_report(settings.cache_dir) == report


def test_304_revalidation_sends_the_validators_and_keeps_the_items(http, tmp_path):
    validators = {"ETag": '"v1"', "Last-Modified": "Fri, 20 Nov 2026 10:00:00 GMT"}
    http.expect_request("/feed.atom").respond_with_data(
        atom("first"), content_type=ATOM_TYPE, headers=validators
    )
    settings = feed_settings(tmp_path)
    feeds = [account(http, "feed")]
    refresh(feeds, settings, now=NOW)

    http.clear()
    # Answers 304 only to the right validators; anything else gets other items.
    http.expect_request(
        "/feed.atom",
        headers={
            "If-None-Match": '"v1"',
            "If-Modified-Since": validators["Last-Modified"],
        },
    ).respond_with_data("", status=304, headers={"ETag": '"v1"'})
    http.expect_request("/feed.atom").respond_with_data(
        atom("second"), content_type=ATOM_TYPE
    )
    report = refresh(feeds, settings, now=LATER)

    [feed] = report.feeds
    assert (feed.status, feed.http_status, feed.new_items) == ("not-modified", 304, 0)
    stored = cache.load(settings.cache_dir, "mastodon:feed")
    assert [item.title for item in stored.items] == [
        f"first post {i}" for i in range(3)
    ]
    assert stored.last_success == LATER and stored.etag == '"v1"'
    [request] = requests_to(http, "/feed.atom")
    assert request.headers["If-None-Match"] == '"v1"'


# --- failures: one feed each, nothing lost ---------------------------------------


FAILURES = {
    # name: (how the server answers, what the report's error must say)
    "timeout": ("slow", "timed out waiting for data"),
    "missing": ("404", "HTTP 404"),
    "broken": ("500", "HTTP 500"),
    "throttled": ("429 for an hour", "would pass the deadline"),
    "loop": ("redirect loop", "redirect loop"),
    "webpage": ("html", "HTML page"),
    "empty": ("empty", "empty body"),
    "malformed": ("bad xml", "malformed XML"),
    "latin": ("wrong encoding", "encoding"),
    "huge": ("oversized", "body is over the 100000-byte cap"),
    "bomb": ("gzip bomb", "over the 100000-byte cap once decompressed (gzip)"),
    "hollow": ("no items", "no items"),
}


def serve_failure(http: HTTPServer, name: str, kind: str) -> None:
    path = f"/{name}.atom"
    if kind == "slow":
        http.expect_request(path).respond_with_handler(slow(2, atom(name)))
    elif kind in ("404", "500"):
        http.expect_request(path).respond_with_data("nope", status=int(kind))
    elif kind == "429 for an hour":
        http.expect_request(path).respond_with_data(
            "slow down", status=429, headers={"Retry-After": "3600"}
        )
    elif kind == "redirect loop":
        http.expect_request(path).respond_with_data(
            "", status=302, headers={"Location": path}
        )
    elif kind == "html":
        http.expect_request(path).respond_with_data(
            "<!DOCTYPE html><html><body>Log in</body></html>", content_type="text/html"
        )
    elif kind == "empty":
        http.expect_request(path).respond_with_data(b"", content_type=ATOM_TYPE)
    elif kind == "bad xml":
        http.expect_request(path).respond_with_data(
            atom(name)[:-40], content_type=ATOM_TYPE
        )
    elif kind == "wrong encoding":
        body = atom(name).replace(b"post 0", "café".encode("latin-1"))
        http.expect_request(path).respond_with_data(
            body, content_type="application/atom+xml; charset=utf-8"
        )
    elif kind == "oversized":
        # Streamed without a Content-Length: the cap must hold while reading.
        chunk = b"<!-- padding -->" * 1000

        def chunks():
            yield atom(name)[:200]
            for _ in range(20):
                yield chunk

        http.expect_request(path).respond_with_response(
            Response(chunks(), content_type=ATOM_TYPE)
        )
    elif kind == "gzip bomb":
        bomb = gzip.compress(b" " * 20_000_000, compresslevel=9)
        assert len(bomb) < 100_000  # small on the wire, 20 MB decompressed
        http.expect_request(path).respond_with_data(
            bomb, content_type=ATOM_TYPE, headers={"Content-Encoding": "gzip"}
        )
    elif kind == "no items":
        http.expect_request(path).respond_with_data(
            atom(name, items=0), content_type=ATOM_TYPE
        )


def test_each_failure_fails_only_its_feed_and_keeps_its_last_good_items(http, tmp_path):
    settings = feed_settings(tmp_path)
    accounts = [account(http, name) for name in [*FAILURES, "fine"]]
    for name in [*FAILURES, "fine"]:
        http.expect_request(f"/{name}.atom").respond_with_data(
            atom(name), content_type=ATOM_TYPE, headers={"ETag": f'"{name}-1"'}
        )
    first = refresh(accounts, settings, now=NOW)
    assert {feed.status for feed in first.feeds} == {"ok"}
    good = {a.key: cache.load(settings.cache_dir, a.key) for a in accounts}

    http.clear()
    for name, (kind, _) in FAILURES.items():
        serve_failure(http, name, kind)
    http.expect_request("/fine.atom").respond_with_data(
        atom("fine", items=4), content_type=ATOM_TYPE
    )
    started = time.monotonic()
    report = refresh(accounts, settings, now=LATER)
    assert time.monotonic() - started < 5

    feeds = by_account(report)
    assert feeds["mastodon:fine"].status == "ok"
    assert feeds["mastodon:fine"].items == 4 and feeds["mastodon:fine"].new_items == 1
    for name, (kind, reason) in FAILURES.items():
        feed = feeds[f"mastodon:{name}"]
        assert feed.status == "failed", kind
        assert reason in feed.error, (kind, feed.error)
        assert http.url_for(f"/{name}.atom") in feed.error, kind  # names the URL
        assert feed.items == 3 and feed.new_items == 0, kind
        assert feed.age_seconds == 3 * 3600, kind
        stored = cache.load(settings.cache_dir, f"mastodon:{name}")
        before = good[f"mastodon:{name}"]
        # The bad response replaced nothing: same items, profile, validators,
        # last success; only the attempt is recorded, so the feed shows as stale.
        assert stored.items == before.items, kind
        assert stored.profile == before.profile, kind
        assert stored.etag == before.etag, kind
        assert stored.last_success == NOW and stored.last_attempt == LATER, kind
        assert stored.stale and stored.last_error == feed.error, kind
    assert feeds["mastodon:missing"].http_status == 404
    assert feeds["mastodon:broken"].http_status == 500
    # 4xx is never retried; 5xx and timeouts are, up to `retries` times.
    assert len(requests_to(http, "/missing.atom")) == 1
    assert len(requests_to(http, "/broken.atom")) == 3
    assert "after 3 attempts" in feeds["mastodon:timeout"].error
    assert (
        len(requests_to(http, "/throttled.atom")) == 1
    )  # an hour is past the deadline


def test_compressed_feeds_are_decoded(http, tmp_path):
    deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = {
        "gzipped": (gzip.compress(atom("gzipped")), "gzip"),
        "zlibbed": (zlib.compress(atom("zlibbed")), "deflate"),
        "rawdeflate": (
            deflate.compress(atom("rawdeflate")) + deflate.flush(),
            "deflate",
        ),
    }
    for name, (body, encoding) in bodies.items():
        http.expect_request(f"/{name}.atom").respond_with_data(
            body, content_type=ATOM_TYPE, headers={"Content-Encoding": encoding}
        )
    accounts = [account(http, name) for name in bodies]
    report = refresh(accounts, feed_settings(tmp_path), now=NOW)
    assert [(feed.status, feed.items) for feed in report.feeds] == [("ok", 3)] * 3
    assert all(
        request.headers["Accept-Encoding"] == "gzip, deflate" for request, _ in http.log
    )


def test_5xx_is_retried_with_backoff_then_succeeds(http, tmp_path):
    http.expect_oneshot_request("/flaky.atom").respond_with_data("oops", status=503)
    http.expect_request("/flaky.atom").respond_with_data(
        atom("flaky"), content_type=ATOM_TYPE
    )
    [feed] = refresh([account(http, "flaky")], feed_settings(tmp_path), now=NOW).feeds
    assert (feed.status, feed.http_status, feed.items) == ("ok", 200, 3)
    assert len(requests_to(http, "/flaky.atom")) == 2


def test_429_waits_for_retry_after_then_succeeds(http, tmp_path):
    times: list[float] = []

    def throttled(request: Request) -> Response:
        times.append(time.monotonic())
        return Response("slow down", status=429, headers={"Retry-After": "1"})

    def ok(request: Request) -> Response:
        times.append(time.monotonic())
        return Response(atom("busy"), content_type=ATOM_TYPE)

    http.expect_oneshot_request("/busy.atom").respond_with_handler(throttled)
    http.expect_request("/busy.atom").respond_with_handler(ok)
    [feed] = refresh([account(http, "busy")], feed_settings(tmp_path), now=NOW).feeds
    assert feed.status == "ok"
    assert len(times) == 2 and times[1] - times[0] >= 0.95  # not the 0.05 s backoff


def test_429_with_an_http_date_retry_after(http, tmp_path):
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    http.expect_oneshot_request("/dated.atom").respond_with_data(
        "",
        status=429,
        headers={"Retry-After": soon.strftime("%a, %d %b %Y %H:%M:%S GMT")},
    )
    http.expect_request("/dated.atom").respond_with_data(
        atom("dated"), content_type=ATOM_TYPE
    )
    started = time.monotonic()
    [feed] = refresh([account(http, "dated")], feed_settings(tmp_path), now=NOW).feeds
    assert feed.status == "ok" and time.monotonic() - started >= 0.9


def test_connection_refused_names_the_url(tmp_path):
    closed = FeedAccount(
        key="mastodon:closed",
        platform="mastodon",
        handle="closed",
        url="https://example.org/@closed",
        feed="http://127.0.0.1:9/closed.atom",
        unit="22-division",
        unit_name="22 Division",
        member="PC Test",
    )
    [feed] = refresh([closed], feed_settings(tmp_path), now=NOW).feeds
    assert feed.status == "failed" and feed.member == "PC Test"
    assert feed.error.startswith("http://127.0.0.1:9/closed.atom: ConnectError")


# --- the overall deadline --------------------------------------------------------


def test_the_refresh_returns_at_its_deadline_and_fast_feeds_still_succeed(
    http, tmp_path
):
    settings = feed_settings(tmp_path, deadline=1.5, read_timeout=10)
    fast = [account(http, f"fast{n}") for n in range(20)]  # enough to parse in workers
    slow_ones = [account(http, f"slow{n}") for n in range(2)]
    for feed in fast + slow_ones:
        http.expect_request(f"/{feed.handle}.atom").respond_with_data(
            atom(feed.handle), content_type=ATOM_TYPE
        )
    refresh(slow_ones, settings, now=NOW)  # a good cache to keep

    http.clear()
    for feed in fast:
        http.expect_request(f"/{feed.handle}.atom").respond_with_data(
            atom(feed.handle), content_type=ATOM_TYPE
        )
    for feed in slow_ones:
        http.expect_request(f"/{feed.handle}.atom").respond_with_handler(
            slow(4, atom("late"))
        )
    started = time.monotonic()
    report = refresh(fast + slow_ones, settings, now=LATER)
    elapsed = time.monotonic() - started

    assert elapsed < 1.5 + 0.75, elapsed
    assert report.deadline_reached
    feeds = by_account(report)
    assert all(feeds[feed.key].status == "ok" for feed in fast)
    for feed in slow_ones:
        assert feeds[feed.key].status == "failed"
        assert feeds[feed.key].error == f"{feed.feed}: deadline of 1.5 s reached"
        stored = cache.load(settings.cache_dir, feed.key)
        assert stored.items and stored.items[0].title == f"{feed.handle} post 0"
        assert stored.last_success == NOW and stored.stale
    assert "deadline of 1.5 s reached" in report.summary()


# --- images ----------------------------------------------------------------------


def image_bytes(kind: str, size: tuple[int, int] = (1200, 800)) -> bytes:
    out = io.BytesIO()
    if kind == "png-alpha":
        Image.new("RGBA", size, (200, 30, 30, 128)).save(out, "PNG")
    elif kind == "jpeg-exif":
        exif = Image.Exif()
        exif[0x010F] = "SecretCam"  # Make
        exif[0x8825] = {2: (43.0, 39.0, 0.0)}  # a GPS position
        Image.new("RGB", size, (20, 90, 160)).save(out, "JPEG", exif=exif)
    elif kind == "gif":
        frames = [Image.new("P", (300, 200), colour) for colour in (1, 2)]
        frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    elif kind == "webp":
        Image.new("RGB", (500, 300), (10, 120, 40)).save(out, "WEBP")
    elif kind == "png-bomb":
        # 9,000 × 5,000 pixels (135 MB to decode) claimed in a few bytes.
        def chunk(kind: bytes, data: bytes) -> bytes:
            crc = struct.pack(">I", zlib.crc32(kind + data))
            return struct.pack(">I", len(data)) + kind + data + crc

        size = struct.pack(">IIBBBBB", 9000, 5000, 8, 2, 0, 0, 0)
        out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", size))
        out.write(chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def test_item_images_are_stored_locally_as_clean_small_jpegs(http, tmp_path):
    images = {
        "/img/photo.png": (image_bytes("png-alpha"), "image/png"),
        "/img/camera.jpg": (image_bytes("jpeg-exif"), "image/jpeg"),
        "/img/anim.gif": (image_bytes("gif"), "image/gif"),
        "/img/vector.svg": (SVG, "image/svg+xml"),
        "/img/pixel.png": (b"GIF89a-not-really", "image/png"),
        "/img/still.webp": (image_bytes("webp"), "image/webp"),
        "/img/bomb.png": (image_bytes("png-bomb"), "image/png"),
    }
    for path, (body, kind) in images.items():
        http.expect_request(path).respond_with_data(body, content_type=kind)
    names = {path.split("/")[-1].split(".")[0]: path for path in images}
    names["gone"] = "/img/gone.jpg"  # a 404
    http.expect_request("/img/gone.jpg").respond_with_data("", status=404)
    for name, path in names.items():
        http.expect_request(f"/{name}.atom").respond_with_data(
            atom(name, image=http.url_for(path)), content_type=ATOM_TYPE
        )
    settings = feed_settings(tmp_path)
    accounts = [account(http, name) for name in names]
    report = by_account(refresh(accounts, settings, now=NOW))

    for name in ("photo", "camera", "anim", "still"):
        url = http.url_for(names[name])
        stored = cache.load(settings.cache_dir, f"mastodon:{name}")
        assert {item.image_local for item in stored.items} == {media_name(url)}
        assert report[f"mastodon:{name}"].images == 1  # three items, one download
        with Image.open(settings.cache_dir / media_name(url)) as image:
            assert image.format == "JPEG" and image.width <= 640
            assert not image.getexif() and "icc_profile" not in image.info
        assert len(requests_to(http, names[name])) == 1
    with Image.open(
        settings.cache_dir / media_name(http.url_for(names["photo"]))
    ) as image:
        assert image.size == (640, 427)
    for name, reason in (
        ("vector", "SVG is never accepted"),
        ("pixel", "not a JPEG, PNG, WebP or GIF"),
        ("bomb", "9000×5000 pixels is too large to decode"),
        ("gone", "HTTP 404"),
    ):
        feed = report[f"mastodon:{name}"]
        assert feed.status == "ok", name  # an image is never a feed failure
        assert any(reason in error for error in feed.image_errors), feed.image_errors
        stored = cache.load(settings.cache_dir, f"mastodon:{name}")
        assert all(item.image_local is None for item in stored.items), name
    stored_files = sorted(p.name for p in (settings.cache_dir / "media").iterdir())
    assert len(stored_files) == 4

    # Stored images are not fetched again; images no longer referenced are pruned.
    http.clear()
    for name, path in names.items():
        image = http.url_for(path) if name != "photo" else None
        http.expect_request(f"/{name}.atom").respond_with_data(
            atom(name, image=image), content_type=ATOM_TYPE
        )
    http.expect_request(re.compile("/img/.*")).respond_with_data("", status=500)
    refresh(accounts, settings, now=LATER)
    assert not [r for r, _ in http.log if r.path in {names["camera"], names["anim"]}]
    remaining = sorted(p.name for p in (settings.cache_dir / "media").iterdir())
    assert len(remaining) == 3
    assert media_name(http.url_for(names["photo"])).split("/")[1] not in remaining


def test_images_are_never_fetched_from_another_private_host(http, tmp_path):
    """A feed on 127.0.0.1 may serve its own images; an image URL (or a
    redirect) pointing at another local host is refused before any request."""
    port = http.port
    http.expect_request("/img/own.png").respond_with_data(
        image_bytes("png-alpha"), content_type="image/png"
    )
    http.expect_request("/img/bounce.png").respond_with_data(
        "", status=302, headers={"Location": f"http://localhost:{port}/img/own.png"}
    )
    feeds = {
        "own": http.url_for("/img/own.png"),
        "sideways": f"http://localhost:{port}/img/own.png",
        "bounce": http.url_for("/img/bounce.png"),
    }
    for name, image in feeds.items():
        http.expect_request(f"/{name}.atom").respond_with_data(
            atom(name, image=image), content_type=ATOM_TYPE
        )
    settings = feed_settings(tmp_path)
    report = by_account(refresh([account(http, n) for n in feeds], settings, now=NOW))

    assert report["mastodon:own"].images == 1
    for name in ("sideways", "bounce"):
        [error] = report[f"mastodon:{name}"].image_errors
        assert "localhost is not a public address" in error, error
        assert report[f"mastodon:{name}"].status == "ok"
    assert len(requests_to(http, "/img/own.png")) == 1  # only the feed's own fetch


# --- the refresh as a whole ------------------------------------------------------


def test_an_unwritable_cache_folder_stops_the_refresh(http, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(RefreshError, match="not writable"):
        refresh(
            [account(http, "x")], feed_settings(tmp_path, cache_dir=blocker / "cache")
        )


def invoke_feeds(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "invoke", "-r", str(ROOT), "feeds", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


@pytest.fixture
def local_feeds(http, content_copy) -> Path:
    """The sample unit files with every feed on the local server; one is a 404.
    (The sample's API accounts are left out: tests/test_feeds_connectors.py.)"""
    count = 0

    def local(match: re.Match) -> str:
        nonlocal count
        count += 1
        return f"{match[1]}{http.url_for(f'/unit/{count}.atom')}"

    for path in sorted((content_copy / "units").glob("*.yaml")):
        text = re.sub(r"^\s*api_id: .*\n", "", path.read_text(), flags=re.M)
        text = re.sub(r"^(\s*feed: ).*$", local, text, flags=re.M)
        path.write_text(text)
    assert count > 10
    http.expect_request("/unit/7.atom").respond_with_data("", status=404)
    http.expect_request(re.compile(r"/unit/\d+\.atom")).respond_with_data(
        atom("unit"), content_type=ATOM_TYPE
    )
    return content_copy


def test_invoke_feeds_exits_0_when_some_feeds_fail_and_2_with_strict(
    local_feeds, tmp_path
):
    cache_dir = tmp_path / "cache"
    done = invoke_feeds("--content", str(local_feeds), "--cache", str(cache_dir))
    assert done.returncode == 0, done.stderr
    assert "1 failed" in done.stdout
    assert re.search(
        r"failed\s+\S+ .*error: http://127\.0\.0\.1:\d+/unit/7\.atom: HTTP 404",
        done.stdout,
    )
    report = read_report(cache_dir)
    assert len(report.failed) == 1 and len(report.feeds) > 10

    strict = invoke_feeds(
        "--strict", "--content", str(local_feeds), "--cache", str(cache_dir)
    )
    assert strict.returncode == 2
    assert "1 feed(s) failed (--strict)" in strict.stderr


def test_invoke_feeds_exits_1_when_the_refresh_cannot_run(local_feeds, tmp_path):
    unit = local_feeds / "units" / "22-division.yaml"
    unit.write_text(unit.read_text().replace("accounts:", "acounts:", 1))
    broken = invoke_feeds("--content", str(local_feeds), "--cache", str(tmp_path / "c"))
    assert broken.returncode == 1
    assert (
        "Feeds refresh failed" in broken.stderr and "22-division.yaml" in broken.stderr
    )

    unit.write_text(unit.read_text().replace("acounts:", "accounts:", 1))
    blocker = tmp_path / "file"
    blocker.write_text("")
    unwritable = invoke_feeds(
        "--content", str(local_feeds), "--cache", str(blocker / "cache")
    )
    assert unwritable.returncode == 1
    assert "not writable" in unwritable.stderr


# --- the report on a terminal, and the benchmark's harness -----------------------


def test_the_report_is_a_table_on_a_terminal_and_plain_lines_elsewhere(http, tmp_path):
    from rich.console import Console

    from tps.social_feeds.report import render

    http.expect_request("/good.atom").respond_with_data(
        atom("good"), content_type=ATOM_TYPE
    )
    http.expect_request("/bad.atom").respond_with_data("", status=404)
    report = refresh(
        [account(http, "good"), account(http, "bad")], feed_settings(tmp_path)
    )

    terminal = Console(force_terminal=True, width=200, record=True)
    render(report, terminal)
    table = terminal.export_text()
    assert "Social feeds refresh" in table
    for heading in (
        "Account",
        "Unit",
        "Status",
        "HTTP",
        "Items",
        "New",
        "Age",
        "Error",
    ):
        assert heading in table
    assert "│ mastodon:bad" in table and "HTTP 404" in table

    piped = Console(file=io.StringIO(), force_terminal=False, width=80)
    render(report, piped)
    lines = piped.file.getvalue().splitlines()
    assert lines[0].startswith("ok ") and "mastodon:good" in lines[0]
    assert lines[1].startswith("failed ") and lines[1].endswith("HTTP 404 NOT FOUND")
    assert lines[2] == report.summary()


def test_the_benchmark_harness_runs_cold_then_all_304():
    from bench.feeds import run

    figures = run(feeds=20, latency=0.05)
    assert figures["cold"]["ok"] == 20 and figures["cold"]["failed"] == 0
    assert figures["revalidate"]["not-modified"] == 20
    assert figures["revalidate"]["requests_per_second"] > 0
