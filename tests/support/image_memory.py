"""Run by tests/social_feeds/test_feed_image_memory.py in a process of its own: a refresh
of 4 loopback feeds carrying 20 distinct 6300×6300 1-bit PNGs (about 5 KB
each), printing the process's peak RSS in MB as JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import resource
import sys
import tempfile
from pathlib import Path

from PIL import Image
from pytest_httpserver import HTTPServer

from tps.social_feeds.refresh import refresh
from tps.social_feeds.registry import FeedAccount
from tps.social_feeds.settings import FeedSettings

SIDE = 6300
IMAGES = 20
FEEDS = 4


def png(seed: int) -> bytes:
    image = Image.new("1", (SIDE, SIDE), 0)
    image.putpixel((seed, seed), 1)  # distinct bytes per image
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def atom(name: str, images: list[str]) -> bytes:
    entries = "".join(
        f"""<entry><id>urn:{name}:{i}</id><title>{name} post {i}</title>
        <link href="https://example.org/{name}/{i}"/>
        <updated>2026-11-{20 - i:02d}T10:00:00Z</updated>
        <summary>Post {i}.</summary><media:thumbnail url="{url}"/></entry>"""
        for i, url in enumerate(images)
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/">
<title>{name}</title><id>urn:{name}</id><updated>2026-11-20T10:00:00Z</updated>
{entries}</feed>""".encode()


def main() -> None:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    bodies = [png(i) for i in range(IMAGES)]
    for i, body in enumerate(bodies):
        server.expect_request(f"/img/{i}.png").respond_with_data(
            body, content_type="image/png"
        )
    accounts = []
    per_feed = IMAGES // FEEDS
    for f in range(FEEDS):
        name = f"feed{f}"
        urls = [
            server.url_for(f"/img/{i}.png")
            for i in range(f * per_feed, (f + 1) * per_feed)
        ]
        server.expect_request(f"/{name}.atom").respond_with_data(
            atom(name, urls), content_type="application/atom+xml"
        )
        accounts.append(
            FeedAccount(
                key=f"mastodon:{name}",
                platform="mastodon",
                handle=name,
                url=f"https://example.org/@{name}",
                feed=server.url_for(f"/{name}.atom"),
                unit="22-division",
                unit_name="22 Division",
                member=None,
            )
        )
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as folder:
        settings = FeedSettings(cache_dir=Path(folder), deadline=120)
        report = refresh(
            accounts, settings, now=dt.datetime(2026, 11, 25, 15, tzinfo=dt.UTC)
        )
    server.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    json.dump(
        {
            "png_bytes": len(bodies[0]),
            "rss_before_mb": round(before),
            "peak_rss_mb": round(peak),
            "images": sum(feed.images for feed in report.feeds),
            "image_errors": [e for feed in report.feeds for e in feed.image_errors],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
