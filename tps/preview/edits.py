"""Which edits the preview can apply to the site it holds, and applying them.

An edit of a post's or page's text (its body, title or summary) changes no
list, order or URL: the content object is updated in place, and only the pages
that read it are written again. Anything else (a new or deleted file, a new
date, tags, slug or status, a unit file, the theme) is a full build.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pelican import signals
from pelican.contents import Article, Content, Page
from pelican.generators import ArticlesGenerator, PagesGenerator

# Metadata an edit may change and still be applied in place: nothing lists,
# orders or links content by these.
TEXT_FIELDS = frozenset({"title", "summary"})
# What reading the file set from its text (Pelican's Content.__init__); every
# other attribute is left as the build and its plugins made it.
TEXT_ATTRIBUTES = ("_content", "title", "_summary")
# Read again, these must not move for the edit to stay in place.
PLACE = ("slug", "save_as", "url", "lang", "template")
ARTICLE_LISTS = (
    "articles", "translations", "drafts", "drafts_translations",
    "hidden_articles", "hidden_translations",
)  # fmt: skip
PAGE_LISTS = (
    "pages", "translations", "hidden_pages", "hidden_translations",
    "draft_pages", "draft_translations",
)  # fmt: skip


@dataclass
class TextEdit:
    """One content file whose text changed: the object every page holds, and
    the object a fresh read of the file gives."""

    held: Content
    fresh: Content


def held_content(generators: list, path: Path) -> tuple[object, Content] | None:
    """The generator holding the content read from ``path``, and the object."""
    source = str(path)
    for generator in generators:
        if isinstance(generator, ArticlesGenerator):
            lists = ARTICLE_LISTS
        elif isinstance(generator, PagesGenerator):
            lists = PAGE_LISTS
        else:
            continue
        for name in lists:
            for item in getattr(generator, name, ()):
                if item.source_path == source:
                    return generator, item
    return None


def read_again(generator, held: Content) -> Content:
    """The file read as the generator read it (the same readers and signals)."""
    relative = Path(held.source_path).relative_to(generator.path)
    return read_file(generator, relative)


def read_file(generator, relative: Path) -> Content:
    """``relative`` (to the generator's content folder) read as the generator
    reads its files: the same readers, classes and signals."""
    articles = isinstance(generator, ArticlesGenerator)
    return generator.readers.read_file(
        base_path=generator.path,
        path=str(relative),
        content_class=Article if articles else Page,
        context=generator.context,
        preread_signal=signals.article_generator_preread
        if articles
        else signals.page_generator_preread,
        preread_sender=generator,
        context_signal=signals.article_generator_context
        if articles
        else signals.page_generator_context,
        context_sender=generator,
    )


def text_edit(generators: list, path: Path) -> TextEdit | None:
    """A TextEdit when only the text of known content changed, else None."""
    if path.suffix != ".md" or not path.is_file():
        return None
    found = held_content(generators, path.resolve())
    if found is None:
        return None
    generator, held = found
    fresh = read_again(generator, held)
    if type(fresh) is not type(held):
        return None
    old = {k: v for k, v in held.metadata.items() if k not in TEXT_FIELDS}
    new = {k: v for k, v in fresh.metadata.items() if k not in TEXT_FIELDS}
    if old != new or set(held.metadata) != set(fresh.metadata):
        return None
    if any(getattr(held, name, None) != getattr(fresh, name, None) for name in PLACE):
        return None
    return TextEdit(held, fresh)


# What templates read that a text edit can change, by what changed.
READ_AS = {
    "content": ("content", "_content", "get_content"),
    "summary": ("summary", "_summary", "get_summary"),
    "title": ("title",),
}


def apply(edit: TextEdit) -> set[str]:
    """The held object takes the fresh one's text, so every list and page that
    holds it sees the edit; what the build and plugins made of it stays.
    Returns the attributes whose values changed, as templates read them."""
    held, fresh = edit.held, edit.fresh
    before = {name: getattr(held, name) for name in READ_AS}
    metadata = dict(held.metadata)
    for name in TEXT_ATTRIBUTES:
        if name in vars(fresh):
            vars(held)[name] = vars(fresh)[name]
        else:
            vars(held).pop(name, None)
    for name in TEXT_FIELDS:
        if name in fresh.metadata:
            held.metadata[name] = fresh.metadata[name]
    held.refresh_metadata_intersite_links()
    # Pelican memoizes get_content and get_summary per (object, siteurl).
    for method in ("get_content", "get_summary"):
        cache = getattr(getattr(type(held), method), "cache", {})
        for key in [key for key in cache if key and key[0] is held]:
            del cache[key]
    changed = {
        read
        for name, value in before.items()
        if getattr(held, name) != value
        for read in READ_AS[name]
    }
    if held.metadata != metadata:
        changed.add("metadata")
    return changed
