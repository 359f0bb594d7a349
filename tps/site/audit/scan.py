"""One pass over every HTML file of a built site: its links, its ids and the
theme blocks its <main> uses (which tell page types apart)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

# Attributes that point at another resource of the site.
LINK_ATTRIBUTES = {
    ("a", "href"),
    ("area", "href"),
    ("link", "href"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("script", "src"),
    ("iframe", "src"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("form", "action"),
}


@dataclass
class Link:
    tag: str
    attribute: str
    value: str
    line: int


@dataclass
class ScannedPage:
    path: Path  # relative to the site root, e.g. blogs/crime-blog/index.html
    links: list[Link] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    blocks: frozenset[str] = frozenset()

    @property
    def url(self) -> str:
        """The URL path nginx serves it at: /blogs/crime-blog/ for .../index.html."""
        text = self.path.as_posix()
        if text == "index.html":
            return "/"
        if text.endswith("/index.html"):
            return "/" + text[: -len("index.html")]
        return "/" + text


class _Parser(HTMLParser):
    def __init__(self, page: ScannedPage):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.in_main = False
        self.blocks: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self._element(tag, attrs)
        if tag == "main":
            self.in_main = True

    def handle_startendtag(self, tag, attrs):
        self._element(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False

    def _element(self, tag, attrs):
        line = self.getpos()[0]
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (tag == "a" and name == "name"):
                self.page.ids.add(value)
            elif (tag, name) in LINK_ATTRIBUTES:
                self.page.links.append(Link(tag, name, value, line))
            elif name == "class" and self.in_main:
                for token in value.split():
                    if token.startswith("tps-"):
                        self.blocks.add(token.split("__")[0].split("--")[0])


def scan_page(root: Path, path: Path) -> ScannedPage:
    page = ScannedPage(path.relative_to(root))
    parser = _Parser(page)
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    parser.close()
    page.blocks = frozenset(parser.blocks)
    return page


def scan_site(root: Path) -> list[ScannedPage]:
    return [scan_page(root, path) for path in sorted(Path(root).rglob("*.html"))]
