"""Make the committed sample cache (feeds/cache/) with the real refresh.

    .venv/bin/python feeds/make_sample_cache.py [--cache DIR]

Serves feeds/samples/ on a loopback HTTP server in each platform's URL layout
(Graph API, X API v2, YouTube Data API, Bluesky AppView, Mastodon API, the
RSS/Atom feeds, the image CDNs), writes fake credentials to a temporary file
(mode 600), points TPS_SOCIAL_CREDENTIALS and TPS_SOCIAL_API_<PLATFORM> at
them, and runs the refresh that `invoke feeds` runs with the clock fixed by
TPS_FIXED_NOW. Twice: a day earlier for the three feeds that then fail (a 503,
a 502, an HTML page), so they keep their last good items, marked stale.

A real run records public URLs, so the loopback origin is then mapped back to
each platform's own (API bases, CDN image URLs, feed URLs), and each stored
image is renamed after its public URL (media/<sha256 of the URL>.jpg), as a
real refresh would have named it. Same samples, same bytes: the output is
deterministic (`git diff --stat feeds/cache` after a run shows nothing).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent

from pelican.settings import get_settings_from_file  # noqa: E402

from tps.core.clock import FIXED_NOW_ENV  # noqa: E402
from tps.social_feeds import cache  # noqa: E402
from tps.social_feeds.connectors import CONNECTORS  # noqa: E402
from tps.social_feeds.media import media_name  # noqa: E402
from tps.social_feeds.models import CachedFeed  # noqa: E402
from tps.social_feeds.refresh import refresh  # noqa: E402
from tps.social_feeds.registry import feed_accounts  # noqa: E402
from tps.social_feeds.settings import FeedSettings, feed_settings  # noqa: E402

SAMPLES = ROOT / "feeds" / "samples"
# The sample's last refresh: 03:00 in Toronto on November 25, 2026.
NOW = dt.datetime.fromisoformat("2026-11-25T03:00:00-05:00")
EARLIER = NOW - dt.timedelta(days=1)  # the stale feeds' last good refresh
STALE = {  # account -> (status, content type, body) the server answers at NOW
    "x:TPS31Div": (503, "text/plain", b"Service Unavailable"),
    "bluesky:tps41div.bsky.social": (
        502,
        "application/json",
        b'{"error":"UpstreamFailure","message":"Upstream Failure"}',
    ),
    "facebook:TPS43Division": (200, "text/html", b"<!DOCTYPE html><html></html>"),
}
CDN = [  # image hosts the samples name: served from feeds/samples/images/
    "pbs.twimg.com",
    "scontent.xx.fbcdn.net",
    "scontent.cdninstagram.com",
    "cdn.bsky.app",
    "files.mastodon.social",
    "i.ytimg.com",
    "i1.ytimg.com",
    "live.staticflickr.com",
]
CREDENTIALS = {  # fake: the loopback server checks none of them
    "facebook": "access_token: sample-facebook-page-token",
    "instagram": "access_token: sample-instagram-token",
    "x": "bearer_token: sample-x-bearer-token",
    "youtube": "api_key: sample-youtube-api-key",
}
TYPES = {
    ".json": "application/json; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".xml": "text/xml; charset=UTF-8",
    ".jpg": "image/jpeg",
}
IMAGES = sorted((SAMPLES / "images").glob("*.jpg"))


class Samples(BaseHTTPRequestHandler):
    """GET in the platforms' layouts -> a file of feeds/samples/."""

    routes: ClassVar[
        dict[str, Path]
    ] = {}  # "<platform>:<api id>" or "feed:<name>" -> file
    failing: ClassVar[
        dict[Path, tuple[int, str, bytes]]
    ] = {}  # file -> the failure served
    base = ""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        path = self._file(parts.path, query)
        if path is None or not path.is_file():
            return self._send(404, "application/json", b'{"error":"not found"}')
        if path in self.failing:
            return self._send(*self.failing[path])
        body = path.read_bytes()
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, None, b"", etag)
        if path.suffix != ".jpg":
            for host in CDN:  # a real CDN URL, fetched from here
                body = body.replace(
                    f"https://{host}/".encode(), f"{self.base}/cdn/{host}/".encode()
                )
        self._send(200, TYPES[path.suffix], body, etag)

    def _file(self, path: str, query: dict[str, str]) -> Path | None:
        platform, _, rest = path.lstrip("/").partition("/")
        if platform == "cdn":  # the image the URL names (…-snow.jpg), else one by hash
            named = [i for i in IMAGES if re.search(rf"[-_]{i.stem}[._@]", rest)]
            digest = int(hashlib.sha256(rest.encode()).hexdigest(), 16)
            return (named or IMAGES)[0 if named else digest % len(IMAGES)]
        if platform == "feed":
            return self.routes.get(f"feed:{rest}")
        ident = {
            "facebook": rest.split("/")[0],
            "instagram": rest.split("/")[0],
            "x": rest.removeprefix("users/").split("/")[0],
            "bluesky": query.get("actor", ""),
            "mastodon": rest.removeprefix("api/v1/accounts/").split("/")[0],
            "youtube": query.get("id") or "UC" + query.get("playlistId", "")[2:],
        }.get(platform, "")
        found = self.routes.get(f"{platform}:{ident}")
        if (
            platform == "youtube" and found
        ):  # <handle>.channels.json, .playlistItems.json
            kind = "channels" if rest == "channels" else "playlistItems"
            return found.with_name(f"{found.name.split('.')[0]}.{kind}.json")
        return found

    def _send(self, status: int, kind: str | None, body: bytes, etag: str = "") -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        if etag:
            self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def sample(account) -> Path:
    stem = cache.cache_file(Path(), account.key).stem
    found = sorted((SAMPLES / account.platform).glob(f"{stem}.*"))
    if not found:
        raise SystemExit(
            f"no sample for {account.key} in {SAMPLES}/{account.platform}/"
        )
    return found[0]


def relocate(cache_dir: Path, public: dict[str, str]) -> None:
    """The loopback origin in the cache (and report) back to the public URLs a
    real run records; stored images renamed after their public URL."""
    for path in [*cache_dir.glob("*/*.json"), cache_dir / "report.json"]:
        if not path.is_file() or path.parent.name == "media":
            continue
        text = path.read_text(encoding="utf-8")
        for loopback, real in public.items():
            text = text.replace(loopback, real)
        if path.name == "report.json":
            path.write_text(text, encoding="utf-8")
            continue
        feed = CachedFeed.model_validate_json(text)
        items = []
        for item in feed.items:
            if item.image_local:
                name = media_name(item.image)
                if not (cache_dir / name).exists():
                    os.replace(cache_dir / item.image_local, cache_dir / name)
                item = item.model_copy(update={"image_local": name})
            items.append(item)
        cache.save(cache_dir, feed.model_copy(update={"items": items}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=ROOT / "feeds" / "cache")
    cache_dir = parser.parse_args().cache.resolve()
    started = time.monotonic()
    accounts = feed_accounts(ROOT / "content")
    for name in (
        "bluesky",
        "facebook",
        "flickr",
        "instagram",
        "mastodon",
        "media",
        "x",
        "youtube",
    ):
        shutil.rmtree(cache_dir / name, ignore_errors=True)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Samples)
    base = Samples.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    public = {f"{base}/cdn/{host}/": f"https://{host}/" for host in CDN}
    served = []
    for account in accounts:
        path = sample(account)
        if account.api_id and (not account.feed or account.platform == "youtube"):
            Samples.routes[f"{account.platform}:{account.api_id}"] = path
            served.append(account)
        else:  # a feed: fetched from here, recorded under its own URL
            name = f"{account.platform}/{path.name}"
            Samples.routes[f"feed:{name}"] = path
            public[f"{base}/feed/{name}"] = account.feed
            served.append(dataclasses.replace(account, feed=f"{base}/feed/{name}"))
    for connector in CONNECTORS.values():
        real = connector.default_base or "https://mastodon.social"
        public[f"{base}/{connector.platform}"] = real
    with tempfile.TemporaryDirectory() as tmp:
        secrets = Path(tmp) / "credentials.yaml"
        secrets.touch(mode=0o600)
        secrets.write_text("".join(f"{p}: {{{v}}}\n" for p, v in CREDENTIALS.items()))
        os.environ["TPS_SOCIAL_CREDENTIALS"] = str(secrets)
        for connector in CONNECTORS.values():
            os.environ[f"TPS_SOCIAL_API_{connector.platform.upper()}"] = (
                f"{base}/{connector.platform}"
            )
        configured = feed_settings(
            get_settings_from_file(str(ROOT / "pelican.conf.py")), ROOT
        )
        settings = FeedSettings.model_validate(
            configured.model_dump()
            | {"cache_dir": cache_dir, "archive": Path(tmp) / "archive.sqlite"}
        )
        for when, only in ((EARLIER, set(STALE)), (NOW, None)):
            os.environ[FIXED_NOW_ENV] = when.isoformat()
            Samples.failing = (
                {}
                if only
                else {sample(a): STALE[a.key] for a in accounts if a.key in STALE}
            )
            report = refresh(
                [a for a in served if only is None or a.key in only], settings
            )
        server.shutdown()
    relocate(cache_dir, public)
    leaks = [
        path
        for path in cache_dir.glob("*/*.json")
        if any(
            s in path.read_text("utf-8")
            for s in ("127.0.0.1", "sample-facebook-page", "sample-x-bearer")
        )
    ]
    if leaks:
        raise SystemExit(f"loopback addresses or tokens left in {leaks}")
    # The sample is the cache, not this run's report: report.json is not
    # committed (its timings differ every run), and a local one would make this
    # checkout's build, and its golden output, differ from a fresh clone's.
    (cache_dir / "report.json").unlink(missing_ok=True)
    failed = [feed.account for feed in report.feeds if feed.status == "failed"]
    images = list((cache_dir / "media").glob("*.jpg"))
    size = sum(p.stat().st_size for p in cache_dir.rglob("*") if p.is_file())
    print(
        f"{len(report.feeds)} accounts refreshed into {cache_dir} in {time.monotonic() - started:.1f} s: "
        f"{sum(len(f.items) > 0 for f in cache.load_all(cache_dir, [a.key for a in accounts]).values())} "
        f"with items, {len(failed)} stale ({', '.join(sorted(failed))}), {len(images)} images, "
        f"{size // 1024} KB; notices: {report.notices or 'none'}"
    )


if __name__ == "__main__":
    main()
