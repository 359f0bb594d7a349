"""Where the refresh may connect: one policy for feeds and images, applied to
every request, each redirect hop included (an httpx request hook).

A request may go to
- the *trusted origin* (scheme, host, port) it was made for: the configured
  feed URL for a feed (DESIGN: a feed may be http on a loopback host, such as
  a bridge beside the build), the feed's own origin for the feed's images;
- otherwise only to an http(s) URL on the scheme's default port whose host
  resolves to public addresses only.

Never, not even for the trusted origin: link-local addresses (cloud metadata
at 169.254.169.254 / fd00:ec2::254 included), unspecified, multicast or
reserved ones. So a feed answering `302 -> http://169.254.169.254/` and an
image on another port of the feed's host are refused before any connection.

The connection then goes to the very addresses that were checked (the
transport's network backend reads them from the request's task): a name that
resolves to a public address for the check and to a private one a moment
later (DNS rebinding) cannot slip past.
"""

from __future__ import annotations

import asyncio
import contextvars
import ipaddress
import socket
import ssl
from urllib.parse import urlsplit

import httpcore
import httpx

DEFAULT_PORTS = {"http": 80, "https": 443}
# The request extension that carries the trusted origin, set by Fetcher.fetch.
TRUSTED_ORIGIN = "tps_trusted_origin"

Origin = tuple[str, str, int]
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# (host, port) -> the addresses `check` approved, for the current task.
_approved: contextvars.ContextVar[dict[tuple[str, int], list[Address]]] = (
    contextvars.ContextVar("tps_urlpolicy_approved")
)


class UrlRefused(Exception):
    """The policy refuses this URL; the message names the host and why."""


def origin(url: str) -> Origin | None:
    """(scheme, host, port) of `url`, the port made explicit; None if it has no host."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    return (scheme, host, port) if host else None


def never_allowed(address: Address) -> bool:
    """Addresses no request may reach, whatever it is trusted for."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_link_local
        or address.is_unspecified
        or address.is_multicast
        or (address.is_reserved and not address.is_loopback)  # ::1 is in ::/8
        or address in _METADATA
    )


def public(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not never_allowed(address)


_METADATA = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}


async def resolve(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM
    )
    return [
        ipaddress.ip_address(sockaddr[0].split("%", 1)[0]) for *_, sockaddr in infos
    ]


async def check(url: httpx.URL, trusted: Origin | None) -> None:
    """Raise UrlRefused unless the policy lets a request to `url` go out."""
    scheme = url.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlRefused(f"{url}: only http and https URLs are fetched")
    host = url.host.lower()
    port = url.port or DEFAULT_PORTS[scheme]
    try:
        addresses = await resolve(host, port)
    except OSError as error:
        raise UrlRefused(f"{host}: cannot be resolved ({error})") from None
    for address in addresses:
        if never_allowed(address):
            raise UrlRefused(
                f"{host} is not a public address ({address}: link-local, metadata "
                "or reserved); not fetched"
            )
    if (scheme, host, port) != trusted:
        for address in addresses:
            if not public(address):
                raise UrlRefused(
                    f"{host} is not a public address ({address}); not fetched"
                )
        if port != DEFAULT_PORTS[scheme]:
            raise UrlRefused(
                f"{host}:{port}: only the default {scheme} port "
                f"({DEFAULT_PORTS[scheme]}) is fetched outside the feed's own origin"
            )
    _approved.set({**_approved.get({}), (host, port): addresses})


async def request_hook(request: httpx.Request) -> None:
    """The httpx request hook: every hop of every request the Fetcher sends."""
    await check(request.url, request.extensions.get(TRUSTED_ORIGIN))


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses `check` approved for this host and port in
    this task; a connection the policy did not check is refused."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None):
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host, port, timeout=None, local_address=None, socket_options=None
    ):
        addresses = _approved.get({}).get((host.lower().strip("[]"), port))
        if not addresses:
            raise httpcore.ConnectError(
                f"{host}:{port} was not checked by the URL policy"
            )
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as failed:
                error = failed
        raise error or httpcore.ConnectError(f"{host}:{port}: no address")

    async def connect_unix_socket(self, *args, **kwargs):
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def transport(
    *, verify: ssl.SSLContext, limits: httpx.Limits
) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go only where `check` approved."""
    pinned = httpx.AsyncHTTPTransport(verify=verify, limits=limits)
    # httpx has no public argument for httpcore's network backend.
    pinned._pool._network_backend = PinnedBackend()
    return pinned
