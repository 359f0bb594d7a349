"""One HTTP GET of a feed or an image, bounded in every direction.

`Fetcher.fetch` never raises (except when cancelled): it returns a
`FetchResult` carrying the body, a 304, or an error that names the URL and the
cause. Retries, with exponential backoff, are only for timeouts, 5xx and 429,
and only while the retry still fits before the refresh's deadline.

Connections are spread over several clients with pools of at most
`POOL_SIZE`: httpcore scans every pooled connection (a poll() on each idle
one) whenever a request is queued or a response closed, so one large pool
makes 200 revalidations crawl (DESIGN §11). 25 measured a quarter less CPU
than 50 on a cold refresh of 200 feeds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import functools
import math
import ssl
import zlib
from dataclasses import dataclass

import httpx

from . import urlpolicy
from .settings import FeedSettings

POOL_SIZE = 25
FEED_ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
IMAGE_ACCEPT = "image/jpeg, image/png, image/webp, image/gif;q=0.9"
API_ACCEPT = "application/json"
ERROR_BODY_CAP = 16_384  # of an API's error body, kept to read its error code
# Response headers an API connector reads (rate limits), kept on the result.
KEPT_HEADERS = (
    "retry-after",
    "x-rate-limit-limit",
    "x-rate-limit-remaining",
    "x-rate-limit-reset",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit-remaining",
    "ratelimit-reset",
    "x-business-use-case-usage",
    "x-app-usage",
)


@dataclass(frozen=True)
class FetchResult:
    url: str
    status: int | None = None  # the final response's HTTP status, if there was one
    body: bytes | None = None  # the decoded body of a 200
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None  # "<url>: <cause>"; None when the fetch worked
    attempts: int = 0
    # With `api=True`: the start of an error response's body, and the
    # KEPT_HEADERS of the last response (lower-case names).
    error_body: bytes | None = None
    headers: dict[str, str] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304


class _Failure(Exception):
    """One attempt failed; `retry` says whether another attempt may help."""

    def __init__(
        self,
        cause: str,
        *,
        status: int | None = None,
        retry: bool = False,
        retry_after: float | None = None,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(cause)
        self.cause, self.status = cause, status
        self.retry, self.retry_after = retry, retry_after
        self.body, self.headers = body, headers


class Fetcher:
    """The clients and the concurrency limit shared by one refresh.

    Use as `async with Fetcher(settings, deadline_at=...) as fetcher:`, where
    `deadline_at` is on the event loop's clock (`loop.time()`)."""

    def __init__(self, settings: FeedSettings, *, deadline_at: float | None = None):
        self.settings = settings
        self.deadline_at = deadline_at
        self._slots = asyncio.Semaphore(settings.concurrency)
        shards = max(1, math.ceil(settings.concurrency / POOL_SIZE))
        pool = math.ceil(settings.concurrency / shards)
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=None,  # waiting for a pooled connection is bounded by the deadline
        )
        self._clients = [
            httpx.AsyncClient(
                follow_redirects=True,
                max_redirects=settings.max_redirects,
                timeout=timeout,
                headers={"User-Agent": settings.user_agent},
                transport=urlpolicy.transport(
                    verify=_ssl_context(),
                    limits=httpx.Limits(
                        max_connections=pool, max_keepalive_connections=pool
                    ),
                ),
                event_hooks={"request": [urlpolicy.request_hook]},
            )
            for _ in range(shards)
        ]
        self._in_flight = [0] * shards

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        trusted_origin: str | None = None,
        headers: dict[str, str] | None = None,
        api: bool = False,
    ) -> FetchResult:
        """GET `url` (conditionally when validators are given), with retries.

        Every request, redirects included, follows `urlpolicy`: the origin of
        `trusted_origin` (default: `url` itself, the configured feed or API
        base) may be on the build's own network; any other must be public, on
        its default port. So a URL taken from a feed (an image, a redirect)
        cannot make us fetch from the build machine's network or a metadata
        service.

        `headers` are sent as given (an API's Authorization: never in the URL).
        With `api`, an error's body start and the rate-limit headers are kept."""
        extensions = {urlpolicy.TRUSTED_ORIGIN: urlpolicy.origin(trusted_origin or url)}
        if api:
            extensions = {**extensions, "tps_api": True}
        extra = headers or {}
        # Only what _Inflater can decode with a bound on its output.
        headers = {**extra, "Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = 0
        while True:
            attempts += 1
            try:
                async with self._slots:
                    result = await self._attempt(url, headers, extensions)
                return FetchResult(**result, attempts=attempts)
            except _Failure as failure:
                delay, why_not = self._next_delay(failure, attempts)
                if delay is None:
                    tried = f" (after {attempts} attempts)" if attempts > 1 else ""
                    return FetchResult(
                        url=url,
                        status=failure.status,
                        error=f"{url}: {failure.cause}{tried}{why_not}",
                        attempts=attempts,
                        error_body=failure.body,
                        headers=failure.headers,
                    )
                await asyncio.sleep(delay)

    def _next_delay(self, failure: _Failure, attempts: int) -> tuple[float | None, str]:
        """Seconds to wait before the next attempt (None: no retry), and why not."""
        if not failure.retry or attempts > self.settings.retries:
            return None, ""
        if failure.retry_after is not None:
            delay = failure.retry_after
        else:
            delay = self.settings.backoff * 2 ** (attempts - 1)
        if self.deadline_at is not None:
            remaining = self.deadline_at - asyncio.get_running_loop().time()
            if delay >= remaining:
                return (
                    None,
                    f"; no retry, as waiting {delay:g} s would pass the deadline",
                )
        return delay, ""

    def _client(self) -> int:
        return min(range(len(self._clients)), key=self._in_flight.__getitem__)

    async def _attempt(
        self, url: str, headers: dict[str, str], extensions: dict
    ) -> dict:
        shard = self._client()
        self._in_flight[shard] += 1
        try:
            return await self._get(self._clients[shard], url, headers, extensions)
        except urlpolicy.UrlRefused as refused:
            raise _Failure(str(refused)) from None
        except httpx.TimeoutException as error:
            raise _Failure(_timeout_cause(error, self.settings), retry=True) from None
        except httpx.TooManyRedirects:
            raise _Failure(
                f"redirect loop or more than {self.settings.max_redirects} redirects"
            ) from None
        except httpx.DecodingError as error:
            raise _Failure(f"could not decode the compressed body ({error})") from None
        except httpx.HTTPError as error:
            raise _Failure(f"{type(error).__name__}: {error or 'no detail'}") from None
        except (httpx.InvalidURL, OSError, ValueError) as error:
            raise _Failure(f"{type(error).__name__}: {error}") from None
        finally:
            self._in_flight[shard] -= 1

    async def _get(
        self,
        client: httpx.AsyncClient,
        url: str,
        headers: dict[str, str],
        extensions: dict,
    ) -> dict:
        async with client.stream(
            "GET", url, headers=headers, extensions=extensions
        ) as response:
            status = response.status_code
            api = "tps_api" in extensions
            kept = _kept_headers(response) if api else None
            error_body = (
                await self._error_body(response) if api and status >= 400 else None
            )
            if status == 429 or status >= 500:
                raise _Failure(
                    f"HTTP {status} {response.reason_phrase}".rstrip(),
                    status=status,
                    retry=True,
                    retry_after=_retry_after(response.headers.get("Retry-After"))
                    if response.headers.get("Retry-After")
                    else _reset_after(response.headers),
                    body=error_body,
                    headers=kept,
                )
            validators = {
                "etag": response.headers.get("ETag"),
                "last_modified": response.headers.get("Last-Modified"),
            }
            if kept is not None:
                validators["headers"] = kept
            if status == 304:
                return {"url": url, "status": 304, **validators}
            if status != 200:
                raise _Failure(
                    f"HTTP {status} {response.reason_phrase}".rstrip(),
                    status=status,
                    body=error_body,
                    headers=kept,
                )
            body = await self._read(response)
            return {
                "url": url,
                "status": 200,
                "body": body,
                "content_type": response.headers.get("Content-Type"),
                **validators,
            }

    async def _error_body(self, response: httpx.Response) -> bytes | None:
        """The first ERROR_BODY_CAP bytes of an error response (an API's error
        code is in its body); None if it cannot be read."""
        try:
            return await self._read(response, cap=ERROR_BODY_CAP)
        except (_Failure, httpx.HTTPError):
            return None

    async def _read(self, response: httpx.Response, cap: int | None = None) -> bytes:
        """The decoded body, refused as soon as it passes `max_bytes`.

        The cap holds while streaming and after decompression: the raw bytes
        are inflated here, never more than one byte past the cap, so a small
        gzip bomb stops at the cap without ever being inflated in memory."""
        cap = cap or self.settings.max_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Failure(
                f"body of {int(declared)} bytes is over the {cap}-byte cap",
                status=200,
            )
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        inflate = _Inflater(encoding)
        over = f"body is over the {cap}-byte cap" + (
            f" once decompressed ({encoding})" if inflate.compressed else ""
        )
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            chunk = inflate(raw, cap - size + 1)
            size += len(chunk)
            if size > cap:
                raise _Failure(over, status=200)
            chunks.append(chunk)
        chunks.append(inflate.flush())
        if size + len(chunks[-1]) > cap:
            raise _Failure(over, status=200)
        return b"".join(chunks)


class _Inflater:
    """Decodes a gzip or deflate body, never returning more than `limit` bytes
    per call (zlib's `max_length`): what is past the cap is never inflated."""

    def __init__(self, encoding: str):
        if encoding not in ("identity", "gzip", "x-gzip", "deflate"):
            raise _Failure(f"unsupported Content-Encoding {encoding!r}", status=200)
        self.compressed = encoding != "identity"
        self.deflate = encoding == "deflate"
        wbits = zlib.MAX_WBITS | 16 if "gzip" in encoding else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(wbits) if self.compressed else None
        self._started = False

    def __call__(self, data: bytes, limit: int) -> bytes:
        if self._zlib is None:
            return data
        try:
            out = self._zlib.decompress(data, limit)
        except zlib.error:
            if not (self.deflate and not self._started):
                raise _Failure(
                    "could not decode the compressed body", status=200
                ) from None
            # "deflate" is sent both zlib-wrapped and raw: try raw.
            self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
            self.deflate = False
            return self(data, limit)
        self._started = True
        return out

    def flush(self) -> bytes:
        if self._zlib is None:
            return b""
        try:
            return self._zlib.flush()
        except zlib.error:
            raise _Failure("could not decode the compressed body", status=200) from None


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """One verifying context for every client: loading the CA bundle costs
    tens of milliseconds, per client if each made its own."""
    return httpx.create_ssl_context()


def _timeout_cause(error: httpx.TimeoutException, settings: FeedSettings) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"timed out connecting ({settings.connect_timeout:g} s)"
    if isinstance(error, httpx.ReadTimeout):
        return f"timed out waiting for data ({settings.read_timeout:g} s)"
    return f"timed out ({type(error).__name__})"


def _kept_headers(response: httpx.Response) -> dict[str, str]:
    return {
        name: response.headers[name]
        for name in KEPT_HEADERS
        if name in response.headers
    }


def _reset_after(headers: httpx.Headers) -> float | None:
    """Seconds until a rate limit resets: X's x-rate-limit-reset and
    Bluesky's RateLimit-Reset (epoch seconds) or Mastodon's X-RateLimit-Reset
    (an ISO 8601 time)."""
    for name in ("x-rate-limit-reset", "x-ratelimit-reset", "ratelimit-reset"):
        value = (headers.get(name) or "").strip()
        if not value:
            continue
        if value.isdigit():
            when = dt.datetime.fromtimestamp(int(value), dt.UTC)
        else:
            try:
                when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            if when.tzinfo is None:
                when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
    return None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds from now: delta-seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
