"""Load each selected page cold in headless Chromium and measure what a visitor
gets: axe-core WCAG 2.0/2.1 A+AA violations, console errors and CSP
violations, bytes transferred and JavaScript bytes from the network log."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..browser import WCAG_AA, launch
from .pages import AuditPage

# Records CSP violations even when Chromium does not log them to the console.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""
TIMEOUT_MS = 20_000
# Pages load side by side in this many tabs: a page mostly waits on its renderer and axe.
CONCURRENCY = 3


@dataclass
class PageResult:
    page: AuditPage
    status: int | None = None
    violations: list[dict] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    transferred: int = 0
    javascript: int = 0


def _is_javascript(request) -> bool:
    path = request.url.split("?")[0]
    return request.resource_type == "script" or path.endswith((".js", ".mjs", ".wasm"))


def browse(
    base_url: str, pages: list[AuditPage], credentials: dict | None = None
) -> list[PageResult]:
    # In a thread of its own: the caller may already run an event loop in this
    # one (a Playwright sync session does), and asyncio.run() refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(
            asyncio.run, _browse(base_url, pages, credentials)
        ).result()


async def _browse(base_url, pages, credentials) -> list[PageResult]:
    from axe_playwright_python.async_playwright import Axe
    from playwright.async_api import async_playwright

    axe = Axe()
    queue: asyncio.Queue = asyncio.Queue()
    for number, page in enumerate(pages):
        queue.put_nowait((number, page))
    results: list[PageResult | None] = [None] * len(pages)
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:

            async def tab() -> None:
                """One browser tab loads page after page: its renderer (and
                V8's cache of the compiled axe-core) is reused; a new tab per
                page cost about as much as loading and checking the page."""
                context = await browser.new_context(http_credentials=credentials)
                try:
                    page = await context.new_page()
                    await page.add_init_script(CSP_LISTENER)
                    # Every load is a first load: nothing comes from the cache.
                    cdp = await context.new_cdp_session(page)
                    await cdp.send("Network.enable")
                    await cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
                    while not queue.empty():
                        number, audit_page = queue.get_nowait()
                        results[number] = await _load(page, axe, base_url, audit_page)
                finally:
                    await context.close()

            await asyncio.gather(*(tab() for _ in range(min(CONCURRENCY, len(pages)))))
        finally:
            await browser.close()
    return [result for result in results if result is not None]


async def _settle(page, pending: dict, quiet_ms: int = 150) -> None:
    """Wait until nothing is loading and nothing new started for ``quiet_ms``:
    scripts may fetch after the load event (the search box does). Playwright's
    networkidle waits a fixed 500 ms, which is most of an audit's time."""
    for _ in range(TIMEOUT_MS // quiet_ms):
        before = pending["started"]
        await page.wait_for_timeout(quiet_ms)
        if pending["open"] <= 0 and pending["started"] == before:
            return


async def _load(page, axe, base_url: str, audit_page: AuditPage) -> PageResult:
    result = PageResult(audit_page)
    url = base_url + audit_page.url
    finished = []
    pending = {"open": 0, "started": 0}

    def console(message):
        if message.type != "error":
            return
        # "Failed to load resource" repeats what the response and
        # requestfailed handlers record with the URL (and is also logged
        # for the 404 page's own document, which is expected).
        if message.text.startswith("Failed to load resource"):
            return
        result.console_errors.append(message.text)

    def started(_request):
        pending["open"] += 1
        pending["started"] += 1

    def done(request):
        pending["open"] -= 1
        finished.append(request)

    def failed(request):
        pending["open"] -= 1
        result.console_errors.append(
            f"request failed: {request.url} ({request.failure})"
        )

    def response(answer):
        if answer.status >= 400 and answer.url != url:
            result.console_errors.append(f"{answer.status} for {answer.url}")

    def uncaught(error):
        result.console_errors.append(f"uncaught: {error}")

    handlers = {
        "console": console,
        "pageerror": uncaught,
        "request": started,
        "requestfinished": done,
        "requestfailed": failed,
        "response": response,
    }
    for event, handler in handlers.items():
        page.on(event, handler)
    try:
        answer = await page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
        result.status = answer.status if answer else None
        await _settle(page, pending)
        for request in finished:
            sizes = await request.sizes()
            size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
            result.transferred += size
            if _is_javascript(request):
                result.javascript += size
        result.console_errors += [
            f"CSP violation: {v}"
            for v in await page.evaluate("window.__cspViolations || []")
        ]
        result.violations = (await axe.run(page, options=WCAG_AA)).response[
            "violations"
        ]
    finally:
        for event, handler in handlers.items():
            page.remove_listener(event, handler)
    return result
