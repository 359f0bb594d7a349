"""One URL policy for feeds and images, on every redirect hop: the feed's own
(configured) origin may be loopback; anything else must be public and on the
default port; link-local and metadata addresses never."""

from __future__ import annotations

import asyncio
import ipaddress

import httpx
import pytest
from pytest_httpserver import HTTPServer

from tests.social_feeds.test_feeds_refresh import (
    ATOM_TYPE,
    NOW,
    account,
    atom,
    by_account,
    feed_settings,
    image_bytes,
    requests_to,
)
from tps.social_feeds.refresh import refresh
from tps.social_feeds.urlpolicy import UrlRefused, check, origin


def _run(coroutine):
    """asyncio.run in a thread of its own: a session's Playwright browser keeps
    an event loop running in the main thread."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def loopback_server():
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    yield server
    server.clear()
    server.stop()


# Both on 127.0.0.1: the same host, two origins (pytest-httpserver's own
# fixture names its host "localhost", which would make the hosts differ).
feeds = pytest.fixture(loopback_server)
other = pytest.fixture(loopback_server)


def test_a_feed_redirect_to_the_metadata_address_is_never_connected(
    httpserver, tmp_path
):
    httpserver.expect_request("/meta.atom").respond_with_data(
        "",
        status=302,
        headers={"Location": "http://169.254.169.254/latest/meta-data/"},
    )
    report = by_account(
        refresh([account(httpserver, "meta")], feed_settings(tmp_path), now=NOW)
    )
    feed = report["mastodon:meta"]
    assert feed.status == "failed"
    assert "169.254.169.254 is not a public address" in feed.error, feed.error
    assert "after" not in feed.error  # refused once, not retried as a timeout


def test_a_feed_redirect_to_another_loopback_origin_is_refused(
    httpserver, other, tmp_path
):
    other.expect_request("/secret").respond_with_data(atom("secret"))
    httpserver.expect_request("/hop.atom").respond_with_data(
        "", status=302, headers={"Location": other.url_for("/secret")}
    )
    httpserver.expect_request("/same.atom").respond_with_data(
        "", status=302, headers={"Location": httpserver.url_for("/real.atom")}
    )
    httpserver.expect_request("/real.atom").respond_with_data(
        atom("real"), content_type=ATOM_TYPE
    )
    accounts = [account(httpserver, "hop"), account(httpserver, "same")]
    report = by_account(refresh(accounts, feed_settings(tmp_path), now=NOW))
    assert report["mastodon:hop"].status == "failed"
    assert "127.0.0.1 is not a public address" in report["mastodon:hop"].error
    assert report["mastodon:same"].status == "ok"  # a hop within its own origin
    assert not other.log


def test_images_on_another_port_of_the_feeds_host_are_refused(feeds, other, tmp_path):
    httpserver = feeds
    other.expect_request("/img.png").respond_with_data(
        image_bytes("png-alpha"), content_type="image/png"
    )
    httpserver.expect_request("/own.png").respond_with_data(
        image_bytes("png-alpha"), content_type="image/png"
    )
    for name, image in (
        ("port", other.url_for("/img.png")),
        ("own", httpserver.url_for("/own.png")),
    ):
        httpserver.expect_request(f"/{name}.atom").respond_with_data(
            atom(name, image=image), content_type=ATOM_TYPE
        )
    accounts = [account(httpserver, "port"), account(httpserver, "own")]
    report = by_account(refresh(accounts, feed_settings(tmp_path), now=NOW))
    [error] = report["mastodon:port"].image_errors
    assert "not a public address" in error, error
    assert report["mastodon:own"].images == 1
    assert not other.log and len(requests_to(httpserver, "/own.png")) == 1


@pytest.mark.parametrize(
    ("url", "trusted", "why"),
    [
        ("http://169.254.169.254/", None, "link-local, metadata"),
        ("http://169.254.169.254/", "http://169.254.169.254/", "metadata"),
        ("http://[::ffff:169.254.169.254]/", None, "metadata"),
        ("http://[fd00:ec2::254]/", None, "metadata"),
        ("http://10.0.0.8/", None, "not a public address"),
        ("http://[::1]:8080/", None, "not a public address"),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:8000/feed", "not a public"),
        ("https://93.184.215.14:8443/x.jpg", None, "only the default https port"),
        ("ftp://93.184.215.14/", None, "only http and https"),
    ],
)
def test_the_policy_refuses(url, trusted, why):
    with pytest.raises(UrlRefused, match=why):
        _run(check(httpx.URL(url), origin(trusted) if trusted else None))


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://93.184.215.14/x.jpg", None),
        ("http://127.0.0.1:8000/a.atom", "http://127.0.0.1:8000/feed"),
        ("http://[::1]:8000/a.atom", "http://[::1]:8000/feed"),
    ],
)
def test_the_policy_allows(url, trusted):
    _run(check(httpx.URL(url), origin(trusted) if trusted else None))


def test_connections_go_to_the_checked_address_not_a_second_lookup(
    feeds, tmp_path, monkeypatch
):
    """The name resolves once, for the check; the connection uses that answer
    (no second lookup that DNS rebinding could change). Here the system
    resolver does not know the name at all: only the pinned address works."""
    from tps.social_feeds import urlpolicy
    from tps.social_feeds.fetch import Fetcher

    real = urlpolicy.resolve

    async def resolve(host: str, port: int):
        if host == "feeds.rebind.test":
            return [ipaddress.ip_address("127.0.0.1")]
        return await real(host, port)

    monkeypatch.setattr(urlpolicy, "resolve", resolve)
    feeds.expect_request("/pinned.atom").respond_with_data(
        atom("pinned"), content_type=ATOM_TYPE
    )
    url = f"http://feeds.rebind.test:{feeds.port}/pinned.atom"

    async def fetch():
        async with Fetcher(feed_settings(tmp_path)) as fetcher:
            return await fetcher.fetch(url)

    result = _run(fetch())
    assert result.ok and result.body.startswith(b"<?xml"), result.error


def test_a_connection_the_policy_did_not_check_is_refused():
    import httpcore

    from tps.social_feeds.urlpolicy import PinnedBackend

    with pytest.raises(httpcore.ConnectError, match="not checked by the URL policy"):
        _run(PinnedBackend().connect_tcp("127.0.0.1", 9))
