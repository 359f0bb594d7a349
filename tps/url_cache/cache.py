from __future__ import annotations

from pelican import signals
from pelican.contents import Article, Page

from tps.core.pelican_internals import fix_output_location

# Every list of content a generator keeps (drafts and hidden ones included).
CONTENT_LISTS = (
    "articles", "translations", "drafts", "drafts_translations",
    "hidden_articles", "hidden_translations", "pages", "hidden_pages",
    "draft_pages", "draft_translations",
)  # fmt: skip


def keep_urls(generators) -> None:
    """Posts and pages only: a static file's location may still move (an
    ``{attach}`` link is resolved when a page's content is first read)."""
    seen: set[int] = set()
    for generator in generators:
        for name in CONTENT_LISTS:
            for item in getattr(generator, name, None) or []:
                if id(item) in seen or not isinstance(item, Article | Page):
                    continue
                seen.add(id(item))
                fix_output_location(item)
                for translation in getattr(item, "translations", None) or []:
                    if isinstance(translation, Article | Page):
                        fix_output_location(translation)


def register() -> None:
    signals.all_generators_finalized.connect(keep_urls)
