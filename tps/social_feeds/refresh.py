"""The refresh: every feed fetched at once, under one deadline for the whole run.

For each feed: a 200 is parsed and replaces the cached feed; a 304 keeps the
cached items; anything else (an error, a bad body, the deadline) only records
the attempt on the cached feed, whose last good items stay, marked stale. A
bad response never replaces good items. The run ends with a report, also
written to `feeds/cache/report.json`, and unreferenced images are pruned.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import multiprocessing
import os
import tempfile
import time
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from tps.core import clock
from tps.records_archive import ArchiveError
from tps.records_archive.session import archive_for_refresh

from . import cache
from .connectors import ApiFailure, ApiPlan, CredentialsError, plan, scrub
from .connectors.budget import due
from .connectors.credentials import credentials_path, load_credentials
from .connectors.graph import BACK_OFF_AT, graph_usage
from .decide import (
    Decision,
    Failed,
    NotDue,
    NotModified,
    Outcome,
    Parsed,
    decide,
    validators,
)
from .fetch import API_ACCEPT, Fetcher, FetchResult
from .media import MediaStore, media_name, prune
from .models import CachedFeed, FeedItem
from .normalise import normalise_items
from .parse import FeedParseError, parse_feed
from .registry import FeedAccount
from .report import FeedReport, RefreshReport, write_report
from .settings import FeedSettings

log = logging.getLogger(__name__)

# From this many feeds on, parsing (CPU-bound: ~5 ms a feed) runs in worker
# processes on every core instead of holding up the event loop.
PARALLEL_PARSE_FROM = 16
# Requests in flight at once to one platform's API: few enough that a usage
# header or a failed token stops the rest before they are sent.
API_CONCURRENCY = 4


class RefreshError(Exception):
    """The refresh as a whole cannot run (as opposed to one feed failing)."""


def refresh(
    accounts: list[FeedAccount],
    settings: FeedSettings,
    now: dt.datetime | None = None,
    *,
    credentials: dict[str, dict[str, str]] | None = None,
) -> RefreshReport:
    """Refresh every account's feed into `settings.cache_dir`; returns within
    `settings.deadline` seconds (plus the time to record what was cut off).

    Callable from code that already runs an event loop in this thread (e.g. a
    Playwright sync session): the refresh then gets a thread of its own.

    Every successful fetch is recorded in the records archive (tps/
    records_archive) before the cache is written; an archive that cannot be
    opened (corrupt, locked) or another refresh running stops this one before
    it writes anything (RefreshError)."""
    _check_writable(settings.cache_dir)
    try:
        keys = [account.key for account in _unique(accounts)]
        with archive_for_refresh(
            settings, lambda: cache.load_all(settings.cache_dir, keys)
        ) as archive:
            run = functools.partial(
                asyncio.run,
                refresh_async(
                    accounts,
                    settings,
                    now=now,
                    archive=archive,
                    credentials=credentials,
                ),
            )
            if not _loop_running():
                return run()
            with ThreadPoolExecutor(max_workers=1) as thread:
                return thread.submit(run).result()
    except ArchiveError as error:
        raise RefreshError(str(error)) from None


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def refresh_async(
    accounts: list[FeedAccount],
    settings: FeedSettings,
    *,
    now: dt.datetime | None = None,
    archive=None,
    credentials: dict[str, dict[str, str]] | None = None,
) -> RefreshReport:
    """`credentials`: platform -> keys; None reads TPS_SOCIAL_CREDENTIALS
    (only when some account has an `api_id`)."""
    try:
        now = now or clock.now()  # TPS_FIXED_NOW fixes it (reproducible runs)
    except clock.ClockError as error:
        raise RefreshError(str(error)) from None
    _check_writable(settings.cache_dir)
    accounts = _unique(accounts)
    path = credentials_path()
    try:
        if credentials is None:
            wanted = any(account.api_id for account in accounts)
            credentials = load_credentials(path) if wanted else {}
        api = plan(accounts, credentials, credentials_file=path)
    except CredentialsError as error:
        raise RefreshError(str(error)) from None
    accounts = api.accounts
    started = time.monotonic()
    deadline_at = asyncio.get_running_loop().time() + settings.deadline
    deadline_reached = False
    pool = _parse_pool(len(accounts))
    async with Fetcher(settings, deadline_at=deadline_at) as fetcher:
        run = _Run(settings, now, fetcher, pool, api.api, api.secrets)
        run.archive = archive
        tasks = [asyncio.create_task(run.guarded(account)) for account in accounts]
        try:
            async with asyncio.timeout_at(deadline_at):
                await asyncio.gather(*tasks)
        except TimeoutError:
            deadline_reached = True
        finally:
            run.media.cancel()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
    elapsed = time.monotonic() - started
    await asyncio.gather(
        *(
            run.failed(
                account,
                cache.load(settings.cache_dir, account.key),
                f"{account.feed}: deadline of {settings.deadline:g} s reached",
                status=None,
                duration=elapsed,
            )
            for account in accounts
            if account.key not in run.reports
        )
    )
    report = RefreshReport(
        started=now,
        duration=round(time.monotonic() - started, 3),
        deadline=settings.deadline,
        deadline_reached=deadline_reached,
        feeds=[run.reports[account.key] for account in accounts],
        notices=api.notices + run.notices(),
    )
    write_report(settings.cache_dir, report)
    removed = prune(settings.cache_dir)
    if removed:
        log.info("social_feeds: removed %d unreferenced images", len(removed))
    return report


class _FeedFailed(Exception):
    def __init__(self, error: str, status: int | None):
        super().__init__(error)
        self.error, self.status = error, status


class _Run:
    """The state of one refresh: its time, clients, parsers, images, reports."""

    def __init__(
        self,
        settings: FeedSettings,
        now: dt.datetime,
        fetcher: Fetcher,
        pool: Executor | None,
        api: dict[str, ApiPlan] | None = None,
        secrets: list[str] | None = None,
    ):
        self.api = api or {}  # account key -> its API connector
        self.secrets = secrets or []  # never in an error, the cache or the report
        # platform -> why no more requests go to its API in this run (a token
        # failed, a rate limit or a usage threshold was reached)
        self.gates: dict[str, str] = {}
        self.api_slots: dict[str, asyncio.Semaphore] = {}
        self.token_failures: dict[str, tuple[str, list[str]]] = {}
        self.settings = settings
        self.now = now
        self.fetcher = fetcher
        self.pool = pool  # parses in worker processes; None: in this one
        self.media = MediaStore(settings.cache_dir, fetcher)
        self.reports: dict[str, FeedReport] = {}
        self.dropped: dict[str, list[str]] = {}  # per account: items left out
        self.archive = None  # records_archive.Archive: every fetched version

    async def guarded(self, account: FeedAccount) -> None:
        """`feed`, with an unexpected error failing that feed only; an OSError
        (the cache cannot be written) stops the whole refresh."""
        started = time.monotonic()
        try:
            await self.feed(account)
        except OSError:
            raise
        except Exception as error:
            if isinstance(error, ArchiveError):
                raise  # the archive failed mid-run: stop, as for the cache
            log.exception("social_feeds: refreshing %s", account.feed)
            if account.key not in self.reports:
                await self.failed(
                    account,
                    cache.load(self.settings.cache_dir, account.key),
                    f"{account.feed}: internal error ({type(error).__name__}: {error})",
                    status=None,
                    duration=time.monotonic() - started,
                )

    async def feed(self, account: FeedAccount) -> None:
        started = time.monotonic()
        old = cache.load(self.settings.cache_dir, account.key)
        try:
            outcome = await self._fetched(account, old)
        except _FeedFailed as failure:
            outcome = Failed(self._scrubbed(failure.error), failure.status)
        decision = decide(account.key, account.feed, old, outcome, self.now)
        if decision.status == "failed":  # also a 304 to a request without validators
            await self._record_failure(account, decision, time.monotonic() - started)
            return
        feed = decision.feed
        feed.items = _with_stored_images(self.settings.cache_dir, feed.items)
        if self.archive is not None and feed.last_status != 304:
            self.archive.record(account, feed.items, self.now)
        report = self._report(account, decision, time.monotonic() - started)
        report.dropped = self.dropped.pop(account.key, [])
        self.reports[account.key] = report  # before saving: see _save
        await self._save(feed)
        # Images last: the feed is already saved and reported if the deadline
        # cuts the downloads short.
        items, stored, errors = await self.media.localise(feed.items, account.feed)
        if items != feed.items:
            feed.items = items
            await self._save(feed)
            if self.archive is not None:
                self.archive.record_media(account, items, self.now)
        report.images, report.image_errors = stored, errors
        report.duration = round(time.monotonic() - started, 3)

    async def _fetched(self, account: FeedAccount, old: CachedFeed | None) -> Outcome:
        """What fetching the account gave (decide.py says what it means for
        the cache); raises _FeedFailed."""
        if account.key in self.api:
            return await self._api_fetched(account, old, self.api[account.key])
        etag, last_modified = validators(old, account.feed)
        result = await self.fetcher.fetch(
            account.feed, etag=etag, last_modified=last_modified
        )
        if result.not_modified:
            return NotModified(
                result.etag,
                result.last_modified,
                validators_sent=bool(etag or last_modified),
            )
        if not result.ok:
            raise _FeedFailed(result.error or f"{account.feed}: failed", result.status)
        try:
            feed = await self._parsed(account, result)
        except FeedParseError as error:
            raise _FeedFailed(
                f"{account.feed}: {error.reason}", result.status
            ) from None
        return Parsed(feed)

    async def _api_fetched(
        self, account: FeedAccount, old: CachedFeed | None, api: ApiPlan
    ) -> Outcome:
        """`_fetched` through the platform's API: the same fetcher (deadline,
        caps, retries), the same items; its errors in the report's words."""
        connector = api.connector
        # Only a cache this API wrote may wait (not one from a former feed URL).
        if (
            old is not None
            and old.url.startswith(api.base)
            and not due(account.platform, old, self.now)
        ):
            # A quiet account, asked less often (connectors/budget.py): its
            # items stay as they are, last_success too.
            return NotDue()
        since = _newest_id(old) if connector.incremental and old is not None else None
        slots = self.api_slots.setdefault(
            account.platform,
            asyncio.Semaphore(min(API_CONCURRENCY, self.settings.concurrency)),
        )

        async def get(call, **validators) -> FetchResult:
            async with slots:  # the gate is read once a slot is ours
                if account.platform in self.gates:
                    raise _FeedFailed(
                        f"{account.feed}: {self.gates[account.platform]}; "
                        "not requested",
                        None,
                    )
                result = await self.fetcher.fetch(
                    call.url,
                    headers=call.headers,
                    accept=API_ACCEPT,
                    api=True,
                    **validators,
                )
                self._watch_usage(account.platform, connector.name, result)
                return result

        try:
            call = await connector.resolve(
                get, account, api.base, api.secret, since=since
            )
        except ApiFailure as failure:
            raise self._api_failed(account, account.feed, failure) from None
        revalidate = (
            connector.conditional
            and old is not None
            and bool(old.items)
            and old.url == (call.cache_url or call.url)
        )
        result = await get(
            call,
            etag=old.etag if revalidate else None,
            last_modified=old.last_modified if revalidate else None,
        )
        if result.not_modified and revalidate:
            return NotModified(result.etag, result.last_modified)
        if not result.ok or result.not_modified:
            raise self._api_failed(account, call.url, connector.failure(result))
        try:
            parsed = connector.parse(
                result.body or b"",
                account,
                now=self.now,
                cap=self.settings.per_feed_cap,
            )
        except FeedParseError as error:
            raise _FeedFailed(
                scrub(f"{call.url}: {error.reason}", self.secrets), result.status
            ) from None
        items = parsed.items
        url = call.cache_url or call.url
        if old is not None and old.url == url and (since or not items):
            # Only newer posts were asked for, or none came: the last posts
            # are still the last ones.
            items = normalise_items(
                [*items, *old.items],
                now=self.now,
                cap=self.settings.per_feed_cap,
                shared_links={account.url},
            )
        feed = CachedFeed(
            account=account.key,
            url=url,
            items=items,
            profile=parsed.profile,
            etag=result.etag if connector.conditional else None,
            last_modified=result.last_modified if connector.conditional else None,
            last_success=self.now,
            last_attempt=self.now,
            last_status=result.status,
            last_error=None,
        )
        return Parsed(feed)

    def _api_failed(
        self, account: FeedAccount, url: str, failure: ApiFailure
    ) -> _FeedFailed:
        message = scrub(failure.message, self.secrets)
        if failure.kind in ("token", "rate"):
            self.gates.setdefault(account.platform, message)
        if failure.kind == "token":
            _, handles = self.token_failures.setdefault(account.platform, (message, []))
            handles.append(account.handle)
        return _FeedFailed(scrub(f"{url}: {message}", self.secrets), failure.status)

    def _watch_usage(self, platform: str, name: str, result: FetchResult) -> None:
        """Close the platform's gate before its limit is reached: Graph's usage
        headers at BACK_OFF_AT %, X's remaining count at 0."""
        headers = result.headers or {}
        if platform in ("facebook", "instagram"):
            used, regain = graph_usage(headers)
            if used >= BACK_OFF_AT or regain > 0:
                self.gates.setdefault(
                    platform,
                    f"{name} Graph API usage at {used}% of its limit"
                    + (f", access regained in {regain} min" if regain else "")
                    + "; backing off until a later refresh",
                )
        remaining = headers.get("x-rate-limit-remaining")
        if remaining is not None and remaining.strip() == "0":
            reset = headers.get("x-rate-limit-reset", "?")
            self.gates.setdefault(
                platform,
                f"{name} rate limit used up (x-rate-limit-reset {reset}); "
                "backing off until it resets",
            )

    def notices(self) -> list[str]:
        """One line per platform whose token failed, naming its accounts."""
        lines = []
        for platform, (message, handles) in self.token_failures.items():
            gated = [
                key.partition(":")[2]
                for key, report in self.reports.items()
                if report.platform == platform
                and report.error
                and "not requested" in report.error
            ]
            every = sorted(set(handles + gated))
            lines.append(
                f"{platform}: {message}; accounts affected: {', '.join(every)}"
            )
        return lines

    async def _parsed(self, account: FeedAccount, result: FetchResult) -> CachedFeed:
        parse = functools.partial(
            parse_feed,
            result.body or b"",
            content_type=result.content_type,
            account=account,
            now=self.now,
            cap=self.settings.per_feed_cap,
        )
        try:
            if self.pool is None:
                parsed = parse()
            else:
                parsed = await asyncio.get_running_loop().run_in_executor(
                    self.pool, parse
                )
        except FeedParseError:
            raise
        except Exception as error:  # a parser bug must fail this feed only
            log.exception("social_feeds: parsing %s", account.feed)
            raise FeedParseError(
                f"the parser failed ({type(error).__name__}: {error})"
            ) from error
        self.dropped[account.key] = parsed.dropped
        return CachedFeed(
            account=account.key,
            url=account.feed,
            items=parsed.items,
            profile=parsed.profile,
            etag=result.etag,
            last_modified=result.last_modified,
            last_success=self.now,
            last_attempt=self.now,
            last_status=result.status,
            last_error=None,
        )

    async def failed(
        self,
        account: FeedAccount,
        old: CachedFeed | None,
        error: str,
        *,
        status: int | None,
        duration: float,
    ) -> None:
        """Record the failed attempt; the cached items, profile, validators and
        last success stay as they were."""
        failure = Failed(self._scrubbed(error), status)
        decision = decide(account.key, account.feed, old, failure, self.now)
        await self._record_failure(account, decision, duration)

    def _scrubbed(self, error: str) -> str:
        return scrub(error, self.secrets) if self.secrets else error

    async def _record_failure(
        self, account: FeedAccount, decision: Decision, duration: float
    ) -> None:
        self.reports[account.key] = self._report(account, decision, duration)
        await self._save(decision.feed)

    async def _save(self, feed: CachedFeed) -> None:
        """Write the feed in a thread (fsync waits overlap). The feed's report
        is recorded first: if the deadline cancels this wait, the write still
        completes (atomically) and the report already says what it holds."""
        await asyncio.to_thread(cache.save, self.settings.cache_dir, feed)

    def _report(
        self, account: FeedAccount, decision: Decision, duration: float
    ) -> FeedReport:
        feed = decision.feed
        return FeedReport(
            account=account.key,
            platform=account.platform,
            unit=account.unit,
            unit_name=account.unit_name,
            member=account.member,
            url=account.feed,
            status=decision.status,
            http_status=feed.last_status,
            items=len(feed.items),
            new_items=decision.new_items,
            age_seconds=decision.age_seconds,
            last_success=feed.last_success,
            error=feed.last_error,
            duration=round(duration, 3),
        )


def _newest_id(old: CachedFeed) -> str | None:
    if old.stale or not old.items:
        return None
    return max(old.items, key=lambda item: item.published).id


def _with_stored_images(cache_dir: Path, items: list[FeedItem]) -> list[FeedItem]:
    """Items point at their image if it is stored, and at nothing otherwise."""
    out = []
    for item in items:
        name = media_name(item.image) if item.image else None
        local = name if name and (cache_dir / name).is_file() else None
        if item.image_local != local:
            item = item.model_copy(update={"image_local": local})
        out.append(item)
    return out


def _parse_pool(feeds: int) -> Executor | None:
    cores = os.cpu_count() or 1
    if feeds < PARALLEL_PARSE_FROM or cores < 2:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    # fork: a worker starts in milliseconds, with the parser already imported.
    from tps.records_archive.session import close_inherited_locks

    pool = ProcessPoolExecutor(
        max_workers=min(cores, 4),
        mp_context=multiprocessing.get_context("fork"),
        initializer=close_inherited_locks,  # the archive lock stays the parent's
    )
    pool.submit(int)  # fork the workers now, before any thread is started
    return pool


def _unique(accounts: list[FeedAccount]) -> list[FeedAccount]:
    """One fetch per account key, even if two units list the same account."""
    seen: dict[str, FeedAccount] = {}
    for account in accounts:
        seen.setdefault(account.key, account)
    return list(seen.values())


def _check_writable(cache_dir: Path) -> None:
    try:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=cache_dir):
            pass
    except OSError as error:
        raise RefreshError(
            f"{cache_dir}: the feed cache folder is not writable ({error})"
        ) from None
