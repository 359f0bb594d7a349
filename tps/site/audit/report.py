"""Budgets, breaches and the printed table."""

from __future__ import annotations

from dataclasses import dataclass, field

from .browse import PageResult

KB = 1000
WEIGHT_BUDGET = 300 * KB  # bytes transferred on first load, any page
JS_BUDGET = 50 * KB  # JavaScript transferred, outside the search page
SEARCH_URL = "/search/"


@dataclass
class Breach:
    site: str
    page: str  # URL path, file or "site" for whole-site checks
    reason: str

    def __str__(self) -> str:
        return f"{self.site} {self.page}: {self.reason}"


@dataclass
class SiteAudit:
    site: str
    pages: list[PageResult] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)


def page_breaches(site: str, result: PageResult) -> list[Breach]:
    url = result.page.url
    found = []
    if result.status != result.page.expected_status:
        found.append(
            Breach(
                site,
                url,
                f"HTTP {result.status}, expected {result.page.expected_status}",
            )
        )
    for violation in result.violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][
            :3
        ]
        found.append(
            Breach(
                site,
                url,
                f"axe {violation['id']} ({violation.get('impact')}): {violation['help']} at {', '.join(targets)}",
            )
        )
    for message in result.console_errors:
        found.append(Breach(site, url, f"console error: {message}"))
    if result.transferred > WEIGHT_BUDGET:
        found.append(
            Breach(
                site,
                url,
                f"page weight {result.transferred / KB:.0f} KB > {WEIGHT_BUDGET / KB:.0f} KB on first load",
            )
        )
    if url != SEARCH_URL and result.javascript > JS_BUDGET:
        found.append(
            Breach(
                site,
                url,
                f"JavaScript {result.javascript / KB:.0f} KB > {JS_BUDGET / KB:.0f} KB",
            )
        )
    return found


def print_report(audits: list[SiteAudit], console=None) -> None:
    from rich.console import Console
    from rich.table import Table

    # Off a terminal rich assumes 80 columns; URLs need more to stay readable.
    console = console or Console(highlight=False, width=None if _is_tty() else 140)
    for audit in audits:
        table = Table(title=f"Audit: {audit.site} site", title_justify="left")
        table.add_column("page")
        table.add_column("url", no_wrap=True)
        table.add_column("axe violations", justify="right")
        table.add_column("weight KB", justify="right")
        table.add_column("JS KB", justify="right")
        table.add_column("console errors", justify="right")
        for result in audit.pages:
            bad = page_breaches(audit.site, result)
            style = "red" if bad else None
            table.add_row(
                result.page.kind,
                result.page.url,
                str(len(result.violations)),
                f"{result.transferred / KB:.1f}",
                f"{result.javascript / KB:.1f}",
                str(len(result.console_errors)),
                style=style,
            )
        console.print(table)
    breaches = [b for audit in audits for b in audit.breaches]
    if breaches:
        console.print(f"[bold red]{len(breaches)} breach(es):[/]")
        for breach in breaches:
            console.print(f"  [red]✗[/] {breach}", soft_wrap=True)
    else:
        pages = sum(len(a.pages) for a in audits)
        console.print(
            f"[green]Audit passed:[/] {pages} page types, links, anchors and HTML validity in "
            + ", ".join(a.site for a in audits)
        )


def _is_tty() -> bool:
    import sys

    return sys.stdout.isatty()
