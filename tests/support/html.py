from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


def page(site: Path, url: str) -> BeautifulSoup:
    """The HTML of a site-relative URL such as 'blogs/crime-blog/'."""
    target = site / url
    return soup(target / "index.html" if url.endswith("/") or url == "" else target)
