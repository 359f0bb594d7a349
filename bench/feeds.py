"""Benchmark the social feeds refresh (not a test): `invoke bench-feeds`.

A local HTTP/1.1 server in a subprocess (plain asyncio, keep-alive, ETag/304)
serves FEEDS Atom feeds, each response delayed by LATENCY seconds. The refresh
runs twice into a temporary cache: cold (every feed a 200 to parse and store),
then warm (every feed revalidated, all 304). Targets on a 2-core machine for
200 feeds at 300 ms: cold <= 1.5 s, revalidation <= 1.0 s (DESIGN §11).

    python bench/feeds.py [FEEDS] [LATENCY]
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"cold": 1.5, "revalidate": 1.0}  # seconds, for 200 feeds at 0.3 s


def run(feeds: int = 200, latency: float = 0.3, concurrency: int | None = None) -> dict:
    """Time a cold refresh and an all-304 refresh of `feeds` local feeds.

    `concurrency` defaults to one request in flight per feed, as a site with
    that many feeds would configure `SOCIAL_FEEDS["concurrency"]`."""
    from tps.social_feeds.refresh import refresh
    from tps.social_feeds.registry import FeedAccount
    from tps.social_feeds.settings import FeedSettings

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(server.stdout.readline())
        accounts = [
            FeedAccount(
                key=f"mastodon:bench{n}",
                platform="mastodon",
                handle=f"bench{n}",
                url=f"https://example.org/@bench{n}",
                feed=f"http://127.0.0.1:{port}/feeds/{n}.atom",
                unit="bench",
                unit_name="Bench",
                member=None,
            )
            for n in range(feeds)
        ]
        with tempfile.TemporaryDirectory() as cache:
            settings = FeedSettings(
                cache_dir=Path(cache), deadline=30, concurrency=concurrency or feeds
            )
            figures = {
                "feeds": feeds,
                "latency": latency,
                "concurrency": settings.concurrency,
            }
            for phase, expected in (("cold", "ok"), ("revalidate", "not-modified")):
                started = time.perf_counter()
                report = refresh(accounts, settings)
                seconds = time.perf_counter() - started
                done = sum(1 for feed in report.feeds if feed.status == expected)
                figures[phase] = {
                    "seconds": round(seconds, 3),
                    "requests_per_second": round(feeds / seconds, 1),
                    expected: done,
                    "failed": len(report.failed),
                }
        return figures
    finally:
        server.terminate()
        server.wait(timeout=5)


def main(feeds: int = 200, latency: float = 0.3) -> dict:
    figures = run(feeds, latency)
    print(
        f"{feeds} feeds, {latency * 1000:.0f} ms latency each, "
        f"concurrency {figures['concurrency']}"
    )
    for phase in ("cold", "revalidate"):
        row = figures[phase]
        verdict = ""
        if feeds == 200 and latency == 0.3:
            met = "met" if row["seconds"] <= TARGETS[phase] else "MISSED"
            verdict = f"  (target <= {TARGETS[phase]:.1f} s: {met})"
        print(
            f"  {phase:<10} {row['seconds']:.2f} s  {row['requests_per_second']:.0f} req/s"
            f"  failed {row['failed']}{verdict}"
        )
    return figures


# --- the server (runs in its own process, so it does not share the GIL) ------


FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Bench account {n}</title><id>urn:bench:{n}</id>
<link href="https://example.org/@bench{n}"/><updated>2026-11-20T12:00:00Z</updated>
{entries}
</feed>
"""
ENTRY = """<entry><id>urn:bench:{n}:{i}</id><title>Post {i} from account {n}</title>
<link href="https://example.org/@bench{n}/{i}"/><updated>2026-11-{day:02d}T10:00:00Z</updated>
<summary type="html">&lt;p&gt;Community update {i}: a short post with &lt;a href="https://example.org/"&gt;a link&lt;/a&gt;.&lt;/p&gt;</summary></entry>
"""


def _feed(n: str) -> bytes:
    entries = "".join(ENTRY.format(n=n, i=i, day=20 - i) for i in range(10))
    return FEED.format(n=n, entries=entries).encode()


async def _serve(latency: float) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                request, *lines = head.split("\r\n")
                path = request.split(" ")[1]
                headers = {
                    name.strip().lower(): value.strip()
                    for name, _, value in (
                        line.partition(":") for line in lines if line
                    )
                }
                await asyncio.sleep(latency)
                n = path.rsplit("/", 1)[-1].split(".")[0]
                etag = f'"bench-{n}-v1"'
                if headers.get("if-none-match") == etag:
                    writer.write(
                        f"HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\n\r\n".encode()
                    )
                else:
                    body = _feed(n)
                    writer.write(
                        (
                            "HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
                            f"ETag: {etag}\r\nContent-Length: {len(body)}\r\n\r\n"
                        ).encode()
                        + body
                    )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(_serve(float(sys.argv[2])))
    else:
        args = sys.argv[1:]
        main(int(args[0]) if args else 200, float(args[1]) if len(args) > 1 else 0.3)
