"""tps/core/pelican_internals.py is the only place below Pelican's documented
surface; these tests pin the Pelican behaviour it relies on (they fail if a
Pelican upgrade changes it), and check that no other module reaches past the
public API."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from pelican.contents import Article, Content, Page, Static
from pelican.generators import ArticlesGenerator, Generator, PagesGenerator
from pelican.readers import BaseReader, MarkdownReader, Readers
from pelican.settings import read_settings
from pelican.urlwrappers import Category, URLWrapper
from pelican.writers import Writer

from tps.core.paths import SETTINGS
from tps.core.pelican_internals import fix_output_location

TPS = Path(__file__).resolve().parents[2] / "tps"


def article(settings, **metadata):
    return Article(
        "<p>Body</p>",
        metadata={
            "title": "Winter driving",
            "date": datetime(2026, 1, 5, 9, 0),
            "slug": "winter-driving",
            "category": Category("traffic-services", settings),
            **metadata,
        },
        settings=settings,
        source_path="/site/content/blogs/traffic-services/winter-driving.md",
    )


def test_pelican_answers_url_and_save_as_overrides_before_the_settings():
    """Pinned: the documented ``url``/``save_as`` metadata become the
    ``override_url``/``override_save_as`` attributes, which win over the URL
    settings on every access."""
    settings = read_settings(str(SETTINGS["public"]))
    post = article(settings, url="x/", save_as="x/index.html")
    assert (post.override_url, post.override_save_as) == ("x/", "x/index.html")
    assert (post.url, post.save_as) == ("x/", "x/index.html")
    plain = article(settings)
    assert not hasattr(plain, "override_url")
    settings["ARTICLE_URL"] = "elsewhere/{slug}/"
    assert plain.url == "elsewhere/winter-driving/", "formatted on every access"


def test_a_fixed_output_location_no_longer_follows_the_settings():
    settings = read_settings(str(SETTINGS["public"]))
    post = article(settings)
    assert post.url == "blogs/traffic-services/winter-driving/"
    fix_output_location(post)
    settings["ARTICLE_URL"] = settings["ARTICLE_SAVE_AS"] = "elsewhere/{slug}/"
    assert post.url == "blogs/traffic-services/winter-driving/"
    assert post.save_as == "blogs/traffic-services/winter-driving/index.html"
    assert "url" not in post.metadata and "save_as" not in post.metadata


def test_a_discarded_field_is_a_bare_object_that_read_file_drops(tmp_path):
    """Pinned for tps/site/readcache.py: a metadata processor answers a bare
    ``object()`` for a field to drop, and Readers.read_file drops it."""
    settings = read_settings(str(SETTINGS["public"]))
    reader = BaseReader(settings)
    assert type(reader.process_metadata("status", " ")) is object
    assert type(reader.process_metadata("tags", " , ")) is object
    source = tmp_path / "post.md"
    source.write_text("Title: T\nTags:\nStatus:\n\nBody\n")
    settings = {**settings, "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False}
    page = Readers(settings).read_file(str(tmp_path), "post.md", content_class=Page)
    assert "tags" not in page.metadata and "status" not in page.metadata


PELICAN_CLASSES = (
    Content, Article, Page, Static, URLWrapper, Category, Writer, Readers,
    BaseReader, MarkdownReader, Generator, ArticlesGenerator, PagesGenerator,
)  # fmt: skip
# Private attributes Pelican's objects set on themselves (not in the classes).
PRIVATE_INSTANCE_ATTRIBUTES = {
    "_content", "_summary", "_context", "_md", "_source_path", "_written_files",
    "_overridden_files", "_status", "_output_location_referenced", "_slug",
    "_cache", "_cache_open", "_cache_path", "_templates", "_templates_path",
}  # fmt: skip


def test_no_module_reaches_past_pelicans_public_api():
    """No private Pelican name (imported, read or set), no replaced method of
    a Pelican class, outside tps/core/pelican_internals.py."""
    private = set(PRIVATE_INSTANCE_ATTRIBUTES)
    for cls in PELICAN_CLASSES:
        for klass in cls.__mro__:
            if klass.__module__.startswith("pelican"):
                private |= {
                    name
                    for name in vars(klass)
                    if name.startswith("_") and not name.startswith("__")
                }
    names = "|".join(sorted(map(re.escape, private)))
    patterns = [
        re.compile(rf"\.({names})\b"),
        re.compile(rf"^\s+def ({names})\("),  # overriding one
        re.compile(r"from pelican[\w.]* import .*\b_\w+"),
        re.compile(r"\bpelican[\w.]*\._\w+"),
        re.compile(rf"\b({'|'.join(c.__name__ for c in PELICAN_CLASSES)})\.\w+\s*="),
        re.compile(
            r"setattr\(\s*(" + "|".join(c.__name__ for c in PELICAN_CLASSES) + r")\b"
        ),
    ]
    found = []
    for path in sorted(TPS.rglob("*.py")):
        if path.name == "pelican_internals.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if any(p.search(line) for p in patterns) and not line.lstrip().startswith(
                "#"
            ):
                found.append(f"{path.relative_to(TPS.parent)}:{number}: {line.strip()}")
    assert found == []
