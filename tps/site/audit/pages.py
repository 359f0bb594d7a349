"""Which pages the browser loads: one of every page type found in the built site.

A page type is the shape of its URL (first folder kept, the rest wildcards,
``page/N`` kept) together with the theme blocks its <main> uses. So a new kind
of page (a report, a feed page) is audited as soon as it is built, without
anyone listing it here, while 2,000 posts still cost one browser load.
"""

from __future__ import annotations

from dataclasses import dataclass

from .scan import ScannedPage

MISSING_URL = "/audit-no-such-page/"  # requested to check the 404 page
LIVE_ALERT_SHELL = (
    "alerts/live-alert/index.html"  # not a page: `invoke alert` fills it in
)


@dataclass(frozen=True)
class AuditPage:
    kind: str  # a readable name of the page type, e.g. "blogs/*/page/*"
    url: str
    expected_status: int = 200


def url_shape(url: str) -> str:
    parts = [part for part in url.strip("/").split("/") if part]
    if not parts:
        return "home"
    if parts[-1].endswith(".html") and len(parts) == 1:
        return parts[0]
    shape = [parts[0]]
    after_page = False
    for part in parts[1:]:
        shape.append(part if part == "page" or (after_page and part == "1") else "*")
        after_page = part == "page"
    return "/".join(shape) + ("/" if url.endswith("/") else "")


def select_pages(
    pages: list[ScannedPage], live_alert_url: str | None = None
) -> list[AuditPage]:
    """One representative per page type (the first by path), plus a missing
    URL, and the page of an alert `invoke alert` published, when given."""
    chosen: dict[tuple[str, frozenset[str]], ScannedPage] = {}
    for page in sorted(pages, key=lambda p: p.url):
        if page.path.name == "404.html":
            continue  # loaded through a missing URL, as a visitor meets it
        if page.path.as_posix() == LIVE_ALERT_SHELL:
            continue  # served as a 404; its filled-in form is audited below
        chosen.setdefault((url_shape(page.url), page.blocks), page)
    names: dict[str, int] = {}
    selected = []
    for (shape, _blocks), page in sorted(chosen.items(), key=lambda kv: kv[1].url):
        names[shape] = names.get(shape, 0) + 1
        kind = shape if names[shape] == 1 else f"{shape} ({names[shape]})"
        selected.append(AuditPage(kind, page.url))
    if live_alert_url and any(p.path.as_posix() == LIVE_ALERT_SHELL for p in pages):
        selected.append(AuditPage("alerts/* (invoke alert)", live_alert_url))
    selected.append(AuditPage("404", MISSING_URL, expected_status=404))
    return selected
