"""`invoke audit`: the built sites as visitors get them. One page of every page
type is served by nginx with the shipped config and loaded in headless Chromium
(axe-core, console and CSP errors, page and JavaScript weight); every link and
anchor of every HTML file is resolved from the files; the Nu HTML Checker
validates every HTML file. Any breach fails the audit."""

from __future__ import annotations

import runpy
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tps.alerts.model import LIVE_MARKERS
from tps.core.paths import SETTINGS

from .browse import browse
from .links import check_links
from .pages import AuditPage, select_pages
from .report import Breach, SiteAudit, page_breaches, print_report
from .scan import scan_site
from .server import LIVE_ALERT_URL, serve_site
from .vnu import CheckerMissing, html_errors

__all__ = ["AuditError", "Breach", "SiteAudit", "audit_sites", "print_report"]


class AuditError(Exception):
    """The audit could not run (a tool is missing); not the same as a breach."""


def site_origin(site: str) -> str:
    return runpy.run_path(str(SETTINGS[site]))["SITE_ORIGIN"]


def audit_site(
    site: str,
    folder: Path,
    *,
    urls: list[str] | None = None,
    fail_fast: bool = False,
) -> SiteAudit:
    """Audit one built site. ``urls`` loads those pages in the browser instead
    of one of every page type; ``fail_fast`` skips the browser when a link or
    the HTML is already broken (publish does: the answer is no either way)."""
    folder = Path(folder)
    if not (folder / "index.html").is_file():
        raise AuditError(f"{folder} holds no built site (no index.html): build first")
    audit = SiteAudit(site)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The JVM runs while the browser works.
        validity = pool.submit(html_errors, folder)
        scanned = scan_site(folder)
        for problem in check_links(folder, scanned, site_origin(site)):
            page, _, reason = problem.partition(": ")
            if LIVE_MARKERS["url"] in reason:
                continue  # the alert page's placeholder, filled in by `invoke alert`
            audit.breaches.append(Breach(site, page, f"broken link: {reason}"))
        try:
            for error in validity.result() if fail_fast else ():
                audit.breaches.append(_invalid(site, error))
            if fail_fast and audit.breaches:
                return audit
            pages = (
                [AuditPage("requested", url) for url in urls]
                if urls
                else select_pages(scanned, LIVE_ALERT_URL)
            )
            with (
                tempfile.TemporaryDirectory(prefix=f"tps-audit-{site}-") as run,
                serve_site(site, folder, Path(run)) as served,
            ):
                audit.pages = browse(served.url, pages, served.credentials)
            for result in audit.pages:
                audit.breaches += page_breaches(site, result)
            for error in () if fail_fast else validity.result():
                audit.breaches.append(_invalid(site, error))
        except CheckerMissing as error:
            raise AuditError(str(error)) from None
    return audit


def _invalid(site: str, error: str) -> Breach:
    page, _, reason = error.partition(": ")
    return Breach(site, page, f"invalid HTML: {reason}")


def audit_sites(sites: dict[str, Path], *, fail_fast: bool = False) -> list[SiteAudit]:
    """Audit each built site (name -> folder), e.g. {"public": output/public}."""
    return [
        audit_site(site, folder, fail_fast=fail_fast) for site, folder in sites.items()
    ]
